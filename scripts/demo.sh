#!/usr/bin/env bash
# The main job of `make run`: a loss search on the built-in default (softmax classification on
# the shapes proxy, GIoU partner, every candidate trained by the built-in detector) with a budget
# of AUTOLOSS_MINUTES (15) minutes, after a short tour of the tools around it.
set -euo pipefail
bin="${1:-.build/release/autoloss}"
echo "== Known losses"
"$bin" loss list
echo
echo "== CSE-Autoloss-A classification, from the authors' prefix string, as LaTeX"
"$bin" loss show cse-a-cls --branch softmax --format latex
echo
echo "== Is it well behaved? (convergence property verification)"
"$bin" verify cse-b-cls --branch sigmoid
echo
echo "== A loss that rewards worse boxes is rejected (exit 1)"
"$bin" verify "i / u" --branch reg || echo "(exit $?)"
echo
run="runs/demo-$(date +%Y%m%d-%H%M%S)"
minutes="${AUTOLOSS_MINUTES:-15}"
echo "== Search: softmax classification on the shapes proxy, GIoU partner, $minutes minutes -> $run"
echo "   (first a few timed training steps fit the schedules to this machine; then the baseline CE,"
echo "    and per generation up to 16 candidates screened, the survivors trained briefly (MOS),"
echo "    the best 3 on the proxy; a line as each training starts and ends, a status line every 15 s)"
"$bin" search --branch softmax --evaluator detector --fit-minutes "$minutes" --generations 100 --population 16 --top-k 3 \
    --seed 1 --out "$run"
echo
echo "== The run, read back from its store"
"$bin" report "$run"
echo
echo "== The run's HTML report (charts, loss landscapes, the hall of fame typeset): open it in a browser"
echo "   file://$(cd "$run" && pwd)/report.html"
