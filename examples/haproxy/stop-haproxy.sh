#!/usr/bin/env bash
# Stops the HAProxy started by start-haproxy.sh DIR: soft stop of the master (workers finish), then waits for it.
# Usage: stop-haproxy.sh DIR
set -euo pipefail
dir=${1:?usage: $0 DIR}
pidfile="$dir/haproxy.pid"
[ -f "$pidfile" ] || { echo "no $pidfile: haproxy is not running"; exit 0; }
pid=$(cat "$pidfile")
kill -USR1 "$pid" 2>/dev/null || true
for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || exit 0
    sleep 0.1
done
kill -KILL "$pid" 2>/dev/null || true
