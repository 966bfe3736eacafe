/** Aggregates the bench's runs and writes them as JSON and Markdown (plus the README section). */
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';

import { repoRoot } from '../../e2e/support/paths';
import type { CpuResult } from './inProcess';
import { median } from './measure';
import { VARIANTS, VARIANT_NAMES } from './workflows';
import type { Variant } from './workflows';

export type Condition = 'unthrottled' | 'quota';

export interface RunSample {
	variant: Variant;
	n: number;
	condition: Condition;
	/** n8n's executionTime of the node under test. */
	nodeMs?: number;
	/** n8n's execution startedAt → stoppedAt (Code node emitting the items included). */
	executionMs?: number;
	/** The whole `n8n execute` process, boot included (context only). */
	processMs: number;
	tokensOk: number;
	items: number;
	roundTrips: number;
	countedCalls: number;
	byStatus: Record<string, number>;
	peakRssBytes?: number;
	status: string;
	error?: string;
}

export interface BenchResults {
	generatedAt: string;
	command: string;
	machine: { cores: number; cpu: string; benchNode: string };
	n8nVersion: string;
	latencyMs: number;
	concurrency: number;
	batchSize: number;
	quota: { share: number; windowMs: number };
	carefulBatching: Record<string, { batchSize: number; batchInterval: number }>;
	runs: number;
	runsLarge: number;
	cpu: CpuResult;
	package: {
		filename: string;
		packedBytes: number;
		unpackedBytes: number;
		files: number;
		runtimeDependencies: string[];
	};
	samples: RunSample[];
}

export interface Row {
	condition: Condition;
	n: number;
	variant: Variant;
	runs: number;
	roundTrips: number;
	countedCalls: number;
	tokensOkMedian: number;
	tokensOkMin: number;
	failedRuns: number;
	nodeMs: number;
	executionMs: number;
	ratioToA: number;
	peakRssMb: number;
	physicalLimitMs: number;
	quotaFloorMs?: number;
	statuses: string;
	firstError?: string;
}

export interface Target {
	target: string;
	met: boolean;
	value: string;
	note?: string;
}

const CONDITION_LABEL: Record<Condition, string> = {
	unthrottled: 'unthrottled',
	quota: 'quota 40 % of N / 5 s',
};

export function physicalLimitMs(n: number, latencyMs: number, concurrency = 4, batchSize = 50): number {
	return Math.ceil(n / batchSize / concurrency) * latencyMs;
}

/** A quota of q calls per window lets N calls through in ⌈N/q⌉ windows: the last opens (⌈N/q⌉−1) windows later. */
export function quotaFloorMs(n: number, share: number, windowMs: number, latencyMs: number): number {
	const perWindow = Math.ceil(share * n);
	return (Math.ceil(n / perWindow) - 1) * windowMs + latencyMs;
}

export function rows(results: BenchResults): Row[] {
	const out: Row[] = [];
	const conditions = [...new Set(results.samples.map((sample) => sample.condition))];
	const sizes = [...new Set(results.samples.map((sample) => sample.n))];
	for (const condition of conditions) {
		for (const n of sizes) {
			const of = (variant: Variant) =>
				results.samples.filter((s) => s.condition === condition && s.n === n && s.variant === variant);
			const aMs = median(of('a').map((s) => s.nodeMs ?? NaN));
			for (const variant of VARIANTS) {
				const samples = of(variant);
				if (samples.length === 0) continue;
				const nodeMs = median(samples.map((s) => s.nodeMs ?? NaN));
				const statuses = [...new Set(samples.map((s) => s.status))].join('/');
				out.push({
					condition,
					n,
					variant,
					runs: samples.length,
					roundTrips: median(samples.map((s) => s.roundTrips)),
					countedCalls: median(samples.map((s) => s.countedCalls)),
					tokensOkMedian: median(samples.map((s) => s.tokensOk)),
					tokensOkMin: Math.min(...samples.map((s) => s.tokensOk)),
					failedRuns: samples.filter((s) => s.status !== 'success' || s.error !== undefined).length,
					nodeMs,
					executionMs: median(samples.map((s) => s.executionMs ?? NaN)),
					ratioToA: nodeMs / aMs,
					peakRssMb: Math.max(...samples.map((s) => (s.peakRssBytes ?? 0) / 2 ** 20)),
					physicalLimitMs: physicalLimitMs(n, results.latencyMs),
					quotaFloorMs:
						condition === 'quota' ? quotaFloorMs(n, results.quota.share, results.quota.windowMs, results.latencyMs) : undefined,
					statuses,
					firstError: samples.find((s) => s.error)?.error,
				});
			}
		}
	}
	return out;
}

export function targets(results: BenchResults, table: Row[]): Target[] {
	const list: Target[] = [];
	const find = (condition: Condition, n: number, variant: Variant) =>
		table.find((row) => row.condition === condition && row.n === n && row.variant === variant);
	const a = find('unthrottled', 1000, 'a');
	const b = find('unthrottled', 1000, 'b');
	if (a && b) {
		const fewer = b.roundTrips / a.roundTrips;
		list.push({
			target: 'N = 1,000 unthrottled: ≤ 20 Graph round trips, 50× fewer than (b)',
			met: a.roundTrips <= 20 && fewer >= 50,
			value: `${a.roundTrips} round trips vs ${b.roundTrips} (${fewer.toFixed(0)}× fewer)`,
		});
		const faster = b.nodeMs / a.nodeMs;
		list.push({
			target: 'N = 1,000 unthrottled: wall time ≥ 3× faster than (b)',
			met: faster >= 3,
			value: `${fmtMs(a.nodeMs)} vs ${fmtMs(b.nodeMs)} (${faster.toFixed(1)}×)`,
		});
		const ofLimit = a.nodeMs / a.physicalLimitMs;
		list.push({
			target: 'N = 1,000 unthrottled: within 2× of the physical limit',
			met: ofLimit <= 2,
			value: `${fmtMs(a.nodeMs)} vs limit ${fmtMs(a.physicalLimitMs)} (${ofLimit.toFixed(2)}×)`,
		});
	}
	const quotaRows = table.filter((row) => row.condition === 'quota' && row.variant === 'a');
	if (quotaRows.length > 0) {
		const perfect = quotaRows.every((row) => row.tokensOkMin === row.n && row.failedRuns === 0);
		list.push({
			target: 'Under the quota: (a) inspects 100 % of tokens with zero errors',
			met: perfect,
			value: quotaRows.map((row) => `N=${row.n}: ${row.tokensOkMin}/${row.n} in every run, ${row.failedRuns} failed runs`).join('; '),
		});
	}
	list.push({
		target: 'Node-side CPU ≤ 1 ms per item',
		met: results.cpu.cpuMsPerItem <= 1,
		value: `${results.cpu.cpuMsPerItem.toFixed(3)} ms per item (${results.cpu.items} items, latency 0)`,
	});
	list.push({
		target: 'Packed package ≤ 60 KB',
		met: results.package.packedBytes <= 60 * 1024,
		value: `${(results.package.packedBytes / 1024).toFixed(1)} KB (${results.package.files} files, ${(results.package.unpackedBytes / 1024).toFixed(0)} KB unpacked)`,
	});
	list.push({
		target: 'Zero runtime dependencies',
		met: results.package.runtimeDependencies.length === 0,
		value: results.package.runtimeDependencies.length === 0 ? 'none' : results.package.runtimeDependencies.join(', '),
	});
	return list;
}

function fmtMs(ms: number): string {
	if (!Number.isFinite(ms)) return '—';
	return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function table(results: BenchResults, data: Row[]): string {
	const lines = [
		'| N | condition | variant | Graph round trips | calls counted | tokens inspected | wall (node) | ratio to (a) | execution | n8n peak RSS | runs |',
		'|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
	];
	for (const row of data) {
		const inspected =
			row.tokensOkMin === row.tokensOkMedian ? `${row.tokensOkMedian}` : `${row.tokensOkMedian} (min ${row.tokensOkMin})`;
		const failed = row.failedRuns > 0 ? ` — ${row.failedRuns} run(s) failed` : '';
		lines.push(
			`| ${row.n.toLocaleString('en-US')} | ${CONDITION_LABEL[row.condition]} | (${row.variant}) ${VARIANT_NAMES[row.variant]} | ` +
				`${row.roundTrips} | ${row.countedCalls} | ${inspected}${failed} | ${fmtMs(row.nodeMs)} | ` +
				`${Number.isFinite(row.ratioToA) && row.failedRuns < row.runs ? `${row.ratioToA.toFixed(2)}×` : '— (failed)'} | ${fmtMs(row.executionMs)} | ` +
				`${row.peakRssMb.toFixed(0)} MB | ${row.runs} |`,
		);
	}
	const sizes = [...new Set(data.map((row) => row.n))];
	lines.push('');
	lines.push(
		`Physical limit ⌈N/50/4⌉ × ${results.latencyMs} ms: ` +
			sizes.map((n) => `N=${n.toLocaleString('en-US')} → ${fmtMs(physicalLimitMs(n, results.latencyMs))}`).join(', ') +
			`. Under the quota no client can beat ⌈N / 0.4N⌉ = 3 windows: ` +
			`(3 − 1) × ${results.quota.windowMs / 1000} s + latency ≈ ${fmtMs(quotaFloorMs(1000, results.quota.share, results.quota.windowMs, results.latencyMs))}.`,
	);
	return lines.join('\n');
}

function markdown(results: BenchResults): string {
	const data = rows(results);
	const goals = targets(results, data);
	const hasLarge = results.samples.some((sample) => sample.n >= 5000);
	const large =
		hasLarge && results.runsLarge < results.runs
			? ` (**N = 5,000: ${results.runsLarge} run(s) only**, to keep the bench within ~20 minutes on 2 cores)`
			: hasLarge && results.runsLarge !== results.runs
				? ` (N = 5,000: ${results.runsLarge} runs)`
				: '';
	const batching = Object.entries(results.carefulBatching)
		.map(([n, b]) => `N=${Number(n).toLocaleString('en-US')}: ${b.batchSize} items every ${b.batchInterval} ms`)
		.join('; ');
	const lines = [
		'# Bulk inspect benchmark',
		'',
		`\`${results.command}\` — ${results.generatedAt}, n8n ${results.n8nVersion} (\`n8n execute\`, package installed from its tarball), ` +
			`${results.machine.cores} cores (${results.machine.cpu}), Graph double in its own process with ${results.latencyMs} ms latency per request. ` +
			`Medians of ${results.runs} runs${large}, variants alternating within each run.`,
		'',
		'- (a) Meta Token `inspect`, tokens as items: ≤ 50 tokens per Graph batch call, 4 calls in flight, pacing on the usage headers.',
		'- (b) HTTP Request node, `GET /v25.0/debug_token?input_token={{ $json.token }}` per item with a Header Auth app token, defaults untouched.',
		`- (c) the same with Batching set to stay under 90 % of the quota (5 batches per 5-s window, 1.1 s apart): ${batching}.`,
		'- Quota condition: the double allows 40 % of N calls per 5-s window; every call and every batch sub-request counts; past it code 4 with `x-app-usage` `call_count` over 100.',
		'- wall (node) = n8n\'s own `executionTime` of the node under test; execution = n8n\'s `startedAt` → `stoppedAt` (the Code node emitting N items included); peak RSS = VmHWM of the `n8n execute` process (max over runs; the Code node\'s task runner is a separate process, not included).',
		'',
		table(results, data),
		'',
		'## Targets',
		'',
		'| target | met | measured |',
		'|---|---|---|',
		...goals.map((goal) => `| ${goal.target} | ${goal.met ? 'yes' : '**no**'} | ${goal.value} |`),
		'',
		`## Node-side CPU (in-process, latency 0)`,
		'',
		`${results.cpu.items} tokens through the node's \`execute\` in n8n-core's ExecuteContext, the double in another process: ` +
			`**${results.cpu.cpuMsPerItem.toFixed(3)} ms CPU per item** (median of ${results.cpu.runs}), ${fmtMs(results.cpu.wallMs)} wall. ` +
			'Where one profiled run spends its CPU (self time, sampled with V8\'s profiler, which slows the run; native frames are Node\'s C++: sockets, HTTP parsing, the profiler):',
		'',
		'| function | where | self | share |',
		'|---|---|---:|---:|',
		...results.cpu.profile.map((entry) => `| \`${entry.function}\` | ${entry.where} | ${entry.selfMs} ms | ${entry.share} % |`),
		'',
		`Package: \`${results.package.filename}\` ${(results.package.packedBytes / 1024).toFixed(1)} KB packed, ` +
			`${results.package.files} files, runtime dependencies: ${results.package.runtimeDependencies.length === 0 ? 'none' : results.package.runtimeDependencies.join(', ')}.`,
	];
	const errors = data.filter((row) => row.firstError);
	if (errors.length > 0) {
		lines.push('', '## Errors seen', '');
		for (const row of errors) {
			const sample = results.samples.find(
				(s) => s.condition === row.condition && s.n === row.n && s.variant === row.variant && s.error,
			);
			const statuses = sample
				? Object.entries(sample.byStatus)
						.map(([status, count]) => `${count} × HTTP ${status}`)
						.join(', ')
				: '';
			lines.push(
				`- N=${row.n}, ${CONDITION_LABEL[row.condition]}, (${row.variant}) ${VARIANT_NAMES[row.variant]}: ` +
					`${row.failedRuns}/${row.runs} runs failed — n8n: "${row.firstError}"; the double answered ${statuses}.`,
			);
		}
	}
	return `${lines.join('\n')}\n`;
}

function readmeSection(results: BenchResults): string {
	const data = rows(results);
	return [
		'## Performance',
		'',
		'Agencies inspect dozens to thousands of client tokens at once. `npm run bench` runs the same',
		'inspection three ways in a real n8n 2.x against a local Graph API double (100 ms per request,',
		'and a second time with an app quota of 40 % of the tokens per 5-s window, where every call and',
		'every batch sub-request counts, as at Meta): (a) this node\'s `inspect`, (b) the HTTP Request node',
		'calling `debug_token` per item with its defaults, (c) the same with Batching set to stay under',
		'the quota. Latest run:',
		'',
		`\`\`\`bash\n${results.command}\n\`\`\``,
		'',
		table(results, data),
		'',
		'The node sends ≤ 50 tokens per Graph batch call, 4 calls in flight, and paces itself on Meta\'s',
		'usage headers: a rate-limit answer, `call_count` ≥ 100 or an announced wait sets one pause that',
		'every concurrent call waits out; after it one probe goes first, and at ≥ 90 % one call at a time.',
		'Rate-limited tokens are retried for up to 5 minutes of pauses, so a quota slows a large',
		'inspection down instead of failing it. Full results, targets and the CPU profile:',
		'[`bench/results.md`](bench/results.md).',
		'',
	].join('\n');
}

export function writeReport(results: BenchResults, outDir: string): { json: string; markdown: string; text: string } {
	mkdirSync(outDir, { recursive: true });
	const json = join(outDir, 'results.json');
	const md = join(outDir, 'results.md');
	const text = markdown(results);
	const summary = { ...results, rows: rows(results), targets: targets(results, rows(results)) };
	writeFileSync(json, `${JSON.stringify(summary, null, 2)}\n`);
	writeFileSync(md, text);
	const docs = join(repoRoot, 'docs');
	mkdirSync(docs, { recursive: true });
	writeFileSync(join(docs, 'bench-readme-section.md'), readmeSection(results));
	return { json, markdown: md, text };
}
