#!/usr/bin/env bash
# Renders nginx.conf into DIR and starts nginx listening on 127.0.0.1:PORT, everything kept in DIR.
# Usage: start-nginx.sh DIR PORT
set -euo pipefail
if [ $# -ne 2 ]; then
    echo "usage: $0 DIR PORT" >&2
    exit 2
fi
dir=$(mkdir -p "$1" && cd "$1" && pwd)
port=$2
here=$(cd "$(dirname "$0")" && pwd)
nginx=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}

mkdir -p "$dir/logs" "$dir/tmp"
sed -e "s|@DIR@|$dir|g" -e "s|@PORT@|$port|g" "$here/nginx.conf.template" > "$dir/nginx.conf"
# nginx refuses an empty upstream: until the first flip, a placeholder that is never tried.
if [ ! -f "$dir/upstream.conf" ]; then
    printf 'upstream app {\n    server 127.0.0.1:9 down;\n}\n' > "$dir/upstream.conf"
fi

# -e: the error log before the config is read (the built-in default is under /var/log).
"$nginx" -t -q -e "$dir/logs/error.log" -p "$dir" -c "$dir/nginx.conf"
"$nginx" -e "$dir/logs/error.log" -p "$dir" -c "$dir/nginx.conf"
echo "nginx started on 127.0.0.1:$port (pid $(cat "$dir/nginx.pid"), folder $dir)"
