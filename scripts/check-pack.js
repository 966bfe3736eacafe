#!/usr/bin/env node
// Asserts what `npm pack` would publish: only dist/, README, LICENSE and package.json, every file
// the n8n block names, light and dark icons, and a packed size under 100 KB. Run after `npm run build`.
const { execFileSync } = require('child_process');
const fs = require('fs');

const MAX_PACKED_BYTES = 100 * 1024;
const [report] = JSON.parse(
	execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { encoding: 'utf8' }),
);
const files = report.files.map((f) => f.path);
const problems = [];

const allowed = (p) => p.startsWith('dist/') || ['README.md', 'LICENSE', 'package.json'].includes(p);
for (const p of files) if (!allowed(p)) problems.push(`unexpected file in package: ${p}`);

const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
for (const p of [...pkg.n8n.credentials, ...pkg.n8n.nodes]) {
	if (!files.includes(p)) problems.push(`n8n block names ${p}, which is not in the package`);
}
if (!files.some((p) => /^dist\/.*\.svg$/.test(p) && !p.endsWith('.dark.svg'))) problems.push('no light SVG icon');
if (!files.some((p) => p.endsWith('.dark.svg'))) problems.push('no dark SVG icon');
if (Object.keys(pkg.dependencies ?? {}).length > 0) problems.push('runtime dependencies present');
if (report.size > MAX_PACKED_BYTES) problems.push(`packed size ${report.size} B exceeds ${MAX_PACKED_BYTES} B`);

console.log(`package: ${files.length} files, packed ${report.size} B, unpacked ${report.unpackedSize} B`);
if (problems.length) {
	for (const p of problems) console.error(`check-pack: ${p}`);
	process.exit(1);
}
console.log('check-pack: ok');
