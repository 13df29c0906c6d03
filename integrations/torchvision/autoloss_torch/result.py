"""result.json, written the way the search reads it: validated first, then in one step.

The search rejects what it cannot trust (DESIGN.md; Sources/Search/Evaluation/ResultFile.swift),
so a mistake here would cost a whole training: this checks the same rules before writing.
"""
import json
import math
import os
import tempfile
from pathlib import Path


class ResultError(ValueError):
    """A result the search would reject, with what is wrong."""


def _checked(stats, ap):
    if stats is not None:
        stats = [float(s) for s in stats]
        if len(stats) != 12:
            raise ResultError(f"stats has {len(stats)} numbers; COCO's summary has 12")
        for k, s in enumerate(stats):
            if not math.isfinite(s) or not -1 <= s <= 1:
                raise ResultError(f"stats[{k}] = {s} is outside [-1, 1] (COCO's numbers are fractions, -1 where absent)")
        if stats[0] < 0:
            raise ResultError(f"stats[0], the AP, is {stats[0]}: an AP in [0, 1] is needed")
        return {"stats": stats}
    if ap is None:
        raise ResultError("an ok result needs stats (12 numbers) or ap")
    ap = float(ap)
    if not math.isfinite(ap) or not 0 <= ap <= 1:
        hint = f": write AP as a fraction ({ap / 100}), not in percent" if 1 < ap <= 100 else ""
        raise ResultError(f"ap = {ap} is outside [0, 1]{hint}")
    return {"ap": ap}


def write_result(directory, stats=None, ap=None, diverged=None, seconds=None):
    """Writes DIR/result.json: `stats` (COCOeval's 12 numbers) or `ap` (a fraction) for a
    finished training, or `diverged="reason"` for a loss that went non-finite. Raises
    ResultError, writing nothing, for a result the search would reject."""
    if diverged is not None:
        body = {"status": "diverged", "reason": str(diverged)}
    else:
        body = {"status": "ok", **_checked(stats, ap)}
    if seconds is not None:
        body["seconds"] = float(seconds)
    path = Path(directory) / "result.json"
    # Written beside and renamed: a reader never sees half a file.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".result-", suffix=".json")
    try:
        with os.fdopen(handle, "w") as f:
            json.dump(body, f, allow_nan=False)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide it from a search run as another user
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return path
