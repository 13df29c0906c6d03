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

Anchors, in the same run: the same schedule with one worker (the serial run's best AP and its
time), and the paper's search with one worker (the first schedule's first row). Virtual seconds
do not depend on the machine; the scheduler's share does.
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
    p.add_argument("--save", help="write every run's course (JSON) here")
    p.add_argument("--serial-only", default="", help="schedules to run at the first worker count only (their course does not depend on it)")
    args = parse(p, max_evals=200)
    workers = [int(w) for w in args.workers.split(",")]
    seeds = [int(s) for s in args.seeds.split(",")]
    print(f"branch {args.branch}, population {args.population}, top-k {args.top_k}, top-p {args.top_p}, budget {args.max_evals} proxy trainings, "
          f"seeds {seeds}; virtual clock (MOS ~8.6 s, proxy ~146 s)")
    print("| schedule | workers | utilisation | evaluations/h (x one worker) | to its serial best | sooner | "
          "to the paper's serial best | sooner | best AP at the budget | scheduler share |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    paper = None  # the first schedule's one-worker runs (generational: the paper's search), by seed
    runs = []
    for schedule in args.schedules.split(","):
        serial = None
        for w in workers[:1] if schedule in args.serial_only.split(",") else workers:
            rows = {}
            for seed in seeds:
                done = search(args.binary, schedule, w, seed, args)
                course = done["proxy_results"]
                rows[seed] = dict(u=done["utilisation"], seconds=done["virtual_seconds"], evals=len(course), course=course,
                                  best=max(a for _, _, a in course), share=done["scheduler_share"])
                runs.append(dict(schedule=schedule, workers=w, seed=seed, **rows[seed]))
            serial = serial or rows
            paper = paper or rows
            per_hour = statistics.mean(r["evals"] / r["seconds"] * 3600 for r in rows.values())
            serial_per_hour = statistics.mean(r["evals"] / r["seconds"] * 3600 for r in serial.values())
            u = statistics.mean(r["u"] for r in rows.values())
            best = [best_at(r["course"], args.max_evals) for r in rows.values()]
            print(f"| {schedule} | {w} | {u:.2f} | {per_hour:.0f} ({per_hour / serial_per_hour:.1f}x) | "
                  f"{reaching(rows, serial)} | {reaching(rows, paper)} | "
                  f"{statistics.mean(best):.2f} ± {statistics.stdev(best) if len(best) > 1 else 0:.2f} | "
                  f"{statistics.mean(r['share'] for r in rows.values()) * 100:.3f} % |", flush=True)
    if args.save:
        with open(args.save, "w") as f:
            json.dump(runs, f)


def reaching(rows, anchor):
    """When each seed's run first reached the anchor run's best AP of the same seed: the mean
    time over the seeds that did (and how many did), and how many times sooner than the anchor
    reached it, as two table cells."""
    times = {s: time_to(r["course"], anchor[s]["best"]) for s, r in rows.items()}
    reached = {s: t for s, t in times.items() if t}
    if not reached:
        return "never | -"
    sooner = statistics.mean(time_to(anchor[s]["course"], anchor[s]["best"]) / t for s, t in reached.items())
    return f"{statistics.mean(reached.values()) / 60:.0f} min ({len(reached)}/{len(rows)}) | {sooner:.1f}x"


if __name__ == "__main__":
    main()
