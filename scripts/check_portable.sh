#!/usr/bin/env bash
# The release binary runs on any x86-64 with AVX2 (x86-64-v3), the oldest node a cluster is
# likely to have (DESIGN.md, "Set-up"): two checks, each failing with what it found.
# 1. No AVX-512 instruction in the binary: no zmm register, no xmm16-31 / ymm16-31 (EVEX only),
#    no opmask {%k1-7}. Our code is compiled for Haswell (x86-64-v3); AVX-512 comes only from oneDNN,
#    a shared library that picks its kernels at run time.
# 2. It trains under qemu-user's Haswell (AVX2, FMA, no AVX-512), where an AVX-512 instruction
#    is SIGILL: oneDNN must choose its AVX2 kernels from CPUID, and the training end with an AP.
# Usage: scripts/check_portable.sh BINARY
set -euo pipefail
bin=${1:?usage: check_portable.sh BINARY}
[ "$(uname -m)" = x86_64 ] || { echo "check_portable: not an x86-64 machine: nothing to check"; exit 0; }
command -v objdump >/dev/null || { echo "check_portable: objdump not found (Debian: binutils)" >&2; exit 1; }
command -v qemu-x86_64 >/dev/null || { echo "check_portable: qemu-x86_64 not found (Debian: qemu-user)" >&2; exit 1; }

avx512=$(objdump -d --no-show-raw-insn "$bin" | awk '
  /^[0-9a-f]+ <.*>:$/ { fn = $2 }
  /%zmm|%[xy]mm(1[6-9]|2[0-9]|3[01])\>|\{%k[1-7]\}/ { n++; if (n <= 5) print fn ": " $0 }
  END { print n + 0 }')
count=$(tail -n 1 <<<"$avx512")
if [ "$count" != 0 ]; then
  echo "check_portable: $bin holds $count AVX-512 instructions, so it dies with SIGILL on an AVX2-only node; the first:" >&2
  head -n -1 <<<"$avx512" >&2
  exit 1
fi
echo "check_portable: no AVX-512 instruction in $bin ($(objdump -d --no-show-raw-insn "$bin" | grep -c ymm) AVX2 ymm instructions)"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# A few steps of the proxy detector: oneDNN's convolutions and SGEMM, the loss evaluator, COCO scoring.
status=0
qemu-x86_64 -cpu Haswell "$bin" train --data shapes --images 8 --eval-images 4 --epochs 1 --batch 4 --size 64 --quiet \
  --out "$out/train.json" >"$out/stdout" 2>"$out/stderr" || status=$?
if [ "$status" != 0 ]; then
  echo "check_portable: $bin failed on an emulated Haswell (exit $status): $(grep -v 'TCG doesn.t support' "$out/stderr" | tail -n 3 | tr '\n' ' ')" >&2
  exit 1
fi
grep -q '"status": "ok", "stats": \[' "$out/train.json" || { echo "check_portable: the training on an emulated Haswell ended without COCO's numbers: $(cut -c1-300 "$out/train.json")" >&2; exit 1; }
echo "check_portable: trained on an emulated Haswell (qemu-user, AVX2 without AVX-512): $(cut -c1-110 "$out/train.json")..."
