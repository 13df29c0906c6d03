"""The images autoloss-torch-train trains and scores on: a COCO folder as `autoloss data shapes`
and `autoloss data convert` write it (images/{train,val}/, annotations/instances_{train,val}.json),
or `shapes`, which asks the autoloss binary to write its synthetic scenes once into a cache."""
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import torch
from PIL import Image


class DataError(ValueError):
    """Data that cannot be used, with the file and the reason."""


def resolve(spec, size, train=64, val=16):
    """The COCO folder named by `spec`: a path, or `shapes` (written by `autoloss data shapes`,
    the binary found as $AUTOLOSS_BIN, which the search sets, or on PATH)."""
    if spec != "shapes":
        root = Path(spec)
        if not (root / "annotations").is_dir():
            raise DataError(f"{root}: not a COCO folder (no annotations/ with instances_train.json and instances_val.json)")
        return root
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "autoloss-torch"
    root = cache / f"shapes-{size}px-{train}-{val}"
    if (root / "annotations" / "instances_val.json").is_file():
        return root
    binary = os.environ.get("AUTOLOSS_BIN") or shutil.which("autoloss")
    if not binary:
        raise DataError("--data shapes needs the autoloss binary: put it on PATH or set AUTOLOSS_BIN")
    cache.mkdir(parents=True, exist_ok=True)
    # Written beside and renamed, so that evaluations starting at once never read half a folder.
    staging = Path(tempfile.mkdtemp(dir=cache, prefix=".shapes-"))
    run = subprocess.run([binary, "data", "shapes", "--out", str(staging), "--train", str(train), "--val", str(val),
                          "--size", str(size)], capture_output=True, text=True)
    if run.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise DataError(f"autoloss data shapes failed: {run.stderr.strip()}")
    try:
        staging.rename(root)
    except OSError:  # another evaluation got there first
        shutil.rmtree(staging, ignore_errors=True)
    return root


class Split:
    """One split of a COCO folder: its annotation file, images and contiguous class indices
    (categories in id order; 0-based for one-stage heads, background 0 for Faster R-CNN)."""

    def __init__(self, root, name):
        self.annotations = Path(root) / "annotations" / f"instances_{name}.json"
        self.image_dir = Path(root) / "images" / name
        try:
            coco = json.loads(self.annotations.read_text())
        except (OSError, ValueError) as error:
            raise DataError(f"{self.annotations}: {error}") from None
        self.categories = sorted(c["id"] for c in coco["categories"])
        self.images = sorted(coco["images"], key=lambda im: im["id"])
        self.boxes = {im["id"]: [] for im in self.images}
        for a in coco["annotations"]:
            if not a.get("iscrowd", 0):
                self.boxes.setdefault(a["image_id"], []).append(a)

    def ids(self):
        return [im["id"] for im in self.images]

    def by_file_or_id(self, wanted):
        """The ids of the images named in candidate.json's verification_images ({"file", "id"})."""
        files = {im["file_name"]: im["id"] for im in self.images}
        known = set(self.ids())
        chosen = []
        for entry in wanted:
            image_id = files.get(entry.get("file")) if "file" in entry else None
            if image_id is None and entry.get("id") in known:
                image_id = entry["id"]
            if image_id is None:
                raise DataError(f"{self.annotations}: no image {entry} of the search's verification set")
            chosen.append(image_id)
        return chosen

    def one_per_class(self):
        """A verification set when the search gave none: for each class, rarest first, the first
        image (by id) holding it that is not yet chosen, as the built-in detector's rule does
        without its seeded draw."""
        holders = {c: [] for c in self.categories}
        for image_id, anns in self.boxes.items():
            for c in {a["category_id"] for a in anns}:
                holders.setdefault(c, []).append(image_id)
        chosen = []
        for c in sorted(holders, key=lambda c: (len(holders[c]), c)):
            free = [i for i in sorted(holders[c]) if i not in chosen]
            if free:
                chosen.append(free[0])
        return sorted(chosen)

    def load(self, ids, label_offset, device):
        """Images as [3, H, W] tensors in [0, 1] and torchvision targets (xyxy boxes in pixels)."""
        info = {im["id"]: im for im in self.images}
        index = {c: k + label_offset for k, c in enumerate(self.categories)}
        images, targets = [], []
        for image_id in ids:
            path = self.image_dir / info[image_id]["file_name"]
            try:
                with Image.open(path) as im:
                    rgb = im.convert("RGB")
                    pixels = torch.frombuffer(bytearray(rgb.tobytes()), dtype=torch.uint8)
                    tensor = pixels.reshape(rgb.height, rgb.width, 3).permute(2, 0, 1).float() / 255
            except OSError as error:
                raise DataError(f"{path}: {error}") from None
            kept = [a for a in self.boxes[image_id] if a["bbox"][2] > 0 and a["bbox"][3] > 0]
            boxes = [[a["bbox"][0], a["bbox"][1], a["bbox"][0] + a["bbox"][2], a["bbox"][1] + a["bbox"][3]] for a in kept]
            labels = [index[a["category_id"]] for a in kept]
            images.append(tensor.to(device))
            targets.append({"boxes": torch.tensor(boxes, dtype=torch.float32).reshape(-1, 4).to(device),
                            "labels": torch.tensor(labels, dtype=torch.int64).to(device)})
        return images, targets
