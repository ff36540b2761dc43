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
ours() {
    local f
    for f in /proc/[0-9]*/cmdline; do
        [[ $( { tr '\0' ' ' < "$f"; } 2>/dev/null ) == *"-f $dir/haproxy.cfg "* ]] && echo "${f//[^0-9]/}"
    done
    return 0
}

kill -USR1 "$pid" 2>/dev/null || true
for _ in $(seq 1 100); do
    [ -z "$(ours)" ] && exit 0
    sleep 0.1
done
kill -KILL "$pid" $(ours) 2>/dev/null || true
