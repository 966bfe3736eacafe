#!/usr/bin/env bash
# `npm run demo` on a fresh clone: installs what is missing (node_modules, Node 24 + n8n 2.x in the
# cache outside the repo), builds and packs the package, then starts the sandbox (scripts/demo/demo.ts).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/e2e/install-n8n.sh node24 n8n2
bash scripts/e2e/build.sh
exec node .e2e-build/scripts/demo/demo.js "$@"
