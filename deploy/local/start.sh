#!/usr/bin/env bash
# start.sh N [BASE_PORT]
#
# Starts N dmaemu nodes on 127.0.0.1 as one Akka cluster: node i listens on BASE_PORT+i-1 (default
# base 25520) and serves akka-management on MANAGEMENT_BASE+i-1 (default 8558; MANAGEMENT_BASE=0
# for none). Node 1 is the first seed: it forms the cluster and the others join it. Every node lists
# all nodes as seeds, so a restarted node 1 rejoins the others instead of forming a second cluster.
#
# Logs: deploy/local/logs/node-<i>.log (stdout and stderr); PIDs: deploy/local/run/node-<i>.pid.
# Waits until every node has printed its "up" line (at most WAIT_SECONDS, default 90), then returns.
# JAVA_OPTS is passed to java (default: a 512 MiB heap and INFO logging, so the logs show the
# cluster's membership changes). Stop them with deploy/local/stop.sh.
set -euo pipefail

usage() { echo "usage: $0 N [BASE_PORT]   (N >= 1)" >&2; exit 2; }
[[ $# -ge 1 && $# -le 2 ]] || usage
n="$1"; base="${2:-25520}"
[[ "$n" =~ ^[0-9]+$ && "$n" -ge 1 ]] || usage
[[ "$base" =~ ^[0-9]+$ && "$base" -ge 1 && $((base + n - 1)) -le 65535 ]] || usage
management_base="${MANAGEMENT_BASE:-8558}"
wait_seconds="${WAIT_SECONDS:-90}"
java_opts="${JAVA_OPTS:--Xmx512m -Ddmaemu.log.level=INFO}"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
jar="$root/device-nodes/target/dmaemu.jar"
logs="$here/logs"
run="$here/run"
mkdir -p "$logs" "$run"

for pidfile in "$run"/node-*.pid; do
  [[ -e "$pidfile" ]] || continue
  if kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    echo "start.sh: $(basename "$pidfile" .pid) is still running (pid $(cat "$pidfile")); run $here/stop.sh first" >&2
    exit 1
  fi
  rm -f "$pidfile"
done

if [[ ! -f "$jar" ]]; then
  echo "start.sh: building $jar ..." >&2
  (cd "$root" && mvn -B -q -Dmaven.test.skip=true -pl device-nodes -am package) >&2
fi

seeds=""
for ((i = 1; i <= n; i++)); do
  seeds+="${seeds:+,}127.0.0.1:$((base + i - 1))"
done

for ((i = 1; i <= n; i++)); do
  port=$((base + i - 1))
  management=0
  [[ "$management_base" -gt 0 ]] && management=$((management_base + i - 1))
  log="$logs/node-$i.log"
  # shellcheck disable=SC2086  # JAVA_OPTS holds several words on purpose
  nohup java $java_opts -jar "$jar" node \
    --host 127.0.0.1 --port "$port" --seed-nodes "$seeds" --management-port "$management" \
    >"$log" 2>&1 </dev/null &
  echo $! >"$run/node-$i.pid"
  echo "start.sh: node-$i pid $! port $port${management:+ management $management} log $log" >&2
done

deadline=$((SECONDS + wait_seconds))
for ((i = 1; i <= n; i++)); do
  log="$logs/node-$i.log"
  pid="$(cat "$run/node-$i.pid")"
  until grep -q "^dmaemu node .* up (" "$log" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "start.sh: node-$i exited before it was Up; the end of $log:" >&2
      tail -n 20 "$log" >&2
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      echo "start.sh: node-$i is not Up after ${wait_seconds}s; see $log (still running: stop.sh stops it)" >&2
      exit 1
    fi
    sleep 0.5
  done
  grep "^dmaemu node .* up (" "$log"
done
