#!/usr/bin/env bash
# A single-node Slurm on this machine, for testing `pcmsim sweep submit` (CI starts it; run as
# root). Installs Debian's slurm-wlm and munge if missing, writes /etc/slurm/slurm.conf for this
# host (no cgroup plugins: proctrack/pgid, task/none; daemons on 127.0.0.1, so the host name
# need not resolve), and starts munged, slurmctld and slurmd.
#   tools/slurm_local.sh start | stop | status
set -euo pipefail
cmd=${1:-status}

conf=/etc/slurm/slurm.conf
host=$(hostname -s)

start() {
  if [[ $(id -u) -ne 0 ]]; then
    echo "slurm_local.sh: run as root" >&2
    exit 1
  fi
  local missing=()
  for p in slurm-wlm munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]})); then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge
  chown slurm:slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
  chown munge:munge /run/munge
  [[ -s /etc/munge/munge.key ]] || /usr/sbin/mungekey --create --force
  chown munge:munge /etc/munge/munge.key
  chmod 400 /etc/munge/munge.key
  local cpus mem
  cpus=$(nproc)
  mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512 ))
  cat > "$conf" <<EOF
# Written by pcmsim's tools/slurm_local.sh: one node, no cgroups.
ClusterName=pcmsim-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=slurm
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/pgid
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
MaxArraySize=1001
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  pgrep -x munged >/dev/null || runuser -u munge -- /usr/sbin/munged
  pgrep -x slurmctld >/dev/null || /usr/sbin/slurmctld
  pgrep -x slurmd >/dev/null || /usr/sbin/slurmd
  for _ in $(seq 1 60); do
    if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
      echo "slurm_local.sh: slurm up on $host ($cpus CPUs)"
      return 0
    fi
    sleep 1
  done
  echo "slurm_local.sh: slurm did not come up; logs in /var/log/slurm/" >&2
  sinfo >&2 || true
  exit 1
}

stop() {
  pkill -x slurmd || true
  pkill -x slurmctld || true
  pkill -x munged || true
  # Until they have exited: a start right after would otherwise see them and start nothing.
  for _ in $(seq 1 30); do
    pgrep -x slurmd >/dev/null || pgrep -x slurmctld >/dev/null || pgrep -x munged >/dev/null ||
      return 0
    sleep 1
  done
  echo "slurm_local.sh: slurm daemons still running after 30 s" >&2
  exit 1
}

case $cmd in
  start) start ;;
  stop) stop ;;
  status) sinfo ;;
  *) echo "usage: tools/slurm_local.sh start|stop|status" >&2; exit 2 ;;
esac
