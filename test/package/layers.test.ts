/**
 * The import directions between the shipped folders, read from the source: each layer may import
 * only the layers below it, so the HTTP client never learns about n8n's nodes, the policy stays
 * pure, and the facts about Meta depend on nothing. A new folder under nodes/ must be given a row.
 */
import { builtinModules } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

type Layer = 'credentials' | 'MetaToken' | 'MetaTokenTrigger' | 'shared' | 'policy' | 'graph' | 'meta';

/** What each layer may import besides itself (README "How the code is laid out"). */
const MAY_IMPORT: Record<Layer, Layer[]> = {
	credentials: ['shared', 'graph', 'meta'],
	MetaToken: ['shared', 'policy', 'graph', 'meta'],
	MetaTokenTrigger: ['shared', 'policy', 'graph', 'meta'],
	shared: ['policy', 'graph', 'meta'],
	graph: ['meta'],
	policy: ['meta'],
	meta: [],
};

/** n8n's API is for the layers that talk to n8n; graph/, policy/ and meta/ run without it. */
const MAY_IMPORT_N8N: Layer[] = ['credentials', 'MetaToken', 'MetaTokenTrigger', 'shared'];

const root = path.resolve(__dirname, '..', '..');

function layerOf(file: string): Layer | undefined {
	const [top, folder] = file.split('/');
	if (top === 'credentials') return 'credentials';
	if (top !== 'nodes') return undefined;
	return (Object.keys(MAY_IMPORT) as Layer[]).find((layer) => layer === folder && layer !== 'credentials');
}

/** Every import of every file (static, `export … from`, `require`, dynamic `import()`), comments ignored. */
function importsOf(source: string): string[] {
	return ts.preProcessFile(source, true, true).importedFiles.map((imported) => imported.fileName);
}

/** The breaches of the table in a tree of sources (repository-relative path → text). */
function violations(sources: Map<string, string>): string[] {
	const found: string[] = [];
	for (const [file, source] of sources) {
		const from = layerOf(file);
		if (!from) {
			found.push(`${file}: a folder with no row in the layer table`);
			continue;
		}
		for (const specifier of importsOf(source)) {
			if (!specifier.startsWith('.')) {
				const name = specifier.replace(/^node:/, '');
				if (builtinModules.includes(name)) continue;
				if (specifier === 'n8n-workflow' && MAY_IMPORT_N8N.includes(from)) continue;
				found.push(`${file} → ${specifier}`);
				continue;
			}
			const target = path.posix.join(path.posix.dirname(file), specifier);
			const to = layerOf(target);
			if (to === from || (to && MAY_IMPORT[from].includes(to))) continue;
			found.push(`${file} → ${target}`);
		}
	}
	return found.sort();
}

function shippedSources(): Map<string, string> {
	const sources = new Map<string, string>();
	for (const top of ['nodes', 'credentials']) {
		for (const entry of fs.readdirSync(path.join(root, top), { recursive: true, encoding: 'utf8' })) {
			if (!entry.endsWith('.ts')) continue;
			const file = `${top}/${entry.split(path.sep).join('/')}`;
			sources.set(file, fs.readFileSync(path.join(root, file), 'utf8'));
		}
	}
	return sources;
}

describe('import directions between the shipped layers', () => {
	const found = violations(shippedSources());

	it('reads every shipped TypeScript file', () => {
		expect(shippedSources().size).toBeGreaterThan(50);
	});

	it('has no import against the table', () => {
		expect(found).toEqual([]);
	});
});

describe('the layer check itself', () => {
	const tree = (files: Record<string, string>) => new Map(Object.entries(files));

	it('fails a policy file that imports the HTTP client, in any import form', () => {
		const forms = [
			"import { GraphClient } from '../graph/GraphClient';",
			"import type { TokenType } from '../graph/types';",
			"export { redact } from '../graph/redact';",
			"const { redact } = require('../graph/redact');",
			"export async function later() { return import('../graph/redact'); }",
		];
		for (const form of forms) {
			expect(violations(tree({ 'nodes/policy/planted.ts': form }))).toEqual([
				expect.stringMatching(/^nodes\/policy\/planted\.ts → nodes\/graph\/(GraphClient|types|redact)$/),
			]);
		}
	});

	it('fails upward imports and meta/ importing anything outside itself', () => {
		expect(
			violations(
				tree({
					'nodes/graph/a.ts': "import { b } from '../shared/b';",
					'nodes/meta/c.ts': "import { d } from '../graph/d';\nimport { e } from './e';",
					'nodes/shared/f.ts': "import { g } from '../MetaToken/actions/g';",
					'nodes/MetaTokenTrigger/h.ts': "import { i } from '../MetaToken/i';",
					'credentials/X.credentials.ts': "import { j } from '../nodes/policy/j';",
				}),
			),
		).toEqual([
			'credentials/X.credentials.ts → nodes/policy/j',
			'nodes/MetaTokenTrigger/h.ts → nodes/MetaToken/i',
			'nodes/graph/a.ts → nodes/shared/b',
			'nodes/meta/c.ts → nodes/graph/d',
			'nodes/shared/f.ts → nodes/MetaToken/actions/g',
		]);
	});

	it("keeps n8n's API and every other package out of graph/, policy/ and meta/", () => {
		expect(
			violations(
				tree({
					'nodes/graph/a.ts': "import type { IDataObject } from 'n8n-workflow';\nimport { createHmac } from 'crypto';",
					'nodes/policy/b.ts': "import { createHash } from 'node:crypto';",
					'nodes/shared/c.ts': "import { NodeOperationError } from 'n8n-workflow';\nimport axios from 'axios';",
				}),
			),
		).toEqual(['nodes/graph/a.ts → n8n-workflow', 'nodes/shared/c.ts → axios']);
	});

	it('fails a file in a folder the table does not know, and passes what the table allows', () => {
		expect(violations(tree({ 'nodes/helpers/x.ts': '' }))).toEqual(['nodes/helpers/x.ts: a folder with no row in the layer table']);
		expect(
			violations(
				tree({
					'nodes/MetaToken/actions/x.ts': "import { a } from '../../shared/a';\nimport { b } from '../../policy/b';\nimport { c } from '../helpers/c';",
					'nodes/policy/y.ts': "// from '../graph/comment' is only a comment\nimport { d } from '../meta/d';",
					'credentials/Y.credentials.ts': "import { e } from '../nodes/shared/e';",
				}),
			),
		).toEqual([]);
	});
});
