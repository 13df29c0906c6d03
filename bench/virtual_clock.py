#!/usr/bin/env python3
"""Both schedules at 1 to 256 workers on the virtual clock (issue 36): the real scheduler, the
simulation's losses, each training timed as a proxy detector's (MOS about 8.6 s, proxy about
146 s, measured; `search --virtual-clock`), three seeds. Prints, per schedule and worker count:
the workers' utilisation, evaluations per hour against one worker, the virtual time to the
serial run's best AP (and how many times sooner than one worker), the best AP at the budget,
and the scheduler's own share.

    python3 bench/virtual_clock.py [--workers 1,4,16,64,256] [--seeds 1,2,3] [--max-evals 200] [--branch reg]

The branch sets only what the simulation trains (reg: boxes, 8 times faster to simulate than a
softmax classifier); the schedules' timing comes from the virtual durations either way.

Anchor: the same schedule with one worker, in the same run (the serial run's best AP and
time). Virtual seconds do not depend on the machine; the scheduler's share does.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def search(binary, schedule, workers, seed, args, extra=()):
    """One simulation search on the virtual clock; its `done` event."""
    with tempfile.TemporaryDirectory() as tmp:
        command = [binary, "search", "--branch", args.branch, "--evaluator", "simulation", "--virtual-clock",
                   "--schedule", schedule, "--jobs", str(workers), "--seed", str(seed),
                   "--generations", str(args.generations), "--population", str(args.population),
                   "--top-k", str(args.top_k), "--top-p", str(args.top_p), "--max-evals", str(args.max_evals),
                   "--json", "--out", os.path.join(tmp, "run"), *extra]
        out = subprocess.run(command, capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"{' '.join(command)}: exit {out.returncode}: {out.stderr.strip()[-400:]}")
        done = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{") and '"done"' in line][-1]
        return done


def time_to(course, ap):
    """Virtual seconds at which a proxy result first reached `ap` (None: never)."""
    for seconds, _, a in sorted(course, key=lambda r: r[0]):
        if a >= ap - 1e-9:
            return seconds
    return None


def best_at(course, evaluations):
    """The best AP among the proxy results that arrived with at most `evaluations` spent."""
    aps = [a for _, spent, a in course if spent <= evaluations + 1e-9]
    return max(aps) if aps else None


def parse(p, max_evals):
    """The search's options, shared by the benchmarks of the virtual clock, and the parsed
    arguments (the debug build where no release build is)."""
    p.add_argument("--binary", default=os.path.join(ROOT, ".build/release/autoloss"))
    p.add_argument("--branch", default="reg")
    p.add_argument("--generations", type=int, default=400)
    p.add_argument("--population", type=int, default=32)
    p.add_argument("--top-k", type=int, default=8)
    p.add_argument("--top-p", type=int, default=8)
    p.add_argument("--max-evals", type=int, default=max_evals)
    args = p.parse_args()
    if not os.access(args.binary, os.X_OK):
        args.binary = os.path.join(ROOT, ".build/debug/autoloss")
    return args


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--workers", default="1,4,16,64,256")
    p.add_argument("--seeds", default="1,2,3")
    p.add_argument("--schedules", default="generational,async")
    args = parse(p, max_evals=200)
    workers = [int(w) for w in args.workers.split(",")]
    seeds = [int(s) for s in args.seeds.split(",")]
    print(f"branch {args.branch}, population {args.population}, top-k {args.top_k}, top-p {args.top_p}, budget {args.max_evals} proxy trainings, "
          f"seeds {seeds}; virtual clock (MOS ~8.6 s, proxy ~146 s)")
    print("| schedule | workers | utilisation | evaluations/h (x one worker) | time to the serial best | sooner than 1 worker | best AP at the budget | scheduler share |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for schedule in args.schedules.split(","):
        serial = {}
        for w in workers:
            rows = []
            for seed in seeds:
                done = search(args.binary, schedule, w, seed, args)
                course = done["proxy_results"]
                seconds = done["virtual_seconds"]
                rows.append(dict(u=done["utilisation"], seconds=seconds, evals=len(course), course=course,
                                 best=max(a for _, _, a in course), share=done["scheduler_share"]))
                if w == workers[0]:
                    serial[seed] = rows[-1]
            per_hour = [r["evals"] / r["seconds"] * 3600 for r in rows]
            serial_per_hour = [serial[s]["evals"] / serial[s]["seconds"] * 3600 for s in seeds]
            times = [time_to(r["course"], serial[s]["best"]) for r, s in zip(rows, seeds)]
            sooner = [time_to(serial[s]["course"], serial[s]["best"]) / t for t, s in zip(times, seeds) if t]
            reached = f"{statistics.mean([t for t in times if t]) / 60:.0f} min ({sum(1 for t in times if t)}/{len(seeds)})" if any(times) else "never"
            best = [best_at(r["course"], args.max_evals) for r in rows]
            print(f"| {schedule} | {w} | {statistics.mean(r['u'] for r in rows):.2f} | "
                  f"{statistics.mean(per_hour):.0f} ({statistics.mean(per_hour) / statistics.mean(serial_per_hour):.1f}x) | {reached} | "
                  f"{statistics.mean(sooner):.1f}x | " if sooner else f"| {schedule} | {w} | {statistics.mean(r['u'] for r in rows):.2f} | "
                  f"{statistics.mean(per_hour):.0f} ({statistics.mean(per_hour) / statistics.mean(serial_per_hour):.1f}x) | {reached} | - | ",
                  end="")
            print(f"{statistics.mean(best):.2f} ± {statistics.stdev(best) if len(best) > 1 else 0:.2f} | "
                  f"{statistics.mean(r['share'] for r in rows) * 100:.3f} % |", flush=True)


if __name__ == "__main__":
    main()
