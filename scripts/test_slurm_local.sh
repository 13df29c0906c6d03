#!/usr/bin/env bash
# scripts/slurm_local.sh leaves a Slurm it did not start alone (make test runs this; no root, no
# Slurm needed). A stand-in slurmctld (sleep under that name) plays a cluster's daemon:
# - start refuses, exit 3, with one line that names it, and creates nothing;
# - a pid file of the script's that names it (a stale file whose pid was reused) does not make
#   it the script's: start still refuses, and stop leaves it running.
set -euo pipefail
script="$(cd "$(dirname "$0")" && pwd)/slurm_local.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/autoloss-slurm-test.XXXXXX")
fake=""
cleanup() {
    [ -z "$fake" ] || kill "$fake" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "test_slurm_local: FAIL: $*" >&2; exit 1; }

cp /bin/sleep "$work/slurmctld"
"$work/slurmctld" 300 &
fake=$!
for _ in $(seq 1 50); do [ "$(cat "/proc/$fake/comm" 2>/dev/null)" = slurmctld ] && break; sleep 0.05; done
[ "$(cat "/proc/$fake/comm")" = slurmctld ] || fail "the stand-in slurmctld did not start"

export AUTOLOSS_SLURM_DIR="$work/state" AUTOLOSS_SLURM_PORT=6987

rc=0
bash "$script" start >"$work/out" 2>"$work/err" || rc=$?
[ "$rc" = 3 ] || fail "start with a foreign slurmctld exited $rc, not 3: $(cat "$work/out" "$work/err")"
[ "$(wc -l <"$work/err")" = 1 ] || fail "start should say why in one line: $(cat "$work/err")"
grep -q "refusing to start.*slurmctld $fake[,)]" "$work/err" || fail "the refusal does not name slurmctld $fake: $(cat "$work/err")"
[ -d "/proc/$fake" ] || fail "start ended the foreign slurmctld"
[ ! -e "$work/state" ] || fail "a refused start created $work/state"

# A pid file of the script's naming the foreign process: not the script's for all that.
mkdir -p "$work/state"
touch "$work/state/.autoloss-slurm-local"
echo "$fake" >"$work/state/slurmctld.pid"
rc=0
bash "$script" start >"$work/out" 2>"$work/err" || rc=$?
[ "$rc" = 3 ] || fail "start with a stale pid file naming a foreign slurmctld exited $rc, not 3"
bash "$script" stop >/dev/null 2>&1 || fail "stop failed"
sleep 0.2
[ -d "/proc/$fake" ] || fail "stop ended a slurmctld the script did not start"
[ "$(cat "/proc/$fake/comm")" = slurmctld ] || fail "the stand-in slurmctld is gone"

echo "test_slurm_local: ok (start refuses beside a foreign slurmctld, stop leaves it running)"
