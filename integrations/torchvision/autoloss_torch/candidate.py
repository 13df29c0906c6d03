"""A candidate folder, as the search writes it, read back as Python callables.

The search writes one folder per evaluation (DESIGN.md, "Evaluations, workers and executors"):
loss.py and partner.py (the exported PyTorch code of the searched loss and of its partner in the
other slot) and candidate.json (branch, mode, stage, seed, generation, slot, threads and, when
the search was given --data, the MOS verification images).
"""
import importlib.util
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Optional

STAGES = ("mos", "proxy")
MODES = ("sigmoid", "softmax")


@dataclass
class LossPair:
    """The two losses a detector trains with.

    classification(x, y, w): in `sigmoid` mode x, y, w are [N, C] (logits, binary labels, IoU at
    the positive's class and 0 elsewhere) and it returns [N, C]; in `softmax` mode x and y are
    [N, C + 1] (background last), w is [N] and it returns [N].
    regression(i, u, e): [P] each (intersection, union + 1e-7, enclosing area + 1e-7, in pixels),
    returns [P]. `conventions` builds these inputs.
    """
    classification: Callable
    mode: str
    regression: Callable
    regression_weight: float = 1.0


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

    @property
    def pair(self) -> LossPair:
        if self.branch == "reg":
            return LossPair(classification=self.partner, mode=self.mode, regression=self.loss)
        return LossPair(classification=self.loss, mode=self.mode, regression=self.partner)


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
    return Candidate(
        dir=d, branch=meta["branch"], mode=meta["mode"], stage=meta["stage"], seed=int(meta["seed"]),
        loss=_load_loss(d / "loss.py"), partner=_load_loss(d / "partner.py"),
        formula=meta.get("formula", ""), partner_formula=meta.get("partner", ""),
        generation=meta.get("generation"), slot=meta.get("slot"), threads=meta.get("threads"),
        verification_images=list(meta.get("verification_images", [])),
    )
