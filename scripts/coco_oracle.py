#!/usr/bin/env python3
"""The pycocotools oracle for the COCO evaluator's tests.

Usage: coco_oracle.py CASE_DIR [CASE_DIR ...]

Each CASE_DIR holds gt.json (COCO instances) and dt.json (COCO results). For each, this runs
pycocotools' COCOeval(gt, dt, "bbox") -- evaluate, accumulate, summarize -- and writes
CASE_DIR/expected.json:
  {"stats": [the 12 numbers], "per_class_ap": [AP per category, ascending id, -1 if undefined],
   "summary": [the lines summarize() printed], "pycocotools": "VERSION"}
Numbers are written with repr(), so they round-trip exactly.

pycocotools' loadRes fails on an empty results list (it reads anns[0]); an empty list is given
to COCOeval as a results COCO object with no annotations instead, which is what loadRes would
build.
"""
import contextlib
import io
import json
import sys
from importlib.metadata import version

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval


def evaluate(case_dir):
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(f"{case_dir}/gt.json")
        with open(f"{case_dir}/dt.json") as f:
            results = json.load(f)
        if results:
            dt = gt.loadRes(results)
        else:
            dt = COCO()
            dt.dataset = {"images": list(gt.dataset["images"]), "categories": list(gt.dataset["categories"]),
                          "annotations": []}
            dt.createIndex()
        e = COCOeval(gt, dt, "bbox")
        e.evaluate()
        e.accumulate()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        e.summarize()
    precision = e.eval["precision"]  # [T, R, K, A, M]
    per_class = []
    for k in range(precision.shape[2]):
        p = precision[:, :, k, 0, -1]
        p = p[p > -1]
        per_class.append(float(np.mean(p)) if p.size else -1.0)
    return {"stats": [float(s) for s in e.stats], "per_class_ap": per_class,
            "summary": printed.getvalue().splitlines(), "pycocotools": version("pycocotools")}


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    for case_dir in argv[1:]:
        result = evaluate(case_dir)
        with open(f"{case_dir}/expected.json", "w") as f:
            f.write(json.dumps(result, allow_nan=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
