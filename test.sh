#!/usr/bin/env bash
# The one test command: installs what the tests need when it is missing, builds everything, runs every test.
set -euo pipefail
cd "$(dirname "$0")"

log() { printf '==> %s\n' "$*"; }

# System packages the tests start for real: nginx and HAProxy on 127.0.0.1 high ports.
missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
command -v setsid >/dev/null 2>&1 || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
export PATH="$PATH:/usr/sbin:/sbin"

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
  trap 'kill "$prism_pid" 2>/dev/null; rm -f "$prism_log"' EXIT
  export DEPLOY_TEST_PRISM_PORT="$port"
  log "prism loading GitHub's API description on 127.0.0.1:$port"
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log "building"
dotnet build Deploy.sln -c Release -nologo -v quiet

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
  printf '%s passed, %s failed, %s skipped\n' "${passed:-0}" "${failed:-0}" "$skipped"
else
  echo "0 passed, 1 failed"
  status=1
fi
rm -rf "$results"
exit $status
