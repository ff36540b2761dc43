#!/usr/bin/env bash
# The one test command: installs what the tests need when it is missing, builds everything, runs every test.
set -euo pipefail
cd "$(dirname "$0")"

log() { printf '==> %s\n' "$*"; }

# System packages the tests start for real: nginx and HAProxy on 127.0.0.1 high ports; for containers, a private
# Docker engine, a registry and offline base images (tests/infra/docker.sh: docker.io, iptables, docker-registry,
# debootstrap, busybox-static, curl).
missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
command -v setsid >/dev/null 2>&1 || missing+=(util-linux)
command -v dockerd >/dev/null 2>&1 || [ -x /usr/sbin/dockerd ] || missing+=(docker.io)
command -v iptables >/dev/null 2>&1 || [ -x /usr/sbin/iptables ] || missing+=(iptables)
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || missing+=(debootstrap)
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' || missing+=(busybox-static)
command -v curl >/dev/null 2>&1 || missing+=(curl)
# The remote Docker hosts (tests/infra/remote.sh): an sshd in a network namespace, TLS certificates, veth pairs; the
# Swarm (tests/infra/swarm.sh) needs nothing more.
command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v ssh >/dev/null 2>&1 || missing+=(openssh-client)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v ip >/dev/null 2>&1 || [ -x /usr/sbin/ip ] || [ -x /sbin/ip ] || missing+=(iproute2)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  # No init system: without a policy that refuses, the packages' scripts may start system daemons (dockerd, nginx).
  policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod +x "$policy"
  fi
  installed=0
  $sudo apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || installed=$?
  [ -z "$policy" ] || $sudo rm -f "$policy"
  [ "$installed" = 0 ] || exit "$installed"
fi
export PATH="$PATH:/usr/sbin:/sbin"
# sshd's privilege separation folder (no init system makes it here).
if [ ! -d /run/sshd ]; then
  if [ "$(id -u)" = 0 ]; then mkdir -p /run/sshd; else sudo mkdir -p /run/sshd; fi
fi

# Stops what this script started, however it ends.
prism_pid="" prism_log="" docker_pid="" docker_dir="" docker_env="" docker_log=""
remote_pid="" remote_dir="" remote_env="" remote_log=""
swarm_pid="" swarm_dir="" swarm_env="" swarm_log=""
# Stops a start script still running in the background (pid $1): its exit trap stops what it started. Polled (up to
# 30 s), not waited for: the exit trap may have interrupted a wait.
stop_start() {
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 0
  kill -TERM -- -"$1" 2>/dev/null || kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 1 300); do
    case $(ps -o stat= -p "$1" 2>/dev/null) in '' | Z*) break ;; esac
    sleep 0.1
  done
}
cleanup() {
  [ -z "$prism_pid" ] || kill "$prism_pid" 2>/dev/null || true
  [ -z "$prism_log" ] || rm -f "$prism_log"
  # The remote hosts and the swarm first: they serve the Docker engine's registry storage and copied its images.
  stop_start "$swarm_pid"
  stop_start "$remote_pid"
  [ -z "$swarm_dir" ] || tests/infra/swarm.sh stop "$swarm_dir" 2>/dev/null
  [ -z "$swarm_env" ] || rm -f "$swarm_env" "$swarm_log"
  [ -z "$remote_dir" ] || tests/infra/remote.sh stop "$remote_dir" 2>/dev/null
  [ -z "$remote_env" ] || rm -f "$remote_env" "$remote_log"
  if [ -n "$docker_pid" ] && kill -0 "$docker_pid" 2>/dev/null; then
    # Its own process group (setsid): its builds and debootstrap end with it; its exit trap stops the daemons.
    kill -TERM -- -"$docker_pid" 2>/dev/null || kill -TERM "$docker_pid" 2>/dev/null || true
    wait "$docker_pid" 2>/dev/null || true
  fi
  [ -z "$docker_dir" ] || tests/infra/docker.sh stop "$docker_dir" 2>/dev/null
  [ -z "$docker_env" ] || rm -f "$docker_env" "$docker_log"
}
trap cleanup EXIT

# The private Docker engine, its registry and images (about 30 s with the cache in ${DEPLOY_TEST_CACHE:-/var/cache/deploy-tests},
# minutes without): started now, beside the build, and waited for before the tests. A caller that already exported
# DEPLOY_TEST_DOCKER_HOST (eval "$(tests/infra/docker.sh start)") keeps its own engine.
if [ -z "${DEPLOY_TEST_DOCKER_HOST:-}" ]; then
  docker_dir=$(mktemp -d /tmp/deploy-docker.XXXX)
  docker_env=$(mktemp)
  docker_log=$(mktemp)
  setsid tests/infra/docker.sh start --with-sdk --dir "$docker_dir" --watch-pid $$ >"$docker_env" 2>"$docker_log" &
  docker_pid=$!
  log "starting the Docker engine in $docker_dir (log: $docker_log)"
fi

# Pinned npm tools for the GitHub Action's tests (validators, GitHub's API description), when that face is present.
if [ -x action/test-tools.sh ]; then
  log "npm tools"
  action/test-tools.sh
fi

# Prism needs a minute or more to load GitHub's API description: start it now, so it loads while the solution builds.
prism=.tools/node_modules/.bin/prism
openapi=.tools/node_modules/@octokit/openapi/generated/api.github.com.json
if [ -x "$prism" ] && [ -f "$openapi" ]; then
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    port=$(( 40000 + RANDOM % 20000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
  done
  prism_log=$(mktemp)
  "$prism" mock -h 127.0.0.1 -p "$port" "$openapi" >"$prism_log" 2>&1 &
  prism_pid=$!
  export DEPLOY_TEST_PRISM_PORT="$port"
  log "prism loading GitHub's API description on 127.0.0.1:$port"
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log "building"
dotnet build Deploy.sln -c Release -nologo -v quiet

if [ -n "$docker_pid" ]; then
  log "waiting for the Docker engine"
  if ! wait "$docker_pid"; then
    docker_pid=""
    sed 's/^/    /' "$docker_log"
    echo "0 passed, 1 failed (the Docker engine did not start)"
    exit 1
  fi
  docker_pid=""
  sed 's/^/    /' "$docker_log"
  eval "$(cat "$docker_env")"
fi

# Starts tests/infra/$1.sh (what it makes: $2) in the background beside the Docker engine, in a new folder; sets $1_dir,
# $1_env (what it prints), $1_log and $1_pid, which cleanup and finish_start read.
start_beside() {
  local name=$1 dir
  dir=$(mktemp -d "/tmp/deploy-$name.XXXX")
  printf -v "${name}_dir" '%s' "$dir"
  printf -v "${name}_env" '%s' "$(mktemp)"
  printf -v "${name}_log" '%s' "$(mktemp)"
  log "starting $2 in $dir"
  local env_file="${name}_env" log_file="${name}_log"
  setsid "tests/infra/$name.sh" start --docker-dir "${DEPLOY_TEST_DOCKER_DIR:-}" --dir "$dir" --watch-pid $$ \
    >"${!env_file}" 2>"${!log_file}" &
  printf -v "${name}_pid" '%s' "$!"
}

# The remote Docker hosts beside that engine (about 10 s): a TLS engine on 127.0.0.1, a network namespace with its own
# dockerd and an sshd, and registries it pulls from. A caller that already exported DEPLOY_TEST_SSH_HOST
# (eval "$(tests/infra/remote.sh start --docker-dir "$DEPLOY_TEST_DOCKER_DIR")") keeps its own.
[ -n "${DEPLOY_TEST_SSH_HOST:-}" ] || start_beside remote "the remote Docker hosts"

# At the same time, the two-node Docker Swarm (about 8 s): a manager dockerd of its own on the host and a worker in a
# namespace on 10.200.0.x, with a registry there. A caller that already exported DEPLOY_TEST_SWARM_SOCKET
# (eval "$(tests/infra/swarm.sh start --docker-dir "$DEPLOY_TEST_DOCKER_DIR")") keeps its own.
[ -n "${DEPLOY_TEST_SWARM_SOCKET:-}" ] || start_beside swarm "the Docker Swarm"

# Waits for the start script $1 whose pid is in the variable named $2 (then emptied: nothing left for cleanup to stop),
# and exports what it printed to file $3; its log $4 is shown either way.
finish_start() {
  local name=$1 pid=${!2} status=0
  [ -n "$pid" ] || return 0
  wait "$pid" || status=$?
  printf -v "$2" '%s' ""
  sed 's/^/    /' "$4"
  if [ "$status" != 0 ]; then
    echo "0 passed, 1 failed ($name did not start)"
    exit 1
  fi
  eval "$(cat "$3")"
}
finish_start "the remote Docker hosts" remote_pid "$remote_env" "$remote_log"
finish_start "the Docker Swarm" swarm_pid "$swarm_env" "$swarm_log"

log "testing"
results="$(mktemp -d)"
status=0
dotnet test tests/Deploy.Tests.csproj -c Release --no-build -nologo \
  --logger "console;verbosity=normal" --logger "trx;LogFileName=tests.trx" --results-directory "$results" || status=$?

# A plain closing line any CI reads: "N passed, N failed, N skipped".
trx="$results/tests.trx"
if [ -f "$trx" ]; then
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { printf '%s' "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  passed=$(get passed); failed=$(get failed); total=$(get total); executed=$(get executed)
  skipped=$(( ${total:-0} - ${executed:-0} ))
  # CI keeps only the end of the output: each failed test's name and the start of its message come last, above the
  # closing line.
  if [ "${failed:-0}" != 0 ]; then
    python3 tests/infra/trx-failures.py "$trx" || true
  fi
  # DEPLOY_TEST_RESULTS=DIR keeps the run's trx (with every test's duration) there.
  [ -z "${DEPLOY_TEST_RESULTS:-}" ] || { mkdir -p "$DEPLOY_TEST_RESULTS" && cp "$trx" "$DEPLOY_TEST_RESULTS/"; }
  printf '%s passed, %s failed, %s skipped\n' "${passed:-0}" "${failed:-0}" "$skipped"
else
  echo "0 passed, 1 failed"
  status=1
fi
rm -rf "$results"
exit $status
