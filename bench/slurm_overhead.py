"""Overhead per evaluation of the Slurm executor against the local one (issue 15's anchor), and
against one `sbatch --wait` per evaluation (how the executor ran before), measured in the same
run on one-second evaluations. Needs a Slurm that answers (scripts/slurm_local.sh start).

    python3 bench/slurm_overhead.py [path/to/autoloss]

Each search's per-evaluation seconds come from its run store (the time from the evaluation's
start to its result); overhead = seconds - 1 (the command's own sleep).
"""
import json
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = sys.argv[1] if len(sys.argv) > 1 else ".build/release/autoloss"


def search(out, extra, work=1.0, population=8, generations=2):
    command = (f"sleep {work}; n=$(wc -c < formula.txt); "
               'echo "{\\"status\\": \\"ok\\", \\"ap\\": 0.$((n % 90 + 10))}" > result.json')
    args = [CLI, "search", "--branch", "reg", "--generations", str(generations), "--population", str(population), "--top-k", "2",
            "--seed", "5", "--command", command, "--out", str(out), *extra]
    subprocess.run(args, check=True, capture_output=True, text=True)
    db = sqlite3.connect(out / "run.sqlite")
    seconds = [r[0] for r in db.execute("SELECT seconds FROM stages WHERE result IS NOT NULL")]
    seconds += [r[0] for r in db.execute("SELECT seconds FROM baselines")]
    # Evaluations taken from the baseline's training (the baseline as a candidate) cost nothing.
    return [s - work for s in seconds if s >= work * 0.9]


def sbatch_wait(runs=5, work=1.0):
    overheads = []
    with tempfile.TemporaryDirectory() as d:
        for _ in range(runs):
            start = time.monotonic()
            subprocess.run(["sbatch", "--wait", "--parsable", f"--output={d}/%j.out", "--wrap", f"sleep {work}"],
                           check=True, capture_output=True)
            overheads.append(time.monotonic() - start - work)
    return overheads


def main():
    root = Path(tempfile.mkdtemp())
    local = search(root / "local", [])
    slurm = search(root / "slurm", ["--executor", "slurm"])
    wait = sbatch_wait()
    # Longer evaluations: sbatch --wait's own polling backs off (about 2, 10, 42 s), ours does not.
    slurm5 = search(root / "slurm5", ["--executor", "slurm"], work=5.0, population=2, generations=1)
    wait5 = sbatch_wait(runs=3, work=5.0)
    runs = [("local", local), ("slurm", slurm), ("sbatch_wait", wait), ("slurm_5s", slurm5), ("sbatch_wait_5s", wait5)]
    m = {name: statistics.median(v) for name, v in runs}
    print(json.dumps({"evaluations": {name: len(v) for name, v in runs}, "median_overhead_s": {k: round(v, 3) for k, v in m.items()}}))
    print(f"median overhead per 1 s evaluation: local {m['local']:.2f} s, slurm {m['slurm']:.2f} s "
          f"(+{m['slurm'] - m['local']:.2f} s over local); one sbatch --wait per evaluation {m['sbatch_wait']:.2f} s")
    print(f"per 5 s evaluation: slurm {m['slurm_5s']:.2f} s, sbatch --wait {m['sbatch_wait_5s']:.2f} s: "
          f"ratio sbatch-wait / slurm executor {m['sbatch_wait_5s'] / max(m['slurm_5s'], 1e-9):.1f}x")


if __name__ == "__main__":
    main()
