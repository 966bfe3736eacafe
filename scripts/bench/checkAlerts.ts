/**
 * Check for Alerts at agency scale: 5,000 client tokens of mixed kinds and states
 * (seed.ts) in one run, against the Graph double in its own process. Run through
 * `npm run bench:alerts` (scripts/bench/run.sh), which builds first.
 *
 *   node .bench-build/scripts/bench/checkAlerts.js [--tokens 5000] [--runs 3] [--out bench]
 *
 * Two legs:
 * - in this process, through n8n-core's ExecuteContext (tools/n8n-harness/n8nHarness.ts, static data
 *   saved between runs as n8n saves it): Graph round trips, node-side CPU per item (user + system,
 *   the double's CPU is its own process's), static-data bytes per token — for the first run (no
 *   history) and the runs after it (the history saved, nothing new);
 * - in a real n8n 2.x (`n8n execute`, mode `cli`, whose static data n8n saves): the same workflow
 *   twice, Graph round trips from the double's log, the alerts of each run, and the static data as
 *   n8n stored it (`export:workflow`).
 */
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { performance } from 'perf_hooks';

import type { IDataObject } from 'n8n-workflow';

import { GraphDoubleProcess } from '../../e2e/support/graphDoubleProcess';
import { N8nInstance, nodeItems } from '../../e2e/support/n8n';
import { repoRoot } from '../../e2e/support/paths';
import { stopAll } from '../../e2e/support/processes';
import { packedTarball } from '../../e2e/support/tarball';
import { REPORTING_APP } from '../../e2e/support/tokens';
import { emitItems, manualTrigger, metaTokenNode, workflow } from '../../e2e/support/workflowBuilder';
import { MetaToken } from '../../nodes/MetaToken/MetaToken.node';
import { runNode } from '../../tools/n8n-harness/n8nHarness';
import { clearRequests, traffic } from './doubleControl';
import { median } from './measure';
import { benchRuntime } from './runtime';
import { benchSeed, benchTokens } from './seed';
import { META_CREDENTIAL_ID, credentials } from './workflows';

interface Options {
	tokens: number;
	runs: number;
	out: string;
}

function parseOptions(argv: string[]): Options {
	const options: Options = { tokens: 5000, runs: 3, out: 'bench' };
	for (let i = 0; i < argv.length; i += 2) {
		const [flag, value] = [argv[i], argv[i + 1]];
		if (flag === '--tokens') options.tokens = Number(value);
		else if (flag === '--runs') options.runs = Number(value);
		else if (flag === '--out') options.out = value;
		else throw new Error(`unknown option ${flag}`);
	}
	return options;
}

const PARAMETERS = {
	operation: 'checkAlerts',
	tokenSource: 'input',
	token: '={{ $json.token }}',
	tokenName: '={{ $json.client }}',
	requiredScopes: 'ads_read',
	options: { concurrency: 4 },
};

const clientsOf = (tokens: string[]) => tokens.map((token, i) => ({ client: `Client ${String(i + 1).padStart(5, '0')}`, token }));

interface RunFigures {
	roundTrips: number;
	countedCalls: number;
	alerts: number;
	cpuMsPerItem: number;
	wallMs: number;
	staticDataBytes: number;
}

interface InProcessResult {
	first: RunFigures;
	/** Medians over the runs after the first (history saved, nothing new). */
	later: RunFigures;
	laterRuns: number;
}

async function runOnce(double: GraphDoubleProcess, tokens: string[], staticData: IDataObject): Promise<RunFigures> {
	await clearRequests(double.url);
	const cpu = process.cpuUsage();
	const started = performance.now();
	const output = await runNode(new MetaToken(), {
		parameters: PARAMETERS,
		credentials: {
			metaTokenApi: { accessToken: tokens[0], appId: REPORTING_APP.id, appSecret: REPORTING_APP.secret, graphApiVersion: 'v25.0', proofMode: 'auto', baseUrl: double.url },
		},
		items: clientsOf(tokens),
		staticData,
		mode: 'trigger',
	});
	const wallMs = performance.now() - started;
	const used = process.cpuUsage(cpu);
	const seen = await traffic(double.url);
	// An alert carries the record's `error` (null when Meta sent none); a failed item has no event.
	const failed = output.filter((item) => item.json.event === undefined);
	if (failed.length > 0) throw new Error(`in-process check: ${failed.length} items failed: ${JSON.stringify(failed[0].json)}`);
	return {
		roundTrips: seen.roundTrips,
		countedCalls: seen.countedCalls,
		alerts: output.length,
		cpuMsPerItem: (used.user + used.system) / 1000 / tokens.length,
		wallMs,
		staticDataBytes: JSON.stringify(staticData).length,
	};
}

async function inProcess(double: GraphDoubleProcess, tokens: string[], runs: number): Promise<InProcessResult> {
	// Warm-up on a history of its own: JIT, module loading, sockets.
	await runOnce(double, tokens, {});
	const staticData: IDataObject = {};
	const first = await runOnce(double, tokens, staticData);
	const later: RunFigures[] = [];
	for (let run = 0; run < runs; run++) later.push(await runOnce(double, tokens, staticData));
	const mid = (pick: (figures: RunFigures) => number) => median(later.map(pick));
	return {
		first,
		later: {
			roundTrips: mid((f) => f.roundTrips),
			countedCalls: mid((f) => f.countedCalls),
			alerts: mid((f) => f.alerts),
			cpuMsPerItem: mid((f) => f.cpuMsPerItem),
			wallMs: mid((f) => f.wallMs),
			staticDataBytes: mid((f) => f.staticDataBytes),
		},
		laterRuns: runs,
	};
}

interface RealRun {
	roundTrips: number;
	batchSizes: number[];
	alerts: number;
	nodeMs: number;
}

interface RealResult {
	version: string;
	runs: RealRun[];
	staticDataBytes: number;
}

const WORKFLOW_ID = 'benchCheckAlerts1';

async function realN8n(double: GraphDoubleProcess, tokens: string[]): Promise<RealResult> {
	const n8n = await N8nInstance.create(benchRuntime(), packedTarball());
	try {
		await n8n.importCredentials(credentials(REPORTING_APP, double.url, tokens[0]).filter((c) => c.id === META_CREDENTIAL_ID));
		await n8n.importWorkflows([
			workflow(WORKFLOW_ID, `Bench: Check for Alerts, ${tokens.length} tokens`, manualTrigger(), [
				[emitItems('Client tokens', clientsOf(tokens)), metaTokenNode('Check for Alerts', PARAMETERS, META_CREDENTIAL_ID)],
			]),
		]);
		const runs: RealRun[] = [];
		for (let run = 0; run < 2; run++) {
			await clearRequests(double.url);
			const { ok, run: result, output } = await n8n.execute(WORKFLOW_ID);
			if (!ok || !result) throw new Error(`n8n execute failed:\n${output.slice(-3000)}`);
			const requests = (await fetch(`${double.url}/_double/requests`).then((r) => r.json())) as Array<{ batchSize?: number }>;
			const taskData = result.data.resultData.runData['Check for Alerts'][0] as unknown as { executionTime: number };
			runs.push({
				roundTrips: requests.length,
				batchSizes: requests.map((r) => r.batchSize ?? 1),
				alerts: nodeItems(result, 'Check for Alerts').length,
				nodeMs: taskData.executionTime,
			});
		}
		const file = join(n8n.userFolder, 'exported.json');
		const exported = await n8n.cli(['export:workflow', `--id=${WORKFLOW_ID}`, `--output=${file}`]);
		if (exported.code !== 0) throw new Error(`export:workflow failed:\n${exported.output.slice(-2000)}`);
		const [saved] = JSON.parse(readFileSync(file, 'utf8')) as Array<{ staticData: unknown }>;
		return { version: n8n.runtime.version, runs, staticDataBytes: JSON.stringify(saved.staticData ?? null).length };
	} finally {
		await n8n.dispose();
	}
}

function report(tokens: number, inproc: InProcessResult, real: RealResult): string {
	const perToken = (bytes: number) => (bytes / tokens).toFixed(1);
	const row = (what: string, f: RunFigures) =>
		`| ${what} | ${f.roundTrips} | ${f.countedCalls} | ${f.alerts} | ${f.cpuMsPerItem.toFixed(3)} ms | ${Math.round(f.wallMs)} ms | ${f.staticDataBytes} | ${perToken(f.staticDataBytes)} |`;
	return [
		`# Check for Alerts, ${tokens.toLocaleString('en')} tokens in one run`,
		'',
		'`npm run bench:alerts` (scripts/bench/checkAlerts.ts). Tokens of mixed kinds and states (scripts/bench/seed.ts), each under a client name; thresholds 14,7,3,1, Required Scopes ads_read, concurrency 4; the Graph double in its own process, no latency.',
		'',
		'In process, through n8n-core 2.11.1 (tools/n8n-harness/n8nHarness.ts; static data saved between runs as n8n saves it):',
		'',
		'| run | Graph round trips | calls counted | alerts | CPU per item (node side) | wall | static data (bytes) | bytes per token |',
		'|---|---:|---:|---:|---:|---:|---:|---:|',
		row('first (no history)', inproc.first),
		row(`later (history saved; median of ${inproc.laterRuns})`, inproc.later),
		'',
		`In a real n8n ${real.version} (\`n8n execute\`, mode cli: static data saved), the same workflow twice:`,
		'',
		'| run | Graph round trips | batch sizes | alerts | node execution time |',
		'|---|---:|---|---:|---:|',
		...real.runs.map((run, i) => `| ${i + 1} | ${run.roundTrips} | ${[...new Set(run.batchSizes)].join(', ')} | ${run.alerts} | ${run.nodeMs} ms |`),
		'',
		`Static data as n8n stored it (export:workflow): ${real.staticDataBytes} bytes, ${perToken(real.staticDataBytes)} per token.`,
		'',
	].join('\n');
}

async function main(): Promise<void> {
	const options = parseOptions(process.argv.slice(2));
	const tokens = benchTokens(options.tokens);
	const double = await GraphDoubleProcess.start(benchSeed(tokens));
	try {
		const inproc = await inProcess(double, tokens, options.runs);
		const real = await realN8n(double, tokens);
		const text = report(options.tokens, inproc, real);
		const out = join(repoRoot, options.out);
		writeFileSync(join(out, 'check-alerts.md'), text);
		writeFileSync(join(out, 'check-alerts.json'), `${JSON.stringify({ tokens: options.tokens, inProcess: inproc, real }, null, 2)}\n`);
		process.stdout.write(`${text}\nwritten to ${options.out}/check-alerts.md and .json\n`);
	} finally {
		await double.stop();
		await stopAll();
	}
}

main().then(
	// n8n-core's HTTP agents keep their sockets open: end the process once the report is written.
	() => process.exit(0),
	async (error: unknown) => {
		process.stderr.write(`bench:alerts: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		await stopAll();
		process.exit(1);
	},
);
