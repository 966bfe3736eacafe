import { readdirSync } from 'fs';
import { join } from 'path';

import { repoRoot } from './paths';

/** The tarball scripts/e2e/build.sh packed into .e2e-build/. */
export function packedTarball(): string {
	const dir = join(repoRoot, '.e2e-build');
	const found = readdirSync(dir).filter((f) => /^n8n-nodes-meta-token-.*\.tgz$/.test(f));
	if (found.length !== 1) throw new Error(`expected one packed tarball in ${dir}, found ${found.length}: run scripts/e2e/build.sh`);
	return join(dir, found[0]);
}
