#!/usr/bin/env bash
# `npm run screenshots`: regenerates docs/screenshots/*.png from the demo (see screenshots.ts).
# Needs Debian's chromium: apt-get install -y chromium (CHROMIUM_PATH overrides /usr/bin/chromium).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || { echo "no chromium: apt-get install -y chromium" >&2; exit 1; }
[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/e2e/install-n8n.sh node24 n8n2
bash scripts/e2e/build.sh
exec node .e2e-build/scripts/screenshots/screenshots.js "$@"
