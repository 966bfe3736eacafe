#!/usr/bin/env bash
# `npm run bench:alerts [-- --tokens 5000 --runs 3]`: Check for Alerts over 5,000 client tokens in
# one run (issue 13): Graph calls, node-side CPU per item and static-data bytes per token, in
# process (n8n-core) and in a real n8n 2.x. Builds like the bulk-inspect bench; writes
# bench/check-alerts.md and bench/check-alerts.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
start=$(date +%s)
bash scripts/e2e/install-n8n.sh node24 n8n2
bash scripts/e2e/build.sh
rm -rf .bench-build
npx tsc -p tsconfig.bench.json
node .bench-build/scripts/bench/checkAlerts.js "$@"
echo "bench:alerts: $(($(date +%s) - start)) s in all"
