#!/usr/bin/env bash
# `npm run test:e2e [-- jest args]`: installs the n8n majors it needs (cached), builds and packs,
# then runs the end-to-end suite. E2E_MAJORS=2 (or 1) limits it to one major.
# `npm run test:e2e:queue [-- jest args]` (first argument --queue): the production suite under
# e2e/queue/ — n8n 2.x only, plus Postgres and Redis from Debian (scripts/e2e/install-services.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
start=$(date +%s)
suite=default
if [ "${1:-}" = "--queue" ]; then
	suite=queue
	shift
fi
parts=()
if [ "$suite" = queue ]; then
	bash scripts/e2e/install-services.sh
	# 2.x for queue mode and the durable scheduler; 1.x for its (legacy) poller through an outage.
	parts+=(node24 n8n2 n8n1)
else
	[[ "${E2E_MAJORS:-1,2}" == *2* ]] && parts+=(node24 n8n2)
	[[ "${E2E_MAJORS:-1,2}" == *1* ]] && parts+=(n8n1)
fi
bash scripts/e2e/install-n8n.sh "${parts[@]}"
bash scripts/e2e/build.sh
if [ "$suite" = queue ]; then
	npx jest -c jest.e2e.queue.config.js "$@"
else
	npx jest -c jest.e2e.config.js "$@"
fi
label=test:e2e; [ "$suite" = queue ] && label=test:e2e:queue
echo "$label: $(($(date +%s) - start)) s in all"
