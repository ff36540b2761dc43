#!/usr/bin/env bash
# Stops the HAProxy started by start-haproxy.sh DIR: soft stop of the master (workers finish), then waits until the
# master and every worker of this folder's configuration are gone, so the port is closed when it returns.
# Usage: stop-haproxy.sh DIR
set -euo pipefail
dir=${1:?usage: $0 DIR}
pidfile="$dir/haproxy.pid"
[ -f "$pidfile" ] || { echo "no $pidfile: haproxy is not running"; exit 0; }
pid=$(cat "$pidfile")

# The processes running this folder's configuration (the master and its workers share its command line).
ours() { pgrep -f -- "-f $dir/haproxy.cfg " || true; }

# Soft stop: workers finish their requests. Bounded by the clock, not by a count of rounds: on a busy machine a round
# takes longer, and idle keep-alive clients can hold a worker for as long as they like.
kill -USR1 "$pid" 2>/dev/null || true
deadline=$((SECONDS + 10))
while [ "$SECONDS" -lt "$deadline" ]; do
    [ -z "$(ours)" ] && exit 0
    sleep 0.1
done
# shellcheck disable=SC2046
kill -KILL "$pid" $(ours) 2>/dev/null || true
