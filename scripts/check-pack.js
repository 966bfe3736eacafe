#!/usr/bin/env node
// Asserts what `npm pack` would publish: only dist/, README, LICENSE and package.json, every file
// the n8n block names, each node's and credential's light and dark icons (the one pair in
// dist/nodes/icons/), and a packed size under 100 KB. Run after `npm run build`.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

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
// Every node and credential names a light and a dark SVG icon, resolved as n8n resolves `file:` icons
// (relative to the compiled file: n8n-core's DirectoryLoader.getIconPath), and both are packed.
const icons = new Set();
for (const p of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) {
	if (!fs.existsSync(p)) continue; // reported above
	for (const Type of Object.values(require(path.resolve(p)))) {
		if (typeof Type !== 'function') continue;
		const instance = new Type();
		const icon = (instance.description ?? instance).icon;
		for (const variant of ['light', 'dark']) {
			const name = typeof icon?.[variant] === 'string' ? icon[variant] : '';
			const file = path.posix.join(path.posix.dirname(p), name.replace(/^file:/, ''));
			if (!name.startsWith('file:') || !file.endsWith(variant === 'dark' ? '.dark.svg' : '.svg')) {
				problems.push(`${p}: no ${variant} SVG icon (${name || 'none'})`);
			} else if (!files.includes(file)) {
				problems.push(`${p}: ${variant} icon ${file} is not in the package`);
			} else icons.add(file);
		}
	}
}
if ([...icons].some((file) => !file.startsWith('dist/nodes/icons/'))) problems.push(`icons outside dist/nodes/icons/: ${[...icons]}`);
if (Object.keys(pkg.dependencies ?? {}).length > 0) problems.push('runtime dependencies present');
if (report.size > MAX_PACKED_BYTES) problems.push(`packed size ${report.size} B exceeds ${MAX_PACKED_BYTES} B`);

console.log(`package: ${files.length} files, packed ${report.size} B, unpacked ${report.unpackedSize} B`);
if (problems.length) {
	for (const p of problems) console.error(`check-pack: ${p}`);
	process.exit(1);
}
console.log('check-pack: ok');
