#!/usr/bin/env bash
# BeforeFlip hook: runs in this folder with DEPLOY_APP, DEPLOY_COLOUR, DEPLOY_PREVIOUS_COLOUR, DEPLOY_VERSION and
# DEPLOY_ENDPOINTS (comma-separated host:port of the new colour) set. A non-zero exit stops the deploy before the flip.
set -euo pipefail
IFS=, read -ra endpoints <<< "$DEPLOY_ENDPOINTS"
for endpoint in "${endpoints[@]}"; do
  body=$(curl -fsS --max-time 2 "http://$endpoint/")
  case "$body" in
    "hello from $DEPLOY_COLOUR $DEPLOY_VERSION") ;;
    *) echo "smoke test: $endpoint answered '$body'" >&2; exit 1 ;;
  esac
done
echo "smoke test passed on ${#endpoints[@]} instances of $DEPLOY_COLOUR"
