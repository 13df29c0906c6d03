#!/usr/bin/env bash
# A private single-node Slurm on this machine for the integration tests (.ci/run starts and stops
# it; a developer may too):
#   bash scripts/slurm_local.sh start    # its own munged, slurmctld and slurmd, private config
#   bash scripts/slurm_local.sh stop     # stops what start started, by pid, and removes its folder
#   bash scripts/slurm_local.sh status   # says whether it runs; exit 1 when it does not
#   eval "$(bash scripts/slurm_local.sh env)"   # SLURM_CONF for sbatch, squeue, autoloss ...
#   bash scripts/slurm_local.sh conf     # the path of its slurm.conf, if it runs
# Needs root (slurmd starts jobs as their users) and Debian's slurm-wlm and munge.
#
# Everything lives in one folder, AUTOLOSS_SLURM_DIR (default ${TMPDIR:-/tmp}/autoloss-slurm-local):
# slurm.conf (clients find it through SLURM_CONF; nothing under /etc is read or written), the
# state, spool, logs and pid files, and a munged of its own with its own key and socket
# (AuthInfo=socket=...), so a system munged is neither used nor touched. The daemons listen on
# their own ports, AUTOLOSS_SLURM_PORT (default 6917) for slurmctld and the next for slurmd, not
# Slurm's 6817 and 6818.
#
# A Slurm it did not start (a slurmctld, slurmd or slurmdbd whose pid is not in its pid files with
# its slurm.conf on the command line: a cluster's daemons on a login node, another copy of this
# script's with another folder) makes start refuse, in one line, exit 3; stop never touches one.
# The Slurm tests find this Slurm by themselves (they ask `conf` when SLURM_CONF is not set), so
# `make test` or `swift test` after `start` needs nothing more.
set -euo pipefail
dir=${AUTOLOSS_SLURM_DIR:-${TMPDIR:-/tmp}/autoloss-slurm-local}
port=${AUTOLOSS_SLURM_PORT:-6917}
conf=$dir/slurm.conf
marker=$dir/.autoloss-slurm-local
me=$(basename "$0")

# The daemons' pid files (written by the daemons themselves) and what identifies each as ours:
# its command line names our slurm.conf (slurmctld, slurmd) or our munge socket (munged).
pidfile() { case $1 in munged) echo "$dir/munge/munged.pid" ;; *) echo "$dir/$1.pid" ;; esac; }
signature() { case $1 in munged) echo "--socket=$dir/munge/munge.socket" ;; *) echo "$conf" ;; esac; }

# The pid of our running daemon NAME, or nothing.
ours() {
    local file pid
    file=$(pidfile "$1")
    [ -s "$file" ] || return 0
    pid=$(tr -dc 0-9 <"$file")
    [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 0
    # Arguments are NUL-separated: one per line, and our signature must be one of them.
    if tr '\0' '\n' <"/proc/$pid/cmdline" | grep -qxF -- "$(signature "$1")"; then echo "$pid"; fi
}

# Slurm daemons running here that are not ours, as "name pid, " items. A zombie (a daemon's
# first process, which forks and exits, waiting to be reaped) is no daemon.
foreign() {
    local mine name pid
    mine=" $(ours slurmctld) $(ours slurmd) "
    for name in slurmctld slurmd slurmdbd slurmctld-wlm slurmd-wlm slurmdbd-wlm; do
        for pid in $(pgrep -x "$name" || true); do
            case "$mine" in *" $pid "*) continue ;; esac
            # The state follows the command name's closing parenthesis in /proc/PID/stat.
            case "$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null)" in Z* | X* | "") continue ;; esac
            printf '%s %s, ' "$name" "$pid"
        done
    done
}

running() { [ -n "$(ours slurmctld)" ] && [ -n "$(ours slurmd)" ] && [ -n "$(ours munged)" ]; }

answers() { SLURM_CONF=$conf timeout 5 sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)'; }

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Stops our daemon NAME by its pid: TERM, then KILL after 10 s.
halt() {
    local pid
    pid=$(ours "$1")
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 100); do
        [ -d "/proc/$pid" ] || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}

stop() {
    if [ -n "$(ours slurmctld)" ]; then
        # Our cluster's jobs (ours alone): cancelled, so that no slurmstepd outlives slurmd.
        jobs=$(SLURM_CONF=$conf timeout 5 squeue -h -o %A 2>/dev/null || true)
        [ -z "$jobs" ] || SLURM_CONF=$conf timeout 5 scancel $jobs 2>/dev/null || true
    fi
    halt slurmd
    halt slurmctld
    halt munged
    # The folder goes only if it is ours and none of our daemons is left in it.
    if [ -f "$marker" ] && [ -z "$(ours slurmctld)$(ours slurmd)$(ours munged)" ]; then rm -rf "$dir"; fi
}

write_conf() {
    local host cpus mem
    host=$(hostname -s)
    cpus=$(nproc)
    mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
    cat >"$conf" <<CONF
# A private single-node Slurm for autoloss's tests (scripts/slurm_local.sh): clients use it
# through SLURM_CONF=$conf
ClusterName=autoloss-local
SlurmctldHost=$host
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/ctld
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
# Slurm may hold a new batch job for up to batch_sched_delay (3 s by default: it waited for the
# next 3-second tick) and runs its main loop at most every sched_min_interval; a cluster tuned
# for short jobs starts them at once, and so does this one.
SchedulerParameters=batch_sched_delay=0,sched_min_interval=100000
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
SlurmctldTimeout=30
SlurmdTimeout=30
MinJobAge=300
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
}

start() {
    local others
    others=$(foreign)
    if [ -n "$others" ]; then
        echo "$me: refusing to start: a Slurm this script did not start is running here (${others%, }); it is left alone" >&2
        exit 3
    fi
    if running && answers; then
        echo "slurm: already running (SLURM_CONF=$conf)"
        return 0
    fi
    if [ "$(id -u)" != 0 ]; then
        echo "$me: needs root: slurmd starts jobs as their users" >&2
        exit 1
    fi
    if [ -e "$dir" ] && [ ! -f "$marker" ]; then
        echo "$me: refusing to start: $dir exists and is not this script's folder; set AUTOLOSS_SLURM_DIR" >&2
        exit 3
    fi
    stop  # what is left of ours from a killed run
    local p
    for p in "$port" $((port + 1)); do
        if listening "$p"; then
            echo "$me: refusing to start: something listens on port $p; set AUTOLOSS_SLURM_PORT to a free pair" >&2
            exit 3
        fi
    done
    # Readable by all on the way to munge's socket (munged requires it), the key by root alone.
    mkdir -p "$dir"/{ctld,spool,munge}
    chmod 755 "$dir" "$dir/munge"
    touch "$marker"
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
    chmod 400 "$dir/munge/munge.key"
    /usr/sbin/munged --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
        --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"
    write_conf
    SLURM_CONF=$conf /usr/sbin/slurmctld -f "$conf" || true
    SLURM_CONF=$conf /usr/sbin/slurmd -f "$conf" || true
    for _ in $(seq 1 50); do
        if answers; then
            echo "slurm: up (node $(hostname -s), $(nproc) CPUs, ports $port and $((port + 1))); for its clients: export SLURM_CONF=$conf"
            return 0
        fi
        sleep 0.2
    done
    # Nothing half-started is left running; the folder stays, with the logs.
    halt slurmd
    halt slurmctld
    halt munged
    echo "$me: slurm did not come up; see $dir/slurmctld.log, $dir/slurmd.log and $dir/munge/munged.log" >&2
    exit 1
}

case "${1:-}" in
start) start ;;
stop)
    stop
    echo "slurm: stopped"
    ;;
status)
    if running; then echo "slurm: running (SLURM_CONF=$conf)"; else echo "slurm: not running (folder $dir)"; exit 1; fi
    ;;
env | conf)
    if ! running; then echo "$me: this script's Slurm is not running (folder $dir)" >&2; exit 1; fi
    if [ "$1" = env ]; then echo "export SLURM_CONF=$conf"; else echo "$conf"; fi
    ;;
*)
    echo "usage: $me start|stop|status|env|conf" >&2
    exit 2
    ;;
esac
