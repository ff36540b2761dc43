# Shared by tests/infra/remote.sh and tests/infra/swarm.sh (sourced after common.sh, never run): network namespaces
# joined to the host by a veth pair, dockerds inside them (or on the host with a hostname of their own), and registries
# serving the storage of docker.sh's registry again on a veth address. Uses ROOT, NAME and the helpers of common.sh.
# shellcheck shell=bash

DOCKER_MARKER=.deploy-test-docker
# One lock for every script that puts a 10.200.N.1 on a host interface: the check that N is free and the address that
# then marks it as taken happen under it.
SUBNET_LOCK=/run/lock/deploy-test-remote.lock

lock_subnets() {
  mkdir -p "$(dirname "$SUBNET_LOCK")"
  exec 8>"$SUBNET_LOCK"
  flock -w 30 8 || die "could not take $SUBNET_LOCK"
}
unlock_subnets() { exec 8>&-; }

# Whether 10.200.$1.0/24 is free: no address of it on any interface, no route to it.
subnet_free() {
  ! ip -o -4 addr show | grep -qE " 10\.200\.$1\.[0-9]+/" && ! ip -4 route show | grep -qE "^10\.200\.$1\."
}

# Namespace $1 and a veth pair, host end $2 with $4.1/24, namespace end $3 with $4.2/24, all up. The names go to
# $ROOT/netns.name, veth.name and veth.peer first, so a stop finds what a failed start made.
add_veth_namespace() {
  local netns=$1 veth=$2 peer=$3 prefix=$4
  [ ! -e "/run/netns/$netns" ] || { log "namespace $netns exists already"; return 1; }
  echo "$netns" >"$ROOT/netns.name"
  ip netns add "$netns" || return 1
  echo "$veth" >"$ROOT/veth.name"
  echo "$peer" >"$ROOT/veth.peer"
  ip link add "$veth" type veth peer name "$peer" || return 1
  ip addr add "$prefix.1/24" dev "$veth" || return 1
  ip link set "$peer" netns "$netns" || return 1
  ip link set "$veth" up || return 1
  ip -n "$netns" link set lo up || return 1
  ip -n "$netns" addr add "$prefix.2/24" dev "$peer" || return 1
  ip -n "$netns" link set "$peer" up
}

# Unmounts (the engines' bind mounts of the namespace too), then deletes the namespace and the veth pair.
remove_network() {
  unmount_all
  local netns veth
  netns=$(cat "$ROOT/netns.name" 2>/dev/null || true)
  veth=$(cat "$ROOT/veth.name" 2>/dev/null || true)
  if [ -n "$netns" ]; then
    ip netns del "$netns" 2>/dev/null || true
    # ip netns del leaves the name if the mount was already gone.
    [ ! -e "/run/netns/$netns" ] || { umount -l "/run/netns/$netns" 2>/dev/null; rm -f "/run/netns/$netns"; } || true
  fi
  [ -n "$veth" ] || return 0
  # Normally gone with the namespace (it held the peer), though the kernel frees a namespace a moment after `ip netns
  # del`; not at all if a process kept the namespace alive.
  local i
  for i in $(seq 1 30); do
    ip link show "$veth" >/dev/null 2>&1 || return 0
    sleep 0.1
  done
  ip link del "$veth" 2>/dev/null || ! ip link show "$veth" >/dev/null 2>&1 || log "could not delete $veth"
  return 0
}

# Whatever still runs in the namespace is ours (an ssh session left open, a container process): it would keep the
# namespace, and the veth pair with it, alive after `ip netns del`. TERM for 3 s, then KILL.
kill_namespace_processes() {
  local netns pids i
  netns=$(cat "$ROOT/netns.name" 2>/dev/null || true)
  [ -n "$netns" ] && [ -e "/run/netns/$netns" ] || return 0
  for i in $(seq 1 50); do
    pids=$(ip netns pids "$netns" 2>/dev/null | grep -vx "$$" || true)
    [ -n "$pids" ] || break
    # shellcheck disable=SC2086
    if [ "$i" -lt 30 ]; then kill -TERM $pids 2>/dev/null || true; else kill -KILL $pids 2>/dev/null || true; fi
    sleep 0.1
  done
}

# The empty cgroups the engines made under their --cgroup-parent (cgroup v1 leaves them behind), listed in $ROOT/cgroup.names.
remove_cgroups() {
  local parent dir
  for parent in $(cat "$ROOT/cgroup.names" 2>/dev/null || true); do
    for dir in /sys/fs/cgroup/*/"$parent" /sys/fs/cgroup/"$parent"; do
      [ -d "$dir" ] || continue
      find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
    done
  done
}

unmount_under() {
  local mount
  while IFS= read -r mount; do umount -l "$mount" 2>/dev/null || true; done \
    < <(awk -v d="$1" 'index($2, d "/") == 1 { print $2 }' /proc/mounts | sort -r)
}

# Waits (up to 10 s) until something accepts TCP connections on $1:$2.
wait_tcp() {
  local i
  for i in $(seq 1 100); do
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# Waits for the engine on socket $1 (started by the launcher whose pid is in $2, logging to $3) to answer.
wait_dockerd() {
  local i
  for i in $(seq 1 600); do
    if DOCKER_CONFIG="$ROOT/cli" docker -H "unix://$1" version >/dev/null 2>&1; then return 0; fi
    if ! alive "$(pid_of "$2")"; then
      log "dockerd exited; the end of its log ($3):"
      tail -n 30 "$3" >&2
      return 1
    fi
    sleep 0.1
  done
  log "dockerd did not answer within 60 s (log: $3)"
  return 1
}

# A dockerd with its state in folder $1 (root, exec, docker.sock, docker.pid) and hostname $3 (unshare -u, so it does
# not pass for the host), in namespace $2's network (nsenter --net; `ip netns exec` remounts /sys and dockerd then fails
# with "Devices cgroup isn't mounted"), or in the host's when $2 is empty. $4: its --cgroup-parent; $5: its log's name
# in $ROOT/logs; then extra dockerd flags. Waits until it answers.
start_netns_dockerd() {
  local dir=$1 netns=$2 host=$3 cgroup=$4 logname=$5 enter=()
  shift 5
  mkdir -p "$dir"
  [ -z "$netns" ] || enter=(nsenter --net="/run/netns/$netns")
  setsid ${enter[@]+"${enter[@]}"} unshare -u sh -c 'hostname "$1"; shift; exec "$@"' _ "$host" \
    dockerd --data-root "$dir/root" --exec-root "$dir/exec" --pidfile "$dir/docker.pid" -H "unix://$dir/docker.sock" \
    --storage-driver overlay2 --iptables=false --ip-masq=false --bridge=none --cgroup-parent "$cgroup" "$@" \
    </dev/null >"$ROOT/logs/$logname.log" 2>&1 &
  echo $! >"$dir/dockerd.launch.pid"
  wait_dockerd "$dir/docker.sock" "$dir/dockerd.launch.pid" "$ROOT/logs/$logname.log"
}

# docker.sh's registry (DOCKER_DIR): sets STORAGE, its storage folder, from the config docker.sh wrote.
read_docker_dir() {
  [ -f "$DOCKER_DIR/$DOCKER_MARKER" ] || die "$DOCKER_DIR is not a docker.sh engine folder (no $DOCKER_MARKER)"
  [ -S "$DOCKER_DIR/docker.sock" ] || die "$DOCKER_DIR has no docker.sock: is the engine running?"
  STORAGE=$(awk '$1 == "rootdirectory:" { print $2; exit }' "$DOCKER_DIR/registry/config.yml" 2>/dev/null || true)
  [ -n "$STORAGE" ] || die "no registry storage in $DOCKER_DIR/registry/config.yml"
  mkdir -p "$STORAGE"
}

# Registry $1 (its files $ROOT/registry/$1.{yml,pid}) on address $2, serving $STORAGE with $HTTP_SECRET, plus YAML $3
# (auth); sets REGISTRY_PORT and adds it to TAKEN_PORTS.
serve_registry() {
  local name=$1 address=$2 extra=${3:-} port attempt i
  mkdir -p "$ROOT/registry"
  for attempt in 1 2 3 4 5; do
    port=$(free_port "$address" ${TAKEN_PORTS[@]+"${TAKEN_PORTS[@]}"}) || die "no free port for the $name registry"
    cat >"$ROOT/registry/$name.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $STORAGE
  delete:
    enabled: true
http:
  addr: $address:$port
  secret: $HTTP_SECRET
$extra
EOF
    setsid docker-registry serve "$ROOT/registry/$name.yml" </dev/null >"$ROOT/logs/registry-$name.log" 2>&1 &
    echo $! >"$ROOT/registry/$name.pid"
    for i in $(seq 1 100); do
      # A registry with auth answers 401 when up; -f is not used so any HTTP answer counts.
      if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$address:$port/v2/" 2>/dev/null)" != 000 ]; then
        REGISTRY_PORT=$port
        TAKEN_PORTS+=("$port")
        return 0
      fi
      alive "$(pid_of "$ROOT/registry/$name.pid")" || break
      sleep 0.1
    done
    log "the $name registry did not start on port $port (attempt $attempt)"
    kill_pid_files "$ROOT/registry/$name.pid"
  done
  tail -n 20 "$ROOT/logs/registry-$name.log" >&2
  die "the $name registry did not start"
}
