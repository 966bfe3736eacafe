#!/usr/bin/env bash
# `npm run test:e2e [-- jest args]`: installs the n8n majors it needs (cached), builds and packs,
# then runs the end-to-end suite. E2E_MAJORS=2 (or 1) limits it to one major.
set -euo pipefail
cd "$(dirname "$0")/../.."
start=$(date +%s)
parts=()
[[ "${E2E_MAJORS:-1,2}" == *2* ]] && parts+=(node24 n8n2)
[[ "${E2E_MAJORS:-1,2}" == *1* ]] && parts+=(n8n1)
bash scripts/e2e/install-n8n.sh "${parts[@]}"
bash scripts/e2e/build.sh
npx jest -c jest.e2e.config.js "$@"
echo "test:e2e: $(($(date +%s) - start)) s in all"
