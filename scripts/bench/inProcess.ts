/**
 * Node-side CPU per item: the Meta Token node's `execute` (inspect, or Check for Alerts) run in this process through n8n-core's
 * ExecuteContext (tools/n8n-harness/n8nHarness.ts), against the Graph double in its own process with no
 * latency — so the CPU counted is n8n's and ours (parameters, HTTP client, parsing, the inspect
 * records), not the double's. With a V8 CPU profile of the same run: where the time goes.
 */
import { Session } from 'inspector';
import type { IDataObject } from 'n8n-workflow';
import { performance } from 'perf_hooks';

import { MetaToken } from '../../nodes/MetaToken/MetaToken.node';
import type { TestApp } from '../../e2e/support/tokens';
import { runNode } from '../../tools/n8n-harness/n8nHarness';
import { median } from './measure';

export interface CpuResult {
	items: number;
	runs: number;
	/** Median CPU (user + system) per item, ms. */
	cpuMsPerItem: number;
	/** Median wall time of the whole run, ms (latency 0). */
	wallMs: number;
	/** Top functions by self time in one profiled run. */
	profile: Array<{ function: string; where: string; selfMs: number; share: number }>;
}

export interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	hitCount?: number;
	children?: number[];
}

export interface Profile {
	nodes: ProfileNode[];
	startTime: number;
	endTime: number;
	samples?: number[];
	timeDeltas?: number[];
}

function post<T>(session: Session, method: string, params?: object): Promise<T> {
	return new Promise((resolve, reject) => {
		session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T)));
	});
}

export function shortUrl(url: string): string {
	const marker = url.lastIndexOf('node_modules/');
	if (marker >= 0) return url.slice(marker + 'node_modules/'.length);
	const repo = url.indexOf('.bench-build/');
	if (repo >= 0) return url.slice(repo + '.bench-build/'.length);
	return url.replace(/^file:\/\//, '') || '(native)';
}

/** Self time per function (name + file + line), the top `limit`, from sample deltas. */
function summarise(profile: Profile, limit = 12): CpuResult['profile'] {
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const selfUs = new Map<number, number>();
	const samples = profile.samples ?? [];
	const deltas = profile.timeDeltas ?? [];
	for (let i = 0; i < samples.length; i++) selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + (deltas[i] ?? 0));
	const byFunction = new Map<string, { function: string; where: string; us: number }>();
	let total = 0;
	for (const [id, us] of selfUs) {
		const node = byId.get(id);
		if (!node) continue;
		const name = node.callFrame.functionName || '(anonymous)';
		if (name === '(idle)' || name === '(program)') continue;
		total += us;
		const where = `${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
		const key = `${name}@${where}`;
		const entry = byFunction.get(key) ?? { function: name, where, us: 0 };
		entry.us += us;
		byFunction.set(key, entry);
	}
	return [...byFunction.values()]
		.sort((x, y) => y.us - x.us)
		.slice(0, limit)
		.map((entry) => ({
			function: entry.function,
			where: entry.where,
			selfMs: Math.round(entry.us / 100) / 10,
			share: total > 0 ? Math.round((entry.us / total) * 1000) / 10 : 0,
		}));
}

/** The parameters of a bulk run of `operation`, tokens (and names) read per item as users give them. */
function bulkParameters(operation: 'inspect' | 'checkAlerts'): IDataObject {
	const tokens = { operation, tokenSource: 'input', token: '={{ $json.token }}' };
	return operation === 'inspect' ? tokens : { ...tokens, tokenName: '={{ $json.name }}' };
}

export async function measureCpu(
	doubleUrl: string,
	app: TestApp,
	tokens: string[],
	runs: number,
	operation: 'inspect' | 'checkAlerts',
): Promise<CpuResult> {
	const node = new MetaToken();
	const options = {
		parameters: bulkParameters(operation),
		credentials: {
			metaTokenApi: {
				accessToken: tokens[0],
				appId: app.id,
				appSecret: app.secret,
				graphApiVersion: 'v25.0',
				proofMode: 'auto',
				baseUrl: doubleUrl,
			},
		},
		items: tokens.map((token, index) => ({ token, name: `Client ${index + 1}` })),
	};
	const check = (output: Array<{ json: Record<string, unknown> }>): void => {
		// Check for Alerts puts out alerts only; an item that failed would stop the run here.
		if (operation === 'checkAlerts') return;
		const failed = output.filter((item) => item.json.error !== undefined && item.json.isValid === undefined);
		if (output.length !== tokens.length || failed.length > 0) {
			throw new Error(`in-process inspect: ${output.length} items, ${failed.length} failed`);
		}
	};
	// Warm-up: JIT, module loading, sockets.
	check(await runNode(node, options));

	const perItem: number[] = [];
	const walls: number[] = [];
	for (let run = 0; run < runs; run++) {
		const cpu = process.cpuUsage();
		const started = performance.now();
		check(await runNode(node, options));
		walls.push(performance.now() - started);
		const used = process.cpuUsage(cpu);
		perItem.push((used.user + used.system) / 1000 / tokens.length);
	}

	const session = new Session();
	session.connect();
	await post(session, 'Profiler.enable');
	await post(session, 'Profiler.setSamplingInterval', { interval: 200 });
	await post(session, 'Profiler.start');
	check(await runNode(node, options));
	const { profile } = await post<{ profile: Profile }>(session, 'Profiler.stop');
	session.disconnect();

	return {
		items: tokens.length,
		runs,
		cpuMsPerItem: median(perItem),
		wallMs: median(walls),
		profile: summarise(profile),
	};
}
