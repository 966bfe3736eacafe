/**
 * Bulk inspect (batched and pipelined) in a real n8n 2.x against what users build today. Run through
 * `npm run bench` (scripts/bench/run.sh), which installs and builds first.
 *
 *   node .bench-build/scripts/bench/bench.js [--sizes 100,1000,5000] [--runs 3] [--runs-large 2]
 *        [--latency 100] [--conditions unthrottled,unthrottled-0ms,quota-partial,quota-whole] [--variants a,k,n,b,q,c]
 *        [--cpu-items 5000] [--out bench] [--env NAME=value]…
 *
 * For each condition, N and run, the variants of that condition (PLAN) run alternately, each as
 * its own `n8n execute` of an imported workflow; node time comes from n8n's run data, Graph calls,
 * counted calls and the arrival timeline of the calls from the Graph double's request log, peak
 * RSS from /proc (VmHWM of the `n8n execute` process). Condition `unthrottled-0ms` runs with the
 * double answering at once, whatever --latency says.
 */
import { execFileSync } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import { cpus } from 'os';
import { join } from 'path';

import { GraphDoubleProcess } from '../../e2e/support/graphDoubleProcess';
import { N8nInstance } from '../../e2e/support/n8n';
import type { RunResult } from '../../e2e/support/n8n';
import { repoRoot } from '../../e2e/support/paths';
import { stopAll } from '../../e2e/support/processes';
import { packedTarball } from '../../e2e/support/tarball';
import { REPORTING_APP } from '../../e2e/support/tokens';
import { clearRequests, requestLog, setLatency, setQuota, timelineOf, trafficOf } from './doubleControl';
import { benchRuntime } from './runtime';
import type { DoubleTraffic } from './doubleControl';
import { measureCpu } from './inProcess';
import { watchPeakRss } from './measure';
import { CONDITIONS, writeReport } from './report';
import { benchSeed, benchTokens } from './seed';
import type { BenchResults, Condition, RunSample } from './report';
import {
	NODE_UNDER_TEST,
	QUOTA_SHARE,
	QUOTA_WINDOW_MS,
	VARIANTS,
	benchWorkflow,
	carefulBatching,
	credentials,
	workflowId,
} from './workflows';
import type { Variant } from './workflows';

/**
 * What runs where. Unthrottled: this package against both ways users configure the HTTP Request
 * node, Inspect with its Token evaluated by n8n (how it read tokens before reading plain field
 * references from the items), and n8n's No Operation node over the same items (the pass-through
 * floor); at 0 ms latency the same without (b), so that n8n's own work per item shows. Under the quota the HTTP Request
 * node's single calls are refused alike however Meta refuses batches, and with its defaults it
 * fails: only its careful Batching runs, once. Check for Alerts runs at N ≥ 1,000.
 */
const PLAN: Record<Condition, Variant[]> = {
	unthrottled: ['a', 'e', 'k', 'n', 'b', 'q'],
	'unthrottled-0ms': ['a', 'e', 'k', 'n', 'q'],
	'quota-partial': ['a', 'c'],
	'quota-whole': ['a'],
};

interface Options {
	sizes: number[];
	runs: number;
	runsLarge: number;
	latencyMs: number;
	conditions: Condition[];
	variants: Variant[];
	cpuItems: number;
	out: string;
	/** Added to n8n's environment (`--env NAME=value`, repeatable). */
	env: Record<string, string>;
}

function parseOptions(argv: string[]): Options {
	const options: Options = {
		sizes: [100, 1000, 5000],
		runs: 3,
		runsLarge: 2,
		latencyMs: 100,
		conditions: [...CONDITIONS],
		variants: [...VARIANTS],
		cpuItems: 5000,
		out: join(repoRoot, 'bench'),
		env: {},
	};
	for (let i = 0; i < argv.length; i++) {
		const [flag, inline] = argv[i].split(/=(.*)/s, 2);
		const value = inline ?? argv[++i];
		if (value === undefined) throw new Error(`${flag} needs a value`);
		switch (flag) {
			case '--sizes':
				options.sizes = value.split(',').map(Number);
				break;
			case '--runs':
				options.runs = Number(value);
				break;
			case '--runs-large':
				options.runsLarge = Number(value);
				break;
			case '--latency':
				options.latencyMs = Number(value);
				break;
			case '--conditions':
				options.conditions = value.split(',') as Condition[];
				for (const condition of options.conditions) {
					if (!CONDITIONS.includes(condition)) throw new Error(`unknown condition ${condition} (${CONDITIONS.join(', ')})`);
				}
				break;
			case '--variants':
				options.variants = value.split(',') as Variant[];
				for (const variant of options.variants) {
					if (!VARIANTS.includes(variant)) throw new Error(`unknown variant ${variant} (${VARIANTS.join(', ')})`);
				}
				break;
			case '--cpu-items':
				options.cpuItems = Number(value);
				break;
			case '--out':
				options.out = value;
				break;
			case '--env': {
				const [name, setting] = value.split(/=(.*)/s, 2);
				if (setting === undefined) throw new Error('--env needs NAME=value');
				options.env[name] = setting;
				break;
			}
			default:
				throw new Error(`unknown option ${flag}`);
		}
	}
	return options;
}

const APP = REPORTING_APP;

interface RunData {
	startTime?: number;
	executionTime?: number;
	error?: { message: string };
	data?: { main: Array<Array<{ json: Record<string, unknown> }> | null> };
}

type FullRun = RunResult & { startedAt?: string; stoppedAt?: string };

function tokensInspected(variant: Variant, items: Array<{ json: Record<string, unknown> }>): number {
	if (variant === 'a' || variant === 'e') return items.filter((item) => typeof item.json.isValid === 'boolean').length;
	// The pass-through floor inspects nothing: the items it handed on.
	if (variant === 'n') return items.length;
	return items.filter((item) => {
		const data = item.json.data as Record<string, unknown> | undefined;
		return typeof data?.is_valid === 'boolean';
	}).length;
}

/** The quota a condition sets on the double (null: none). */
function quotaOf(condition: Condition, n: number): Parameters<typeof setQuota>[1] {
	if (!condition.startsWith('quota')) return null;
	return { calls: Math.ceil(QUOTA_SHARE * n), windowMs: QUOTA_WINDOW_MS, batches: condition === 'quota-whole' ? 'whole' : 'partial' };
}

/**
 * Check for Alerts keeps a history per token in the node's static data, which n8n saves after a
 * run that is not manual: read back from the workflow (`export:workflow`), its entries are the
 * tokens checked and its size what a token costs n8n to keep.
 */
async function watchListOf(n8n: N8nInstance, id: string): Promise<{ tokens: number; bytes: number }> {
	const file = join(n8n.userFolder, `export-${id}-${Date.now()}.json`);
	const result = await n8n.cli(['export:workflow', `--id=${id}`, `--output=${file}`]);
	if (result.code !== 0 || !existsSync(file)) throw new Error(`export:workflow ${id} failed:\n${result.output.slice(-2000)}`);
	const [exported] = JSON.parse(readFileSync(file, 'utf8')) as Array<{ staticData?: Record<string, Record<string, unknown>> | null }>;
	const list = exported?.staticData?.[`node:${NODE_UNDER_TEST}`]?.watchList as
		| { named?: Record<string, unknown>; unnamed?: Record<string, unknown> }
		| undefined;
	const tokens = Object.keys(list?.named ?? {}).length + Object.keys(list?.unnamed ?? {}).length;
	return { tokens, bytes: list ? Buffer.byteLength(JSON.stringify(list)) : 0 };
}

async function runOnce(
	n8n: N8nInstance,
	doubleUrl: string,
	variant: Variant,
	n: number,
	condition: Condition,
	latencyMs: number,
): Promise<RunSample> {
	await clearRequests(doubleUrl);
	await setQuota(doubleUrl, quotaOf(condition, n));
	const id = workflowId(variant, n);
	const rss = watchPeakRss(['execute', `--id=${id}`]);
	const started = Date.now();
	const result = await n8n.execute(id);
	const processMs = Date.now() - started;
	const peakRssBytes = rss.stop();
	const requests = await requestLog(doubleUrl);
	const seen: DoubleTraffic = trafficOf(requests);
	const timeline = timelineOf(requests);
	const run = result.run as FullRun | undefined;
	const task = run?.data.resultData.runData[NODE_UNDER_TEST]?.[0] as RunData | undefined;
	const items = task?.data?.main[0] ?? [];
	const executionMs =
		run?.startedAt && run.stoppedAt ? Date.parse(run.stoppedAt) - Date.parse(run.startedAt) : undefined;
	const error = task?.error?.message ?? run?.data.resultData.error?.message ?? (result.run ? undefined : 'no run data printed');
	const watchList = variant === 'k' && !error ? await watchListOf(n8n, id) : undefined;
	return {
		variant,
		n,
		condition,
		latencyMs,
		nodeMs: task?.executionTime,
		executionMs,
		processMs,
		tokensOk: watchList ? watchList.tokens : tokensInspected(variant, items),
		items: items.length,
		roundTrips: seen.roundTrips,
		countedCalls: seen.countedCalls,
		byStatus: seen.byStatus,
		peakRssBytes,
		staticDataBytes: watchList?.bytes,
		timeline: timeline && {
			meanInFlight: timeline.meanInFlight,
			idleMs: timeline.idleMs,
			spanMs: timeline.spanMs,
			arrivalsMs: timeline.each.map((call) => call.inMs),
			sizes: timeline.each.map((call) => call.size),
		},
		status: run?.status ?? (result.ok ? 'success' : 'error'),
		error: error?.slice(0, 300),
	};
}

/** Whether the built package has the Check for Alerts operation: without it, (k) cannot run. */
function hasCheckAlerts(): boolean {
	return existsSync(join(repoRoot, 'dist', 'nodes', 'MetaToken', 'actions', 'checkAlerts.operation.js'));
}

function packInfo(): BenchResults['package'] {
	// dist/ was just built by scripts/e2e/build.sh's `npm pack`; no need to run prepack again.
	const raw = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', '--loglevel=error'], {
		cwd: repoRoot,
		encoding: 'utf8',
	});
	const [pack] = JSON.parse(raw) as Array<{ size: number; unpackedSize: number; entryCount: number; filename: string }>;
	const manifest = JSON.parse(execFileSync('node', ['-p', 'JSON.stringify(require("./package.json"))'], { cwd: repoRoot, encoding: 'utf8' })) as {
		dependencies?: Record<string, string>;
	};
	return {
		filename: pack.filename,
		packedBytes: pack.size,
		unpackedBytes: pack.unpackedSize,
		files: pack.entryCount,
		runtimeDependencies: Object.keys(manifest.dependencies ?? {}),
	};
}

async function main(): Promise<void> {
	const options = parseOptions(process.argv.slice(2));
	const maxN = Math.max(...options.sizes, options.cpuItems);
	const tokens = benchTokens(maxN);
	const seed = benchSeed(tokens);
	const runtime = benchRuntime();
	const tarball = packedTarball();
	const started = Date.now();
	const log = (line: string): void => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

	log(`n8n ${runtime.version}, ${cpus().length} cores, latency ${options.latencyMs} ms, sizes ${options.sizes.join(', ')}, runs ${options.runs} (N ≥ 5000: ${options.runsLarge})`);
	const double = await GraphDoubleProcess.start(seed);
	let n8n: N8nInstance | undefined;
	try {
		await setLatency(double.url, 0);
		await setQuota(double.url, null);
		const variants = options.variants.filter((variant) => variant !== 'k' || hasCheckAlerts());
		if (variants.length < options.variants.length) log('(k) skipped: this build has no Check for Alerts operation');
		log(`in-process CPU per item: ${options.cpuItems} tokens, latency 0, double in its own process`);
		const cpu = await measureCpu(double.url, APP, tokens.slice(0, options.cpuItems), 3, 'inspect');
		log(`  inspect: ${cpu.cpuMsPerItem.toFixed(3)} ms CPU per item, ${cpu.wallMs.toFixed(0)} ms wall for ${cpu.items}`);
		const cpuCheckAlerts = variants.includes('k')
			? await measureCpu(double.url, APP, tokens.slice(0, options.cpuItems), 3, 'checkAlerts')
			: undefined;
		if (cpuCheckAlerts) {
			log(`  checkAlerts: ${cpuCheckAlerts.cpuMsPerItem.toFixed(3)} ms CPU per item, ${cpuCheckAlerts.wallMs.toFixed(0)} ms wall`);
		}
		const pack = packInfo();
		log(`package ${pack.filename}: ${pack.packedBytes} bytes packed, runtime dependencies: ${pack.runtimeDependencies.length}`);

		n8n = await N8nInstance.create(runtime, tarball, { env: options.env });
		await n8n.importCredentials(credentials(APP, double.url, tokens[7]));
		const workflows = options.sizes.flatMap((n) =>
			variants.map((variant) => benchWorkflow(variant, n, tokens, double.url, APP)),
		);
		await n8n.importWorkflows(workflows);
		log(`n8n user folder ${n8n.userFolder}: credentials and ${workflows.length} workflows imported`);
		await setLatency(double.url, options.latencyMs);

		const largest = Math.max(...options.sizes);
		const samples: RunSample[] = [];
		for (const condition of options.conditions) {
			const latencyMs = condition === 'unthrottled-0ms' ? 0 : options.latencyMs;
			await setLatency(double.url, latencyMs);
			for (const n of options.sizes) {
				const here = PLAN[condition].filter((variant) => variants.includes(variant) && (variant !== 'k' || n >= Math.min(1000, largest)));
				const runs = n >= 5000 ? options.runsLarge : options.runs;
				for (let run = 0; run < runs; run++) {
					// Alternating, and a different variant first in each run.
					const order = here.map((_, k) => here[(k + run) % here.length]);
					for (const variant of order) {
						const sample = await runOnce(n8n, double.url, variant, n, condition, latencyMs);
						samples.push(sample);
						log(
							`${condition} N=${n} run ${run + 1}/${runs} (${variant}): node ${sample.nodeMs ?? '?'} ms, ` +
								`${sample.roundTrips} Graph calls, ${sample.countedCalls} counted, ${sample.tokensOk}/${n} inspected, ` +
								(sample.timeline ? `${sample.timeline.meanInFlight.toFixed(2)} in flight, ` : '') +
								`RSS ${sample.peakRssBytes ? Math.round(sample.peakRssBytes / 2 ** 20) : '?'} MB` +
								(sample.error ? `, error: ${sample.error.slice(0, 120)}` : ''),
						);
					}
				}
			}
		}

		const results: BenchResults = {
			generatedAt: new Date().toISOString(),
			command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim().replace(/ --$/, ''),
			machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', benchNode: process.version },
			n8nVersion: runtime.version,
			latencyMs: options.latencyMs,
			concurrency: 4,
			batchSize: 50,
			quota: { share: QUOTA_SHARE, windowMs: QUOTA_WINDOW_MS },
			carefulBatching: Object.fromEntries(options.sizes.map((n) => [n, carefulBatching(n)])),
			runs: options.runs,
			runsLarge: options.runsLarge,
			cpu,
			cpuCheckAlerts,
			package: pack,
			samples,
		};
		const written = writeReport(results, options.out);
		log(`wrote ${written.json} and ${written.markdown}`);
		console.log(`\n${written.text}`);
	} finally {
		await n8n?.dispose();
		await double.stop();
		await stopAll();
	}
}

main()
	.then(() => process.exit(0))
	.catch((error: unknown) => {
		console.error(error);
		process.exit(1);
	});
