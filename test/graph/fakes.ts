/**
 * Fakes shared by the Graph layer's unit tests: canned answers, an in-memory transport, a clock
 * that only waits move, and a client wired to them.
 */
import { BatchRun, type BatchOptions, type BatchResult } from '../../nodes/graph/batch';
import { GraphClient, type GraphClientOptions } from '../../nodes/graph/GraphClient';
import { GraphError } from '../../nodes/graph/GraphError';
import type { GraphRequestLogEntry } from '../../nodes/graph/sender';
import type { BatchRequest, GraphHttpRequest, GraphHttpResponse, GraphTransport } from '../../nodes/graph/http';
import type { Inspection } from '../../nodes/meta/types';

export const APP_ID = '1234567890';
export const APP_SECRET = 'dummy-app-secret-0123';
export const APP_TOKEN = `${APP_ID}|${APP_SECRET}`;
export const START = Date.UTC(2026, 0, 1);

export type Reply = GraphHttpResponse | Error;
export type Route = (request: GraphHttpRequest) => Reply | Promise<Reply>;

export function json(body: unknown, statusCode = 200, headers: GraphHttpResponse['headers'] = {}): GraphHttpResponse {
	return { statusCode, headers, body: JSON.stringify(body) };
}

export function graphError(
	code: number,
	extra: { subcode?: number; message?: string; status?: number; headers?: GraphHttpResponse['headers'] } = {},
): GraphHttpResponse {
	return json(
		{
			error: {
				message: extra.message ?? `(#${code}) error`,
				type: 'OAuthException',
				code,
				error_subcode: extra.subcode,
				fbtrace_id: 'AbC123',
			},
		},
		extra.status ?? 400,
		extra.headers,
	);
}

export function raw(statusCode: number, body: string, contentType = 'text/html'): GraphHttpResponse {
	return { statusCode, headers: { 'content-type': contentType }, body };
}

/** An in-memory transport: answers from a route function, or a queue of replies (the last repeats). */
export class FakeTransport {
	readonly requests: GraphHttpRequest[] = [];
	private readonly replies: Reply[] = [];

	constructor(private route?: Route) {}

	reply(...replies: Reply[]): this {
		this.replies.push(...replies);
		return this;
	}

	readonly transport: GraphTransport = async (request) => {
		this.requests.push(request);
		const reply = this.route
			? await this.route(request)
			: this.replies.length > 1
				? this.replies.shift()
				: this.replies[0];
		if (reply === undefined) throw new Error('FakeTransport: no reply left');
		if (reply instanceof Error) throw reply;
		return reply;
	};
}

/** A clock that only waits move, and a record of every wait and every logged attempt. */
export interface Recorder {
	now: () => number;
	sleep: (ms: number) => Promise<void>;
	onRequest: (entry: GraphRequestLogEntry) => void;
	sleeps: number[];
	log: GraphRequestLogEntry[];
}

export function recorder(): Recorder {
	const sleeps: number[] = [];
	const log: GraphRequestLogEntry[] = [];
	let clock = START;
	return {
		now: () => clock,
		sleep: async (ms) => {
			sleeps.push(ms);
			clock += ms;
		},
		onRequest: (entry) => log.push(entry),
		sleeps,
		log,
	};
}

export interface Harness {
	client: GraphClient;
	fake: FakeTransport;
	sleeps: number[];
	log: GraphRequestLogEntry[];
}

export function harness(fake: FakeTransport, options: Partial<GraphClientOptions> = {}): Harness {
	const { now, sleep, onRequest, sleeps, log } = recorder();
	const client = new GraphClient({
		transport: fake.transport,
		appId: APP_ID,
		appSecret: APP_SECRET,
		now,
		sleep,
		onRequest,
		...options,
	});
	return { client, fake, sleeps, log };
}

export function networkError(code: string): Error {
	return Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) });
}

export async function failure(promise: Promise<unknown>): Promise<GraphError> {
	try {
		await promise;
	} catch (error) {
		expect(error).toBeInstanceOf(GraphError);
		return error as GraphError;
	}
	throw new Error('expected a GraphError');
}

export function batchForm(request: GraphHttpRequest): Array<{ method: string; relative_url: string }> {
	return JSON.parse(request.form?.batch ?? '[]') as Array<{ method: string; relative_url: string }>;
}

export const item = (body: unknown, code = 200) => ({ code, body: JSON.stringify(body) });

export const appUsage = (callCount: number) => ({
	'x-app-usage': JSON.stringify({ call_count: callCount, total_time: 1, total_cputime: 1 }),
});

/**
 * Inspects many tokens through one batched run fed token by token, as the node's batched
 * inspection does; results in input order.
 */
export async function inspectAll(client: GraphClient, tokens: string[], opts: BatchOptions = {}): Promise<Array<Inspection<GraphError>>> {
	const run = client.debugTokenRun({ ...opts, expected: opts.expected ?? tokens.length });
	const results = tokens.map((token) => run.inspect(token));
	await run.close();
	return await Promise.all(results);
}

/** Runs requests as one BatchRun on the client's own sender (its pacer, its secrets); results in input order. */
export async function runBatch(client: GraphClient, requests: BatchRequest[], opts: BatchOptions = {}): Promise<BatchResult[]> {
	if (requests.length === 0) return [];
	const run = new BatchRun(client['sender'], { ...opts, expected: opts.expected ?? requests.length });
	const results = requests.map((request) => run.add(request));
	await run.close();
	return await Promise.all(results);
}
