#!/usr/bin/env bash
# The "remote Docker hosts" of a test run, beside a running tests/infra/docker.sh engine: a Docker engine reached over
# mutual TLS on 127.0.0.1, a remote host (a network namespace with its own dockerd and an sshd), and two registries the
# remote host pulls from (one with htpasswd basic auth), both serving the storage of docker.sh's registry.
#
#   eval "$(tests/infra/remote.sh start --docker-dir DOCKER_DIR [--dir DIR] [--watch-pid PID])"
#       DOCKER_DIR is the folder of a running docker.sh engine (DEPLOY_TEST_DOCKER_DIR): its registry's storage is
#       served again on the namespace's address, and its proxy images are copied to both engines started here.
#       Prints export lines on stdout (progress and timings go to stderr):
#         DEPLOY_TEST_TLS_HOST=tcp://127.0.0.1:PORT               the TLS engine (--tlsverify)
#         DEPLOY_TEST_TLS_CERTS=DIR/tls/client                    ca.pem, cert.pem, key.pem (DOCKER_CERT_PATH layout)
#         DEPLOY_TEST_TLS_WRONG_CERTS=DIR/tls/wrong               the same CA, a client cert signed by another CA
#         DEPLOY_TEST_TLS_SOCKET=unix://DIR/tls/docker.sock       the TLS engine without TLS, for test assertions
#         DEPLOY_TEST_SSH_HOST=ssh://root@10.200.N.2:2222/DIR/ns/docker.sock
#         DEPLOY_TEST_SSH_KEY=DIR/ssh/id_ed25519                  the client key the sshd accepts
#         DEPLOY_TEST_SSH_KNOWN_HOSTS=DIR/ssh/known_hosts         [10.200.N.2]:2222 with the sshd's host key
#         DEPLOY_TEST_SSH_OTHER_KNOWN_HOSTS=DIR/ssh/other_known_hosts   the same host with another key
#         DEPLOY_TEST_SSH_FINGERPRINT=SHA256:...                  the sshd's host key fingerprint
#         DEPLOY_TEST_REMOTE_SOCKET=unix://DIR/ns/docker.sock     the remote engine from the host, for test assertions
#         DEPLOY_TEST_REMOTE_ADDRESS=10.200.N.2                   where the remote host's --network host containers serve
#         DEPLOY_TEST_REMOTE_REGISTRY=10.200.N.1:PORT             docker.sh's registry storage, plain HTTP, open
#         DEPLOY_TEST_AUTH_REGISTRY=10.200.N.1:PORT               the same storage, plain HTTP, htpasswd basic auth
#         DEPLOY_TEST_AUTH_REGISTRY_USER=deploy-ci
#         DEPLOY_TEST_AUTH_REGISTRY_PASSWORD=...
#         DEPLOY_TEST_REMOTE_DIR=DIR
#       --dir uses a folder the caller made (empty), so the caller can stop it even while start still runs.
#       --watch-pid stops everything by itself once process PID has exited (a test process killed before it could).
#   tests/infra/remote.sh stop DIR    removes the containers, stops the daemons, sshd and registries, unmounts, deletes
#                                     the namespace and the veth pair, removes DIR (idempotent)
#
# Addresses: 10.200.N.0/24 with N in 100..199, one not on any interface yet (10.200.0.x is left to Swarm tests).
# Requires root, dockerd and the docker CLI, docker-registry, sshd (openssh-server), ssh-keygen, openssl, iproute2
# (ip), nsenter and unshare (util-linux), curl and python3 (bcrypt for htpasswd).
set -euo pipefail

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
SELF="$(readlink -f "${BASH_SOURCE[0]}")"
NAME=remote.sh
ROOT="" # the remote hosts' folder, $R
# shellcheck source=tests/infra/common.sh
. "$(dirname "$SELF")/common.sh"
# shellcheck source=tests/infra/netns.sh
. "$(dirname "$SELF")/netns.sh"
MARKER=.deploy-test-remote
# The images the proxy tests run, copied from docker.sh's engine under the same names (one image, several tags).
IMAGES=(local/nginx:1 local/haproxy:1 nginx:1.27 local/busybox:1)
REGISTRY_USER=deploy-ci
SSH_PORT=2222

# The docker CLI against one engine (isolated from the user's CLI config: contexts, proxies, credential helpers).
dk_src() { DOCKER_CONFIG="$R/cli" docker -H "unix://$DOCKER_DIR/docker.sock" "$@"; }
dk_tls() { DOCKER_CONFIG="$R/cli" docker -H "unix://$R/tls/docker.sock" "$@"; }
dk_ns() { DOCKER_CONFIG="$R/cli" docker -H "unix://$R/ns/docker.sock" "$@"; }

# ---------------------------------------------------------------------------------------------------------------------
# stop DIR
# ---------------------------------------------------------------------------------------------------------------------

stop_all() {
  claim_folder "${1:-}" || return 0
  R=$ROOT
  log "stopping the remote hosts in $R"
  local begin
  begin=$(now_ms)
  timed "containers removed" remove_all_containers
  timed "daemons, sshd and registries stopped" stop_processes
  timed "unmounted, namespace and veth removed" remove_network
  remove_cgroups
  remove_dir
  log "stopped in $(seconds_since "$begin")"
}

# Both engines at once. Polled, not waited for: the wait builtin can block for good inside the exit trap of a start
# that a signal interrupted (SIGCHLD stays blocked there).
remove_all_containers() {
  local tls ns i
  remove_containers "$R/tls/docker.sock" &
  tls=$!
  remove_containers "$R/ns/docker.sock" &
  ns=$!
  for i in $(seq 1 1500); do
    running "$tls" || running "$ns" || break
    sleep 0.1
  done
}

stop_processes() {
  kill_pid_files "$R/watch.pid" "$R/ssh/sshd.pid" "$R/ssh/sshd.launch.pid" "$R/registry/open.pid" "$R/registry/auth.pid" \
    "$R/tls/docker.pid" "$R/tls/dockerd.launch.pid" "$R/ns/docker.pid" "$R/ns/dockerd.launch.pid"
  kill_pid_files "$R/tls/exec/containerd/containerd.pid" "$R/ns/exec/containerd/containerd.pid"
  kill_leftovers "$R/tls/exec"
  kill_leftovers "$R/ns/exec"
  kill_namespace_processes
}

# ---------------------------------------------------------------------------------------------------------------------
# start: certificates, keys, passwords
# ---------------------------------------------------------------------------------------------------------------------

# A P-256 key at $1 (PKCS#8 PEM, mode 0600).
new_key() {
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null)
  chmod 600 "$1"
}

# A self-signed CA: $1 key, $2 certificate, $3 common name.
new_ca() {
  new_key "$1"
  openssl req -new -x509 -key "$1" -out "$2" -days 30 -subj "/CN=$3" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}

# A leaf certificate: $1 key, $2 certificate, $3 CA key, $4 CA certificate, $5 common name, $6 extensions file.
new_leaf() {
  new_key "$1"
  openssl req -new -key "$1" -subj "/CN=$5" -out "$1.csr" 2>/dev/null
  openssl x509 -req -in "$1.csr" -CA "$4" -CAkey "$3" -CAcreateserial -days 30 -out "$2" -extfile "$6" 2>/dev/null
  rm -f "$1.csr"
}

make_certs() {
  local t=$R/tls
  mkdir -p "$t/ca" "$t/server" "$t/client" "$t/wrong" "$t/other-ca"
  chmod 700 "$t/ca" "$t/other-ca" "$t/server"
  new_ca "$t/ca/key.pem" "$t/ca/ca.pem" "deploy-test-ca" || return 1
  new_ca "$t/other-ca/key.pem" "$t/other-ca/ca.pem" "deploy-test-other-ca" || return 1
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$t/server.ext"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n' >"$t/client.ext"
  new_leaf "$t/server/key.pem" "$t/server/cert.pem" "$t/ca/key.pem" "$t/ca/ca.pem" localhost "$t/server.ext" || return 1
  new_leaf "$t/client/key.pem" "$t/client/cert.pem" "$t/ca/key.pem" "$t/ca/ca.pem" deploy-test-client "$t/client.ext" || return 1
  new_leaf "$t/wrong/key.pem" "$t/wrong/cert.pem" "$t/other-ca/key.pem" "$t/other-ca/ca.pem" deploy-test-client "$t/client.ext" || return 1
  cp "$t/ca/ca.pem" "$t/server/ca.pem"
  cp "$t/ca/ca.pem" "$t/client/ca.pem"
  cp "$t/ca/ca.pem" "$t/wrong/ca.pem" # only the client certificate is wrong
  rm -f "$t"/*.ext "$t"/ca/*.srl "$t"/other-ca/*.srl
}

make_ssh_keys() {
  local s=$R/ssh
  mkdir -p "$s"
  chmod 700 "$s"
  ssh-keygen -q -t ed25519 -N '' -C deploy-test-host -f "$s/ssh_host_ed25519_key" || return 1
  ssh-keygen -q -t ed25519 -N '' -C deploy-test-other-host -f "$s/other_host_ed25519_key" || return 1
  ssh-keygen -q -t ed25519 -N '' -C deploy-test-client -f "$s/id_ed25519" || return 1
  cp "$s/id_ed25519.pub" "$s/authorized_keys"
}

# A bcrypt hash of $1, as docker-registry's htpasswd wants it (it ignores other hash types).
bcrypt() {
  local py
  for py in /usr/bin/python3 python3; do
    if command -v "$py" >/dev/null 2>&1 &&
      "$py" -W ignore -c 'import crypt, sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))' "$1" 2>/dev/null; then
      return 0
    fi
  done
  if command -v htpasswd >/dev/null 2>&1; then
    htpasswd -nbB x "$1" | head -n 1 | cut -d: -f2-
    return 0
  fi
  return 1
}

make_password() {
  mkdir -p "$R/registry"
  REGISTRY_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr '+/' 'xy')
  local hash
  hash=$(bcrypt "$REGISTRY_PASSWORD") || die "no bcrypt: python3 with the crypt module (or htpasswd) is needed"
  [[ $hash == '$2'* ]] || die "not a bcrypt hash: $hash"
  printf '%s:%s\n' "$REGISTRY_USER" "$hash" >"$R/registry/htpasswd"
}

# ---------------------------------------------------------------------------------------------------------------------
# start: the namespace
# ---------------------------------------------------------------------------------------------------------------------

# Picks N, creates the namespace and the veth pair with the addresses (under a lock, so parallel starts never pick
# the same N: the address on the host end marks it as taken).
make_namespace() {
  local n
  NETNS=deploy-rh-$SUFFIX
  VETH=rh${SUFFIX}h # interface names: 15 characters at most
  lock_subnets
  N=""
  for n in $(seq 100 199 | shuf); do
    if subnet_free "$n"; then N=$n; break; fi
  done
  [ -n "$N" ] || { unlock_subnets; die "no free subnet 10.200.100-199.0/24"; }
  add_veth_namespace "$NETNS" "$VETH" "rh${SUFFIX}n" "10.200.$N" || { unlock_subnets; die "could not make $NETNS"; }
  unlock_subnets
  echo "$N" >"$R/subnet"
  HOST_ADDRESS=10.200.$N.1
  REMOTE_ADDRESS=10.200.$N.2
}

# ---------------------------------------------------------------------------------------------------------------------
# start: registries, engines, sshd
# ---------------------------------------------------------------------------------------------------------------------

# Registry $1 (open or auth) on $HOST_ADDRESS, serving $STORAGE; sets REGISTRY_PORT.
start_registry() {
  local auth=""
  if [ "$1" = auth ]; then
    auth="auth:
  htpasswd:
    realm: deploy-test-registry
    path: $R/registry/htpasswd"
  fi
  serve_registry "$1" "$HOST_ADDRESS" "$auth"
}

# The TLS engine: tcp://127.0.0.1:PORT with --tlsverify, and a unix socket for this script and test assertions.
start_tls_engine() {
  local t=$R/tls attempt port
  for attempt in 1 2 3; do
    port=$(free_port 127.0.0.1 ${TAKEN_PORTS[@]+"${TAKEN_PORTS[@]}"}) || die "no free port for the TLS engine"
    setsid dockerd --data-root "$t/root" --exec-root "$t/exec" --pidfile "$t/docker.pid" \
      -H "unix://$t/docker.sock" -H "tcp://127.0.0.1:$port" \
      --tlsverify --tlscacert "$t/server/ca.pem" --tlscert "$t/server/cert.pem" --tlskey "$t/server/key.pem" \
      --storage-driver overlay2 --iptables=false --ip-masq=false --bridge=none --cgroup-parent "$CGROUP_TLS" \
      --insecure-registry "$HOST_ADDRESS:$OPEN_PORT" --insecure-registry "$HOST_ADDRESS:$AUTH_PORT" \
      </dev/null >"$R/logs/dockerd-tls.log" 2>&1 &
    echo $! >"$t/dockerd.launch.pid"
    if wait_dockerd "$t/docker.sock" "$t/dockerd.launch.pid" "$R/logs/dockerd-tls.log"; then
      TLS_PORT=$port
      return 0
    fi
    # Most likely the port was taken in between: once more on another.
    kill_pid_files "$t/docker.pid" "$t/dockerd.launch.pid"
    kill_pid_files "$t/exec/containerd/containerd.pid"
    unmount_under "$t"
    rm -rf --one-file-system "$t/root" "$t/exec"
    log "the TLS engine did not start on port $port (attempt $attempt)"
  done
  die "the TLS engine did not start"
}

# The remote host's engine: in the namespace, with the namespace's name as its hostname so it does not pass for the host.
start_ns_engine() {
  start_netns_dockerd "$R/ns" "$NETNS" "$NETNS" "$CGROUP_NS" dockerd-ns \
    --insecure-registry "$HOST_ADDRESS:$OPEN_PORT" --insecure-registry "$HOST_ADDRESS:$AUTH_PORT"
}

# sshd on $REMOTE_ADDRESS:2222, in the namespace's network and the remote engine's hostname (UTS namespace).
start_sshd() {
  local s=$R/ssh sshd dockerd_pid uts=()
  sshd=$(command -v sshd) || die "sshd is not installed (package openssh-server)"
  mkdir -p /run/sshd # the privilege separation folder sshd insists on
  chmod 755 /run/sshd
  cat >"$s/sshd_config" <<EOF
Port $SSH_PORT
ListenAddress $REMOTE_ADDRESS
HostKey $s/ssh_host_ed25519_key
AuthorizedKeysFile $s/authorized_keys
PidFile $s/sshd.pid
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
UseDNS no
PrintMotd no
PrintLastLog no
AllowTcpForwarding yes
AllowStreamLocalForwarding yes
X11Forwarding no
MaxStartups 100:30:200
MaxSessions 100
LogLevel INFO
EOF
  dockerd_pid=$(pid_of "$R/ns/docker.pid" || true)
  [ -z "$dockerd_pid" ] || [ ! -e "/proc/$dockerd_pid/ns/uts" ] || uts=(--uts="/proc/$dockerd_pid/ns/uts")
  quiet sshd-check "$sshd" -t -f "$s/sshd_config" || die "the sshd configuration is not valid"
  setsid nsenter --net="/run/netns/$NETNS" "${uts[@]}" "$sshd" -D -e -f "$s/sshd_config" \
    </dev/null >"$R/logs/sshd.log" 2>&1 &
  echo $! >"$s/sshd.launch.pid"
  wait_tcp "$REMOTE_ADDRESS" "$SSH_PORT" || { tail -n 20 "$R/logs/sshd.log" >&2; die "sshd did not listen on $REMOTE_ADDRESS:$SSH_PORT"; }

  printf '[%s]:%s %s\n' "$REMOTE_ADDRESS" "$SSH_PORT" "$(cut -d' ' -f1,2 "$s/ssh_host_ed25519_key.pub")" >"$s/known_hosts"
  printf '[%s]:%s %s\n' "$REMOTE_ADDRESS" "$SSH_PORT" "$(cut -d' ' -f1,2 "$s/other_host_ed25519_key.pub")" >"$s/other_known_hosts"
}

# The check a test would do: the engine through ssh and `docker system dial-stdio`, with the strict host key check.
check_ssh() {
  local answer
  answer=$(printf 'GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n' | timeout 20 ssh -F /dev/null -i "$R/ssh/id_ed25519" -p "$SSH_PORT" \
    -o BatchMode=yes -o IdentitiesOnly=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$R/ssh/known_hosts" -o GlobalKnownHostsFile=/dev/null \
    -o ConnectTimeout=10 "root@$REMOTE_ADDRESS" docker -H "unix://$R/ns/docker.sock" system dial-stdio 2>"$R/logs/ssh-check.log" | head -n 1) || true
  [[ $answer == HTTP/1.?" 200 OK"* ]] || { cat "$R/logs/ssh-check.log" >&2; die "ssh ... docker system dial-stdio did not answer /_ping (got: $answer)"; }
}

# The proxy images, from docker.sh's engine into both engines: one `docker save`, loaded by both at once.
copy_images() {
  quiet copy-images bash -c 'set -o pipefail
    DOCKER_CONFIG="$1/cli" docker -H "unix://$2/docker.sock" save "${@:3}" \
      | tee >(DOCKER_CONFIG="$1/cli" docker -H "unix://$1/tls/docker.sock" load -q >"$1/logs/load-tls.log" 2>&1; echo $? >"$1/logs/load-tls.status") \
      | DOCKER_CONFIG="$1/cli" docker -H "unix://$1/ns/docker.sock" load -q
    for i in $(seq 1 600); do [ -s "$1/logs/load-tls.status" ] && break; sleep 0.1; done
    [ "$(cat "$1/logs/load-tls.status" 2>/dev/null)" = 0 ] || { cat "$1/logs/load-tls.log"; exit 1; }' \
    _ "$R" "$DOCKER_DIR" "${IMAGES[@]}"
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
  for tool in docker dockerd docker-registry ssh ssh-keygen openssl ip nsenter unshare curl flock setsid; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
  done
  command -v sshd >/dev/null || die "sshd is not installed (package openssh-server)"
  DOCKER_DIR=$(readlink -f "$DOCKER_DIR")
  read_docker_dir

  begin_start "$dir" deploy-remote "$watch" deploy-tls deploy-rh
  R=$ROOT
  CGROUP_TLS=${CGROUPS[0]}
  CGROUP_NS=${CGROUPS[1]}
  mkdir -p "$R/logs" "$R/cli" "$R/tls" "$R/ns" "$R/registry"

  timed "namespace, veth" make_namespace
  log "remote host $NETNS: $REMOTE_ADDRESS (host end $HOST_ADDRESS on $VETH)"
  # Keys and certificates (openssl, ssh-keygen: CPU) beside the registries.
  timed "certificates" make_certs &
  JOBS+=($!)
  local certs_job=$!
  timed "ssh keys" make_ssh_keys &
  JOBS+=($!)
  local keys_job=$!
  timed "htpasswd" make_password
  timed "registry (open)" start_registry open
  OPEN_PORT=$REGISTRY_PORT
  timed "registry (auth)" start_registry auth
  AUTH_PORT=$REGISTRY_PORT
  timed "dockerd (namespace)" start_ns_engine &
  JOBS+=($!)
  local ns_job=$!
  wait "$certs_job" || die "the certificates could not be made"
  timed "dockerd (TLS)" start_tls_engine
  wait "$ns_job" || die "the namespace's dockerd did not start"
  wait "$keys_job" || die "the ssh keys could not be made"
  SSH_FINGERPRINT=$(ssh-keygen -l -E sha256 -f "$R/ssh/ssh_host_ed25519_key.pub" | awk '{ print $2 }')
  timed "images (${IMAGES[*]})" copy_images &
  JOBS+=($!)
  local images_job=$!
  timed sshd start_sshd
  timed "ssh + dial-stdio check" check_ssh
  wait "$images_job" || die "the images could not be copied"
  log "ready in $(seconds_since "$START_MS"): $R"

  printf 'export DEPLOY_TEST_TLS_HOST=tcp://127.0.0.1:%s\n' "$TLS_PORT"
  printf 'export DEPLOY_TEST_TLS_CERTS=%s\n' "$R/tls/client"
  printf 'export DEPLOY_TEST_TLS_WRONG_CERTS=%s\n' "$R/tls/wrong"
  printf 'export DEPLOY_TEST_TLS_SOCKET=unix://%s\n' "$R/tls/docker.sock"
  printf 'export DEPLOY_TEST_SSH_HOST=ssh://root@%s:%s%s\n' "$REMOTE_ADDRESS" "$SSH_PORT" "$R/ns/docker.sock"
  printf 'export DEPLOY_TEST_SSH_KEY=%s\n' "$R/ssh/id_ed25519"
  printf 'export DEPLOY_TEST_SSH_KNOWN_HOSTS=%s\n' "$R/ssh/known_hosts"
  printf 'export DEPLOY_TEST_SSH_OTHER_KNOWN_HOSTS=%s\n' "$R/ssh/other_known_hosts"
  printf 'export DEPLOY_TEST_SSH_FINGERPRINT=%s\n' "$SSH_FINGERPRINT"
  printf 'export DEPLOY_TEST_REMOTE_SOCKET=unix://%s\n' "$R/ns/docker.sock"
  printf 'export DEPLOY_TEST_REMOTE_ADDRESS=%s\n' "$REMOTE_ADDRESS"
  printf 'export DEPLOY_TEST_REMOTE_REGISTRY=%s:%s\n' "$HOST_ADDRESS" "$OPEN_PORT"
  printf 'export DEPLOY_TEST_AUTH_REGISTRY=%s:%s\n' "$HOST_ADDRESS" "$AUTH_PORT"
  printf 'export DEPLOY_TEST_AUTH_REGISTRY_USER=%s\n' "$REGISTRY_USER"
  printf 'export DEPLOY_TEST_AUTH_REGISTRY_PASSWORD=%s\n' "$REGISTRY_PASSWORD"
  printf 'export DEPLOY_TEST_REMOTE_DIR=%s\n' "$R"
}

case ${1:-} in
  start) shift; start "$@" ;;
  stop) shift; (set +e; stop_all "${1:-}") || true; exit 0 ;;
  *) echo "usage: $0 start --docker-dir DIR [--dir DIR] [--watch-pid PID] | stop DIR" >&2; exit 2 ;;
esac
