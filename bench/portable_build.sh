#!/usr/bin/env bash
# Builds the benchmarks twice, with the Makefile's portable release flags and for this processor
# (-target-cpu native), and compares them in one run (bench/portable_build.py). Run it on a quiet
# machine: it times trainings steps.
set -euo pipefail
cd "$(dirname "$0")/.."
swift=${SWIFT:-swift}
portable=$(make -s print-release-flags)
native="-Xswiftc -Ounchecked -Xswiftc -target-cpu -Xswiftc native -Xcc -march=native"
for product in autoloss-detector-bench autoloss-bench; do
    $swift build -c release --scratch-path .build-native $native --product $product >/dev/null
    $swift build -c release --scratch-path .build $portable --product $product >/dev/null
done
grep -m1 "model name" /proc/cpuinfo || true
grep -qw avx512f /proc/cpuinfo && echo "AVX-512: yes" || echo "AVX-512: no (AVX2)"
python3 bench/portable_build.py .build-native/release .build/release "$@"
