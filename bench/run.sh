#!/usr/bin/env bash
# Runs every benchmark against its anchor (make bench). Needs torch in .venv (scripts/requirements-bench.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
$PY -c "import torch" 2>/dev/null || { echo "bench: installing torch into .venv (about 3 GB, once)"; $PY -m pip install -q -r scripts/requirements-bench.txt; }
echo "== Loss language: compiled evaluator vs PyTorch eager (CPU)"
$PY bench/loss_bench.py
echo "== Tensor engine: forward + backward of a detector backbone and pyramid vs PyTorch (CPU, 2 threads)"
$PY bench/tensor_bench.py
