#!/usr/bin/env bash
# Issue 35: a search from scratch on a qualified task (bench/RESULTS.md, "Tasks where the loss
# decides"), then its best three losses confirmed against the tuned generic pair, three seeds at
# 1x and 2x the proxy schedule (`autoloss confirm`), and the task's specialist beside them: its
# qualification store (bench/qualify/TASK, 1x only) goes on to 2x with the settings it tuned.
#
#   bash bench/discover.sh TASK [search|confirm|specialist|keep]...   # default: search confirm specialist keep
#   TASK: imbalance-sparse, imbalance-empty, noisy, noisy-harsh or small (as bench/qualify.sh names them)
#
# The search is unseeded (--from-scratch: a seeded one starts from the specialist it should
# find), 30 proxy-training equivalents with hurdles at a quarter and half of the schedule; its
# generations are not what ends it (100: the default 6 of top-K 4 would stop at 24 trainings).
# The runs live under bench/out/discover/TASK (search/, specialist/); `keep` copies their stores
# into bench/data/discover/TASK.tar.gz, which git keeps (scripts/keep_stores.py: a consistent
# copy even while a step writes, checkpoints left out), and a fresh checkout's first step
# restores them from it. The same command goes on from what a store holds (a killed step loses
# only the training under way). Hours on 2 cores: the search about 2-3, each confirmation 4-6.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${AUTOLOSS:-.build/release/autoloss}
[ -x "$bin" ] || bin=.build/debug/autoloss
task=${1:?give a task: imbalance-sparse, imbalance-empty, noisy, noisy-harsh or small}
shift
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(search confirm specialist keep)
case "$task" in
    imbalance-sparse) task_args=(--data shapes:imbalance,objects=1 --branch sigmoid --baseline bce); specialist=(--mode sigmoid --losses focal) ;;
    imbalance-empty) task_args=(--data shapes:imbalance,objects=1,empty=0.5 --branch sigmoid --baseline bce); specialist=(--mode sigmoid --losses focal) ;;
    noisy) task_args=(--data shapes:noisy --branch softmax --baseline ce); specialist=(--mode softmax --losses gce,sce,mae) ;;
    noisy-harsh) task_args=(--data shapes:noisy,noise=0.6 --branch softmax --baseline ce); specialist=(--mode softmax --losses gce,sce) ;;
    small) task_args=(--data shapes:small --branch reg --mode softmax --partner ce --baseline giou); specialist=(--mode softmax --branch reg --partner ce --losses diou,ciou) ;;
    *) echo "discover.sh: unknown task '$task' (imbalance-sparse, imbalance-empty, noisy, noisy-harsh, small)" >&2; exit 2 ;;
esac
dir=bench/out/discover/$task kept=bench/data/discover/$task.tar.gz
if [ ! -d "$dir" ] && [ -f "$kept" ]; then python3 scripts/keep_stores.py restore "$kept" "$dir"; fi
mkdir -p "$dir"
for step in "${steps[@]}"; do
    case "$step" in
        search)
            if [ -e "$dir/search/run.sqlite" ]; then
                echo "== $task: $bin search --resume $dir/search --generations 100 --max-evals 30"
                "$bin" search --resume "$dir/search" --generations 100 --max-evals 30
            else
                echo "== $task: $bin search ${task_args[*]} --from-scratch --generations 100 --max-evals 30 --rungs 0.25,0.5 --out $dir/search"
                "$bin" search "${task_args[@]}" --from-scratch --generations 100 --max-evals 30 --rungs 0.25,0.5 --out "$dir/search"
            fi ;;
        confirm)
            echo "== $task: $bin confirm $dir/search --top 3 --seeds 1,2,3 --horizons 1,2"
            "$bin" confirm "$dir/search" --top 3 --seeds 1,2,3 --horizons 1,2 ;;
        specialist)
            # The task's qualification store goes on (bench/qualify/TASK, kept in git): the generic
            # pair and the specialist keep the settings the qualification tuned (--finalists 1, as
            # it chose them) and add the x2 horizon, instead of tuning both again in a new store.
            # The confirm command's own --data, --baseline and slot options: the task's, less
            # --branch where the specialist is a classification loss (confirm takes the slot from --mode).
            data=("${task_args[@]:0:2}") baseline=("${task_args[@]: -2}") qualified=bench/qualify/$task
            [ -e "$qualified/run.sqlite" ] || { echo "discover.sh: $task has no qualification store ($qualified): run bash bench/qualify.sh $task first" >&2; exit 2; }
            echo "== $task: $bin confirm ${data[*]} ${specialist[*]} ${baseline[*]} --seeds 1,2,3 --horizons 1,2 --finalists 1 --out $qualified"
            "$bin" confirm "${data[@]}" "${specialist[@]}" "${baseline[@]}" --seeds 1,2,3 --horizons 1,2 --finalists 1 --out "$qualified" ;;
        keep) python3 scripts/keep_stores.py keep "$dir" "$kept" ;;
        *) echo "discover.sh: unknown step '$step' (search, confirm, specialist, keep)" >&2; exit 2 ;;
    esac
done
