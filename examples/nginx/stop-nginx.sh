#!/usr/bin/env bash
# Stops the nginx started by start-nginx.sh DIR: graceful quit, then waits for the master to exit.
# Usage: stop-nginx.sh DIR
set -euo pipefail
dir=${1:?usage: $0 DIR}
pidfile="$dir/nginx.pid"
[ -f "$pidfile" ] || { echo "no $pidfile: nginx is not running"; exit 0; }
pid=$(cat "$pidfile")
kill -QUIT "$pid" 2>/dev/null || true
for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || exit 0
    sleep 0.1
done
kill -KILL "$pid" 2>/dev/null || true
