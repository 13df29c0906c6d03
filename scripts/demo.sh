#!/usr/bin/env bash
# The main job of `make run`: a short loss search on the built-in default, with a tour of the
# tools around it. Until the built-in proxy detector lands, candidates are trained by the
# simulation evaluator (optimising free predictions with the loss: seconds, not minutes).
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
echo "== Search: softmax classification, GIoU partner, simulation evaluator, 6 generations -> $run"
"$bin" search --branch softmax --evaluator simulation --generations 6 --population 12 --seed 1 --out "$run"
echo
echo "== The run, read back from its store"
"$bin" report "$run"
