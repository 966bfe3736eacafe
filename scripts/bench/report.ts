/** Aggregates the bench's runs and writes them as JSON and Markdown (plus the README section). */
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';

import type { CpuResult } from './inProcess';
import { median } from './measure';
import { OURS, VARIANTS, VARIANT_NAMES } from './workflows';
import type { Variant } from './workflows';

/**
 * Unthrottled (at the bench's latency, and at 0 ms: n8n's own work per item), or under the app
 * quota with Meta refusing a throttled batch partly or as a whole.
 */
export const CONDITIONS = ['unthrottled', 'unthrottled-0ms', 'quota-partial', 'quota-whole'] as const;
export type Condition = (typeof CONDITIONS)[number];

export interface RunSample {
	variant: Variant;
	n: number;
	condition: Condition;
	/** The double's latency per request in this run (0 under `unthrottled-0ms`). */
	latencyMs?: number;
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
	/** Check for Alerts: the size of its watch list in the workflow's static data after the run. */
	staticDataBytes?: number;
	/** How the Graph calls lay in time (the double's request log): calls in flight, each arrival. */
	timeline?: SampleTimeline;
	status: string;
	error?: string;
}

export interface SampleTimeline {
	/** Mean calls in flight from the first arrival to the last answer. */
	meanInFlight: number;
	/** Time in that span with no call in flight, ms. */
	idleMs: number;
	spanMs: number;
	/** Each call's arrival, ms after the first, in order, and its batch size. */
	arrivalsMs: number[];
	sizes: number[];
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
	cpuCheckAlerts?: CpuResult;
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
	/** nodeMs ÷ N. */
	msPerItem: number;
	executionMs: number;
	peakRssMb: number;
	/** The physical limit (unthrottled) or the quota bound. */
	limitMs: number;
	/** nodeMs ÷ limitMs. */
	ofLimit: number;
	/** For this package's rows: the HTTP Request variants' node time ÷ this row's. */
	httpRatios: Partial<Record<Variant, number>>;
	/** Median mean calls in flight over the runs (when the double saw calls). */
	meanInFlight?: number;
	staticDataBytesPerToken?: number;
	statuses: string;
	firstError?: string;
}

export interface Target {
	target: string;
	met: boolean;
	value: string;
}

const CONDITION_LABEL: Record<Condition, string> = {
	unthrottled: 'unthrottled',
	'unthrottled-0ms': 'unthrottled, 0 ms latency',
	'quota-partial': 'quota, batches refused partly',
	'quota-whole': 'quota, batches refused whole',
};

/** The HTTP Request variants this package's rows are compared with, per condition. */
const HTTP_COMPARED: Record<Condition, Variant[]> = {
	unthrottled: ['b', 'q'],
	'unthrottled-0ms': ['b', 'q'],
	// Single calls are refused alike however Meta refuses a batch: (c) runs once, under quota-partial.
	'quota-partial': ['c'],
	'quota-whole': ['c'],
};

export function physicalLimitMs(n: number, latencyMs: number, concurrency = 4, batchSize = 50): number {
	return Math.ceil(n / batchSize / concurrency) * latencyMs;
}

/** A quota of q calls per window lets N calls through in ⌈N/q⌉ windows: the last opens (⌈N/q⌉−1) windows later. */
export function quotaFloorMs(n: number, share: number, windowMs: number, latencyMs: number): number {
	const perWindow = Math.ceil(share * n);
	return (Math.ceil(n / perWindow) - 1) * windowMs + latencyMs;
}

function limitOf(results: BenchResults, condition: Condition, n: number): number {
	if (condition === 'unthrottled-0ms') return 0;
	return condition === 'unthrottled'
		? physicalLimitMs(n, results.latencyMs, results.concurrency, results.batchSize)
		: quotaFloorMs(n, results.quota.share, results.quota.windowMs, results.latencyMs);
}

export function rows(results: BenchResults): Row[] {
	const out: Row[] = [];
	const conditions = CONDITIONS.filter((condition) => results.samples.some((sample) => sample.condition === condition));
	const sizes = [...new Set(results.samples.map((sample) => sample.n))].sort((x, y) => x - y);
	const of = (condition: Condition, n: number, variant: Variant) =>
		results.samples.filter((s) => s.condition === condition && s.n === n && s.variant === variant);
	const nodeMsOf = (condition: Condition, n: number, variant: Variant): number => {
		const samples = of(condition, n, variant).filter((s) => s.status === 'success' && s.error === undefined);
		// The HTTP Request node runs once under the quota (see HTTP_COMPARED).
		if (samples.length === 0 && condition === 'quota-whole') return nodeMsOf('quota-partial', n, variant);
		return median(samples.map((s) => s.nodeMs ?? NaN));
	};
	for (const condition of conditions) {
		for (const n of sizes) {
			const limitMs = limitOf(results, condition, n);
			for (const variant of VARIANTS) {
				const samples = of(condition, n, variant);
				if (samples.length === 0) continue;
				const nodeMs = median(samples.map((s) => s.nodeMs ?? NaN));
				const httpRatios: Row['httpRatios'] = {};
				if (OURS.has(variant)) {
					for (const http of HTTP_COMPARED[condition]) {
						const httpMs = nodeMsOf(condition, n, http);
						if (Number.isFinite(httpMs)) httpRatios[http] = httpMs / nodeMs;
					}
				}
				const staticBytes = samples.map((s) => s.staticDataBytes).filter((bytes): bytes is number => bytes !== undefined);
				const inFlight = samples.flatMap((s) => (s.timeline ? [s.timeline.meanInFlight] : []));
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
					msPerItem: nodeMs / n,
					executionMs: median(samples.map((s) => s.executionMs ?? NaN)),
					peakRssMb: Math.max(...samples.map((s) => (s.peakRssBytes ?? 0) / 2 ** 20)),
					limitMs,
					ofLimit: nodeMs / limitMs,
					httpRatios,
					meanInFlight: inFlight.length > 0 ? median(inFlight) : undefined,
					staticDataBytesPerToken: staticBytes.length > 0 ? median(staticBytes) / n : undefined,
					statuses: [...new Set(samples.map((s) => s.status))].join('/'),
					firstError: samples.find((s) => s.error)?.error,
				});
			}
		}
	}
	return out;
}

function fmtMs(ms: number): string {
	if (!Number.isFinite(ms)) return '—';
	return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

const times = (ratio: number): string => (Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '—');

export function targets(results: BenchResults, table: Row[]): Target[] {
	const list: Target[] = [];
	const find = (condition: Condition, n: number, variant: Variant) =>
		table.find((row) => row.condition === condition && row.n === n && row.variant === variant);
	for (const n of [1000, 5000]) {
		const label = n.toLocaleString('en-US');
		for (const variant of ['a', 'k'] as const) {
			const row = find('unthrottled', n, variant);
			if (!row) continue;
			list.push({
				target: `N = ${label} unthrottled: (${variant}) node time ≤ 1.5× the physical limit (≤ ${fmtMs(1.5 * row.limitMs)})`,
				met: row.ofLimit <= 1.5,
				value: `${fmtMs(row.nodeMs)} vs limit ${fmtMs(row.limitMs)} (${times(row.ofLimit)})`,
			});
			if (variant === 'a') {
				list.push({
					target: `N = ${label} unthrottled: (a) ≤ N/50 = ${n / 50} Graph calls`,
					met: row.roundTrips <= n / 50,
					value: `${row.roundTrips} Graph calls, ${row.countedCalls} counted`,
				});
			}
			for (const http of ['b', 'q'] as const) {
				const ratio = row.httpRatios[http];
				const httpRow = find('unthrottled', n, http);
				if (ratio === undefined || !httpRow) continue;
				list.push({
					target: `N = ${label} unthrottled: (${variant}) ≥ 3× faster than (${http}) ${VARIANT_NAMES[http]}`,
					met: ratio >= 3,
					value: `${fmtMs(row.nodeMs)} vs ${fmtMs(httpRow.nodeMs)} (${ratio.toFixed(1)}×)`,
				});
			}
		}
	}
	for (const row of table.filter((r) => r.condition === 'unthrottled-0ms' && (r.variant === 'a' || r.variant === 'k'))) {
		const floor = find('unthrottled-0ms', row.n, 'n');
		list.push({
			target: `N = ${row.n.toLocaleString('en-US')} at 0 ms latency: (${row.variant}) node time per item ≤ 0.2 ms`,
			met: row.msPerItem <= 0.2,
			value:
				`${row.msPerItem.toFixed(3)} ms per item (${fmtMs(row.nodeMs)}); pass-through floor (n): ` +
				(floor ? `${floor.msPerItem.toFixed(3)} ms per item (${fmtMs(floor.nodeMs)})` : 'not run'),
		});
	}
	for (const condition of ['quota-partial', 'quota-whole'] as const) {
		const quotaRows = table.filter((row) => row.condition === condition && row.variant === 'a');
		if (quotaRows.length === 0) continue;
		const label = CONDITION_LABEL[condition];
		list.push({
			target: `Under the ${label}: (a) inspects 100 % of tokens with zero errors`,
			met: quotaRows.every((row) => row.tokensOkMin === row.n && row.failedRuns === 0),
			value: quotaRows.map((row) => `N=${row.n}: ${row.tokensOkMin}/${row.n} in every run, ${row.failedRuns} failed`).join('; '),
		});
		list.push({
			target: `Under the ${label}: (a) counted calls ≤ 1.1 × N`,
			met: quotaRows.every((row) => row.countedCalls <= 1.1 * row.n),
			value: quotaRows.map((row) => `N=${row.n}: ${row.countedCalls} (${(row.countedCalls / row.n).toFixed(3)} × N)`).join('; '),
		});
		list.push({
			target: `Under the ${label}: (a) node time ≤ 1.5× the quota bound`,
			met: quotaRows.every((row) => row.ofLimit <= 1.5),
			value: quotaRows.map((row) => `N=${row.n}: ${fmtMs(row.nodeMs)} (${times(row.ofLimit)})`).join('; '),
		});
	}
	for (const k of table.filter((row) => row.condition === 'unthrottled' && row.variant === 'k')) {
		const a = find('unthrottled', k.n, 'a');
		list.push({
			target: `Check for Alerts, N = ${k.n.toLocaleString('en-US')}: as many Graph calls as Inspect`,
			met: a !== undefined && k.roundTrips === a.roundTrips,
			value: `${k.roundTrips} Graph calls (Inspect: ${a?.roundTrips ?? '—'}), ${k.tokensOkMin}/${k.n} tokens in the watch list`,
		});
	}
	const k = table.find((row) => row.condition === 'unthrottled' && row.variant === 'k' && row.staticDataBytesPerToken !== undefined);
	if (k) {
		list.push({
			target: 'Check for Alerts: static data per token (reported)',
			met: true,
			value: `${(k.staticDataBytesPerToken as number).toFixed(0)} bytes per token (JSON)`,
		});
	}
	if (results.cpuCheckAlerts) {
		list.push({
			target: 'Check for Alerts: node-side CPU ≤ 0.3 ms per item',
			met: results.cpuCheckAlerts.cpuMsPerItem <= 0.3,
			value: `${results.cpuCheckAlerts.cpuMsPerItem.toFixed(3)} ms per item (${results.cpuCheckAlerts.items} items, latency 0)`,
		});
	}
	list.push({
		target: 'Inspect: node-side CPU ≤ 1 ms per item',
		met: results.cpu.cpuMsPerItem <= 1,
		value: `${results.cpu.cpuMsPerItem.toFixed(3)} ms per item (${results.cpu.items} items, latency 0)`,
	});
	list.push({
		target: 'Packed package ≤ 100 KB',
		met: results.package.packedBytes <= 100 * 1024,
		value: `${(results.package.packedBytes / 1024).toFixed(1)} KB (${results.package.files} files, ${(results.package.unpackedBytes / 1024).toFixed(0)} KB unpacked)`,
	});
	list.push({
		target: 'Zero runtime dependencies',
		met: results.package.runtimeDependencies.length === 0,
		value: results.package.runtimeDependencies.length === 0 ? 'none' : results.package.runtimeDependencies.join(', '),
	});
	return list;
}

function table(results: BenchResults, data: Row[]): string {
	const lines = [
		'| N | condition | variant | Graph calls | calls in flight | tokens inspected | node time | per item | ÷ limit | HTTP Request ÷ this | n8n peak RSS | runs |',
		'|---:|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|',
	];
	for (const row of data) {
		const inspected =
			row.tokensOkMin === row.tokensOkMedian ? `${row.tokensOkMedian}` : `${row.tokensOkMedian} (min ${row.tokensOkMin})`;
		const failed = row.failedRuns > 0 ? ` — ${row.failedRuns} run(s) failed` : '';
		const ratios = Object.entries(row.httpRatios)
			.map(([variant, ratio]) => `(${variant}) ${ratio.toFixed(1)}×`)
			.join(', ');
		const ofLimit = row.limitMs === 0 ? '—' : row.failedRuns < row.runs ? times(row.ofLimit) : '— (failed)';
		lines.push(
			`| ${row.n.toLocaleString('en-US')} | ${CONDITION_LABEL[row.condition]} | (${row.variant}) ${VARIANT_NAMES[row.variant]} | ` +
				`${row.roundTrips} | ${row.meanInFlight === undefined ? '—' : row.meanInFlight.toFixed(2)} | ${inspected}${failed} | ${fmtMs(row.nodeMs)} | ` +
				`${Number.isFinite(row.msPerItem) ? row.msPerItem.toFixed(3) : '—'} ms | ${ofLimit} | ${ratios || '—'} | ` +
				`${row.peakRssMb.toFixed(0)} MB | ${row.runs} |`,
		);
	}
	const sizes = [...new Set(data.map((row) => row.n))];
	lines.push('');
	lines.push(
		`÷ limit: node time ÷ the physical limit ⌈N/50/4⌉ × ${results.latencyMs} ms unthrottled (` +
			sizes.map((n) => `N=${n.toLocaleString('en-US')} → ${fmtMs(physicalLimitMs(n, results.latencyMs))}`).join(', ') +
			`), ÷ the quota bound under the quota: no client can beat ⌈N / 0.4N⌉ = 3 windows, ` +
			`(3 − 1) × ${results.quota.windowMs / 1000} s + latency = ${fmtMs(quotaFloorMs(1000, results.quota.share, results.quota.windowMs, results.latencyMs))}. ` +
			'At 0 ms latency there is no physical limit to divide by: per item is what counts there, beside the pass-through floor (n). ' +
			'Calls in flight: the mean number of Graph calls open at the double from the first arrival to the last answer (median over runs; Concurrency is 4). ' +
			'HTTP Request ÷ this: how many times longer the HTTP Request node took than this row (its single calls are refused alike however Meta refuses a batch, so (c) runs once, under "refused partly").',
	);
	return lines.join('\n');
}

/** The arrival timeline of the batch calls of this package's first run at each N (at the bench's latency). */
function timelineSection(results: BenchResults): string[] {
	const lines: string[] = [];
	for (const sample of results.samples) {
		if (sample.condition !== 'unthrottled' || !OURS.has(sample.variant) || !sample.timeline) continue;
		if (lines.some((line) => line.startsWith(`- N=${sample.n.toLocaleString('en-US')}, (${sample.variant})`))) continue;
		const { timeline } = sample;
		lines.push(
			`- N=${sample.n.toLocaleString('en-US')}, (${sample.variant}) ${VARIANT_NAMES[sample.variant]}: ${timeline.arrivalsMs.length} calls in ${fmtMs(timeline.spanMs)}, ` +
				`${timeline.meanInFlight.toFixed(2)} in flight on average, none for ${fmtMs(timeline.idleMs)}; arrivals (ms after the first): ` +
				timeline.arrivalsMs.map((ms, index) => (timeline.sizes[index] === 50 ? `${ms}` : `${ms} (${timeline.sizes[index]})`)).join(', '),
		);
	}
	if (lines.length === 0) return [];
	return [
		'## When the batch calls arrive',
		'',
		`From the Graph double's request log (${results.latencyMs} ms per request, the first run of each): when each batch call of 50 tokens (else its size in brackets) arrived. ` +
			'Calls that leave together arrive within a few ms of each other: with Concurrency 4 the calls come in groups of four, one latency apart, once the first answer is in (before it, at most a tenth of the run goes out, or one full round when that round is at most a fifth of the run).',
		'',
		...lines,
		'',
	];
}

function variantsText(results: BenchResults): string[] {
	const batching = Object.entries(results.carefulBatching)
		.map(([n, b]) => `N=${Number(n).toLocaleString('en-US')}: ${b.batchSize} items every ${b.batchInterval} ms`)
		.join('; ');
	return [
		'- (a) Meta Token `inspect`, tokens as items (`Token Source: Input`, `{{ $json.token }}`), default Concurrency (4): ≤ 50 tokens per Graph batch call.',
		'- (e) the same with `Token: {{ ($json.token) }}`: the same value, not a plain field reference, so n8n\'s expression engine evaluates it per item — how (a) read its tokens before it read plain field references from the item.',
		'- (k) Meta Token `checkAlerts` on the same items (`Token: {{ $json.token }}`, `Token Name: {{ $json.name }}`, both per item), N ≥ 1,000; tokens inspected = entries of its watch list in the static data n8n saved.',
		"- (n) n8n's No Operation node on the same items: the pass-through floor, what n8n needs to hand the items through a node that does nothing.",
		'- Unthrottled, 0 ms latency: the same with the double answering at once, so that n8n\'s and the node\'s own work per item shows.',
		'- (b) HTTP Request node, `GET /v25.0/debug_token?input_token={{ $json.token }}` per item, the app token from a Header Auth credential, defaults untouched.',
		'- (q) the same with the app token in the URL (`&access_token=APP_ID|APP_SECRET`), no credential, as templates show it.',
		`- (c) (b) with Batching set to stay under 90 % of the quota (5 batches per 5-s window, 1.1 s apart): ${batching}.`,
		'- Quota conditions: the double allows 40 % of N calls per 5-s window; every call and every batch sub-request counts, refused ones too; past it code 4 with `x-app-usage` `call_count` over 100. *Refused partly*: a batch is answered, its sub-requests past the quota each with code 4 and usage headers; *refused whole*: a batch whose sub-requests do not all fit is refused as a call (403, code 4).',
		"- node time = n8n's own `executionTime` of the node under test; Graph calls = HTTP requests the double saw (a batch is one); calls counted = what Meta counts (single calls plus batch sub-requests); peak RSS = VmHWM of the `n8n execute` process (max over runs; the Code node's task runner is a separate process, not included).",
	];
}

function markdown(results: BenchResults): string {
	const data = rows(results);
	const goals = targets(results, data);
	const hasLarge = results.samples.some((sample) => sample.n >= 5000);
	const large = hasLarge && results.runsLarge !== results.runs ? ` (N = 5,000: ${results.runsLarge} run(s), to keep the bench within ~20 minutes on 2 cores)` : '';
	const cpuSection = (title: string, cpu: CpuResult): string[] => [
		`## ${title}`,
		'',
		`${cpu.items} tokens through the node's \`execute\` in n8n-core's ExecuteContext, the double in another process: ` +
			`**${cpu.cpuMsPerItem.toFixed(3)} ms CPU per item** (median of ${cpu.runs}), ${fmtMs(cpu.wallMs)} wall. ` +
			"Where one profiled run spends its CPU (self time, sampled with V8's profiler, which slows the run; native frames are Node's C++: sockets, HTTP parsing, the profiler):",
		'',
		'| function | where | self | share |',
		'|---|---|---:|---:|',
		...cpu.profile.map((entry) => `| \`${entry.function}\` | ${entry.where} | ${entry.selfMs} ms | ${entry.share} % |`),
		'',
	];
	const lines = [
		'# Bulk inspect benchmark',
		'',
		`\`${results.command}\` — ${results.generatedAt}, n8n ${results.n8nVersion} (\`n8n execute\`, package installed from its tarball), ` +
			`${results.machine.cores} cores (${results.machine.cpu}), Graph double in its own process with ${results.latencyMs} ms latency per request. ` +
			`Medians of ${results.runs} runs${large}, variants alternating within each run. ` +
			'The machine is shared with other work: compare the ratios within this run, not absolute times across runs.',
		'',
		...variantsText(results),
		'',
		table(results, data),
		'',
		...timelineSection(results),
		'## Targets',
		'',
		'| target | met | measured |',
		'|---|---|---|',
		...goals.map((goal) => `| ${goal.target} | ${goal.met ? 'yes' : '**no**'} | ${goal.value} |`),
		'',
		...cpuSection('Node-side CPU: inspect (in-process, latency 0)', results.cpu),
		...(results.cpuCheckAlerts ? cpuSection('Node-side CPU: Check for Alerts (in-process, latency 0)', results.cpuCheckAlerts) : []),
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

/** The README's Performance section: the latest table and the command. */
export function readmeSection(results: BenchResults): string {
	const data = rows(results);
	return [
		'## Performance',
		'',
		'Agencies inspect dozens to thousands of client tokens at once. `npm run bench` runs the same',
		"inspection in a real n8n 2.x against a local Graph API double (100 ms per request, and 0 ms): this",
		"node's `inspect` and `checkAlerts`, the HTTP Request node calling `debug_token` per item the two ways",
		'users configure it (a Header Auth credential; the app token in the URL), and n8n\'s No Operation',
		'node over the same items — the floor, what n8n needs to pass the items on. It runs again under an',
		'app quota of 40 % of the tokens per 5-s window, where every call and every batch sub-request',
		'counts, as at Meta — once with Meta answering a throttled batch partly, once refusing it whole.',
		'Latest run:',
		'',
		`\`\`\`bash\n${results.command}\n\`\`\``,
		'',
		table(results, data),
		'',
		'Inspect reads the items\' tokens and sends each 50 as one Graph batch call as soon as they are read,',
		'up to Concurrency (4) calls in flight. A Token (or Token Name) that is a plain field reference,',
		'`{{ $json.token }}` or `{{ $json["token"] }}`, is read from the item itself instead of through',
		"n8n's expression engine (about 1 ms per item in n8n 2.x), with the same result; any other",
		'expression is evaluated by n8n as before. So a thousand tokens are read in milliseconds and the',
		'batch calls go out four at a time.',
		"Under a quota it paces itself on Meta's usage headers: every answer says how many calls it carried",
		'and where the app\'s usage stood after them, so each batch is cut to what still fits; before the',
		'first answer at most a tenth of the run goes out (one full round of Concurrency calls when that is',
		'at most a fifth of it: 1,000 tokens go 4 × 50). Once Meta throttles (a refused call, usage at',
		'100 % or an announced wait), every call waits the pause out — Meta\'s announced wait, else one',
		'second — and then one call of one token probes, every second for the first five, then backing off',
		'exponentially; rate-limited tokens are retried for up to 5 minutes of pauses, so a quota slows a',
		'large inspection down instead of failing it, and a refused probe costs one counted call, not fifty.',
		'Full results, targets and the CPU profile: [`bench/results.md`](bench/results.md).',
		'',
	].join('\n');
}

export function writeReport(results: BenchResults, outDir: string): { json: string; markdown: string; readme: string; text: string } {
	mkdirSync(outDir, { recursive: true });
	const json = join(outDir, 'results.json');
	const md = join(outDir, 'results.md');
	const readme = join(outDir, 'readme-performance.md');
	const text = markdown(results);
	const table = rows(results);
	// The arrival of every single call of the HTTP Request node (thousands a run) is nothing
	// results.md shows; its figures (in flight, idle, span) stay, the per-call lists go: the file
	// stays small enough to review.
	const samples = results.samples.map((sample) =>
		sample.timeline && !OURS.has(sample.variant)
			? { ...sample, timeline: { ...sample.timeline, arrivalsMs: [], sizes: [] } }
			: sample,
	);
	const summary = { ...results, samples, rows: table, targets: targets(results, table) };
	writeFileSync(json, `${JSON.stringify(summary, null, 2)}\n`);
	writeFileSync(md, text);
	writeFileSync(readme, readmeSection(results));
	return { json, markdown: md, readme, text };
}
