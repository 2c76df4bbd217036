#!/usr/bin/env bash
# stop.sh: stops the nodes that deploy/local/start.sh started (PID files in deploy/local/run).
# Sends each SIGTERM, on which the node leaves the cluster gracefully, and waits for it to exit
# (at most WAIT_SECONDS per node, default 60). Nodes are stopped from the last to the first.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
run="$here/run"
wait_seconds="${WAIT_SECONDS:-60}"

shopt -s nullglob
pidfiles=("$run"/node-*.pid)
if [[ ${#pidfiles[@]} -eq 0 ]]; then
  echo "stop.sh: no PID files in $run; nothing to stop" >&2
  exit 0
fi

status=0
# Highest node number first: node 1, the first seed, leaves last.
mapfile -t ordered < <(printf '%s\n' "${pidfiles[@]}" | sort -t- -k2 -n -r)
for pidfile in "${ordered[@]}"; do
  name="$(basename "$pidfile" .pid)"
  pid="$(cat "$pidfile")"
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "stop.sh: $name (pid $pid) was not running" >&2
    rm -f "$pidfile"
    continue
  fi
  # Only signal the process start.sh started: a dmaemu node, not a recycled PID.
  if ! ps -p "$pid" -o args= 2>/dev/null | grep -q "dmaemu.jar node"; then
    echo "stop.sh: pid $pid in $pidfile is not a dmaemu node; leaving it alone" >&2
    rm -f "$pidfile"
    status=1
    continue
  fi
  kill -TERM "$pid"
  deadline=$((SECONDS + wait_seconds))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      echo "stop.sh: $name (pid $pid) still running ${wait_seconds}s after SIGTERM" >&2
      status=1
      continue 2
    fi
    sleep 0.2
  done
  rm -f "$pidfile"
  echo "stop.sh: $name (pid $pid) left the cluster and exited" >&2
done
exit "$status"
