#!/usr/bin/env bash
# Another package can depend on our libraries by version (DESIGN.md, "Set-up"): a package
# outside this repository names this one by a tag, as a user's would, resolves it and builds a
# program that uses LossLanguage, Verification, Detection, Search and Report. SwiftPM refuses a
# versioned dependency whose targets carry unsafeFlags, so this fails the day one comes back.
# Usage: scripts/check_dependable.sh   (from anywhere in the repository; its committed HEAD is used)
set -euo pipefail
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
swift=${SWIFT:-swift}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git clone --quiet --no-hardlinks "$root" "$work/autoloss"
git -C "$work/autoloss" tag 0.1.0
mkdir -p "$work/consumer/Sources/consumer"
cat > "$work/consumer/Package.swift" <<SWIFT
// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "consumer",
    platforms: [.macOS(.v13)],
    dependencies: [.package(url: "file://$work/autoloss", from: "0.1.0")],
    targets: [
        .executableTarget(name: "consumer", dependencies: [
            .product(name: "LossLanguage", package: "autoloss"), .product(name: "Verification", package: "autoloss"),
            .product(name: "Detection", package: "autoloss"), .product(name: "Search", package: "autoloss"),
            .product(name: "Report", package: "autoloss"),
        ]),
    ]
)
SWIFT
cat > "$work/consumer/Sources/consumer/main.swift" <<'SWIFT'
import Detection
import LossLanguage
import Report
import Search
import Verification

let giou = try Expr.resolve("giou", branch: .reg)
let pair = LossPair(classification: try Expr.resolve("ce", branch: .softmax), mode: .softmax, regression: giou)
let request = EvaluationRequest(pair: pair, searched: .reg, stage: .mos, seed: 1)
let verdict = Verifier().verify(giou, branch: .reg).verdict
print("\(giou.infix) | CPV \(verdict) | schema \(EvaluationRequest.schema) | \(String(decoding: try request.json(), as: UTF8.self).prefix(40))")
SWIFT
cd "$work/consumer"
if ! "$swift" build --product consumer >"$work/build.log" 2>&1; then
  echo "check_dependable: a package that depends on autoloss 0.1.0 does not build:" >&2
  grep -E "error|unsafe" "$work/build.log" | head -n 5 >&2
  exit 1
fi
echo "check_dependable: a package depending on autoloss by version (from: 0.1.0) resolved and built; it prints:"
"$("$swift" build --show-bin-path)/consumer"
