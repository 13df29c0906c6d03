"""How well MOS ranks candidates for the proxy task: every candidate of one or more runs that was
trained at both stages, its MOS AP and proxy AP, and the Spearman rank correlation between them
(the baseline included), as `autoloss report RUN --json` gives them.

MOS decides which candidates reach the proxy (top-K by MOS AP), so a low correlation means the
proxy budget goes to losses that only fit the verification images fast.

Usage: python3 scripts/mos_vs_proxy.py [--binary .build/release/autoloss] RUN [RUN ...]
       (RUN: a search's --out folder)
"""
import argparse
import json
import subprocess
import sys


def report(binary, run):
    done = subprocess.run([binary, "report", run, "--json"], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"mos_vs_proxy: {run}: {done.stderr.strip()}")
    return json.loads(done.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=".build/release/autoloss")
    parser.add_argument("runs", nargs="+")
    args = parser.parse_args()
    for run in args.runs:
        r = report(args.binary, run)
        rows = [(t["formula"], t["mos_ap"], t["proxy_ap"]) for t in r["trained_at_both_stages"]]
        if r["baseline_mos_ap"] is not None and r["baseline_ap"] is not None:
            rows.append(("baseline " + r["baseline"], r["baseline_mos_ap"], r["baseline_ap"]))
        rows.sort(key=lambda row: -row[2])
        print(f"{run}: {len(rows)} candidates trained at both stages")
        print("| MOS AP | proxy AP | formula |\n|---:|---:|---|")
        for formula, mos, proxy in rows:
            print(f"| {mos:.2f} | {proxy:.2f} | `{formula}` |")
        if r["mos_proxy_spearman"] is not None:
            print(f"Spearman rank correlation, MOS AP vs proxy AP: {r['mos_proxy_spearman']:.2f}\n")


if __name__ == "__main__":
    main()
