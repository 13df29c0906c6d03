#!/usr/bin/env python3
"""The tables of issue 18's final comparison, from the tunings `bench/verdicts.sh` wrote.

    python3 scripts/verdicts_table.py grid [--tuned bench/out/tuned]
        every setting of every tuning: mean +- sd over its seeds (the tuned baselines' grids)
    python3 scripts/verdicts_table.py compare [--tuned bench/out/tuned]
        each found loss at its best weight against its branch's tuned baseline

A found loss's tuning is `reg-NAME`, `softmax-NAME` or `sigmoid-NAME` (verdicts.sh retrain-*);
its baseline is `ce-giou` (reg and softmax: the CE + GIoU pair) or `focal-giou` (sigmoid). The
goal (issue 18): a gain of at least 1 AP beyond twice the seed deviation, taken as the larger of
the two sample deviations (conservative: the gain must clear both pairs' spread).
"""
import argparse
import json
import os
import sys

BASELINES = {"reg": "ce-giou", "softmax": "ce-giou", "sigmoid": "focal-giou"}


def read(folder):
    path = os.path.join(folder, "tuning.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def stats(outcome):
    aps = list(outcome["aps"].values())
    mean = sum(aps) / len(aps)
    sd = (sum((a - mean) ** 2 for a in aps) / (len(aps) - 1)) ** 0.5 if len(aps) > 1 else 0.0
    return mean, sd, len(aps)


def setting(s):
    parts = [f"λ {s['weight']:g}"]
    if s.get("alpha") is not None:
        parts.append(f"alpha {s['alpha']:g}")
    if s.get("gamma") is not None:
        parts.append(f"gamma {s['gamma']}")
    return ", ".join(parts)


def grid(tuned):
    for name in sorted(os.listdir(tuned)):
        t = read(os.path.join(tuned, name))
        if t is None:
            continue
        print(f"\n{name}: {t['classification']} + {t['regression']} ({t['mode']}), seeds {t['seeds']}")
        print("| setting | AP mean ± sd | seeds |\n|---|---:|---:|")
        best = setting(t["best"]["setting"])
        for o in t["outcomes"]:
            mean, sd, n = stats(o)
            mark = " **best**" if setting(o["setting"]) == best else ""
            print(f"| {setting(o['setting'])}{mark} | {mean:.2f} ± {sd:.2f} | {n} |")


def compare(tuned):
    print("| branch | found loss | its setting | AP (3 seeds) | tuned baseline | AP (3 seeds) | gain | 1 + 2 sd | goal met |")
    print("|---|---|---|---:|---|---:|---:|---:|---|")
    missing = []
    for name in sorted(os.listdir(tuned)):
        branch = name.split("-", 1)[0]
        if branch not in BASELINES or name == BASELINES.get(branch):
            continue
        found, base = read(os.path.join(tuned, name)), read(os.path.join(tuned, BASELINES[branch]))
        if found is None or base is None:
            missing.append(name if found is None else BASELINES[branch])
            continue
        fm, fs, _ = stats(found["best"])
        bm, bs, _ = stats(base["best"])
        loss = found["regression"] if branch == "reg" else found["classification"]
        bar = 1 + 2 * max(fs, bs)
        print(f"| {branch} | {loss} | {setting(found['best']['setting'])} | {fm:.2f} ± {fs:.2f} | "
              f"{base['classification']} + {base['regression']}, {setting(base['best']['setting'])} | {bm:.2f} ± {bs:.2f} | "
              f"{fm - bm:+.2f} | {bar:.2f} | {'yes' if fm - bm >= bar else 'no'} |")
    for m in sorted(set(missing)):
        print(f"(no tuning.json yet in {m})", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("table", choices=["grid", "compare"])
    parser.add_argument("--tuned", default="bench/out/tuned")
    args = parser.parse_args()
    {"grid": grid, "compare": compare}[args.table](args.tuned)


if __name__ == "__main__":
    main()
