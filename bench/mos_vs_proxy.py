"""How well MOS ranks candidates for the proxy task: every candidate of one or more run stores that
was trained at both stages, its MOS AP and proxy AP, and the Spearman rank correlation between them
(the baseline included, from the store's baselines table).

MOS decides which candidates reach the proxy (top-K by MOS AP), so a low correlation means the
proxy budget goes to losses that only fit the six verification images fast.

Usage: python3 bench/mos_vs_proxy.py RUN [RUN ...]     (RUN: a search's --out folder)
"""
import json
import sqlite3
import sys


def pairs(run):
    db = sqlite3.connect(f"file:{run}/run.sqlite?mode=ro", uri=True)
    rows = db.execute("""
        SELECT c.formula, json_extract(m.figures, '$.ap'), json_extract(p.figures, '$.ap')
        FROM candidates c
        JOIN stages m ON m.generation = c.generation AND m.slot = c.slot AND m.stage = 'mos'
        JOIN stages p ON p.generation = c.generation AND p.slot = c.slot AND p.stage = 'proxy'""").fetchall()
    figures = {stage: json.loads(f) for name, stage, f in db.execute("SELECT name, stage, figures FROM baselines")}
    if "mos" in figures and "proxy" in figures:
        rows.append(("baseline", figures["mos"].get("ap"), figures["proxy"].get("ap")))
    return [(f, m, p) for f, m, p in rows if m is not None and p is not None]


def ranks(values):
    order = sorted(range(len(values)), key=lambda k: values[k])
    r = [0.0] * len(values)
    k = 0
    while k < len(order):
        j = k
        while j + 1 < len(order) and values[order[j + 1]] == values[order[k]]:
            j += 1
        for t in range(k, j + 1):
            r[order[t]] = (k + j) / 2  # ties share the mean rank
        k = j + 1
    return r


def spearman(xs, ys):
    rx, ry = ranks(xs), ranks(ys)
    n = len(xs)
    mx, my = sum(rx) / n, sum(ry) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    vx = sum((a - mx) ** 2 for a in rx) ** 0.5
    vy = sum((b - my) ** 2 for b in ry) ** 0.5
    return cov / (vx * vy) if vx > 0 and vy > 0 else float("nan")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for run in sys.argv[1:]:
        rows = sorted(pairs(run), key=lambda r: -r[2])
        print(f"{run}: {len(rows)} candidates trained at both stages")
        print("| MOS AP | proxy AP | formula |\n|---:|---:|---|")
        for formula, mos, proxy in rows:
            print(f"| {mos:.2f} | {proxy:.2f} | `{formula}` |")
        if len(rows) >= 3:
            print(f"Spearman rank correlation, MOS AP vs proxy AP: {spearman([r[1] for r in rows], [r[2] for r in rows]):.2f}\n")


if __name__ == "__main__":
    main()
