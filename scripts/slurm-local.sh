#!/usr/bin/env bash
# A one-node Slurm cluster on localhost, for the tests of `sweep run --backend slurm`.
#
#   scripts/slurm-local.sh start   # installs Debian's slurm and munge when missing, starts the daemons
#   scripts/slurm-local.sh stop    # stops the daemons this script started
#   scripts/slurm-local.sh status  # exits 0 when the node accepts jobs
#
# Runs as root without systemd: munged as the munge user, then slurmctld and slurmd as root.
# Process tracking reads /proc (proctrack/linuxproc) and tasks are not confined (task/none),
# because containers without systemd offer neither cgroups nor a delegated hierarchy.
# Accounting is off, so job state comes from squeue and scontrol, not sacct.
set -euo pipefail

PACKAGES="slurmctld slurmd slurm-client munge"
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
CONF=/etc/slurm/slurm.conf
STATE=/var/lib/slurm-local
LOGS=/var/log/slurm-local

install_missing() {
    local missing=""
    for p in $PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    echo "installing$missing"
    local log; log=$(mktemp)
    # The packages' own service starts fail without systemd; the daemons are started below.
    if ! { export DEBIAN_FRONTEND=noninteractive; $SUDO apt-get update -qq &&
           $SUDO apt-get install -y -qq --no-install-recommends $missing; } >"$log" 2>&1; then
        cat "$log" >&2; rm -f "$log"; echo "slurm-local: apt-get failed (output above)" >&2; exit 1
    fi
    rm -f "$log"
}

write_config() {
    local host cpus mem
    host=$(hostname -s)
    cpus=$(nproc)
    # Leave a little memory to the system; slurmd refuses a node that claims more than it has.
    mem=$(( $(awk '/MemTotal/ {print int($2 / 1024)}' /proc/meminfo) * 9 / 10 ))
    $SUDO mkdir -p "$STATE/ctld" "$STATE/d" "$LOGS" /etc/slurm
    $SUDO tee "$CONF" >/dev/null <<EOF
# Written by scripts/slurm-local.sh: one node, this machine.
ClusterName=visionmix-local
SlurmctldHost=$host
SlurmUser=root
SlurmctldPort=6817
SlurmdPort=6818
AuthType=auth/munge
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/d
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$LOGS/slurmctld.log
SlurmdLogFile=$LOGS/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
ReturnToService=2
MinJobAge=300
# Without a default, a task is given all the node's memory and array tasks run one at a time.
DefMemPerCPU=1024
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

running() { pgrep -x "$1" >/dev/null; }

node_ready() {
    command -v sinfo >/dev/null && sinfo -h -N -o '%t' 2>/dev/null | grep -Eq '^(idle|mix|alloc)'
}

start() {
    install_missing
    if node_ready; then echo "slurm-local: running"; return 0; fi
    if [ -f "$CONF" ] && ! grep -q "slurm-local.sh" "$CONF"; then
        echo "slurm-local: $CONF was not written by this script; not starting a cluster over it" >&2; exit 1
    fi
    write_config
    $SUDO mkdir -p /run/munge && $SUDO chown munge:munge /run/munge
    if [ -n "$SUDO" ]; then as_munge="sudo -u munge"; else as_munge="runuser -u munge --"; fi
    running munged || $as_munge /usr/sbin/munged
    running slurmctld || $SUDO slurmctld
    running slurmd || $SUDO slurmd
    for _ in $(seq 1 60); do
        if node_ready; then echo "slurm-local: one node ($(hostname -s), $(nproc) CPUs) up"; return 0; fi
        sleep 0.5
    done
    # A node left down by an earlier stop is brought back rather than waited for.
    $SUDO scontrol update NodeName="$(hostname -s)" State=RESUME 2>/dev/null || true
    sleep 1
    if node_ready; then echo "slurm-local: one node up"; return 0; fi
    echo "slurm-local: the node did not come up; see $LOGS" >&2
    sinfo >&2 || true
    exit 1
}

stop() {
    for d in slurmd slurmctld munged; do
        if running "$d"; then $SUDO kill "$(pgrep -x "$d")" || true; fi
    done
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) node_ready ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
