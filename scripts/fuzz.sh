#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer (issue 38): the formula parser and the COCO JSON reader.
#   bash scripts/fuzz.sh build             # builds .build/fuzz/fuzz-formula and .build/fuzz/fuzz-coco
#   bash scripts/fuzz.sh run [TARGET...]   # builds, then runs each target FUZZ_SECONDS (default 60)
#   bash scripts/fuzz.sh repro TARGET FILE # runs one input (a crash file) through a target
# Targets: formula, coco. `make fuzz` runs both; .ci/run runs them 30 s each.
#
# SwiftPM does not build a libFuzzer executable (libFuzzer brings its own main), so this script
# compiles the library sources the targets test with `swiftc -sanitize=fuzzer,address` (coverage
# counters and AddressSanitizer in the code under test), then links each entry file from Fuzz/
# against them. The COCO target takes the subset of Detection that the reader and the evaluator
# are made of (COCO/, Dataset/, Evaluation/ and the files below), not the image codecs and the
# tensor engine. The seed corpus is Fuzz/corpus/TARGET, the words mutations insert
# Fuzz/TARGET.dict; what a run finds new goes to .build/fuzz/corpus/TARGET (kept between runs,
# never committed), a crash to .build/fuzz/crashes/TARGET-*: add it to Fuzz/corpus/TARGET with
# the fix.
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFTC=${SWIFTC:-swiftc}
out=.build/fuzz
seconds=${FUZZ_SECONDS:-60}
flags=(-sanitize=fuzzer,address -O -g -parse-as-library -swift-version 5)
# lld: gold warns once per ASan helper symbol (hundreds of lines) when it links these.
link_flags=(-use-ld=lld)

detection_sources=(
    Sources/Detection/COCO/*.swift
    Sources/Detection/Dataset/*.swift
    Sources/Detection/Evaluation/*.swift
    Sources/Detection/DetectionError.swift
    Sources/Detection/Data/DataError.swift
    Sources/Detection/Data/BoundedFile.swift
    Sources/Detection/Data/_FileIO.swift
    Sources/Detection/Data/DetectionDataset+COCOWriting.swift
)

# Whether OUTPUT exists and is newer than every INPUT (and this script): then it is not rebuilt.
fresh() {
    local output=$1; shift
    [ -e "$output" ] && [ -z "$(find "$@" scripts/fuzz.sh -newer "$output" | head -n 1)" ]
}

# One library module, instrumented: MODULE SOURCES... -> $out/MODULE.o and its .swiftmodule.
module() {
    local name=$1; shift
    # A stamp, not the object file: swiftc leaves an object file that comes out the same untouched.
    fresh "$out/$name.stamp" "$@" && return
    "$SWIFTC" "${flags[@]}" -wmo -module-name "$name" -I "$out" -c "$@" -o "$out/$name.o" \
        -emit-module -emit-module-path "$out/$name.swiftmodule"
    touch "$out/$name.stamp"
}

build() {
    mkdir -p "$out"
    echo "fuzz: building the instrumented LossLanguage and Detection (COCO reader, evaluator), where stale"
    module LossLanguage Sources/LossLanguage/*.swift
    # Detection imports LossLanguage: built again after it.
    if [ "$out/LossLanguage.stamp" -nt "$out/Detection.stamp" ]; then rm -f "$out/Detection.stamp"; fi
    module Detection "${detection_sources[@]}"
    echo "fuzz: linking $out/fuzz-formula and $out/fuzz-coco"
    fresh "$out/fuzz-formula" Fuzz/FormulaParser/main.swift "$out/LossLanguage.stamp" ||
        "$SWIFTC" "${flags[@]}" "${link_flags[@]}" -I "$out" Fuzz/FormulaParser/main.swift "$out/LossLanguage.o" -o "$out/fuzz-formula"
    fresh "$out/fuzz-coco" Fuzz/COCOReader/main.swift "$out/Detection.stamp" "$out/LossLanguage.stamp" ||
        "$SWIFTC" "${flags[@]}" "${link_flags[@]}" -I "$out" Fuzz/COCOReader/main.swift "$out/Detection.o" "$out/LossLanguage.o" -o "$out/fuzz-coco"
}

# The longest input each target is given: formulas past 4096 nodes are refused anyway; a COCO
# input of 16 KB holds a few hundred items, enough to reach every branch of the reader.
max_len() { case $1 in formula) echo 2048 ;; coco) echo 16384 ;; esac; }

run() {
    local target=$1 log="$out/fuzz-$1.log"
    mkdir -p "$out/corpus/$target" "$out/crashes"
    echo "fuzz: $target for ${seconds} s (log: $log)"
    # -timeout: an input that takes more than 10 s is a finding (a quadratic walk), not a wait.
    # ASan's leak check is off: Swift's runtime keeps metadata caches it never frees. Swift's own
    # backtracer is off: it reads memory ASan guards, and libFuzzer reports the crash anyway.
    local rc=0
    ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no "$out/fuzz-$target" -max_total_time="$seconds" -max_len="$(max_len "$target")" \
        -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 -dict="Fuzz/$target.dict" \
        -artifact_prefix="$out/crashes/$target-" "$out/corpus/$target" "Fuzz/corpus/$target" >"$log" 2>&1 || rc=$?
    # The last progress line (#runs, cov, ft, corpus) and the final stats, for the record.
    grep -E '^#[0-9]+' "$log" | tail -n 1 || true
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' "$log" || true
    if [ "$rc" -ne 0 ]; then
        echo "fuzz: $target FAILED (exit $rc): the input is in $out/crashes/; the end of $log:" >&2
        tail -n 40 "$log" >&2
        return "$rc"
    fi
}

case "${1:-run}" in
build) build ;;
run)
    shift || true
    targets=("$@")
    [ ${#targets[@]} -gt 0 ] || targets=(formula coco)
    build
    status=0
    for t in "${targets[@]}"; do run "$t" || status=1; done
    exit $status
    ;;
repro)
    [ $# -eq 3 ] || { echo "usage: $0 repro formula|coco FILE" >&2; exit 2; }
    ASAN_OPTIONS=detect_leaks=0 SWIFT_BACKTRACE=enable=no "$out/fuzz-$2" "$3"
    ;;
*)
    echo "usage: $0 build | run [formula|coco ...] | repro TARGET FILE" >&2
    exit 2
    ;;
esac
