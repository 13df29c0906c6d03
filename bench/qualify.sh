#!/usr/bin/env bash
# Qualifies the task variants of the shapes scenes (issue 34): on each, the generic pair tuned
# against the task's specialist loss tuned, three seeds at the whole proxy schedule, with
# `autoloss confirm` (bench/RESULTS.md, "Tasks where the loss decides"). A task qualifies when
# the tuned specialist beats the tuned generic pair by more than twice the larger seed deviation.
#
#   bash bench/qualify.sh [TASK...]      # imbalance noisy small (default: those, in that order),
#                                        # or imbalance-sparse (imbalance with at most one object an image),
#                                        # imbalance-empty (that, with half the training images emptied),
#                                        # noisy-harsh (60 % of the training labels wrong)
#
# Each store is bench/qualify/TASK/run.sqlite, kept in git: the same command goes on from what
# it holds (a killed run loses only the training under way), and `autoloss report
# bench/qualify/TASK` re-prints its table. Hours on 2 cores: about 20-30 proxy trainings a task.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${AUTOLOSS:-.build/release/autoloss}
[ -x "$bin" ] || bin=.build/debug/autoloss
tasks=("$@")
[ ${#tasks[@]} -gt 0 ] || tasks=(imbalance noisy small)
for task in "${tasks[@]}"; do
    case "$task" in
        # Focal was made for many easy negatives and a long tail: BCE + GIoU against focal + GIoU.
        imbalance) args=(--data shapes:imbalance --mode sigmoid --baseline bce --losses focal) ;;
        # The harsher imbalance: at most one object an image (half the images empty), so three
        # times the easy negatives per positive on the same locations.
        imbalance-sparse) args=(--data shapes:imbalance,objects=1 --mode sigmoid --baseline bce --losses focal) ;;
        # Harsher again: half of the training images drawn without their objects besides
        # (three in four training images empty), twice the easy negatives per positive of
        # imbalance-sparse; the validation split is imbalance-sparse's.
        imbalance-empty) args=(--data shapes:imbalance,objects=1,empty=0.5 --mode sigmoid --baseline bce --losses focal) ;;
        # Robust losses for wrong labels: CE + GIoU against GCE, SCE and MAE + GIoU.
        noisy) args=(--data shapes:noisy --mode softmax --baseline ce --losses gce,sce,mae) ;;
        # Harsher noise: 60 % of the training labels wrong (the true class still the likeliest of
        # six), against GCE and SCE; MAE left out, as it learned no foreground at 30 % (AP 0 at
        # every weight).
        noisy-harsh) args=(--data shapes:noisy,noise=0.6 --mode softmax --baseline ce --losses gce,sce) ;;
        # The box loss for small, crowded objects: CE + GIoU against CE + DIoU and CE + CIoU.
        small) args=(--data shapes:small --mode softmax --branch reg --partner ce --baseline giou --losses diou,ciou) ;;
        *) echo "qualify.sh: unknown task '$task' (imbalance, imbalance-sparse, imbalance-empty, noisy, noisy-harsh, small)" >&2; exit 2 ;;
    esac
    echo "== $task: $bin confirm ${args[*]} --seeds 1,2,3 --horizons 1 --out bench/qualify/$task"
    "$bin" confirm "${args[@]}" --seeds 1,2,3 --horizons 1 --out "bench/qualify/$task"
done
