/**
 * The Graph API double as a separate process (its CLI, compiled into .e2e-build/ by
 * tsconfig.e2e.json), driven through its control API under /_double/.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import type { DoubleApp, DoubleTokenSpec, Fault, LoggedRequest } from '../../tools/graph-double/model';
import { repoRoot } from './paths';
import type { Tracked } from './processes';
import { spawnTracked, waitFor } from './processes';

export interface Seed {
	apps: DoubleApp[];
	tokens: DoubleTokenSpec[];
}

export class GraphDoubleProcess {
	private constructor(
		readonly url: string,
		private readonly process: Tracked,
	) {}

	/** Starts `node .e2e-build/tools/graph-double/cli.js --port 0 --seed <file>` and reads its URL. */
	static async start(seed: Seed, options: { port?: number } = {}): Promise<GraphDoubleProcess> {
		const dir = mkdtempSync(join(tmpdir(), 'meta-token-double-'));
		const seedFile = join(dir, 'seed.json');
		writeFileSync(seedFile, JSON.stringify(seed));
		const cli = join(repoRoot, '.e2e-build', 'tools', 'graph-double', 'cli.js');
		const child = spawnTracked(process.execPath, [cli, '--port', String(options.port ?? 0), '--seed', seedFile], {
			cwd: repoRoot,
		});
		const url = await waitFor(
			'the Graph double to print its URL',
			async () => {
				const firstLine = child.output().split('\n')[0];
				if (child.child.exitCode !== null) throw new Error(`graph double exited: ${child.output()}`);
				if (!child.output().includes('\n')) return undefined;
				return (JSON.parse(firstLine) as { url: string }).url;
			},
			15_000,
			100,
		);
		// The double read its seed before listening: the file can go.
		rmSync(dir, { recursive: true, force: true });
		return new GraphDoubleProcess(url, child);
	}

	async stop(): Promise<void> {
		await this.process.stop(5_000);
	}

	private async control<T>(method: string, route: string, body?: unknown): Promise<T> {
		const response = await fetch(`${this.url}/_double/${route}`, {
			method,
			headers: body === undefined ? {} : { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`double ${method} /_double/${route} → ${response.status} ${text}`);
		return JSON.parse(text) as T;
	}

	async requests(): Promise<LoggedRequest[]> {
		return await this.control<LoggedRequest[]>('GET', 'requests');
	}

	async clearRequests(): Promise<void> {
		await this.control('DELETE', 'requests');
	}

	/** Adds a token, or replaces the record of an existing token string (e.g. a later expiry). */
	async putToken(spec: DoubleTokenSpec): Promise<string> {
		return (await this.control<{ token: string }>('POST', 'tokens', spec)).token;
	}

	async invalidate(token: string, reason: string): Promise<void> {
		await this.control('POST', 'invalidate', { token, reason });
	}

	/** A fault rule (see tools/graph-double/README.md); `pathRegex` stands for a RegExp path. */
	async injectFault(rule: { fault: Fault | Record<string, unknown>; path?: string; pathRegex?: string; method?: string; token?: string; times?: number | null }): Promise<void> {
		// JSON has no Infinity: the control API reads null as "always".
		await this.control('POST', 'faults', { ...rule, times: rule.times === Infinity ? null : rule.times });
	}

	async clearFaults(): Promise<void> {
		await this.control('DELETE', 'faults');
	}

	async clock(): Promise<number> {
		return (await this.control<{ now: number }>('GET', 'clock')).now;
	}

	async setClock(now: number): Promise<number> {
		return (await this.control<{ now: number }>('POST', 'clock', { now })).now;
	}
}
