#!/usr/bin/env bash
# Builds what the end-to-end suite, the demo and the screenshots use: the Graph double and the
# harness compiled into .e2e-build/, and the package packed (`npm pack` runs prepack → build) into
# .e2e-build/n8n-nodes-meta-token-<version>.tgz — installed into n8n exactly as users get it.
set -euo pipefail
cd "$(dirname "$0")/../.."
start=$(date +%s)
# Overwrite in place (others may be running the double from here); only the old tarball goes.
mkdir -p .e2e-build
rm -f .e2e-build/n8n-nodes-meta-token-*.tgz
npx tsc -p tsconfig.e2e.json
npm pack --pack-destination .e2e-build --loglevel=error >/dev/null
echo "e2e build: $(ls .e2e-build/*.tgz) in $(($(date +%s) - start)) s"
