const fs = require('fs');
const path = require('path');
const { task, src, dest, series } = require('gulp');

// tsc only emits JavaScript: n8n also needs the icons and the codex files (*.node.json: categories,
// documentation links) next to the compiled nodes.
task('build:icons', copyIcons);
// tsc indents its output with four spaces; the source uses tabs. Re-indenting with tabs keeps the
// shipped code exactly as readable and the packed package about 1 KB smaller (scripts/check-pack.js
// holds it under 100 KB).
task('build:indent', indentWithTabs);
task('build:assets', series('build:icons', 'build:indent'));

function copyIcons() {
	const nodeSource = path.resolve('nodes', '**', '*.{png,svg,node.json}');
	const nodeDestination = path.resolve('dist', 'nodes');
	src(nodeSource, { encoding: false }).pipe(dest(nodeDestination));

	const credSource = path.resolve('credentials', '**', '*.{png,svg}');
	const credDestination = path.resolve('dist', 'credentials');
	return src(credSource, { encoding: false }).pipe(dest(credDestination));
}

async function indentWithTabs() {
	for (const file of fs.readdirSync('dist', { recursive: true })) {
		if (!String(file).endsWith('.js')) continue;
		const full = path.join('dist', String(file));
		const text = fs.readFileSync(full, 'utf8');
		fs.writeFileSync(full, text.replace(/^(?: {4})+/gm, (indent) => '\t'.repeat(indent.length / 4)));
	}
}
