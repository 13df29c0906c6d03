#!/usr/bin/env python3
"""COCO bbox evaluation: `autoloss coco-eval` against pycocotools and faster-coco-eval, in one run.

    make bench-coco
    # or: .venv/bin/python bench/coco_eval_bench.py --autoloss .build/release/autoloss

Two cases, both seeded:
  synthetic  5,000 images, 80 categories, 0-14 boxes an image (1 % crowd, segmentation-like
             areas), 100 detections an image (60 % jittered ground truth, 10 % of those with the
             wrong class, the rest random boxes), scores rounded to 3 decimals (many ties).
  coco128    coco128's own COCO annotations (128 images, 929 boxes, crowd regions); detections:
             jittered annotations plus random boxes, up to 100 an image.

Each tool does the whole job a user asks for, from the JSON files to the twelve numbers:
autoloss is timed as a process (`coco-eval --json`: start, read, evaluate, print); pycocotools
and faster-coco-eval in this Python process (COCO(gt), loadRes(dt), evaluate, accumulate,
summarize), without the interpreter's start and imports. Best of --repeat runs (pycocotools:
--pycocotools-repeat). The stats must be identical to pycocotools' to the last bit for autoloss;
faster-coco-eval's largest difference is shown.
"""
import argparse
import contextlib
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np
from _machine import cpu_name

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COCO128 = os.path.join(ROOT, "..", "shared", "data", "coco128", "annotations_coco_json", "instances_train2017_first128.json")


def synthetic(folder, n_images=5000, n_categories=80, per_image=100, seed=0):
    rng = np.random.RandomState(seed)
    images = [{"id": i + 1, "file_name": f"{i + 1:012d}.jpg", "width": 640, "height": 480} for i in range(n_images)]
    categories = [{"id": c + 1, "name": f"class{c + 1}"} for c in range(n_categories)]
    annotations, detections = [], []
    for image in images:
        gts = []
        for _ in range(rng.randint(0, 15)):
            w, h = float(np.round(rng.uniform(4, 300), 2)), float(np.round(rng.uniform(4, 300), 2))
            x, y = float(np.round(rng.uniform(0, 640 - w), 2)), float(np.round(rng.uniform(0, max(1.0, 480 - h)), 2))
            c = int(rng.randint(1, n_categories + 1))
            annotations.append({"id": len(annotations) + 1, "image_id": image["id"], "category_id": c, "bbox": [x, y, w, h],
                                "area": float(np.round(w * h * rng.uniform(0.5, 1.0), 2)), "iscrowd": int(rng.rand() < 0.01)})
            gts.append((x, y, w, h, c))
        for _ in range(per_image):
            if gts and rng.rand() < 0.6:
                x, y, w, h, c = gts[rng.randint(len(gts))]
                if rng.rand() < 0.1:
                    c = int(rng.randint(1, n_categories + 1))
                s, d = rng.uniform(0.8, 1.2, size=2), rng.normal(0, 0.1, size=2)
                box = [x + d[0] * w, y + d[1] * h, w * s[0], h * s[1]]
            else:
                w, h = rng.uniform(2, 300), rng.uniform(2, 300)
                box = [rng.uniform(0, 600), rng.uniform(0, 440), w, h]
                c = int(rng.randint(1, n_categories + 1))
            detections.append({"image_id": image["id"], "category_id": c, "bbox": [round(float(v), 2) for v in box],
                               "score": round(float(rng.rand()), 3)})
    return write(folder, {"images": images, "annotations": annotations, "categories": categories}, detections)


def coco128(folder, seed=0):
    with open(COCO128) as f:
        gt = json.load(f)
    rng = np.random.RandomState(seed)
    category_ids = [c["id"] for c in gt["categories"]]
    by_image = {}
    for a in gt["annotations"]:
        by_image.setdefault(a["image_id"], []).append(a)
    detections = []
    for image in gt["images"]:
        anns = by_image.get(image["id"], [])
        for _ in range(min(100, 2 * len(anns) + 20)):
            if anns and rng.rand() < 0.5:
                a = anns[rng.randint(len(anns))]
                x, y, w, h = a["bbox"]
                s, d = rng.uniform(0.8, 1.2, size=2), rng.normal(0, 0.1, size=2)
                box, c = [x + d[0] * w, y + d[1] * h, w * s[0], h * s[1]], a["category_id"]
            else:
                w, h = rng.uniform(4, image["width"] / 2), rng.uniform(4, image["height"] / 2)
                box = [rng.uniform(0, image["width"] - w), rng.uniform(0, image["height"] - h), w, h]
                c = int(category_ids[rng.randint(len(category_ids))])
            detections.append({"image_id": image["id"], "category_id": c, "bbox": [round(float(v), 2) for v in box],
                               "score": round(float(rng.rand()), 3)})
    return write(folder, gt, detections)


def write(folder, gt, detections):
    os.makedirs(folder, exist_ok=True)
    gt_path, dt_path = os.path.join(folder, "gt.json"), os.path.join(folder, "dt.json")
    with open(gt_path, "w") as f:
        json.dump(gt, f)
    with open(dt_path, "w") as f:
        json.dump(detections, f)
    return gt_path, dt_path, len(gt["images"]), len(gt["annotations"]), len(detections)


def run_autoloss(binary, gt, dt):
    start = time.perf_counter()
    out = subprocess.run([binary, "coco-eval", "--gt", gt, "--dt", dt, "--json"], check=True, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    return elapsed, json.loads(out.stdout)["stats"]


def run_pycocotools(gt, dt):
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        g = COCO(gt)
        d = g.loadRes(dt)
        e = COCOeval(g, d, "bbox")
        e.evaluate()
        e.accumulate()
        e.summarize()
    return time.perf_counter() - start, [float(s) for s in e.stats]


def run_faster(gt, dt):
    from faster_coco_eval import COCO, COCOeval_faster
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        g = COCO(gt)
        d = g.loadRes(dt)
        e = COCOeval_faster(g, d, "bbox")
        e.evaluate()
        e.accumulate()
        e.summarize()
    return time.perf_counter() - start, [float(s) for s in e.stats]


def best(fn, repeat):
    runs = [fn() for _ in range(repeat)]
    return min(r[0] for r in runs), runs[0][1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--autoloss", default=os.path.join(ROOT, ".build", "release", "autoloss"))
    parser.add_argument("--images", type=int, default=5000)
    parser.add_argument("--per-image", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pycocotools-repeat", type=int, default=1)
    parser.add_argument("--no-faster", action="store_true", help="leave out faster-coco-eval")
    args = parser.parse_args()
    if not os.access(args.autoloss, os.X_OK):
        sys.exit(f"error: {args.autoloss} not found: build it with `swift build -c release --product autoloss` or pass --autoloss")
    have_faster = not args.no_faster
    if have_faster:
        try:
            import faster_coco_eval  # noqa: F401
        except ImportError:
            sys.exit("error: faster-coco-eval is missing: .venv/bin/python -m pip install -r scripts/requirements-bench.txt (or --no-faster)")

    from importlib.metadata import version
    print(f"machine: {cpu_name()}, {os.cpu_count()} cores; python {platform.python_version()}, "
          f"numpy {np.__version__}, pycocotools {version('pycocotools')}"
          + (f", faster-coco-eval {version('faster-coco-eval')}" if have_faster else ""))
    failures = 0
    with tempfile.TemporaryDirectory(prefix="coco-bench-") as tmp:
        cases = [("synthetic", lambda: synthetic(os.path.join(tmp, "synthetic"), args.images, 80, args.per_image, args.seed))]
        if os.path.exists(COCO128):
            cases.append(("coco128", lambda: coco128(os.path.join(tmp, "coco128"), args.seed)))
        else:
            print(f"note: {COCO128} missing, coco128 case left out")
        for name, make in cases:
            gt, dt, n_images, n_gt, n_dt = make()
            print(f"\n{name}: {n_images} images, {n_gt} annotations, {n_dt} detections")
            ours_t, ours = best(lambda: run_autoloss(args.autoloss, gt, dt), args.repeat)
            ref_t, ref = best(lambda: run_pycocotools(gt, dt), args.pycocotools_repeat)
            rows = [("autoloss coco-eval", ours_t, ours), ("pycocotools", ref_t, ref)]
            if have_faster:
                fast_t, fast = best(lambda: run_faster(gt, dt), args.repeat)
                rows.append(("faster-coco-eval", fast_t, fast))
            print(f"  {'tool':<20} {'time (s)':>9} {'vs autoloss':>12}  stats vs pycocotools")
            for tool, t, stats in rows:
                diff = max(abs(a - b) for a, b in zip(stats, ref))
                same = "identical" if stats == ref else f"max |diff| {diff:.2e}"
                print(f"  {tool:<20} {t:9.3f} {t / ours_t:11.1f}x  {same}")
            print(f"  AP {ours[0]:.4f}  AP50 {ours[1]:.4f}  AR100 {ours[8]:.4f}")
            if ours != ref:
                failures += 1
                print("  FAIL: autoloss's stats differ from pycocotools'")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
