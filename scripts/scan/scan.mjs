#!/usr/bin/env node
/**
 * `npm run scan`: n8n's own verification scanner, offline, over what n8n verifies.
 *
 * n8n verifies a community package with @n8n/scan-community-package: its ESLint configuration
 * (community-node rules, the n8n-nodes-base rulesets, no-console, inline `eslint-disable` ignored)
 * over the provenance-attested source — `package.json` and `{nodes,credentials}/**` — and over the
 * published tarball's `.js` files and package.json. This runs the scanner's own `analyzePackage`
 * with the scanner's own patterns on both legs, so a pass here is a pass there (the provenance
 * check needs the registry and is left to the publish workflow).
 *
 *   node scripts/scan/scan.mjs                  source = this repository, tarball = `npm pack` of it
 *   node scripts/scan/scan.mjs --source DIR     source leg only, on DIR (e.g. a deliberately broken copy)
 *   node scripts/scan/scan.mjs --tarball FILE   tarball leg only, on an existing .tgz
 *
 * Exits 1 when either leg reports an error.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

/** What the scanner lints in the downloaded tarball (scanner.mjs, analyzePackageByName). */
const TARBALL_FILE_PATTERNS = ['**/*.js', 'package.json'];

// eslint-plugin-n8n-nodes-base runs its rules in its own unit-test mode (fake file names) when
// NODE_ENV is "test"; n8n's scanner never runs that way. The plugin is loaded later, inside
// analyzePackage, and reads this when its rules run.
if (process.env.NODE_ENV === 'test') delete process.env.NODE_ENV;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function option(name) {
	const index = process.argv.indexOf(name);
	return index === -1 ? undefined : process.argv[index + 1];
}

async function leg(label, dir, patterns) {
	const result = await analyzePackage(dir, patterns);
	if (result.passed) {
		console.log(`scan: ${label}: no errors (${result.message ?? `${patterns.join(', ')}`})`);
	} else {
		console.error(`scan: ${label}: ${result.message}`);
		if (result.details) console.error(result.details);
	}
	return result.passed;
}

/** Packs the repository as `npm publish` would (prepack builds) and unpacks it into a temp folder. */
function packAndUnpack() {
	const work = mkdtempSync(join(tmpdir(), 'meta-token-scan-'));
	execFileSync('npm', ['pack', '--pack-destination', work, '--loglevel=error'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
	const tarball = readdirSync(work).find((file) => file.endsWith('.tgz'));
	return { work, tarball: join(work, tarball) };
}

function unpack(tarball) {
	const dir = mkdtempSync(join(tmpdir(), 'meta-token-scan-pkg-'));
	execFileSync('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1']);
	return dir;
}

const sourceDir = option('--source');
const tarballFile = option('--tarball');
const temporary = [];
let passed = true;
try {
	if (sourceDir || !tarballFile) {
		passed = (await leg(`source ${sourceDir ?? '.'}`, resolve(sourceDir ?? repoRoot), SOURCE_FILE_PATTERNS)) && passed;
	}
	if (tarballFile || !sourceDir) {
		let tarball = tarballFile && resolve(tarballFile);
		if (!tarball) {
			const packed = packAndUnpack();
			temporary.push(packed.work);
			tarball = packed.tarball;
		}
		const unpacked = unpack(tarball);
		temporary.push(unpacked);
		passed = (await leg(`tarball ${tarball.split('/').pop()}`, unpacked, TARBALL_FILE_PATTERNS)) && passed;
	}
} finally {
	for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
}
process.exit(passed ? 0 : 1);
