# Shared by tests/infra/docker.sh and tests/infra/remote.sh (sourced, never run): logging, timing, and the stopping of
# what a script started under its folder. The sourcing script sets NAME (for log lines), SELF (its own path, for the
# watcher) and ROOT (its temp folder, also where logs/ and cli/ live) before it calls these.
# shellcheck shell=bash

log() { printf '[%s %s] %s\n' "$NAME" "$(date +%T)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
seconds_since() { awk -v ms=$(( $(now_ms) - $1 )) 'BEGIN { printf "%.1f s", ms / 1000 }'; }

# Runs "$@" and logs how long it took, under the name $1.
timed() {
  local name=$1 start
  shift
  start=$(now_ms)
  "$@"
  log "$name: $(seconds_since "$start")"
}

# Runs "$@" with its output in $ROOT/logs/NAME.log; on failure shows the log's tail on stderr. In a subshell: a shell
# function run with a redirection would have the caller's exit trap, when a signal comes in meanwhile, log its cleanup
# into that file (which the cleanup then removes).
quiet() {
  local name=$1
  shift
  if ! ("$@") >"$ROOT/logs/$name.log" 2>&1; then
    log "$name failed; the end of $ROOT/logs/$name.log:"
    tail -n 40 "$ROOT/logs/$name.log" >&2
    return 1
  fi
}

# A port in 20000..31999 (below the kernel's ephemeral range) that nothing answers on at address $1, nor on
# 127.0.0.1; $2.. are ports already taken.
free_port() {
  local address=$1 port
  shift
  for _ in $(seq 1 50); do
    port=$(( 20000 + RANDOM % 12000 ))
    [[ " $* " != *" $port "* ]] || continue
    if ! (exec 3<>"/dev/tcp/$address/$port") 2>/dev/null &&
      ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

# TERM to a process started by the script and to all its descendants (a build's tar and docker client, debootstrap).
kill_tree() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do kill_tree "$child"; done
  kill -TERM "$1" 2>/dev/null || true
}

# Whether process $1 runs (a zombie, dead but not yet reaped, does not).
running() {
  [ -r "/proc/$1/stat" ] || return 1
  local state
  state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
  [ -n "$state" ] && [ "$state" != Z ]
}

# Whether process $1 belongs to $ROOT: its command line names it, or its root is inside it (a container).
ours() {
  [ -r "/proc/$1/cmdline" ] || return 1
  if tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF "$ROOT/"; then return 0; fi
  case $(readlink "/proc/$1/root" 2>/dev/null) in "$ROOT"/*) return 0 ;; esac
  return 1
}

alive() { [ -n "${1:-}" ] && running "$1"; }
pid_of() { [ -s "$1" ] && tr -dc 0-9 <"$1"; }

# The background jobs (pids in the array JOBS) of a start that may still run when it fails: TERM to each tree, then
# (polling, not the wait builtin, which can block for good inside an exit trap that interrupted a wait) up to 10 s.
stop_jobs() {
  local job i
  for job in "${JOBS[@]}"; do running "$job" && kill_tree "$job"; done
  for job in "${JOBS[@]}"; do
    for i in $(seq 1 100); do
      running "$job" || break
      sleep 0.1
    done
  done
}

# Sends TERM to the pid in each file, waits up to 20 s for them to exit, then KILLs what is left.
kill_pid_files() {
  local file pid pids=() i
  for file in "$@"; do
    pid=$(pid_of "$file" || true)
    if alive "$pid" && [ "$pid" != "$$" ] && [[ " ${pids[*]} " != *" $pid "* ]]; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done
  for pid in "${pids[@]}"; do
    for i in $(seq 1 200); do
      alive "$pid" || break
      sleep 0.1
    done
    if alive "$pid"; then
      log "pid $pid did not exit; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}

# Removes the containers (and Swarm membership, user networks: Linux bridges on the host) of the engine on socket $1.
remove_containers() {
  local sock=$1 ids
  [ -S "$sock" ] || return 0
  local DOCKER_CONFIG=$ROOT/cli
  export DOCKER_CONFIG
  if [ "$(timeout 10 docker -H "unix://$sock" info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null)" = active ]; then
    timeout 30 docker -H "unix://$sock" swarm leave --force >/dev/null 2>&1 || true
  fi
  ids=$(timeout 20 docker -H "unix://$sock" ps -aq 2>/dev/null || true)
  if [ -n "$ids" ]; then
    # shellcheck disable=SC2086
    timeout 60 docker -H "unix://$sock" rm -f $ids >/dev/null 2>&1 || log "some containers on $sock could not be removed"
  fi
  timeout 30 docker -H "unix://$sock" network prune -f >/dev/null 2>&1 || true
}

# KILLs the container processes and containerd shims left under an engine's exec root $1.
kill_leftovers() {
  local file pid
  while IFS= read -r file; do
    pid=$(pid_of "$file" || true)
    if alive "$pid" && ours "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  done < <(find "$1" -name '*.pid' -path '*io.containerd.runtime*' 2>/dev/null || true)
}

# For "stop DIR": sets ROOT to DIR ($1) when it is a folder this script's start made (its marker file $MARKER is
# there); false, with a log line where it helps, when there is nothing of ours to stop.
claim_folder() {
  local dir=${1:-}
  [ -n "$dir" ] || { log "usage: $NAME stop DIR"; return 1; }
  dir=$(readlink -m "$dir")
  [ -d "$dir" ] || return 1
  if [ ! -f "$dir/$MARKER" ]; then
    log "$dir was not made by $NAME start (no $MARKER): leaving it alone"
    return 1
  fi
  ROOT=$dir
}

# start's folder: the caller's --dir DIR (made if missing, and empty) or a new /tmp/PREFIX.XXXX; sets ROOT and marks it
# with $MARKER, so that only stop DIR of the same script removes it.
new_root() {
  local dir=$1 prefix=$2
  if [ -n "$dir" ]; then
    mkdir -p "$dir"
    ROOT=$(readlink -f "$dir")
    [ -z "$(ls -A "$ROOT")" ] || die "$ROOT is not empty"
  else
    ROOT=$(mktemp -d "/tmp/$prefix.XXXX")
  fi
  touch "$ROOT/$MARKER"
}

# What start does first, in both scripts: its folder (new_root DIR PREFIX), an exit trap that stops what a failed start
# made, the watcher of the owner process WATCH (none when empty), START_MS, one random SUFFIX naming the namespace,
# veth pair and engine cgroups, the CGROUPS named PREFIX-SUFFIX for each further argument (kept in cgroup.names for
# stop), and the HTTP_SECRET of the registries. "begin_start DIR PREFIX WATCH CGROUP_PREFIX...".
begin_start() {
  local dir=$1 prefix=$2 watch=$3 cgroup
  shift 3
  new_root "$dir" "$prefix"
  JOBS=()
  TAKEN_PORTS=()
  trap 'status=$?; if [ "$status" != 0 ]; then log "start failed ($status): cleaning up"; stop_jobs; stop_all "$ROOT"; fi' EXIT
  trap 'exit 143' TERM
  trap 'exit 130' INT
  START_MS=$(now_ms)
  log "$prefix folder $ROOT"
  [ -z "$watch" ] || start_watcher "$watch"
  SUFFIX=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
  CGROUPS=()
  for cgroup in "$@"; do CGROUPS+=("$cgroup-$SUFFIX"); done
  printf '%s\n' "${CGROUPS[@]}" >"$ROOT/cgroup.names"
  HTTP_SECRET=$(head -c 24 /dev/urandom | base64 | tr '+/' 'xy')
}

# Lazily unmounts whatever stays mounted under $ROOT, deepest first.
unmount_all() {
  local mount
  while IFS= read -r mount; do
    umount -l "$mount" 2>/dev/null || log "could not unmount $mount"
  done < <(awk -v d="$ROOT" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/mounts | sort -r)
}

remove_dir() {
  rm -rf --one-file-system "$ROOT" 2>/dev/null || rm -rf --one-file-system "$ROOT" || log "could not remove all of $ROOT"
}

# Stops $ROOT by itself once process $1 has exited (a test process killed before it could): "SELF stop ROOT".
start_watcher() {
  local owner=$1
  setsid bash -c 'while kill -0 "$1" 2>/dev/null && [ -d "$2" ]; do sleep 1; done
    [ -d "$2" ] && exec "$3" stop "$2"' _ "$owner" "$ROOT" "$SELF" </dev/null >/dev/null 2>&1 &
  echo $! >"$ROOT/watch.pid"
}
