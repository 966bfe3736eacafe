/**
 * n8n 2.x from the e2e harness's cache, with the CLI's stdout taken through a file
 * (n8n-stdout-via-file.sh): `execute --rawOutput` for 5,000 items is cut off through a pipe.
 */
import { join } from 'path';

import type { N8nRuntime } from '../../e2e/support/paths';
import { n8nRuntime, repoRoot } from '../../e2e/support/paths';

export function benchRuntime(): N8nRuntime {
	const runtime = n8nRuntime(2);
	return {
		...runtime,
		node: '/bin/bash',
		n8n: join(repoRoot, 'scripts', 'bench', 'n8n-stdout-via-file.sh'),
		env: { ...runtime.env, BENCH_N8N_NODE: runtime.node, BENCH_N8N_BIN: runtime.n8n },
	};
}
