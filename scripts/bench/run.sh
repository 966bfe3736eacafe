#!/usr/bin/env bash
# The benchmarks in a real n8n 2.x, first argument the one to run:
# - `npm run bench [-- --sizes 100,1000 --runs 3 --runs-large 2 --latency 100]` (bench): bulk
#   Inspect against the HTTP Request node; writes bench/results.json and bench/results.md.
# - `npm run bench:alerts [-- --tokens 5000 --runs 3]` (checkAlerts): Check for Alerts over 5,000
#   client tokens — Graph calls, node-side CPU per item, static-data bytes per token, in process
#   and in n8n; writes bench/check-alerts.md and bench/check-alerts.json.
# Both reuse the end-to-end harness: its installer (cached), its build (Graph double CLI + packed
# tarball in .e2e-build/) and its support modules; the benches compile into .bench-build/.
set -euo pipefail
cd "$(dirname "$0")/../.."
bench="$1"
shift
start=$(date +%s)
bash scripts/e2e/install-n8n.sh node24 n8n2
bash scripts/e2e/build.sh
rm -rf .bench-build
npx tsc -p tsconfig.bench.json
node ".bench-build/scripts/bench/${bench}.js" "$@"
echo "bench ${bench}: $(($(date +%s) - start)) s in all"
