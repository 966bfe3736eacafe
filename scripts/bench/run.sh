#!/usr/bin/env bash
# `npm run bench [-- --sizes 100,1000 --runs 3 --runs-large 2 --latency 100]`: the bulk-inspect
# benchmark (issue 6) in a real n8n 2.x. Reuses the end-to-end harness: its installer (cached), its
# build (Graph double CLI + packed tarball in .e2e-build/) and its support modules; the bench
# itself compiles into .bench-build/. Writes bench/results.json and bench/results.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
start=$(date +%s)
bash scripts/e2e/install-n8n.sh node24 n8n2
bash scripts/e2e/build.sh
rm -rf .bench-build
npx tsc -p tsconfig.bench.json
node .bench-build/scripts/bench/bench.js "$@"
echo "bench: $(($(date +%s) - start)) s in all"
