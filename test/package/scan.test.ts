/**
 * `npm run scan` (scripts/scan/scan.mjs, n8n's own scanner) must catch what n8n's verification
 * catches: the same copy of the source passes as it is and fails once a node file logs to the
 * console or imports a module n8n Cloud forbids.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');

function copyOfSource(): string {
	const dir = mkdtempSync(path.join(tmpdir(), 'meta-token-scan-test-'));
	for (const part of ['package.json', 'nodes', 'credentials']) cpSync(path.join(root, part), path.join(dir, part), { recursive: true });
	return dir;
}

function scanSource(dir: string): { status: number | null; output: string } {
	// Runs under jest's NODE_ENV=test, which scan.mjs must neutralise (see there).
	const result = spawnSync(process.execPath, [path.join(root, 'scripts/scan/scan.mjs'), '--source', dir], { encoding: 'utf8' });
	return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('npm run scan (source leg)', () => {
	let dir: string;
	beforeEach(() => (dir = copyOfSource()));
	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	it('passes the source as it is', () => {
		const { status, output } = scanSource(dir);
		expect(output).toContain('no errors');
		expect(status).toBe(0);
	});

	it('fails when a node file logs to the console', () => {
		appendFileSync(path.join(dir, 'nodes/MetaToken/MetaToken.node.ts'), "\nconsole.log('debug');\n");
		const { status, output } = scanSource(dir);
		expect(output).toMatch(/MetaToken\.node\.ts[\s\S]*no-console/);
		expect(status).toBe(1);
	});

	it('fails when shipped code imports a module n8n Cloud forbids, even with an inline disable', () => {
		appendFileSync(
			path.join(dir, 'nodes/shared/graphSession.ts'),
			"\n// eslint-disable-next-line\nimport { readFileSync } from 'node:fs';\nexport const leak = readFileSync;\n",
		);
		const { status, output } = scanSource(dir);
		expect(output).toMatch(/graphSession\.ts[\s\S]*no-restricted-imports/);
		expect(status).toBe(1);
	});
});
