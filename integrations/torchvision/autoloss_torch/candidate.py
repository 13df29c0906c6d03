"""A candidate folder, as the search writes it, read back as Python callables.

The search writes one folder per evaluation (DESIGN.md, "Evaluations, workers and executors"):
loss.py and partner.py (the exported PyTorch code of the searched loss and of its partner in the
other slot) and candidate.json (branch, mode, stage, seed, generation, slot, threads and, when
the search was given --data, the MOS verification images). A confirmation training's request
(schema 3) may also carry its own setting and length: `reg_weight` (the regression loss's weight
λ), `focal_alpha` (the alpha of the sigmoid elements' alpha_t weighting), `focal_gamma` (already
in the formula: informational) and `horizon` (the training's length as a multiple of its
schedule's steps). Where a key is absent, the training is what it was without it.
"""
import importlib.util
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Optional

from .conventions import ALPHA_POSITIVE

STAGES = ("mos", "proxy")
MODES = ("sigmoid", "softmax")
MAX_HORIZON = 8.0  # autoloss confirm's --horizons lie in (0, 8]


@dataclass
class LossPair:
    """The two losses a detector trains with.

    classification(x, y, w): in `sigmoid` mode x, y, w are [N, C] (logits, binary labels, IoU at
    the positive's class and 0 elsewhere) and it returns [N, C]; in `softmax` mode x and y are
    [N, C + 1] (background last), w is [N] and it returns [N].
    regression(i, u, e): [P] each (intersection, union + 1e-7, enclosing area + 1e-7, in pixels),
    returns [P]. `conventions` builds these inputs.
    regression_weight: the regression loss's weight λ against the classification loss.
    focal_alpha: in `sigmoid` mode, each element's loss is weighted by alpha_t, focal_alpha where
    y = 1 and 1 - focal_alpha where y = 0 (the authors' 0.25 unless a tuned setting says
    otherwise); `softmax` mode has no such weighting.
    """
    classification: Callable
    mode: str
    regression: Callable
    regression_weight: float = 1.0
    focal_alpha: float = ALPHA_POSITIVE


@dataclass
class Candidate:
    dir: Path
    branch: str          # the searched slot: "sigmoid", "softmax" or "reg"
    mode: str            # the classification head's mode: "sigmoid" or "softmax"
    stage: str           # "mos" or "proxy"
    seed: int
    loss: Callable       # the searched loss
    partner: Callable    # the loss in the other slot
    formula: str
    partner_formula: str
    generation: Optional[int] = None
    slot: Optional[int] = None
    threads: Optional[int] = None
    verification_images: List[dict] = field(default_factory=list)
    # A confirmation training's own setting and length (schema 3); None where candidate.json has
    # no such key: then the command line's --reg-weight, alpha 0.25 and the schedule as given.
    reg_weight: Optional[float] = None
    focal_alpha: Optional[float] = None
    focal_gamma: Optional[int] = None   # informational: the gamma is already in the formula
    horizon: Optional[float] = None

    @property
    def pair(self) -> LossPair:
        """The two losses, with candidate.json's reg_weight and focal_alpha where it has them."""
        setting = {}
        if self.reg_weight is not None:
            setting["regression_weight"] = self.reg_weight
        if self.focal_alpha is not None:
            setting["focal_alpha"] = self.focal_alpha
        if self.branch == "reg":
            return LossPair(classification=self.partner, mode=self.mode, regression=self.loss, **setting)
        return LossPair(classification=self.loss, mode=self.mode, regression=self.partner, **setting)

    def steps(self, iterations: int) -> int:
        """The number of training steps for a schedule of `iterations`: round(iterations ·
        horizon), halves rounded up, at least 1; `iterations` itself where there is no horizon."""
        if self.horizon is None:
            return iterations
        return max(1, math.floor(iterations * self.horizon + 0.5))


class CandidateError(ValueError):
    """A folder that is not a candidate folder, with what is missing."""


def _load_loss(path: Path) -> Callable:
    if not path.is_file():
        raise CandidateError(f"{path.parent} is not a candidate folder: no {path.name}")
    # A module name per file: two folders' loss.py must not share one entry in sys.modules.
    name = "autoloss_loss_" + str(abs(hash(str(path.resolve()))))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not callable(getattr(module, "loss", None)):
        raise CandidateError(f"{path} defines no loss(...) function")
    return module.loss


def _number(meta, meta_path, key, valid, rule, integer=False):
    """candidate.json's `key` as a float (an int where `integer`), None where absent or null;
    a CandidateError naming the key and the value where it is not a number or breaks `rule`."""
    value = meta.get(key)
    if value is None:
        return None
    wrong_type = isinstance(value, bool) or not isinstance(value, (int, float))
    if integer and not wrong_type and not float(value).is_integer():
        wrong_type = True
    if wrong_type or not math.isfinite(value) or not valid(value):
        raise CandidateError(f"{meta_path}: {key} = {value!r}: {rule}")
    return int(value) if integer else float(value)


def load_candidate(directory) -> Candidate:
    """The candidate folder `directory`: both losses as callables, and what candidate.json says."""
    d = Path(directory)
    meta_path = d / "candidate.json"
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, ValueError) as error:
        raise CandidateError(f"{d} is not a candidate folder: cannot read candidate.json ({error})") from None
    missing = [k for k in ("branch", "mode", "stage", "seed") if k not in meta]
    if missing:
        raise CandidateError(f"{meta_path}: missing {', '.join(missing)}")
    if meta["stage"] not in STAGES or meta["mode"] not in MODES:
        raise CandidateError(f"{meta_path}: stage must be one of {STAGES} and mode one of {MODES}")
    setting = dict(
        reg_weight=_number(meta, meta_path, "reg_weight", lambda v: v >= 0,
                           "the regression weight must be a finite number of at least 0"),
        focal_alpha=_number(meta, meta_path, "focal_alpha", lambda v: 0 <= v <= 1, "focal's alpha must lie in [0, 1]"),
        focal_gamma=_number(meta, meta_path, "focal_gamma", lambda v: True, "focal's gamma must be an integer",
                            integer=True),
        horizon=_number(meta, meta_path, "horizon", lambda v: 0 < v <= MAX_HORIZON,
                        f"the horizon must be a number above 0 and at most {MAX_HORIZON:g}"),
    )
    return Candidate(
        dir=d, branch=meta["branch"], mode=meta["mode"], stage=meta["stage"], seed=int(meta["seed"]),
        loss=_load_loss(d / "loss.py"), partner=_load_loss(d / "partner.py"),
        formula=meta.get("formula", ""), partner_formula=meta.get("partner", ""),
        generation=meta.get("generation"), slot=meta.get("slot"), threads=meta.get("threads"),
        verification_images=list(meta.get("verification_images", [])), **setting,
    )
