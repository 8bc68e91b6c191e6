#!/usr/bin/env bash
# A single-node Slurm for the tests, as the test's own processes (no systemd):
# munged, slurmctld and slurmd on private ports, state in $SLURM_CI_DIR; the
# configuration is linked to /etc/slurm/slurm.conf (where tools look for it).
# Usage: SLURM_CI_DIR=$(mktemp -d) bash start.sh; stop with stop.sh (by PID).
set -euo pipefail
D=${SLURM_CI_DIR:?set SLURM_CI_DIR to a scratch directory}
H=$(hostname -s)
mkdir -p "$D"/{state,spool,munge,log}
chmod 0755 "$D"
chown munge:munge "$D/munge"; chmod 0755 "$D/munge"   # munged refuses a root-owned socket directory
NODE=$(slurmd -C | head -1)
MEM=$(( $(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$NODE") - 1024 ))
NODE=$(sed "s/RealMemory=[0-9]*/RealMemory=$MEM/" <<<"$NODE")
cat > "$D/slurm.conf" <<CONF
ClusterName=syscorrci
SlurmctldHost=$H
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$D/munge/munge.socket
SlurmctldPort=16817
SlurmdPort=16818
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/log/slurmctld.log
SlurmdLogFile=$D/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
DependencyParameters=kill_invalid_depend
$NODE NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:4
CONF
mkdir -p /etc/slurm
ln -sf "$D/slurm.conf" /etc/slurm/slurm.conf
runuser -u munge -- "$(command -v munged)" --socket="$D/munge/munge.socket" \
  --pid-file="$D/munge/munged.pid" --log-file="$D/munge/munged.log" --seed-file="$D/munge/munged.seed"
slurmctld -f "$D/slurm.conf" -c
slurmd -f "$D/slurm.conf"
for i in $(seq 1 150); do
  sinfo -h -o '%T' 2>/dev/null | grep -q idle && exit 0
  sleep 0.2
done
echo "Slurm did not become ready; logs in $D/log" >&2
exit 1
