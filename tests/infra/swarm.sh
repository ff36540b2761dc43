#!/usr/bin/env bash
# A real two-node Docker Swarm beside a running tests/infra/docker.sh engine: a manager dockerd on the host (its own,
# not docker.sh's engine, which tests restart), a worker dockerd in a network namespace joined by a veth pair, and a
# registry on the manager's veth address serving docker.sh's registry storage, which both nodes pull from.
#
#   eval "$(tests/infra/swarm.sh start --docker-dir DOCKER_DIR [--dir DIR] [--watch-pid PID])"
#       DOCKER_DIR is the folder of a running docker.sh engine (DEPLOY_TEST_DOCKER_DIR). Prints export lines on stdout
#       (progress and timings go to stderr):
#         DEPLOY_TEST_SWARM_SOCKET=unix://DIR/manager/docker.sock         the manager engine (swarm commands go here)
#         DEPLOY_TEST_SWARM_WORKER_SOCKET=unix://DIR/worker/docker.sock   the worker engine, for test assertions
#         DEPLOY_TEST_SWARM_MANAGER_ADDRESS=10.200.0.1                    where the manager's host-network tasks serve
#         DEPLOY_TEST_SWARM_WORKER_ADDRESS=10.200.0.2                     where the worker's host-network tasks serve
#         DEPLOY_TEST_SWARM_MANAGER_NODE=deploy-sw-manager                node hostnames, for placement constraints
#         DEPLOY_TEST_SWARM_WORKER_NODE=deploy-sw-worker                  (node.hostname==...)
#         DEPLOY_TEST_SWARM_REGISTRY=10.200.0.1:PORT                      docker.sh's registry storage, plain HTTP, open
#         DEPLOY_TEST_SWARM_NAMESPACE=deploy-sw-XXXXXX                    the worker's network namespace
#         DEPLOY_TEST_SWARM_VETH=swXXXXXXh                                the host end of the veth pair
#         DEPLOY_TEST_SWARM_DIR=DIR
#       The manager engine holds the proxy images (local/nginx:1, nginx:1.27), copied from docker.sh's engine: the proxy
#       runs as a host-network container on the manager. Anything pushed to docker.sh's registry (127.0.0.1:PORT) can be
#       pulled by both nodes as 10.200.0.1:PORT/repo@sha256:...
#       --dir uses a folder the caller made (empty), so the caller can stop it even while start still runs.
#       --watch-pid stops everything by itself once process PID has exited (a test process killed before it could).
#   tests/infra/swarm.sh cut DIR     the worker's link down (both veth ends): the manager marks the node Down within
#                                    seconds (1 s dispatcher heartbeat)
#   tests/infra/swarm.sh heal DIR    the link up again: the worker reconnects and is Ready again
#   tests/infra/swarm.sh stop DIR    removes services and containers, leaves the swarm, stops both daemons and the
#                                    registry, unmounts, deletes the namespace and the veth pair, removes DIR (idempotent)
#
# Addresses: 10.200.0.0/24 on the veth pair (ENGINES.md leaves 10.200.0.x to Swarm), so only one swarm.sh runs per
# machine; start refuses while 10.200.0.1 is on an interface. The engines' own networks stay in 10.200.x too: the
# manager's local bridges (docker_gwbridge) in 10.200.1.0/24, the worker's (inside its namespace) in 10.200.2.0/24, and
# overlay networks in 10.200.64.0/18, never Docker's 172.16/12 defaults.
# Requires root, dockerd and the docker CLI, docker-registry, iproute2 (ip), nsenter and unshare (util-linux), curl.
set -euo pipefail

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
SELF="$(readlink -f "${BASH_SOURCE[0]}")"
NAME=swarm.sh
ROOT="" # the swarm's folder, $S
# shellcheck source=tests/infra/common.sh
. "$(dirname "$SELF")/common.sh"
# shellcheck source=tests/infra/netns.sh
. "$(dirname "$SELF")/netns.sh"
MARKER=.deploy-test-swarm
# The images the proxy runs, copied from docker.sh's engine into the manager under the same names (one image, two tags).
IMAGES=(local/nginx:1 nginx:1.27)
PREFIX=10.200.0
MANAGER_ADDRESS=$PREFIX.1
WORKER_ADDRESS=$PREFIX.2
# Fixed names are enough (one swarm per machine), and tests can name them in placement constraints.
MANAGER_NODE=deploy-sw-manager
WORKER_NODE=deploy-sw-worker

# The docker CLI against one engine (isolated from the user's CLI config: contexts, proxies, credential helpers).
dk_src() { DOCKER_CONFIG="$S/cli" docker -H "unix://$DOCKER_DIR/docker.sock" "$@"; }
dk_m() { DOCKER_CONFIG="$S/cli" docker -H "unix://$S/manager/docker.sock" "$@"; }
dk_w() { DOCKER_CONFIG="$S/cli" docker -H "unix://$S/worker/docker.sock" "$@"; }

# ---------------------------------------------------------------------------------------------------------------------
# stop DIR
# ---------------------------------------------------------------------------------------------------------------------

stop_all() {
  claim_folder "${1:-}" || return 0
  S=$ROOT
  log "stopping the swarm in $S"
  local begin
  begin=$(now_ms)
  # A cut link would make the worker's leave wait for a manager it cannot reach.
  set_link up 2>/dev/null || true
  timed "services removed" remove_services
  timed "containers removed, swarm left" remove_all_containers
  timed "daemons and registry stopped" stop_processes
  timed "unmounted, namespace and veth removed" remove_network
  remove_gwbridge
  remove_cgroups
  remove_dir
  log "stopped in $(seconds_since "$begin")"
}

# Services first: with them gone, no node starts a new task while the containers are removed.
remove_services() {
  [ -S "$S/manager/docker.sock" ] || return 0
  local ids
  ids=$(timeout 10 dk_m service ls -q 2>/dev/null || true)
  # shellcheck disable=SC2086
  [ -z "$ids" ] || timeout 30 dk_m service rm $ids >/dev/null 2>&1 || log "some services could not be removed"
}

# Both engines at once, polled (not waited for: the wait builtin can block for good inside the exit trap of a start
# that a signal interrupted).
remove_all_containers() {
  local manager worker i
  remove_containers "$S/manager/docker.sock" &
  manager=$!
  remove_containers "$S/worker/docker.sock" &
  worker=$!
  for i in $(seq 1 1500); do
    running "$manager" || running "$worker" || break
    sleep 0.1
  done
}

# The manager's docker_gwbridge on the host, when leaving the swarm did not remove it (a failed or killed start): ours
# when it holds 10.200.1.1 and this start got as far as the veth pair (past the check that no other swarm.sh runs).
remove_gwbridge() {
  [ -s "$S/veth.name" ] || return 0
  ip -o -4 addr show dev docker_gwbridge 2>/dev/null | grep -q ' 10\.200\.1\.1/24' || return 0
  ip link del docker_gwbridge 2>/dev/null || log "could not delete docker_gwbridge"
}

stop_processes() {
  kill_pid_files "$S/watch.pid" "$S/registry/open.pid" "$S/manager/docker.pid" "$S/manager/dockerd.launch.pid" \
    "$S/worker/docker.pid" "$S/worker/dockerd.launch.pid"
  kill_pid_files "$S/manager/exec/containerd/containerd.pid" "$S/worker/exec/containerd/containerd.pid"
  kill_leftovers "$S/manager/exec"
  kill_leftovers "$S/worker/exec"
  kill_namespace_processes
}

# ---------------------------------------------------------------------------------------------------------------------
# cut DIR, heal DIR
# ---------------------------------------------------------------------------------------------------------------------

# Both ends of the veth pair $1 (up or down): the namespace end first when going down, last when going up.
set_link() {
  local netns veth peer
  netns=$(cat "$S/netns.name" 2>/dev/null) && veth=$(cat "$S/veth.name" 2>/dev/null) && peer=$(cat "$S/veth.peer" 2>/dev/null) \
    || { log "$S has no namespace or veth pair"; return 1; }
  if [ "$1" = down ]; then
    ip -n "$netns" link set "$peer" down && ip link set "$veth" down
  else
    ip link set "$veth" up && ip -n "$netns" link set "$peer" up
  fi
}

link() {
  claim_folder "${2:-}" || die "usage: $NAME $1 DIR (the folder of a running swarm.sh start)"
  S=$ROOT
  set_link "$([ "$1" = cut ] && echo down || echo up)"
  log "$1: the worker's link is $([ "$1" = cut ] && echo down || echo up)"
}

# ---------------------------------------------------------------------------------------------------------------------
# start
# ---------------------------------------------------------------------------------------------------------------------

# The namespace and the veth pair on 10.200.0.0/24, refused when that subnet is in use (another swarm.sh, say).
make_namespace() {
  NETNS=deploy-sw-$SUFFIX
  VETH=sw${SUFFIX}h # interface names: 15 characters at most
  lock_subnets
  if ! subnet_free 0 || ! subnet_free 1; then
    unlock_subnets
    die "10.200.0.0/24 or 10.200.1.0/24 is already on an interface or in a route (another swarm.sh running? ip -4 addr | grep 10.200.): refusing to start"
  fi
  add_veth_namespace "$NETNS" "$VETH" "sw${SUFFIX}n" "$PREFIX" || { unlock_subnets; die "could not make $NETNS"; }
  unlock_subnets
}

start_manager() {
  start_netns_dockerd "$S/manager" "" "$MANAGER_NODE" "$CGROUP_MANAGER" dockerd-manager \
    --insecure-registry "$PREFIX.0/24" --default-address-pool base=10.200.1.0/24,size=24
}

start_worker() {
  start_netns_dockerd "$S/worker" "$NETNS" "$WORKER_NODE" "$CGROUP_WORKER" dockerd-worker \
    --insecure-registry "$PREFIX.0/24" --default-address-pool base=10.200.2.0/24,size=24
}

# The manager: a 1 s dispatcher heartbeat, so a lost node is marked Down within seconds (the default is 5 s).
init_swarm() {
  quiet swarm-init dk_m swarm init --advertise-addr "$MANAGER_ADDRESS" --listen-addr "$MANAGER_ADDRESS:2377" \
    --dispatcher-heartbeat 1s --default-addr-pool 10.200.64.0/18 --default-addr-pool-mask-length 24
}

join_worker() {
  local token
  token=$(dk_m swarm join-token -q worker) || return 1
  quiet swarm-join dk_w swarm join --advertise-addr "$WORKER_ADDRESS" --listen-addr "$WORKER_ADDRESS:2377" \
    --token "$token" "$MANAGER_ADDRESS:2377"
}

# Waits (up to 30 s) until the manager lists both nodes Ready, under their hostnames.
wait_nodes_ready() {
  local i nodes=""
  for i in $(seq 1 300); do
    nodes=$(dk_m node ls --format '{{.Hostname}}={{.Status}}' 2>/dev/null | sort | tr '\n' ' ')
    [ "$nodes" != "$MANAGER_NODE=Ready $WORKER_NODE=Ready " ] || return 0
    sleep 0.1
  done
  log "the nodes are not both Ready after 30 s: $nodes"
  return 1
}

copy_images() {
  quiet copy-images bash -c 'set -o pipefail
    DOCKER_CONFIG="$1/cli" docker -H "unix://$2/docker.sock" save "${@:3}" \
      | DOCKER_CONFIG="$1/cli" docker -H "unix://$1/manager/docker.sock" load -q' _ "$S" "$DOCKER_DIR" "${IMAGES[@]}"
}

start() {
  local dir="" watch=""
  DOCKER_DIR=""
  while [ $# -gt 0 ]; do
    case $1 in
      --docker-dir) DOCKER_DIR=$2; shift ;;
      --dir) dir=$2; shift ;;
      --watch-pid) watch=$2; shift ;;
      *) die "unknown option $1 (start --docker-dir DIR [--dir DIR] [--watch-pid PID])" ;;
    esac
    shift
  done
  [ -n "$DOCKER_DIR" ] || die "--docker-dir is required (the folder of a running tests/infra/docker.sh engine)"
  [ "$(id -u)" = 0 ] || die "must run as root (network namespaces, dockerd)"
  local tool
  for tool in docker dockerd docker-registry ip nsenter unshare curl flock setsid; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
  done
  DOCKER_DIR=$(readlink -f "$DOCKER_DIR")
  read_docker_dir

  begin_start "$dir" deploy-swarm "$watch" deploy-swm deploy-sww
  S=$ROOT
  CGROUP_MANAGER=${CGROUPS[0]}
  CGROUP_WORKER=${CGROUPS[1]}
  mkdir -p "$S/logs" "$S/cli" "$S/manager" "$S/worker" "$S/registry"

  timed "namespace, veth" make_namespace
  log "worker namespace $NETNS: $WORKER_ADDRESS (manager end $MANAGER_ADDRESS on $VETH)"
  timed "registry" serve_registry open "$MANAGER_ADDRESS"
  local registry_port=$REGISTRY_PORT
  timed "dockerd (worker)" start_worker &
  JOBS+=($!)
  local worker_job=$!
  timed "dockerd (manager)" start_manager
  timed "images (${IMAGES[*]})" copy_images &
  JOBS+=($!)
  local images_job=$!
  timed "swarm init" init_swarm
  wait "$worker_job" || die "the worker's dockerd did not start"
  timed "swarm join" join_worker
  timed "both nodes Ready" wait_nodes_ready
  wait "$images_job" || die "the images could not be copied"
  log "ready in $(seconds_since "$START_MS"): $S"

  printf 'export DEPLOY_TEST_SWARM_SOCKET=unix://%s\n' "$S/manager/docker.sock"
  printf 'export DEPLOY_TEST_SWARM_WORKER_SOCKET=unix://%s\n' "$S/worker/docker.sock"
  printf 'export DEPLOY_TEST_SWARM_MANAGER_ADDRESS=%s\n' "$MANAGER_ADDRESS"
  printf 'export DEPLOY_TEST_SWARM_WORKER_ADDRESS=%s\n' "$WORKER_ADDRESS"
  printf 'export DEPLOY_TEST_SWARM_MANAGER_NODE=%s\n' "$MANAGER_NODE"
  printf 'export DEPLOY_TEST_SWARM_WORKER_NODE=%s\n' "$WORKER_NODE"
  printf 'export DEPLOY_TEST_SWARM_REGISTRY=%s:%s\n' "$MANAGER_ADDRESS" "$registry_port"
  printf 'export DEPLOY_TEST_SWARM_NAMESPACE=%s\n' "$NETNS"
  printf 'export DEPLOY_TEST_SWARM_VETH=%s\n' "$VETH"
  printf 'export DEPLOY_TEST_SWARM_DIR=%s\n' "$S"
}

case ${1:-} in
  start) shift; start "$@" ;;
  stop) shift; (set +e; stop_all "${1:-}") || true; exit 0 ;;
  cut | heal) link "$1" "${2:-}" ;;
  *) echo "usage: $0 start --docker-dir DIR [--dir DIR] [--watch-pid PID] | cut DIR | heal DIR | stop DIR" >&2; exit 2 ;;
esac
