#!/usr/bin/env bash
# The measurements behind bench/RESULTS.md, "Search verdicts" (issue 18), in the order they were
# taken. Every step keeps what it trained under bench/out and trains only what is missing, so the
# script can be stopped and run again (hours in all on a 2-core machine: about 150 s per proxy
# training). One training at a time, both cores each (OMP_NUM_THREADS=2): AP at a given thread
# count is reproducible to the digit.
#
#   bash bench/verdicts.sh [STEP...]
#   steps: study-reg tune-ce study-sigmoid study-softmax tune-focal ablation-s1 ablation-s2
#          retrain-BRANCH:LOSS (a found loss's weight tuned like the baselines', three seeds each:
#          the final comparison; e.g. retrain-reg:cse-b-reg, retrain-sigmoid:'FORMULA')
#          keep-sN (the ablation's stores, copied while it runs, into bench/data/ablation, which
#          git keeps: a fresh checkout's ablation-sN restores them and goes on from there)
#   (the ablation: 4 arms x 30 proxy trainings, 6 to 9 hours a seed by the machine; run again,
#   an interrupted ablation goes on from where it stopped: `autoloss search --resume` on its folder)
set -euo pipefail
cd "$(dirname "$0")/.."
steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(study-reg tune-ce study-sigmoid study-softmax tune-focal)
BIN=bench/out/rung_study/autoloss
mkdir -p bench/out/rung_study bench/out/tuned
# keep-sN alone builds nothing: it runs beside an ablation, which a build would slow.
if printf '%s\n' "${steps[@]}" | grep -qv '^keep-s'; then
    make -s release
    # A copy of the binary, replaced whole (a running copy keeps its own): rebuilding the project
    # while the measurements run leaves them alone.
    cp .build/release/autoloss "$BIN.new" && mv -f "$BIN.new" "$BIN"
fi
export OMP_NUM_THREADS=2
# A seed's ablation folder and the archive in git that keeps its stores: keep-sN and ablation-sN
# must name the same two.
ablation_paths() { out="bench/out/ablation-reg-s$1"; kept="bench/data/ablation/reg-s$1.tar.gz"; }
for step in "${steps[@]}"; do
    echo "== $step ($(date -u +%H:%M))"
    case "$step" in
        study-*) python3 scripts/rung_study.py pool --branch "${step#study-}" --binary "$BIN"
                 python3 scripts/rung_study.py train --branch "${step#study-}" --binary "$BIN" ;;
        tune-ce) "$BIN" tune-baseline --mode softmax --cls ce --reg giou --out bench/out/tuned/ce-giou ;;
        tune-focal) "$BIN" tune-baseline --mode sigmoid --cls focal --reg giou --out bench/out/tuned/focal-giou ;;
        keep-s*) ablation_paths "${step#keep-s}"; python3 scripts/keep_stores.py keep "$out" "$kept" ;;
        ablation-s*) seed=${step#ablation-s}; ablation_paths "$seed"
                     if [ ! -d "$out" ] && [ -f "$kept" ]; then python3 scripts/keep_stores.py restore "$kept" "$out"; fi
                     if [ -d "$out" ]; then "$BIN" search --resume "$out"
                     else "$BIN" search --branch reg --mode softmax --evaluator detector --ablate --max-evals 30 --generations 1000 \
                         --population 16 --top-k 3 --seed "$seed" --out "$out"; fi ;;
        retrain-*:*) branch=${step%%:*}; branch=${branch#retrain-}; loss=${step#*:}
                 name=$(printf '%s' "$loss" | tr -c 'A-Za-z0-9-' '_' | cut -c1-48)
                 case "$branch" in
                     reg) "$BIN" tune-baseline --mode softmax --cls ce --reg "$loss" --out "bench/out/tuned/reg-$name" ;;
                     softmax) "$BIN" tune-baseline --mode softmax --cls "$loss" --reg giou --out "bench/out/tuned/softmax-$name" ;;
                     sigmoid) "$BIN" tune-baseline --mode sigmoid --cls "$loss" --reg giou --out "bench/out/tuned/sigmoid-$name" ;;
                     *) echo "unknown branch in $step" >&2; exit 2 ;;
                 esac ;;
        *) echo "unknown step $step" >&2; exit 2 ;;
    esac
done
