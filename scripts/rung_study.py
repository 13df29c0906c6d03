"""How well cheap measurements rank candidates for the proxy task (issue 18, items 1 and 2).

For each branch: a pool of candidates as a search meets them (CPV-screened and MOS-trained:
random, seeded and evolved ones), 30 of them chosen evenly over their MOS ranks (not only the
best), each trained on the full proxy schedule with its AP scored at rungs of the schedule, and
by several variants of MOS. Then Spearman's rho of every cheap measurement against the final
proxy AP.

Steps (each skips what is already in OUT, so the study can stop and go on across sessions):

    python3 scripts/rung_study.py pool    # one search per branch, tiny proxy schedule: the MOS-trained pool
    python3 scripts/rung_study.py train [--branch reg]   # the chosen candidates: proxy with rungs, MOS variants
    python3 scripts/rung_study.py table   # the correlations, as markdown

Every training is `autoloss train --quiet --out FILE ...` (FILE: OUT/BRANCH/KEY-VARIANT.json).
"""
import argparse
import hashlib
import json
import math
import os
import sqlite3
import subprocess
import sys

BRANCHES = {
    # branch: (train arguments for a formula in the searched slot, the baseline's formula)
    "reg": (lambda f: ["--mode", "softmax", "--cls", "ce", "--reg", f], "giou"),
    "sigmoid": (lambda f: ["--mode", "sigmoid", "--cls", f, "--reg", "giou"], "focal"),
    "softmax": (lambda f: ["--mode", "softmax", "--cls", f, "--reg", "giou"], "ce"),
}
# The baselines as the search's store writes them (a seeded copy would train the baseline twice).
BASELINE_TEXT = {
    "reg": "1 - i / u + (e - u) / e",
    "sigmoid": "-(y * (1 - sigmoid(x)) * (1 - sigmoid(x)) * log(sigmoid(x)) + (1 - y) * sigmoid(x) * sigmoid(x) * log(1 - sigmoid(x)))",
    "softmax": "-dot(y, log(softmax(x)))",
}
BASELINE_NAME = {"reg": "giou", "sigmoid": "focal", "softmax": "ce"}
RUNGS = "0.125,0.25,0.5"
# The cheap measurements: name -> train arguments (besides the pair). Measured on the first
# eight reg candidates and dropped: 300 MOS steps (AP 97-99 for all, saturated), MOS scored on 500
# unseen images (AP 0.2-0.3: six images do not generalise), and 100 proxy steps on 2000 images
# (AP 0.1-1.0: too short to learn anything).
VARIANTS = {
    "proxy": ["--task", "proxy", "--seed", "1", "--rungs", RUNGS],
    "mos-s1": ["--task", "mos", "--seed", "1"],
    "mos-s2": ["--task", "mos", "--seed", "2"],
    "mos-s3": ["--task", "mos", "--seed", "3"],
}
PER_BRANCH = 30


def key(formula):
    return hashlib.sha1(formula.encode()).hexdigest()[:10]


def pool(args):
    for branch in args.branches:
        folder = os.path.join(args.out, f"pool-{branch}")
        if os.path.exists(os.path.join(folder, "hall-of-fame.json")):
            continue
        mode = ["--mode", "softmax"] if branch == "reg" else []
        command = [args.binary, "search", "--branch", branch, *mode, "--evaluator", "detector", "--schedule-scale", "0.01",
                   "--generations", "3", "--population", "32", "--top-k", "3", "--seed", "7", "--out", folder]
        print(" ".join(command), flush=True)
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def chosen(args, branch):
    """PER_BRANCH formulas evenly spaced over the MOS ranks of the pool (one per canonical form),
    the seeded known losses, and the baseline."""
    path = os.path.join(args.out, f"chosen-{branch}.json")
    if os.path.exists(path):
        return json.load(open(path))
    db = sqlite3.connect(os.path.join(args.out, f"pool-{branch}", "run.sqlite"))
    rows = db.execute("SELECT c.formula, COALESCE(c.canonical, c.formula), c.origin, s.result FROM stages s JOIN candidates c "
                      "ON c.generation = s.generation AND c.slot = s.slot WHERE s.stage = 'mos'").fetchall()
    best = {}
    for formula, canonical, origin, result in rows:
        r = json.loads(result)
        if r.get("status") != "ok" or not r.get("stats"):
            continue
        ap = r["stats"][0] * 100
        if canonical not in best or ap > best[canonical][1]:
            best[canonical] = (formula, ap, origin)
    ranked = sorted(best.values(), key=lambda t: -t[1])
    n = min(PER_BRANCH, len(ranked))
    picks = [ranked[round(k * (len(ranked) - 1) / max(1, n - 1))] for k in range(n)]
    # The losses the search seeds generation 0 with (the published ones among them) as well.
    picks += [t for t in ranked if t[2] == "seed" and t[0] != BASELINE_TEXT[branch]]
    seen, out = set(), []
    for formula, ap, origin in picks:
        if formula not in seen:
            seen.add(formula)
            out.append({"formula": formula, "pool_mos_ap": ap, "origin": origin})
    out.append({"formula": BRANCHES[branch][1], "pool_mos_ap": None, "origin": "baseline"})
    json.dump(out, open(path, "w"), indent=1)
    return out


def train(args):
    for branch in args.branches:
        pair, _ = BRANCHES[branch]
        folder = os.path.join(args.out, branch)
        os.makedirs(folder, exist_ok=True)
        candidates = chosen(args, branch)
        # MOS variants first (seconds each), then the proxy trainings (minutes each).
        for variants in ([v for v in VARIANTS if v != "proxy"], ["proxy"]):
            for c in candidates:
                for variant in variants:
                    path = os.path.join(folder, f"{key(c['formula'])}-{variant}.json")
                    if os.path.exists(path) or os.path.exists(path + ".failed"):
                        continue
                    command = [args.binary, "train", "--quiet", "--out", path, *pair(c["formula"]), *VARIANTS[variant]]
                    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                    if done.returncode not in (0, 1):
                        open(path + ".failed", "w").write(done.stderr)
                        print(f"{branch} {variant} {c['formula']}: failed: {done.stderr.strip().splitlines()[-1:]}", flush=True)
                    elif variant == "proxy":
                        print(f"{branch} {c['formula']}: {json.load(open(path))['stats'][:1]}", flush=True)


def ap(path, rung=None, stat=0):
    """AP (or COCO's number `stat`) in points from a training's file (0 where it diverged), or
    None where it is missing."""
    if not os.path.exists(path):
        return None
    r = json.load(open(path))
    if rung is not None:
        rungs = r.get("rungs", [])
        return rungs[rung]["stats"][stat] * 100 if r["status"] == "ok" and rung < len(rungs) else 0.0
    return r["stats"][stat] * 100 if r["status"] == "ok" and r["stats"] else 0.0


def ranks(values):
    order = sorted(range(len(values)), key=lambda k: values[k])
    result = [0.0] * len(values)
    k = 0
    while k < len(order):
        j = k
        while j + 1 < len(order) and values[order[j + 1]] == values[order[k]]:
            j += 1
        for m in range(k, j + 1):
            result[order[m]] = (k + j) / 2
        k = j + 1
    return result


def spearman(xs, ys):
    if len(xs) < 3:
        return None
    rx, ry = ranks(xs), ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    return sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else None


def measurements(args, branch):
    """{formula: {measurement: AP}} for every chosen candidate with a proxy result."""
    folder = os.path.join(args.out, branch)
    table = {}
    for c in chosen(args, branch):
        k = key(c["formula"])
        final = ap(os.path.join(folder, f"{k}-proxy.json"))
        if final is None:
            continue
        row = {"proxy": final}
        for rung, fraction in enumerate(RUNGS.split(",")):
            row[f"rung {fraction}"] = ap(os.path.join(folder, f"{k}-proxy.json"), rung)
        for variant in VARIANTS:
            if variant != "proxy":
                row[variant] = ap(os.path.join(folder, f"{k}-{variant}.json"))
        seeds = [row.get(f"mos-s{s}") for s in (1, 2, 3)]
        if None not in seeds:
            row["mos-3-seeds"] = sum(seeds) / 3
            # Other scores of the same trainings: AP at IoU 0.75 (stricter boxes), AR with 100 detections.
            for name, stat in (("AP75", 2), ("AR100", 8)):
                row[f"mos-3-seeds {name}"] = sum(ap(os.path.join(folder, f"{k}-mos-s{s}.json"), stat=stat) for s in (1, 2, 3)) / 3
        table[c["formula"]] = row
    return table


# The proxy's seed-to-seed standard deviation of AP with the initial weights fixed (bench/RESULTS.md,
# "Proxy detector": 0.19-0.32 over three seeds of six pairs).
PROXY_SEED_SD = 0.25


def ceiling(finals, trials=2000):
    """The rho a cheap measurement could reach at best: that between two proxy trainings of the
    same candidates with other seeds, simulated as the measured APs plus normal noise of the
    proxy's seed deviation (a Monte Carlo mean)."""
    if len(finals) < 3:
        return float("nan")
    import random
    rng = random.Random(0)
    total = 0.0
    for _ in range(trials):
        a = [f + rng.gauss(0, PROXY_SEED_SD) for f in finals]
        b = [f + rng.gauss(0, PROXY_SEED_SD) for f in finals]
        total += spearman(a, b)
    return total / trials


def table(args):
    for branch in args.branches:
        rows = measurements(args, branch)
        if not rows:
            continue
        names = [n for n in next(iter(rows.values())) if n != "proxy"]
        print(f"\n{branch}: {len(rows)} candidates with a proxy training (the baseline included)\n")
        print("| measurement | rho with proxy AP | rho over those with proxy AP > 1 |\n|---|---:|---:|")
        for name in names:
            pairs = [(r[name], r["proxy"]) for r in rows.values() if r.get(name) is not None]
            live = [p for p in pairs if p[1] > 1]
            rho, rho_live = spearman(*zip(*pairs)) if pairs else None, spearman(*zip(*live)) if len(live) >= 3 else None
            fmt = lambda v: "-" if v is None else f"{v:.2f}"
            print(f"| {name} | {fmt(rho)} ({len(pairs)}) | {fmt(rho_live)} ({len(live)}) |")
        finals = [r["proxy"] for r in rows.values()]
        print(f"| (ceiling) a second proxy training, seed sd {PROXY_SEED_SD} AP | {ceiling(finals):.2f} ({len(finals)}) "
              f"| {ceiling([f for f in finals if f > 1]):.2f} |")
        if args.verbose:
            print("\n| proxy AP | " + " | ".join(names) + " | formula |")
            for formula, r in sorted(rows.items(), key=lambda t: -t[1]["proxy"]):
                cells = " | ".join("-" if r.get(n) is None else f"{r[n]:.1f}" for n in names)
                print(f"| {r['proxy']:.2f} | {cells} | `{formula}` |")


def hurdles(args):
    """What hurdles would have done to each branch's candidates: for rung sets and margins, the
    trainings that a bar of (the baseline's AP at the rung - margin) ends early, the whole
    trainings spent against training every candidate to the end, and whether the best three by
    final AP (and every candidate above the baseline) would still have finished. The search's bar
    is stricter once it has top-P completed trainings (the weakest parent's rung AP, where higher):
    this is the bar of a search's first generations."""
    fractions = [float(f) for f in RUNGS.split(",")]
    for branch in args.branches:
        rows = measurements(args, branch)
        base = rows.get(BASELINE_NAME[branch])
        if not rows or base is None:
            continue
        others = {f: r for f, r in rows.items() if f != BASELINE_NAME[branch]}
        top3 = sorted(others, key=lambda f: -others[f]["proxy"])[:3]
        above = [f for f in others if others[f]["proxy"] > base["proxy"]]
        print(f"\n{branch}: {len(others)} candidates, baseline {base['proxy']:.2f}; {len(above)} above it\n")
        print("| rungs | margin | ended early | trainings spent (of all) | best 3 kept | above the baseline kept |\n|---|---:|---:|---:|---:|---:|")
        for rung_set in ([0], [1], [2], [1, 2], [0, 1, 2]):
            for margin in (0.0, 0.5, 1.0, 2.0):
                spent, ended, kept = 0.0, 0, set()
                for formula, r in others.items():
                    cost = 1.0
                    for k in rung_set:
                        name = f"rung {RUNGS.split(',')[k]}"
                        if r[name] < base[name] - margin:
                            cost, ended = fractions[k], ended + 1
                            break
                    else:
                        kept.add(formula)
                    spent += cost
                names = ",".join(RUNGS.split(",")[k] for k in rung_set)
                print(f"| {names} | {margin:g} | {ended} | {spent:.2f} ({len(others)}) | {len(kept & set(top3))}/3 "
                      f"| {len(kept & set(above))}/{len(above)} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=["pool", "train", "table", "hurdles"])
    parser.add_argument("--binary", default=os.path.abspath(".build/release/autoloss"))
    parser.add_argument("--out", default="bench/out/rung_study")
    parser.add_argument("--branch", action="append", dest="branches", choices=list(BRANCHES))
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    args.branches = args.branches or list(BRANCHES)
    {"pool": pool, "train": train, "table": table, "hurdles": hurdles}[args.step](args)


if __name__ == "__main__":
    main()
