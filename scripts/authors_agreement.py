#!/usr/bin/env python3
"""How closely autoloss computes what the CSE-Autoloss authors' code computes (issue 16, item 3).

Draws random trees from the authors' three primitive sets (DEAP's genHalfAndHalf, depths 2-6, a
fixed seed), keeps those their code evaluates to one loss per sample (run through a float64
NumPy port of their primitives, scripts/authors/), runs `autoloss loss eval` on each with the
same inputs (ordinary to extreme), and reports per branch: how many autoloss parses, and on how
many it agrees in values (1e-9 relative) and gradients (1e-6), every disagreement named with its
reason. A disagreement that one of autoloss's documented deliberate differences accounts for is
counted apart and left out of the rates.

    python scripts/authors_agreement.py --autoloss .build/release/autoloss --trees 1000
    python scripts/authors_agreement.py --against-torch   # the port against their torch code

Exit status 0 when every branch meets the targets (parsed >= 99 %, values and gradients agree on
>= 99 % of the compared formulas), 1 otherwise.
"""
import argparse
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from authors import compare  # noqa: E402
from authors.port_eval import evaluate  # noqa: E402
from authors.primitives import DELIBERATE  # noqa: E402
from authors.space import inputs, trees  # noqa: E402

TARGET = 0.99


def branch_report(branch, count, seed, binary, folder, workers):
    arrays, file_inputs = inputs(branch)
    formulas = list(dict.fromkeys(trees(branch, count, seed)))
    kept, excluded = [], {}
    for f in formulas:
        port = evaluate(f, branch, arrays)
        if port.error is None:
            kept.append((f, port))
        else:
            reason = port.error.split(":")[0] if port.error.startswith(("AttributeError", "IndexError", "ValueError")) else port.error
            excluded[reason] = excluded.get(reason, 0) + 1
    path = os.path.join(folder, f"{branch}.json")
    with open(path, "w") as fh:
        json.dump(file_inputs, fh)
    ours_all = compare.run_autoloss(binary, [f for f, _ in kept], branch, path, workers)
    report = {"trees": count, "distinct": len(formulas), "not_per_sample": excluded, "kept": len(kept),
              "parsed": 0, "compared": 0, "values_agree": 0, "gradients_agree": 0,
              "ill_conditioned_numbers": 0, "deliberate": {}, "not_parsed": [], "disagreements": []}
    for (f, port), ours in zip(kept, ours_all):
        if "error" in ours:
            report["not_parsed"].append({"formula": f, "error": ours["error"]})
            continue
        report["parsed"] += 1
        result = compare.check(port, ours, branch)
        report["ill_conditioned_numbers"] += result["values"][1] + result["gradients"][1]
        if result["values"][0] or result["gradients"][0]:
            reason = compare.explain(f, branch, arrays, ours)
            if reason is not None:
                report["deliberate"][reason] = report["deliberate"].get(reason, 0) + 1
                continue
            report["disagreements"].append({"formula": f, "where": compare.describe(f, port, ours, result, branch),
                                            "values": bool(result["values"][0])})
        report["compared"] += 1
        report["values_agree"] += 0 if result["values"][0] else 1
        report["gradients_agree"] += 0 if result["gradients"][0] else 1
    return report


def rates(r):
    parsed = r["parsed"] / r["kept"] if r["kept"] else 1.0
    values = r["values_agree"] / r["compared"] if r["compared"] else 1.0
    gradients = r["gradients_agree"] / r["compared"] if r["compared"] else 1.0
    return parsed, values, gradients


def print_table(reports):
    print("| branch | trees (distinct) | their code: one loss per sample | autoloss parses | compared "
          "| values agree (1e-9) | gradients agree (1e-6) | left out: deliberate differences |")
    print("|---|---|---|---|---|---|---|---|")
    for branch, r in reports.items():
        p, v, g = rates(r)
        deliberate = ", ".join(f"{k} {n}" for k, n in sorted(r["deliberate"].items())) or "none"
        print(f"| {branch} | {r['trees']} ({r['distinct']}) | {r['kept']} | {r['parsed']} ({100 * p:.1f} %) "
              f"| {r['compared']} | {r['values_agree']} ({100 * v:.1f} %) | {r['gradients_agree']} ({100 * g:.1f} %) "
              f"| {deliberate} |")
    print()
    for branch, r in reports.items():
        print(f"{branch}: not one loss per sample in their code: {r['not_per_sample']}; "
              f"numbers agreeing only within their rounding-error scale: {r['ill_conditioned_numbers']}")
        for d in r["not_parsed"]:
            print(f"  not parsed: {d['formula']}  ({d['error']})")
        for d in r["disagreements"]:
            print(f"  disagrees: {d['formula']}  ({d['where']})")
    used = sorted({k for r in reports.values() for k in r["deliberate"]})
    for k in used:
        print(f"deliberate difference '{k}': {DELIBERATE[k]}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--autoloss", default=".build/release/autoloss", help="the autoloss binary")
    ap.add_argument("--trees", type=int, default=1000, help="random trees per branch")
    ap.add_argument("--seed", type=int, default=16003)
    ap.add_argument("--branches", default="softmax,sigmoid,reg")
    ap.add_argument("--workers", type=int, default=2, help="autoloss processes at a time")
    ap.add_argument("--json", help="also write the reports here")
    ap.add_argument("--against-torch", action="store_true",
                    help="instead: check the port against the authors' own torch code (needs the mirror)")
    ap.add_argument("--mirror", default="/work/.mirror/PerdonLiu+CSE-Autoloss/repo")
    args = ap.parse_args()
    if args.against_torch:
        from authors.torch_check import run
        return run(args)
    started = time.time()
    with tempfile.TemporaryDirectory() as folder:
        reports = {b: branch_report(b, args.trees, args.seed + ["softmax", "sigmoid", "reg"].index(b), args.autoloss, folder, args.workers)
                   for b in args.branches.split(",")}
    print_table(reports)
    print(f"({time.time() - started:.0f} s)")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(reports, fh, indent=1)
    ok = all(min(rates(r)) >= TARGET for r in reports.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
