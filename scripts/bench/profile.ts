/**
 * Where the time of one Meta Token inspect goes inside a real n8n 2.x: runs (a) once for N tokens
 * (default 1,000, unthrottled, 100 ms latency) as `n8n execute` under `--cpu-prof`, then reads the
 * main process's profile between the first and the last sample in this package's code — the
 * node's run (a named function of ours on the stack) — and sums it by package and by function, idle
 * (waiting on the network) included.
 *
 *   node .bench-build/scripts/bench/profile.js [--n 1000] [--latency 100] [--env NAME=value]…   (after npm run bench builds)
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { GraphDoubleProcess } from '../../e2e/support/graphDoubleProcess';
import { N8nInstance } from '../../e2e/support/n8n';
import { repoRoot } from '../../e2e/support/paths';
import { stopAll } from '../../e2e/support/processes';
import { packedTarball } from '../../e2e/support/tarball';
import { REPORTING_APP } from '../../e2e/support/tokens';
import { requestLog, setLatency, timelineOf } from './doubleControl';
import { physicalLimitMs } from './report';
import { benchRuntime } from './runtime';
import type { Profile } from './inProcess';
import { shortUrl } from './inProcess';
import { benchSeed, benchTokens } from './seed';
import { NODE_UNDER_TEST, benchWorkflow, credentials, workflowId } from './workflows';

const OUR_CODE = 'n8n-nodes-meta-token/dist/';

function packageOf(url: string): string {
	if (url.includes(OUR_CODE)) return 'n8n-nodes-meta-token (this package)';
	const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url.split('node_modules/').length > 2 ? url.slice(url.lastIndexOf('node_modules/')) : url);
	if (match) return match[1];
	if (url.startsWith('node:')) return 'node (JS core)';
	return url === '' ? '(native / V8)' : shortUrl(url);
}

export interface WindowProfile {
	windowMs: number;
	byPackage: Array<{ name: string; ms: number; share: number }>;
	byFunction: Array<{ name: string; where: string; ms: number; share: number }>;
}

export function windowProfile(profile: Profile, limit = 15): WindowProfile {
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const parent = new Map<number, number>();
	for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
	const ours = new Map<number, boolean>();
	const inOurs = (id: number): boolean => {
		const known = ours.get(id);
		if (known !== undefined) return known;
		const node = byId.get(id);
		const up = parent.get(id);
		// A named function of ours: the node running, not its modules loading at n8n's start.
		// (Class constructors run when n8n registers the node types at start: not the run either.)
		const name = node?.callFrame.functionName ?? '';
		const ourFunction = (node?.callFrame.url.includes(OUR_CODE) ?? false) && name !== '' && !/^[A-Z]/.test(name);
		const value = ourFunction || (up !== undefined && inOurs(up));
		ours.set(id, value);
		return value;
	};
	// The run starts in the node's own `execute` (module code evaluated at n8n's start is not it).
	const underExecute = new Map<number, boolean>();
	const inExecute = (id: number): boolean => {
		const known = underExecute.get(id);
		if (known !== undefined) return known;
		const node = byId.get(id);
		const up = parent.get(id);
		const here = (node?.callFrame.url.includes(OUR_CODE) ?? false) && node?.callFrame.functionName === 'execute';
		const value = here || (up !== undefined && inExecute(up));
		underExecute.set(id, value);
		return value;
	};
	const samples = profile.samples ?? [];
	const deltas = profile.timeDeltas ?? [];
	let first = -1;
	let last = -1;
	samples.forEach((id, index) => {
		if (first < 0 && inExecute(id)) first = index;
		if (first >= 0 && inOurs(id)) last = index;
	});
	const packages = new Map<string, number>();
	const functions = new Map<string, { name: string; where: string; us: number }>();
	let total = 0;
	for (let index = Math.max(0, first); index <= last; index++) {
		const node = byId.get(samples[index]);
		const us = deltas[index + 1] ?? deltas[index] ?? 0;
		if (!node) continue;
		total += us;
		const name = node.callFrame.functionName || '(anonymous)';
		const pkg = name === '(idle)' ? '(idle: waiting on I/O)' : name === '(garbage collector)' ? '(garbage collector)' : packageOf(node.callFrame.url);
		packages.set(pkg, (packages.get(pkg) ?? 0) + us);
		const where = `${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
		const key = `${name}@${where}`;
		const entry = functions.get(key) ?? { name, where, us: 0 };
		entry.us += us;
		functions.set(key, entry);
	}
	const share = (us: number) => Math.round((us / Math.max(1, total)) * 1000) / 10;
	return {
		windowMs: Math.round(total / 1000),
		byPackage: [...packages]
			.sort((x, y) => y[1] - x[1])
			.slice(0, limit)
			.map(([name, us]) => ({ name, ms: Math.round(us / 1000), share: share(us) })),
		byFunction: [...functions.values()]
			.sort((x, y) => y.us - x.us)
			.slice(0, limit)
			.map((entry) => ({ name: entry.name, where: entry.where, ms: Math.round(entry.us / 1000), share: share(entry.us) })),
	};
}

async function main(): Promise<void> {
	const args = process.argv.slice(2);
	const option = (flag: string, fallback: number): number => {
		const index = args.indexOf(flag);
		return index >= 0 ? Number(args[index + 1]) : fallback;
	};
	const n = option('--n', 1000);
	const latency = option('--latency', 100);
	// `--env NAME=value` (repeatable): added to n8n's environment, e.g. N8N_LOG_LEVEL=debug.
	const extraEnv = Object.fromEntries(
		args.flatMap((arg, index) => (arg === '--env' && args[index + 1]?.includes('=') ? [args[index + 1].split(/=(.*)/s, 2)] : [])),
	) as Record<string, string>;
	const tokens = benchTokens(n);
	const double = await GraphDoubleProcess.start(benchSeed(tokens));
	const profileDir = mkdtempSync(join(tmpdir(), 'meta-token-bench-prof-'));
	const runtime = benchRuntime();
	runtime.env = { ...runtime.env, NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profileDir} --cpu-prof-interval=500` };
	let n8n: N8nInstance | undefined;
	try {
		n8n = await N8nInstance.create(runtime, packedTarball(), { env: extraEnv });
		await n8n.importCredentials(credentials(REPORTING_APP, double.url, tokens[7]));
		await n8n.importWorkflows([benchWorkflow('a', n, tokens, double.url, REPORTING_APP)]);
		await setLatency(double.url, latency);
		const result = await n8n.execute(workflowId('a', n));
		const network = timelineOf(await requestLog(double.url));
		const task = result.run?.data.resultData.runData[NODE_UNDER_TEST]?.[0] as { executionTime?: number } | undefined;
		// The execute process writes the biggest profile; task runners write their own, smaller ones.
		const files = readdirSync(profileDir)
			.filter((file) => file.endsWith('.cpuprofile'))
			.map((file) => join(profileDir, file))
			.sort((x, y) => statSync(y).size - statSync(x).size);
		const candidates = files.map((file) => ({ file, summary: windowProfile(JSON.parse(readFileSync(file, 'utf8')) as Profile) }));
		// import:* runs profile too: the execute run is the one with the longest window in our code.
		const main = [...candidates].sort((x, y) => y.summary.windowMs - x.summary.windowMs)[0];
		const text = [
			`# Where (a) spends N = ${n.toLocaleString('en-US')} in n8n ${runtime.version}`,
			'',
			`\`node .bench-build/scripts/bench/profile.js ${args.join(' ')}\` — ${new Date().toISOString()}. ` +
				`One \`n8n execute\` under \`--cpu-prof\` (which slows it): the node's executionTime was ${task?.executionTime ?? '?'} ms; ` +
				`the profile window from the first to the last sample in this package's code covers ${main?.summary.windowMs ?? '?'} ms.`,
			'',
			network
				? `Graph calls as the double saw them: ${network.calls} calls from the first arriving to the last answered in ${network.spanMs} ms, ` +
					`${network.meanInFlight.toFixed(2)} in flight on average, none in flight for ${network.idleMs} ms of it ` +
					`(physical limit ${physicalLimitMs(n, latency)} ms: ⌈N/50/4⌉ rounds of ${latency} ms).`
				: 'The double logged no answered call.',
			'',
			...(network
				? [
						'Each call, ms after the first arrived (in → answered, batch size): ' +
							network.each.map((call) => `${call.inMs}→${call.outMs} (${call.size})`).join(', ') +
							'.',
						'',
					]
				: []),
			'| package | ms | share |',
			'|---|---:|---:|',
			...(main?.summary.byPackage ?? []).map((row) => `| ${row.name} | ${row.ms} | ${row.share} % |`),
			'',
			'| function (self time) | where | ms | share |',
			'|---|---|---:|---:|',
			...(main?.summary.byFunction ?? []).map((row) => `| \`${row.name}\` | ${row.where} | ${row.ms} | ${row.share} % |`),
			'',
		].join('\n');
		const out = join(repoRoot, 'bench', `profile-a-${n}.md`);
		writeFileSync(out, text);
		console.log(text);
		console.log(`wrote ${out} (profiles in ${profileDir})`);
	} finally {
		await n8n?.dispose();
		await double.stop();
		await stopAll();
	}
}

if (require.main === module) {
	main()
		.then(() => process.exit(0))
		.catch((error: unknown) => {
			console.error(error);
			process.exit(1);
		});
}
