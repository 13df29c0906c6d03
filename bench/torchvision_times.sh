#!/usr/bin/env bash
# Seconds per evaluation of autoloss-torch-train (integrations/torchvision) on this machine: the
# baseline pair through `autoloss check-evaluator`, at the MOS and the proxy stage, for each
# torchvision detector, on a shapes COCO folder (64 train, 16 val images). The table in docs/3-your-detector.md.
#   [MODELS="fcos:resnet18 ..."] bash bench/torchvision_times.sh [ITERATIONS] [SIZE] [DEVICE]   (defaults: 200 128 cpu)
set -euo pipefail
cd "$(dirname "$0")/.."
iterations=${1:-200}; size=${2:-128}; device=${3:-cpu}
bin=${AUTOLOSS_BIN:-.build/release/autoloss}
[ -x "$bin" ] || bin=.build/debug/autoloss
export PATH="$PWD/.venv/bin:$PATH"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
"$bin" data shapes --out "$work/shapes" --train 64 --val 16 --size "$size" >/dev/null
echo "date $(date -u +%F), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
     "$(grep -q avx512f /proc/cpuinfo && echo AVX-512 || echo AVX2), torch $(.venv/bin/python -c 'import torch; print(torch.__version__)'), device $device"
echo "model       backbone  mode     iterations  size  mos_s  proxy_s  mos_AP  proxy_AP"
# MODELS="fcos:resnet18 ..." measures only those.
for spec in ${MODELS:-fcos:resnet18 retinanet:resnet18 fasterrcnn:resnet18 fcos:resnet50}; do
  model=${spec%%:*}; backbone=${spec##*:}
  mode=sigmoid; [ "$model" = fasterrcnn ] && mode=softmax
  out=$("$bin" check-evaluator --branch reg --mode "$mode" --out "$work/$model-$backbone" \
        --command "autoloss-torch-train {dir} --data $work/shapes --model $model --backbone $backbone --iterations $iterations --mos-iterations $((iterations / 2)) --size $size --device $device")
  seconds=($(grep -o '^== [a-z]* stage, in .* (\([0-9.]*\) s)' <<<"$out" | grep -o '([0-9.]* s)' | tr -d '(s)'))
  ap=($(grep -o 'valid result: AP [0-9.]*' <<<"$out" | awk '{print $4}'))
  printf "%-11s %-9s %-8s %10s  %4s  %5s  %7s  %6s  %8s\n" "$model" "$backbone" "$mode" "$iterations" "$size" \
         "${seconds[0]:--}" "${seconds[1]:--}" "${ap[0]:--}" "${ap[1]:--}"
done
