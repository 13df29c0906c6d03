#!/usr/bin/env bash
# Does a found loss's gain survive a change of detector (issue 18)? Each pair is trained by
# autoloss-torch-train (integrations/torchvision: torchvision's FCOS, resnet18, no pretrained
# weights) on a shapes COCO folder, at the proxy stage, with seeds 1, 2 and 3, through
# `autoloss check-evaluator --stage proxy --seeds`, which prints each pair's mean and deviation.
#
#   bash bench/torchvision_gain.sh [ITERATIONS] [SIZE] [DEVICE] SPEC...
#   SPEC = BRANCH:WEIGHT:LOSS, the searched slot (reg or sigmoid: FCOS classifies with sigmoids),
#   the regression weight λ (tune-baseline's best for that pair) and the loss (a name or formula);
#   the other slot is the branch's baseline partner (focal for reg, giou for sigmoid). Example:
#   bash bench/torchvision_gain.sh 2000 128 cpu reg:5:giou reg:2:cse-b-reg   (about 7 min a training here)
# The sigmoid branch's tuned baseline, focal at alpha 0.5 and gamma 0, is half of BCE; as a formula
# under the sigmoid slot's alpha_t (0.25 positives, 0.75 negatives) it is
#   sigmoid:5:'-(2 * y * log(sigmoid(x)) + 0.6666667 * (1 - y) * log(1 - sigmoid(x)))'
# (FCOS from scratch at 200 steps has barely begun to learn, docs/3-your-detector.md; thousands of steps are
# minutes each on 2 cores, seconds on a GPU: DEVICE cuda.)
set -euo pipefail
cd "$(dirname "$0")/.."
iterations=${1:?ITERATIONS}; size=${2:?SIZE}; device=${3:?DEVICE}; shift 3
[ $# -gt 0 ] || { echo "give at least one BRANCH:WEIGHT:LOSS" >&2; exit 2; }
bin=${AUTOLOSS_BIN:-.build/release/autoloss}
[ -x "$bin" ] || bin=.build/debug/autoloss
export PATH="$PWD/.venv/bin:$PATH"
out=${OUT:-bench/out/torchvision_gain}
mkdir -p "$out"
out=$(cd "$out" && pwd)
data="$out/shapes$size"
[ -d "$data" ] || "$bin" data shapes --out "$data" --train 256 --val 64 --size "$size" >/dev/null
echo "date $(date -u +%F), $(getconf _NPROCESSORS_ONLN) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)," \
     "$(grep -q avx512f /proc/cpuinfo && echo AVX-512 || echo AVX2), torch $(python -c 'import torch; print(torch.__version__)'), device $device," \
     "FCOS resnet18, $iterations steps at $size px, shapes 256 train / 64 val"
for spec in "$@"; do
    branch=${spec%%:*}; rest=${spec#*:}; weight=${rest%%:*}; loss=${rest#*:}
    case "$branch" in
        reg) partner=focal ;;
        sigmoid) partner=giou ;;
        *) echo "$spec: the branch is reg or sigmoid (FCOS's head is sigmoid)" >&2; exit 2 ;;
    esac
    name=$(printf '%s' "$branch-$weight-$loss" | tr -c 'A-Za-z0-9.-' '_' | cut -c1-60)
    log="$out/$name.log"
    "$bin" check-evaluator --branch "$branch" --mode sigmoid --partner "$partner" --baseline "$loss" --stage proxy --seeds 1,2,3 \
        --out "$out/$name" --command "autoloss-torch-train {dir} --data $data --model fcos --backbone resnet18 --iterations $iterations --size $size --device $device --reg-weight $weight" \
        > "$log" || { echo "$spec: failed, see $log" >&2; exit 1; }
    printf '%-8s λ %-4s %-40s %s\n' "$branch" "$weight" "$loss" "$(grep -o 'AP [0-9.]* ± [0-9.]* over 3 seeds.*' "$log")"
done
