#!/usr/bin/env bash
# Renders haproxy.cfg into DIR and starts HAProxy in master-worker mode on 127.0.0.1:PORT, everything kept in DIR.
# Reload gracefully with: kill -USR2 "$(cat DIR/haproxy.pid)"  (the master re-reads both files, the old worker
# finishes its connections).
# Usage: start-haproxy.sh DIR PORT
set -euo pipefail
if [ $# -ne 2 ]; then
    echo "usage: $0 DIR PORT" >&2
    exit 2
fi
dir=$(mkdir -p "$1" && cd "$1" && pwd)
port=$2
here=$(cd "$(dirname "$0")" && pwd)
haproxy=${HAPROXY:-$(command -v haproxy || echo /usr/sbin/haproxy)}

sed -e "s|@DIR@|$dir|g" -e "s|@PORT@|$port|g" "$here/haproxy.cfg.template" > "$dir/haproxy.cfg"
# Until the first flip: a backend without servers (HAProxy answers 503).
if [ ! -f "$dir/backend.cfg" ]; then
    printf 'backend app\n    mode http\n' > "$dir/backend.cfg"
fi

"$haproxy" -c -q -f "$dir/haproxy.cfg" -f "$dir/backend.cfg"
# -W master-worker, -D daemon, -p the master's pid (stable across reloads). The master keeps writing notices
# (workers started, reloads) to stderr: into haproxy.log, so it never holds the caller's terminal or pipe.
if ! "$haproxy" -W -D -p "$dir/haproxy.pid" -f "$dir/haproxy.cfg" -f "$dir/backend.cfg" </dev/null >>"$dir/haproxy.log" 2>&1; then
    cat "$dir/haproxy.log" >&2
    exit 1
fi
echo "haproxy started on 127.0.0.1:$port (master pid $(cat "$dir/haproxy.pid"), folder $dir)"
