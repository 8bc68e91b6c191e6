#!/usr/bin/env bash
# Stops what start.sh started, by the PIDs it recorded (never by process name).
D=${SLURM_CI_DIR:?}
for p in "$D/slurmd.pid" "$D/slurmctld.pid" "$D/munge/munged.pid"; do
  [ -s "$p" ] || continue
  pid=$(cat "$p"); kill -TERM "$pid" 2>/dev/null || continue
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
done
[ "$(readlink /etc/slurm/slurm.conf 2>/dev/null)" = "$D/slurm.conf" ] && rm -f /etc/slurm/slurm.conf
exit 0
