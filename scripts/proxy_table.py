"""The proxy detector's table (bench/RESULTS.md, "Proxy detector"): the hand-made and published
loss pairs trained with the preset schedule, several seeds each, mean and sample standard
deviation of AP, AP50 and AP75, and the time per training.

Each training is `autoloss train --quiet --out DIR/PREFIX_KEY_sSEED.json ...`; a result that is
already in DIR is read, not trained again, so an interrupted table continues where it stopped.
The seed draws the batch order and the flips; the presets start every training from the same
initial weights (TrainingSchedule.networkSeed), as a search does.

Usage: python3 scripts/proxy_table.py [--binary .build/release/autoloss] [--data shapes|coco128|PATH]
           [--seeds 1 2 3] [--dir bench/out/proxy] [--prefix shapes] [--fit] [--only KEY ...]
           [--pair KEY MODE CLS REG ...]
(`--fit` also scores the training images: coco128's "AP on train" column; `--pair` adds a row,
e.g. a search's best loss: --pair found-soft softmax "<formula>" giou.)
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

# key, mode, label, cls, reg
PAIRS = [
    ("soft_ce_l1", "softmax", "CE + L1", "ce", "l1"),
    ("soft_ce_giou", "softmax", "CE + GIoU", "ce", "giou"),
    ("soft_csea", "softmax", "CSE-Autoloss-A (cse-a-cls + cse-a-reg)", "cse-a-cls", "cse-a-reg"),
    ("sig_focal_giou", "sigmoid", "focal + GIoU", "focal", "giou"),
    ("sig_focal_iou", "sigmoid", "focal + IoU", "focal", "iou"),
    ("sig_cseb", "sigmoid", "CSE-Autoloss-B (cse-b-cls + cse-b-reg)", "cse-b-cls", "cse-b-reg"),
    # A deliberately weak classification loss: no log, so confident mistakes cost at most 1.
    ("weak", "softmax", "weak: 1 - dot(y, softmax(x)) + GIoU", "1 - dot(y, softmax(x))", "giou"),
]


def run(args, key, mode, cls, reg, seed):
    path = os.path.join(args.dir, f"{args.prefix}_{key}_s{seed}.json")
    if not os.path.exists(path):
        command = [args.binary, "train", "--quiet", "--data", args.data, "--mode", mode, f"--cls={cls}", f"--reg={reg}",
                   "--seed", str(seed), "--out", path] + (["--fit"] if args.fit else [])
        print("$ " + " ".join(command), file=sys.stderr, flush=True)
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if not os.path.exists(path):
            sys.exit(f"proxy_table: {key} seed {seed} failed: {done.stderr.strip()}")
    with open(path) as f:
        return json.load(f)


def cell(values):
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0]:.1f}"
    return f"{statistics.mean(values):.1f} ± {statistics.stdev(values):.2f}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/release/autoloss")
    parser.add_argument("--data", default="shapes")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--dir", default="bench/out/proxy")
    parser.add_argument("--prefix", default=None)
    parser.add_argument("--fit", action="store_true")
    parser.add_argument("--only", nargs="+", default=None)
    parser.add_argument("--pair", nargs=4, action="append", default=[], metavar=("KEY", "MODE", "CLS", "REG"))
    args = parser.parse_args()
    pairs = PAIRS + [(key, mode, f"{cls} + {reg}", cls, reg) for key, mode, cls, reg in args.pair]
    args.prefix = args.prefix or os.path.basename(args.data.rstrip("/"))
    os.makedirs(args.dir, exist_ok=True)
    header = "| mode | losses | AP per seed | AP | AP50 | AP75 |" + (" AP on train | AP50 on train |" if args.fit else "") + " s per training |"
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for key, mode, label, cls, reg in pairs:
        if args.only and key not in args.only and key not in (p[0] for p in args.pair):
            continue
        runs = [run(args, key, mode, cls, reg, seed) for seed in args.seeds]
        ok = [r for r in runs if r["status"] == "ok"]
        per_seed = ", ".join(f"{r['stats'][0] * 100:.1f}" if r["status"] == "ok" else r["status"] for r in runs)
        row = f"| {mode} | {label} | {per_seed} | " + " | ".join(cell([r["stats"][i] * 100 for r in ok]) for i in range(3))
        if args.fit:
            fits = [r for r in ok if r.get("fit_stats")]
            row += " | " + " | ".join(cell([r["fit_stats"][i] * 100 for r in fits]) for i in range(2))
        seconds = statistics.mean(r["seconds"] for r in runs)
        print(f"{row} | {seconds:.0f} |", flush=True)


if __name__ == "__main__":
    main()
