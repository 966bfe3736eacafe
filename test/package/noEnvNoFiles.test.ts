/**
 * The package reads neither the environment nor files: what lets it run unchanged in an n8n
 * hardened with N8N_BLOCK_ENV_ACCESS_IN_NODE=true and N8N_RESTRICT_FILE_ACCESS_TO (those settings
 * bind expressions, the Code node and n8n's file helpers, not a community node's own code, so the
 * promise is kept here, in the shipped source). Every file under nodes/ and credentials/ imports
 * only n8n-workflow, crypto and its own modules, and names no global, helper or `$env` that
 * reaches the environment, the file system or a child process. The real n8n under those settings:
 * e2e/hardened.e2e.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
	return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
		const relative = path.join(dir, entry.name);
		if (entry.isDirectory()) return sourceFiles(relative);
		return /\.(ts|js|json)$/.test(entry.name) ? [relative] : [];
	});
}

/** Module specifiers the shipped code may import: n8n's peer, Node's crypto (HMAC, hashes), itself. */
const ALLOWED_IMPORT = /^(n8n-workflow|crypto|node:crypto|\.{1,2}\/.*)$/;

/** What would read the environment or files, or start a process, however it is spelled. */
const FORBIDDEN: Array<[string, RegExp]> = [
	['process (process.env, process.cwd…)', /\bprocess\s*(\.|\[)/],
	['globalThis', /\bglobalThis\b/],
	['require()', /\brequire\s*\(/],
	['dynamic import()', /\bimport\s*\(/],
	["n8n's $env", /\$env\b/],
	['__dirname / __filename', /\b__(dirname|filename)\b/],
	["n8n's file helpers", /\b(readBinaryFile|createReadStream|getStoragePath|writeContentToFile|resolvePath|isFilePathBlocked)\b/],
	['Deno / Bun', /\b(Deno|Bun)\s*\./],
];

function importsOf(text: string): string[] {
	return [...text.matchAll(/\bfrom\s+['"]([^'"]+)['"]|\bimport\s+['"]([^'"]+)['"]/g)].map((m) => m[1] ?? m[2]);
}

/** Every finding in one file's text: `what: line`. */
function findings(text: string): string[] {
	const found = importsOf(text)
		.filter((specifier) => !ALLOWED_IMPORT.test(specifier))
		.map((specifier) => `import of ${specifier}`);
	for (const [what, pattern] of FORBIDDEN) {
		for (const line of text.split('\n')) if (pattern.test(line)) found.push(`${what}: ${line.trim()}`);
	}
	return found;
}

describe('shipped code reads neither environment nor files', () => {
	const files = [...sourceFiles('nodes'), ...sourceFiles('credentials')];

	it('covers every shipped source file', () => {
		expect(files.length).toBeGreaterThan(50);
		expect(files).toEqual(expect.arrayContaining(['nodes/shared/graphTransport.ts', 'credentials/MetaTokenApi.credentials.ts']));
	});

	it.each(files)('%s', (file) => {
		expect(findings(fs.readFileSync(path.join(root, file), 'utf8'))).toEqual([]);
	});

	it('would notice each way of reaching them', () => {
		const seeded = [
			"import { readFileSync } from 'fs';",
			"import os from 'node:os';",
			"import { exec } from 'child_process';",
			'const key = process.env.N8N_ENCRYPTION_KEY;',
			"const env = process['env'];",
			"const fs = require('fs');",
			"const m = await import('fs');",
			'const home = globalThis.process;',
			'const v = "={{ $env.HOME }}";',
			'const here = __dirname;',
			'await this.helpers.readBinaryFile(p);',
			'const s = this.helpers.createReadStream(p);',
		];
		for (const line of seeded) expect(findings(line)).not.toEqual([]);
		expect(findings("import { createHmac } from 'crypto';\nimport { sleep } from 'n8n-workflow';\nimport { x } from '../meta/wire';")).toEqual([]);
	});
});
