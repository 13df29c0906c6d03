#!/usr/bin/env bash
# Runs every benchmark against its anchor (make bench). Needs torch in .venv (scripts/requirements-bench.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
$PY -c "import torch, scipy, faster_coco_eval" 2>/dev/null || { echo "bench: installing torch into .venv and the other anchors (about 3 GB, once)"; $PY -m pip install -q -r scripts/requirements-bench.txt; }
echo "== Loss language: compiled evaluator vs PyTorch eager (CPU)"
$PY bench/loss_bench.py
echo
echo "== Screening cascade: candidates per second (anchor: AutoML-Zero, 10^4 per second per core)"
.build/release/autoloss-screen-bench
echo
echo "== COCO evaluation vs pycocotools and faster-coco-eval"
$PY bench/coco_eval_bench.py --autoloss .build/release/autoloss
echo
echo "== Tensor engine: forward + backward of a detector backbone and pyramid vs PyTorch (CPU, 2 threads)"
$PY bench/tensor_bench.py
echo
echo "== Proxy detector: training step of the detector network vs the identical network in PyTorch (CPU, 2 threads)"
$PY bench/detector_bench.py
