#!/usr/bin/env bash
# A single-node Slurm on this machine for the integration tests (.ci/run starts and stops it):
#   bash scripts/slurm_local.sh start    # munge, slurmctld, slurmd with a generated slurm.conf
#   bash scripts/slurm_local.sh stop
# Needs root and Debian's slurm-wlm and munge. The configuration and state live under
# /tmp/autoloss-slurm; the daemons read /etc/slurm/slurm.conf, written here (the old one, if
# any, kept as slurm.conf.autoloss-saved and put back on stop).
set -euo pipefail
state=/tmp/autoloss-slurm
conf=/etc/slurm/slurm.conf
case "${1:-}" in
start)
    # Daemons left from an earlier start (a killed run) would refuse to start again.
    pkill -x slurmd 2>/dev/null || true
    pkill -x slurmctld 2>/dev/null || true
    sleep 0.5
    mkdir -p "$state"/{spool,ctld} /etc/slurm /run/munge /var/log/munge /var/lib/munge
    if [ ! -s /etc/munge/munge.key ]; then
        mkdir -p /etc/munge
        dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    fi
    chown -R munge:munge /etc/munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
    chmod 400 /etc/munge/munge.key
    pgrep -x munged >/dev/null || sudo -u munge /usr/sbin/munged 2>/dev/null || /usr/sbin/munged --force
    host=$(hostname -s)
    cpus=$(nproc)
    mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
    if [ -f "$conf" ] && [ ! -f "$conf.autoloss-saved" ] && ! grep -q "autoloss-slurm" "$conf"; then cp "$conf" "$conf.autoloss-saved"; fi
    cat > "$conf" <<CONF
# autoloss-slurm: a single-node Slurm for the tests (scripts/slurm_local.sh)
ClusterName=autoloss
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
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
    /usr/sbin/slurmctld
    /usr/sbin/slurmd
    for _ in $(seq 1 50); do
        if sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then echo "slurm: up (node $host, $cpus CPUs)"; exit 0; fi
        sleep 0.2
    done
    echo "slurm: did not come up; see $state/slurmctld.log and $state/slurmd.log" >&2
    exit 1
    ;;
stop)
    pkill -x slurmd 2>/dev/null || true
    pkill -x slurmctld 2>/dev/null || true
    pkill -x munged 2>/dev/null || true
    # The daemons write their state as they exit: remove it once they are gone.
    for _ in $(seq 1 50); do
        pgrep -x slurmctld >/dev/null || pgrep -x slurmd >/dev/null || break
        sleep 0.1
    done
    if [ -f "$conf.autoloss-saved" ]; then mv "$conf.autoloss-saved" "$conf"; elif grep -q "autoloss-slurm" "$conf" 2>/dev/null; then rm -f "$conf"; fi
    rm -rf "$state"
    echo "slurm: stopped"
    ;;
*)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
