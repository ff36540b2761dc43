#!/usr/bin/env bash
# The private Docker engine of a test run: one dockerd and one registry, both in a fresh temp folder, with the images
# the tests use built offline (never the system socket, never a pull from a public registry).
#
#   eval "$(tests/infra/docker.sh start [--with-sdk] [--dir DIR] [--watch-pid PID])"
#       Starts dockerd and a registry on 127.0.0.1, loads the images, prints export lines on stdout:
#         DEPLOY_TEST_DOCKER_HOST=unix:///tmp/deploy-docker.XXXX/docker.sock
#         DEPLOY_TEST_REGISTRY=127.0.0.1:PORT
#         DEPLOY_TEST_DOCKER_DIR=/tmp/deploy-docker.XXXX
#       Progress and timings go to stderr. --with-sdk (or DEPLOY_TEST_SDK_IMAGE=1) also builds the sdk stand-in.
#       --dir uses a folder the caller made (empty), so the caller can stop it even while start still runs.
#       --watch-pid stops the engine by itself once process PID has exited (a test process killed before it could).
#   tests/infra/docker.sh sdk DIR     adds mcr.microsoft.com/dotnet/sdk:10.0 to a running engine (once; idempotent)
#   tests/infra/docker.sh stop DIR    removes the containers, stops the registry and dockerd, unmounts, removes DIR
#
# Images: mcr.microsoft.com/dotnet/{runtime-deps,runtime,aspnet}:10.0 (sdk on request), local/busybox:1,
# local/nginx:1 (nginx, HAProxy and curl; also tagged local/haproxy:1 and nginx:1.27), and REGISTRY/dotnet/aspnet:10.0
# pushed to the registry.
# The Debian root filesystem (and the nginx image built on it) are cached in ${DEPLOY_TEST_CACHE:-/var/cache/deploy-tests};
# without the cache they are built (debootstrap from the Debian mirror apt already uses) and the cache is filled.
set -euo pipefail

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export DOCKER_BUILDKIT=0 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
SELF="$(readlink -f "${BASH_SOURCE[0]}")"
NAME=docker.sh
ROOT="" # the engine's folder, $D
# shellcheck source=tests/infra/common.sh
. "$(dirname "$SELF")/common.sh"
MARKER=.deploy-test-docker

RUNTIME_DEPS=mcr.microsoft.com/dotnet/runtime-deps:10.0
RUNTIME=mcr.microsoft.com/dotnet/runtime:10.0
ASPNET=mcr.microsoft.com/dotnet/aspnet:10.0
SDK=mcr.microsoft.com/dotnet/sdk:10.0
BUSYBOX=local/busybox:1
NGINX=local/nginx:1
APP_UID=1654
STD_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# The docker CLI against this engine only (also isolated from the user's CLI config: contexts, proxies).
dk() { DOCKER_CONFIG="$D/cli" docker -H "unix://$D/docker.sock" "$@"; }

# The host's .NET folder: DOTNET_ROOT when it holds dotnet, else the folder of the dotnet on PATH.
dotnet_dir() {
  if [ -n "${DOTNET_ROOT:-}" ] && [ -x "$DOTNET_ROOT/dotnet" ]; then
    readlink -f "$DOTNET_ROOT"
  else
    dirname "$(readlink -f "$(command -v dotnet)")"
  fi
}

# The Debian mirror apt uses on this machine (deb822 sources first, then the one-line format).
debian_mirror() {
  local uri=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    uri=$(awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" && $0 ~ / bookworm / && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; exit } }' /etc/apt/sources.list)
  fi
  [ -n "$uri" ] || die "no Debian mirror found in /etc/apt/sources.list.d/debian.sources or /etc/apt/sources.list"
  echo "$uri"
}

# The temp file of a rootfs build that was cut short.
remove_rootfs_tmp() { [ ! -s "$D/rootfs.tmp" ] || rm -f "$(cat "$D/rootfs.tmp")"; }

# ---------------------------------------------------------------------------------------------------------------------
# stop DIR
# ---------------------------------------------------------------------------------------------------------------------

stop_engine() {
  claim_folder "${1:-}" || return 0
  D=$ROOT
  log "stopping the engine in $D"

  local dockerd_pid begin
  begin=$(now_ms)
  dockerd_pid=$(pid_of "$D/docker.pid" || pid_of "$D/dockerd.launch.pid" || true)
  if alive "$dockerd_pid" && [ -S "$D/docker.sock" ]; then
    timed "containers and networks removed" remove_containers "$D/docker.sock"
  fi

  timed "registry and dockerd stopped" kill_pid_files "$D/watch.pid" "$D/registry.pid" "$D/docker.pid" "$D/dockerd.launch.pid"
  # dockerd stops the containerd it started; shims and container processes left by a failed removal are ours too.
  kill_pid_files "$D/exec/containerd/containerd.pid"
  kill_leftovers "$D/exec"

  timed "unmounted" unmount_all
  timed "removed $D" remove_dir
  log "stopped in $(seconds_since "$begin")"
}

# ---------------------------------------------------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------------------------------------------------

cache_dir() {
  local cache=${DEPLOY_TEST_CACHE:-/var/cache/deploy-tests}
  if mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ]; then
    echo "$cache"
  else
    log "cache folder $cache is not writable: building without a cache" && echo ""
  fi
}

# Builds the Debian root filesystem tarball into $1 (a path in the same folder as its final place). Every step is
# checked here (callers test its status, which turns set -e off inside): a half-made rootfs is never cached.
build_rootfs() {
  local out=$1 root=$D/rootfs mirror
  mirror=$(debian_mirror) || return 1
  log "debootstrap bookworm from $mirror (no cache yet; about a minute)"
  mkdir -p "$root" || return 1
  quiet debootstrap debootstrap --variant=minbase --include=ca-certificates,libicu72,libssl3,tzdata \
    bookworm "$root" "$mirror" || return 1

  # The host's extra CA certificates: without them NuGet restores in containers fail (NU1301 UntrustedRoot).
  if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/" || return 1
  fi
  quiet update-ca-certificates chroot "$root" update-ca-certificates || return 1
  # apt's Acquire settings (proxy, snapshot validity), so apt-get in containers reaches the mirror as the host does.
  grep -hE '^[[:space:]]*Acquire::[^{}]*;[[:space:]]*$' /etc/apt/apt.conf /etc/apt/apt.conf.d/* 2>/dev/null >"$root/etc/apt/apt.conf.d/90host-acquire"
  [ -s "$root/etc/apt/apt.conf.d/90host-acquire" ] || rm -f "$root/etc/apt/apt.conf.d/90host-acquire"
  # The non-root user of Microsoft's images (APP_UID); the images still run as root unless told otherwise.
  quiet useradd chroot "$root" sh -c "groupadd --system --gid=$APP_UID app && useradd --uid=$APP_UID --gid=$APP_UID --create-home app" || return 1
  chroot "$root" apt-get clean >/dev/null 2>&1
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/*.log "$root"/var/log/apt/* "$root"/tmp/*

  tar --numeric-owner -C "$root" -cf "$out" . || return 1
  rm -rf --one-file-system "$root"
}

# The rootfs tarball, from the cache or built (then cached); writes its cache key and path to $D/rootfs.path.
ensure_rootfs() {
  local cache sdk_version tmp name tar
  sdk_version=$(cd / && "$(dotnet_dir)/dotnet" --version)
  name=rootfs-bookworm-$sdk_version
  cache=$(cache_dir)
  # Temp files of runs killed while they filled the cache (a build takes minutes; these are hours old).
  [ -z "$cache" ] || find "$cache" -maxdepth 1 -name '.*.tmp' -mmin +120 -delete 2>/dev/null || true
  if [ -n "$cache" ] && [ -s "$cache/$name.tar" ]; then
    tar=$cache/$name.tar
    log "rootfs from the cache: $tar"
  elif [ -n "$cache" ]; then
    tmp=$(mktemp "$cache/.$name.XXXXXX.tmp")
    echo "$tmp" >"$D/rootfs.tmp"
    if ! build_rootfs "$tmp"; then
      rm -f "$tmp"
      return 1
    fi
    chmod 644 "$tmp" && mv -f "$tmp" "$cache/$name.tar"
    tar=$cache/$name.tar
    rm -f "$D/rootfs.tmp"
    log "rootfs cached: $tar"
  else
    tar=$D/$name.tar
    build_rootfs "$tar" || return 1
  fi
  printf '%s\n%s\n' "$name" "$tar" >"$D/rootfs.path"
}

import_runtime_deps() {
  quiet import-runtime-deps dk import \
    -c "ENV PATH=$STD_PATH" -c "ENV APP_UID=$APP_UID" -c "ENV ASPNETCORE_HTTP_PORTS=8080" \
    -c "ENV DOTNET_RUNNING_IN_CONTAINER=true" -c 'CMD ["bash"]' \
    "$ROOTFS_TAR" "$RUNTIME_DEPS"
  # The tarball came from the cache; only the temp copy made without a cache is removed.
  [[ $ROOTFS_TAR != "$D/"* ]] || rm -f "$ROOTFS_TAR"
}

# Builds image $1 FROM $2 with one COPY of the listed entries of the host's .NET folder into /usr/share/dotnet (plus the
# /usr/bin/dotnet symlink); the context is a tar stream holding only what is copied. $3: extra Dockerfile lines.
build_dotnet_image() {
  local tag=$1 from=$2 extra=$3 name
  shift 3
  local dotnet stage
  dotnet=$(dotnet_dir)
  name=$(basename "${tag%%:*}")
  stage=$D/context-$name
  mkdir -p "$stage/usr/bin" "$stage/usr/share/dotnet/shared"
  ln -sfn /usr/share/dotnet/dotnet "$stage/usr/bin/dotnet"
  printf 'FROM %s\n%s\nCOPY usr/ /usr/\n' "$from" "$extra" >"$stage/Dockerfile"
  local entries=() entry
  for entry in "$@"; do entries+=("./$entry"); done
  quiet "build-$name" bash -c 'set -o pipefail
    tar -c -C "$1" Dockerfile usr -C "$2" --transform "s,^\./,usr/share/dotnet/,S" "${@:5}" \
      | DOCKER_CONFIG="$3/cli" docker -H "unix://$3/docker.sock" build --network host -t "$4" -' \
    _ "$stage" "$dotnet" "$D" "$tag" "${entries[@]}"
  rm -rf "$stage"
}

version_of() { basename "$(ls -d "$(dotnet_dir)/shared/$1"/10.0.* 2>/dev/null | sort -V | tail -n 1)"; }

build_runtime() {
  build_dotnet_image "$RUNTIME" "$RUNTIME_DEPS" "ENV DOTNET_VERSION=$(version_of Microsoft.NETCore.App)" \
    dotnet host shared/Microsoft.NETCore.App
}

build_aspnet() {
  build_dotnet_image "$ASPNET" "$RUNTIME" "ENV ASPNET_VERSION=$(version_of Microsoft.AspNetCore.App)" \
    shared/Microsoft.AspNetCore.App
}

# The whole .NET folder: aspnet plus everything it does not hold yet.
build_sdk() {
  local dotnet entry rest=()
  dotnet=$(dotnet_dir)
  for entry in "$dotnet"/* "$dotnet"/shared/*; do
    entry=${entry#"$dotnet/"}
    case $entry in
      dotnet | host | shared | shared/Microsoft.NETCore.App | shared/Microsoft.AspNetCore.App) ;;
      *) rest+=("$entry") ;;
    esac
  done
  local sdk_version
  sdk_version=$(cd / && "$dotnet/dotnet" --version)
  build_dotnet_image "$SDK" "$ASPNET" "ENV DOTNET_SDK_VERSION=$sdk_version DOTNET_NOLOGO=true DOTNET_USE_POLLING_FILE_WATCHER=true NUGET_XMLDOC_MODE=skip DOTNET_GENERATE_ASPNET_CERTIFICATE=false" \
    "${rest[@]}"
}

build_busybox() {
  local root=$D/busybox applet busybox
  busybox=$(command -v busybox) || die "busybox is not installed (package busybox-static)"
  mkdir -p "$root/bin" "$root/tmp"
  chmod 1777 "$root/tmp"
  cp "$(readlink -f "$busybox")" "$root/bin/busybox"
  for applet in $("$root/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
  done
  quiet import-busybox bash -c 'set -o pipefail
    tar --numeric-owner -C "$1" -c . | DOCKER_CONFIG="$2/cli" docker -H "unix://$2/docker.sock" import \
      -c "ENV PATH=$3" -c "CMD [\"sh\"]" - "$4"' _ "$root" "$D" "$STD_PATH" "$BUSYBOX"
  rm -rf "$root"
}

build_nginx() {
  local stage=$D/context-nginx
  mkdir -p "$stage"
  cat >"$stage/Dockerfile" <<EOF
FROM $RUNTIME_DEPS
RUN printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d \\
 && apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx haproxy curl procps \\
 && rm -f /usr/sbin/policy-rc.d && rm -rf /var/lib/apt/lists/* \\
 && ln -sf /dev/stdout /var/log/nginx/access.log && ln -sf /dev/stderr /var/log/nginx/error.log
CMD ["nginx", "-g", "daemon off;"]
EOF
  local args=() var
  for var in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
    [ -z "${!var:-}" ] || args+=(--build-arg "$var=${!var}")
  done
  quiet build-nginx dk build --network host "${args[@]}" -t "$NGINX" "$stage"
  rm -rf "$stage"
}

# local/nginx:1 from the cache (docker save output keyed by the rootfs), else built and then cached.
ensure_nginx() {
  local cache tar tmp
  cache=$(cache_dir)
  tar=${cache:+$cache/proxies-1-$ROOTFS_NAME.tar}
  if [ -n "$tar" ] && [ -s "$tar" ]; then
    if quiet load-nginx dk load -i "$tar"; then
      log "nginx from the cache: $tar"
      return 0
    fi
    log "the cached nginx image could not be loaded: building it again"
    rm -f "$tar"
  fi
  build_nginx
  if [ -n "$tar" ]; then
    tmp=$(mktemp "$cache/.nginx.XXXXXX.tmp")
    if dk save -o "$tmp" "$NGINX" && chmod 644 "$tmp"; then mv -f "$tmp" "$tar"; log "nginx cached: $tar"; else rm -f "$tmp"; fi
  fi
}

# The proxy image also holds HAProxy (local/haproxy:1), and stands in for the official nginx image the examples name.
tag_proxies() {
  quiet tag-haproxy dk tag "$NGINX" local/haproxy:1
  quiet tag-nginx-official dk tag "$NGINX" nginx:1.27
}

# Pushes image $1 to the registry as $REGISTRY/$2.
push_image() {
  local name
  name=$(basename "${2%%:*}")
  quiet "tag-$name" dk tag "$1" "$REGISTRY/$2" || return 1
  quiet "push-$name" dk push "$REGISTRY/$2"
}

# ---------------------------------------------------------------------------------------------------------------------
# start
# ---------------------------------------------------------------------------------------------------------------------

start_dockerd() {
  command -v dockerd >/dev/null || die "dockerd is not installed (package docker.io)"
  setsid dockerd --data-root "$D/root" --exec-root "$D/exec" -H "unix://$D/docker.sock" --pidfile "$D/docker.pid" \
    --storage-driver overlay2 --iptables=false --ip-masq=false --bridge=none \
    </dev/null >"$D/logs/dockerd.log" 2>&1 &
  echo $! >"$D/dockerd.launch.pid"
  local i
  for i in $(seq 1 600); do
    if dk version >/dev/null 2>&1; then return 0; fi
    if ! alive "$(pid_of "$D/dockerd.launch.pid")"; then
      log "dockerd exited; the end of its log:"
      tail -n 30 "$D/logs/dockerd.log" >&2
      return 1
    fi
    sleep 0.1
  done
  die "dockerd did not answer within 60 s (log: $D/logs/dockerd.log)"
}

start_registry() {
  command -v docker-registry >/dev/null || die "docker-registry is not installed (package docker-registry)"
  local port attempt i
  mkdir -p "$D/registry"
  for attempt in 1 2 3 4 5; do
    port=$(free_port 127.0.0.1) || die "no free port for the registry"
    cat >"$D/registry/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $D/registry/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
EOF
    setsid docker-registry serve "$D/registry/config.yml" </dev/null >"$D/logs/registry.log" 2>&1 &
    echo $! >"$D/registry.pid"
    for i in $(seq 1 100); do
      if curl -fsS --max-time 2 "http://127.0.0.1:$port/v2/" >/dev/null 2>&1; then
        REGISTRY=127.0.0.1:$port
        return 0
      fi
      alive "$(pid_of "$D/registry.pid")" || break
      sleep 0.1
    done
    log "the registry did not start on port $port (attempt $attempt)"
    kill_pid_files "$D/registry.pid"
  done
  tail -n 20 "$D/logs/registry.log" >&2
  die "the registry did not start"
}

ensure_sdk() {
  if dk image inspect "$SDK" >/dev/null 2>&1; then
    return 0
  fi
  timed "image $SDK" build_sdk
}

start() {
  local with_sdk=${DEPLOY_TEST_SDK_IMAGE:-0} dir="" watch=""
  while [ $# -gt 0 ]; do
    case $1 in
      --with-sdk) with_sdk=1 ;;
      --dir) dir=$2; shift ;;
      --watch-pid) watch=$2; shift ;;
      *) die "unknown option $1 (start [--with-sdk] [--dir DIR] [--watch-pid PID])" ;;
    esac
    shift
  done
  command -v docker >/dev/null || die "the docker CLI is not installed (package docker.io)"
  command -v debootstrap >/dev/null || die "debootstrap is not installed"
  command -v curl >/dev/null || die "curl is not installed"

  new_root "$dir" deploy-docker
  D=$ROOT
  mkdir -p "$D/logs" "$D/cli"
  # On any failure or signal: stop what was started and remove the folder.
  JOBS=()
  trap 'status=$?; if [ "$status" != 0 ]; then log "start failed ($status): cleaning up"; stop_jobs; remove_rootfs_tmp; stop_engine "$D"; fi' EXIT
  trap 'exit 143' TERM
  trap 'exit 130' INT

  local begin
  begin=$(now_ms)
  log "engine folder $D"
  [ -z "$watch" ] || start_watcher "$watch"

  # The rootfs (debootstrap when not cached) needs no daemon: it runs beside the daemons' start and busybox.
  timed "rootfs (cache or debootstrap)" ensure_rootfs >&2 &
  JOBS+=($!)
  local rootfs_job=$!
  timed dockerd start_dockerd
  timed registry start_registry
  timed "image $BUSYBOX" build_busybox
  wait "$rootfs_job" || die "the root filesystem could not be made"
  { read -r ROOTFS_NAME; read -r ROOTFS_TAR; } <"$D/rootfs.path"

  timed "image $RUNTIME_DEPS (import)" import_runtime_deps
  # nginx (cache or apt) beside the .NET images. Pushes compress layers, which takes longest: runtime-deps goes up as
  # soon as it exists (also as a base image for self-contained apps), so the aspnet push finds its big layer there.
  timed "image $NGINX" ensure_nginx >&2 &
  JOBS+=($!)
  local nginx_job=$!
  timed "push $REGISTRY/dotnet/runtime-deps:10.0" push_image "$RUNTIME_DEPS" dotnet/runtime-deps:10.0 &
  JOBS+=($!)
  local push_deps_job=$!
  timed "image $RUNTIME" build_runtime
  timed "image $ASPNET" build_aspnet
  wait "$push_deps_job" || die "the runtime-deps stand-in could not be pushed to the registry"
  # The sdk copy (disk) runs beside the aspnet push (compression).
  local sdk_job=""
  if [ "$with_sdk" = 1 ]; then
    ensure_sdk &
    JOBS+=($!)
    sdk_job=$!
  fi
  timed "push $REGISTRY/dotnet/aspnet:10.0" push_image "$ASPNET" dotnet/aspnet:10.0
  [ -z "$sdk_job" ] || wait "$sdk_job" || die "the sdk stand-in could not be built"
  wait "$nginx_job" || die "the nginx image could not be made"
  tag_proxies || die "the proxy images could not be tagged"
  log "ready in $(awk -v ms=$(( $(now_ms) - begin )) 'BEGIN { printf "%.1f s", ms / 1000 }'): $D"

  printf 'export DEPLOY_TEST_DOCKER_HOST=unix://%s/docker.sock\n' "$D"
  printf 'export DEPLOY_TEST_REGISTRY=%s\n' "$REGISTRY"
  printf 'export DEPLOY_TEST_DOCKER_DIR=%s\n' "$D"
}

sdk() {
  [ -n "${1:-}" ] && [ -f "$1/$MARKER" ] && [ -S "$1/docker.sock" ] || die "usage: docker.sh sdk DIR (a running engine's folder)"
  D=$(readlink -f "$1")
  ROOT=$D
  mkdir -p "$D/logs" "$D/cli"
  # One build at a time per engine, however many callers ask.
  exec 9>"$D/sdk.lock"
  flock 9
  ensure_sdk
}

case ${1:-} in
  start) shift; start "$@" ;;
  stop) shift; (set +e; stop_engine "${1:-}") || true; exit 0 ;;
  sdk) shift; sdk "$@" ;;
  *) echo "usage: $0 start [--with-sdk] [--dir DIR] [--watch-pid PID] | sdk DIR | stop DIR" >&2; exit 2 ;;
esac
