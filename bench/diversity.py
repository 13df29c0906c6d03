#!/usr/bin/env python3
"""Islands against one population in the asynchronous schedule (issue 36, item 2): the number of
loss families (canonical forms apart by more than their constants and one operator) among the
top 10, and the best AP at a fixed number of proxy trainings, per seed, with the simulation
evaluator on the virtual clock.

    python3 bench/diversity.py [--islands 1,4] [--branch reg] [--seeds 1,2,3,4,5] [--workers 16] [--max-evals 100]

Anchor: one population (--islands 1), the same seeds, in the same run.
"""
import argparse
import statistics

from virtual_clock import best_at, parse, search


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--islands", default="1,4")
    p.add_argument("--seeds", default="1,2,3,4,5")
    p.add_argument("--workers", type=int, default=16)
    args = parse(p, max_evals=100)
    seeds = [int(s) for s in args.seeds.split(",")]
    print(f"branch {args.branch}, async, {args.workers} workers, population {args.population}, top-k {args.top_k}, "
          f"top-p {args.top_p}, budget {args.max_evals} proxy trainings, seeds {seeds}")
    print("| islands | families in the top 10 (per seed) | mean | best AP at the budget (per seed) | mean ± sd |")
    print("|---:|---|---:|---|---:|")
    for islands in [int(n) for n in args.islands.split(",")]:
        families, best = [], []
        for seed in seeds:
            done = search(args.binary, "async", args.workers, seed, args, extra=["--islands", str(islands)])
            families.append(int(done["families_top10"]))
            best.append(best_at(done["proxy_results"], args.max_evals))
        sd = statistics.stdev(best) if len(best) > 1 else 0
        print(f"| {islands} | {', '.join(map(str, families))} | {statistics.mean(families):.1f} | "
              f"{', '.join(f'{b:.2f}' for b in best)} | {statistics.mean(best):.2f} ± {sd:.2f} |", flush=True)


if __name__ == "__main__":
    main()
