#!/usr/bin/env bash
# `make run` from a fresh clone, timed as a new user sees it: the wall-clock, the proxy-trained
# candidates of its search (beside the baseline), and the longest gap between two output lines.
# With --busy a CPU-bound process runs beside it all along (half of a 2-core machine); with
# --busy=N, N of them (--busy=2: a neighbour that wants the whole machine, issue 37).
#
#   bash bench/make_run_timing.sh [--busy[=N]]    # figures go to bench/RESULTS.md by hand
set -euo pipefail
busy=0
case "${1:-}" in
    --busy) busy=1; shift ;;
    --busy=*) busy=${1#--busy=}; shift ;;
esac
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/autoloss-makerun-XXXXXX)
git clone -q "$repo" "$work/main"
ln -s "$(cd "$repo/../shared" && pwd)" "$work/shared"
hogs=()
for _ in $(seq 1 "$busy"); do
    python3 -c 'while True: pass' &
    hogs+=($!)
done
trap 'kill "${hogs[@]}" 2>/dev/null || true' EXIT
cd "$work/main"
# Each output line with the seconds since the start, as it arrives.
make run 2>&1 | python3 -u -c '
import sys, time
start = time.time()
for line in sys.stdin:
    print(f"{time.time() - start:9.1f} {line}", end="", flush=True)
' | tee "$work/make-run.log"
python3 - "$work" <<'PY'
import glob, json, subprocess, sys
work = sys.argv[1]
times = [float(l.split(None, 1)[0]) for l in open(f"{work}/make-run.log") if l.strip()]
gaps = [b - a for a, b in zip(times, times[1:])]
run = sorted(glob.glob(f"{work}/main/runs/demo-*"))[-1]
report = json.loads(subprocess.run([f"{work}/main/.build/release/autoloss", "report", run, "--json"], capture_output=True, text=True).stdout)
proxy = report["funnel"].get("proxy-evaluated", 0)
baseline = subprocess.run([f"{work}/main/.build/release/autoloss", "loss", "show", report["baseline"], "--branch", report["branch"]],
                          capture_output=True, text=True).stdout.strip()
others = [e for e in report["hall_of_fame"] if e["formula"] != baseline]
cpu = "AVX-512" if " avx512f" in open("/proc/cpuinfo").read() else "AVX2"
print(f"\nmake run: {times[-1] / 60:.1f} min wall-clock ({cpu}); {proxy} candidates trained on the proxy, "
      f"{len(others)} of them other than the baseline's formula; longest gap between output lines {max(gaps):.1f} s")
PY
