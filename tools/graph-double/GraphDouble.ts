/**
 * A stand-in for https://graph.facebook.com: a real HTTP server on 127.0.0.1 that serves the token
 * endpoints the package uses, with a token table, a clock that moves only when told, injectable
 * faults, an app quota and a request log. See README.md beside this file.
 */
import {
	createServer,
	type IncomingHttpHeaders,
	type IncomingMessage,
	type Server,
	type ServerResponse,
} from 'http';
import type { AddressInfo } from 'net';

import { CONTROL_PREFIX, controlAnswer } from './control';
import { GraphApi } from './endpoints';
import { fbtraceId, invalidParameter, jsonAnswer, missingParameter, unsupportedVersion } from './errors';
import {
	faultAnswer,
	FaultBook,
	isAnswerFault,
	isBatchCall,
	isForeignFault,
	type Level,
	rateLimitAnswer,
} from './faults';
import type {
	Answer,
	DoubleApp,
	DoublePlatform,
	DoubleTokenSpec,
	Fault,
	FaultRule,
	GraphRequest,
	InvalidationReason,
	LoggedRequest,
} from './model';
import { PlatformApi } from './platforms';
import { TokenStore } from './tokens';

export type {
	DoubleApp,
	DoublePage,
	DoublePlatform,
	DoubleTokenSpec,
	Fault,
	FaultRule,
	InvalidationReason,
	LoggedRequest,
} from './model';

export interface GraphDoubleOptions {
	/** Initial clock, unix seconds (default: real time at start). */
	now?: number;
	/** Added before every answer. */
	latencyMs?: number;
	/** Default 0: an ephemeral port. */
	port?: number;
	/** The Graph API versions served; others answer 2635 like an unversioned call. Default v21.0–v26.0. */
	versions?: string[];
}

export const SERVED_VERSIONS: readonly string[] = ['v21.0', 'v22.0', 'v23.0', 'v24.0', 'v25.0', 'v26.0'];

/**
 * How a batch call is refused once its sub-requests go past the quota (Meta has been seen doing
 * both): `partial` answers it, the sub-requests that still fit with their answers and the others
 * each with its own code 4 and usage headers; `whole` refuses the call itself (403, code 4) when its
 * sub-requests do not all fit, and none of them runs.
 */
export type QuotaBatches = 'partial' | 'whole';

export interface Quota {
	calls: number;
	windowMs: number;
	/** Default `partial`. */
	batches?: QuotaBatches;
}

/** Meta's limit on sub-requests in one batch call. */
const MAX_BATCH = 50;

export {
	instagramToken,
	LONG_LIVED_SECONDS,
	type PlatformTokenOptions,
	SHORT_LIVED_SECONDS,
	threadsToken,
} from './platformTokens';

/** Where each of Meta's other hosts is served on the double's URL; Facebook is the root. */
export const PLATFORM_PREFIXES: Readonly<Record<Exclude<DoublePlatform, 'facebook'>, string>> = {
	instagram: '/instagram',
	threads: '/threads',
};

/** `/instagram/v25.0/me` → platform `instagram`, rest `/v25.0/me`; anything else is Facebook's. */
function splitPlatform(pathname: string): { platform: DoublePlatform; rest: string } {
	const match = /^\/(instagram|threads)(\/.*)?$/.exec(pathname);
	if (!match) return { platform: 'facebook', rest: pathname };
	return { platform: match[1] as DoublePlatform, rest: match[2] ?? '/' };
}

/** `/v25.0/debug_token` → version `v25.0`, path `/debug_token`; `/v25.0/` → path `/`. */
function splitVersion(pathname: string): { version: string | null; path: string } {
	const match = /^\/(v\d+\.\d+)(\/.*)?$/.exec(pathname);
	if (!match) return { version: null, path: pathname };
	return { version: match[1], path: match[2] ?? '/' };
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
	const flat: Record<string, string> = {};
	for (const [name, value] of Object.entries(headers)) {
		if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
	}
	return flat;
}

/** Meta reads form-encoded bodies, and JSON bodies whose values it takes as parameters. */
function parseForm(contentType: string | undefined, body: string): Record<string, string> {
	if (body === '') return {};
	if (!contentType?.includes('application/json')) return Object.fromEntries(new URLSearchParams(body));
	let parsed: unknown;
	try {
		parsed = JSON.parse(body);
	} catch {
		return {};
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
	return Object.fromEntries(
		Object.entries(parsed).map(([name, value]) => [
			name,
			typeof value === 'string' ? value : JSON.stringify(value),
		]),
	);
}

/** The header wins over parameters, as it is what the package's authenticator sends. */
function callingTokenOf(
	headers: Record<string, string>,
	query: Record<string, string>,
	form: Record<string, string>,
): string | null {
	const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '');
	return bearer?.[1].trim() || query.access_token || form.access_token || null;
}

function batchItems(raw: string | undefined): unknown[] | null {
	if (raw === undefined) return null;
	try {
		const parsed: unknown = JSON.parse(raw);
		return Array.isArray(parsed) ? parsed : null;
	} catch {
		return null;
	}
}

function readBody(request: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		request.on('error', reject);
	});
}

function send(response: ServerResponse, answer: Answer): void {
	// The client may have given up (timeout) while a delayed answer was pending.
	if (response.destroyed) return;
	response.writeHead(answer.status, {
		...answer.headers,
		'content-length': Buffer.byteLength(answer.body),
	});
	response.end(answer.body);
}

export class GraphDouble {
	/** Every Graph call, in arrival order; a batch is one entry. Control calls are not logged. */
	readonly requests: LoggedRequest[] = [];

	private readonly server: Server;
	private readonly store: TokenStore;
	private readonly api: GraphApi;
	private readonly platforms: PlatformApi;
	private readonly faults = new FaultBook();
	/** Pending latency and delay timers, cleared by stop() so the process can exit. */
	private readonly timers = new Set<NodeJS.Timeout>();
	private clock: number;
	private latencyMs: number;
	private quota: Quota | null = null;
	/** Calls counted in the current quota window, which opened at `startedMs` (real time). */
	private window = { startedMs: Number.NEGATIVE_INFINITY, used: 0 };
	private baseUrl = '';
	private readonly versions: ReadonlySet<string>;
	private inFlight = 0;
	private peak = 0;

	private constructor(options: GraphDoubleOptions) {
		this.versions = new Set(options.versions ?? SERVED_VERSIONS);
		this.clock = options.now ?? Math.floor(Date.now() / 1000);
		this.latencyMs = options.latencyMs ?? 0;
		this.store = new TokenStore(() => this.clock);
		this.api = new GraphApi(this.store, () => this.clock, () => this.baseUrl);
		this.platforms = new PlatformApi(this.store, () => this.clock, this.versions);
		this.server = createServer((request, response) => {
			this.serve(request, response).catch((error: unknown) => {
				// A bug in the double must show in the failing test, not as a hung request.
				if (response.headersSent || response.destroyed) {
					response.destroy();
					return;
				}
				response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
				response.end(`GraphDouble failed: ${error instanceof Error ? error.stack : String(error)}`);
			});
		});
	}

	static async start(options: GraphDoubleOptions = {}): Promise<GraphDouble> {
		const double = new GraphDouble(options);
		await new Promise<void>((resolve, reject) => {
			double.server.once('error', reject);
			double.server.listen(options.port ?? 0, '127.0.0.1', () => {
				double.server.off('error', reject);
				resolve();
			});
		});
		const { port } = double.server.address() as AddressInfo;
		double.baseUrl = `http://127.0.0.1:${port}`;
		return double;
	}

	/** `http://127.0.0.1:PORT`; clients append `/v25.0/...`. */
	get url(): string {
		return this.baseUrl;
	}

	/** graph.instagram.com on the double: `${url}/instagram` (append `/access_token`, `/v25.0/me`, …). */
	get instagramUrl(): string {
		return `${this.baseUrl}${PLATFORM_PREFIXES.instagram}`;
	}

	/** graph.threads.net on the double: `${url}/threads` (append `/access_token`, `/v1.0/me`, …). */
	get threadsUrl(): string {
		return `${this.baseUrl}${PLATFORM_PREFIXES.threads}`;
	}

	async stop(): Promise<void> {
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		if (!this.server.listening) return;
		const closed = new Promise<void>((resolve, reject) =>
			this.server.close((error) => (error ? reject(error) : resolve())),
		);
		// Keep-alive sockets (fetch pools them) would otherwise hold close() open.
		this.server.closeAllConnections();
		await closed;
	}

	now(): number {
		return this.clock;
	}

	setNow(unixSeconds: number): void {
		this.clock = unixSeconds;
	}

	advance(seconds: number): void {
		this.clock += seconds;
	}

	addApp(app: DoubleApp): DoubleApp {
		return this.store.addApp(app);
	}

	/** Returns the token string (generated when the spec has none). Throws for an unknown app. */
	addToken(spec: DoubleTokenSpec): string {
		return this.store.add(spec).token;
	}

	/** A copy of the token's record, including tokens the double issued; app tokens resolve too. */
	token(token: string): (DoubleTokenSpec & { token: string }) | undefined {
		const found = this.store.find(token);
		return found && { ...found };
	}

	invalidate(token: string, reason: InvalidationReason): void {
		const found = this.store.find(token);
		if (!found) throw new Error(`GraphDouble: cannot invalidate unknown token ${token}`);
		this.store.invalidate(found, reason);
	}

	injectFault(rule: FaultRule): void {
		this.faults.add(rule);
	}

	clearFaults(): void {
		this.faults.clear();
	}

	setLatency(ms: number): void {
		this.latencyMs = ms;
	}

	/**
	 * Every call and every batch sub-request counts; the window runs on real time, not the clock,
	 * and the first call after setting the quota opens it (a client's start-up is not billed).
	 */
	setQuota(quota: Quota | null): void {
		if (quota && !(quota.calls >= 1 && quota.windowMs > 0)) {
			throw new Error('GraphDouble: a quota needs calls >= 1 and windowMs > 0');
		}
		this.quota = quota && { ...quota };
		this.window = { startedMs: Number.NEGATIVE_INFINITY, used: 0 };
	}

	clearRequests(): void {
		// In place: tests may hold the array.
		this.requests.length = 0;
		this.peak = this.inFlight;
	}

	/** The most Graph calls in flight at once since the start or the last clearRequests(). */
	get peakInFlight(): number {
		return this.peak;
	}

	private sleep(ms: number): Promise<void> {
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				this.timers.delete(timer);
				resolve();
			}, ms);
			this.timers.add(timer);
		});
	}

	private async serve(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
		const body = await readBody(incoming);
		const url = new URL(incoming.url ?? '/', this.baseUrl);
		const method = (incoming.method ?? 'GET').toUpperCase();
		if (url.pathname.startsWith(CONTROL_PREFIX)) {
			send(response, controlAnswer(this, method, url.pathname.slice(CONTROL_PREFIX.length), body));
			return;
		}
		const headers = flattenHeaders(incoming.headers);
		const query = Object.fromEntries(url.searchParams);
		const form = parseForm(headers['content-type'], body);
		const { platform, rest } = splitPlatform(url.pathname);
		const { version, path } = splitVersion(rest);
		const callingToken = callingTokenOf(headers, query, form);
		const request: GraphRequest = {
			platform,
			method,
			path,
			version,
			params: { ...query, ...form },
			callingToken,
		};
		const entry: LoggedRequest = {
			platform,
			method,
			path,
			version,
			query,
			headers,
			form,
			callingToken,
			at: this.clock,
			receivedMs: Date.now(),
			status: 0,
		};
		const items = isBatchCall(request) ? batchItems(request.params.batch) : null;
		if (items) entry.batchSize = items.length;
		this.requests.push(entry);
		this.inFlight += 1;
		this.peak = Math.max(this.peak, this.inFlight);
		try {
			await this.answerGraphCall(incoming, response, request, entry);
		} finally {
			this.inFlight -= 1;
		}
	}

	private async answerGraphCall(
		incoming: IncomingMessage,
		response: ServerResponse,
		request: GraphRequest,
		entry: LoggedRequest,
	): Promise<void> {

		if (this.latencyMs > 0) await this.sleep(this.latencyMs);
		const fault = this.faults.take(request, 'call');
		if (fault?.type === 'reset') {
			incoming.socket.destroy();
			return;
		}
		if (fault?.type === 'delay') await this.sleep(fault.ms);
		const answer = this.respond(request, fault, 'call');
		entry.status = answer.status;
		entry.answeredMs = Date.now();
		send(response, answer);
	}

	/** The answer to a call or a batch sub-request, once connection-level faults are dealt with. */
	private respond(request: GraphRequest, fault: Fault | undefined, level: Level): Answer {
		if (fault && isAnswerFault(fault)) {
			const answer = faultAnswer(fault, this.businessId(request));
			return isForeignFault(fault) ? answer : this.withGraphHeaders(answer, request);
		}
		return this.withGraphHeaders(this.graphAnswer(request, fault, level), request);
	}

	private graphAnswer(request: GraphRequest, fault: Fault | undefined, level: Level): Answer {
		// Instagram and Threads check their own versions (their token endpoints have none).
		const facebook = request.platform === 'facebook';
		if (facebook && (request.version === null || !this.versions.has(request.version))) return unsupportedVersion();
		// The batch call itself is free: each of its sub-requests counts against the quota.
		if (level === 'call' && isBatchCall(request)) return this.batch(request, fault);
		if (this.overQuota()) {
			return { ...rateLimitAnswer({ appUsage: this.appUsage() }, this.businessId(request)), overQuota: true };
		}
		return facebook ? this.api.handle(request) : this.platforms.handle(request);
	}

	private batch(request: GraphRequest, fault: Fault | undefined): Answer {
		const auth = this.api.authorize(request);
		if (!auth.ok) return auth.answer;
		if (request.params.batch === undefined) return missingParameter('batch');
		const items = batchItems(request.params.batch);
		if (!items) return invalidParameter('(#100) The parameter batch must be a JSON array');
		if (items.length > MAX_BATCH) {
			return invalidParameter(`Too many requests in batch message. Maximum batch size is ${MAX_BATCH}`);
		}
		if (fault?.type === 'batchUnusable') return jsonAnswer({});
		// Null items timed out inside Meta before running: they have no effect and count nothing.
		const nulls = new Set(fault?.type === 'batchNull' ? fault.indexes : []);
		const counted = items.length - items.filter((_, index) => nulls.has(index)).length;
		if (this.quota?.batches === 'whole' && !this.fitsQuota(counted)) {
			// Refused as a whole; Meta still counts every sub-request against the app.
			for (let count = 0; count < counted; count++) this.overQuota();
			return rateLimitAnswer({ appUsage: this.appUsage() }, this.businessId(request));
		}
		const includeHeaders = request.params.include_headers !== 'false';
		return jsonAnswer(
			items.map((item, index) =>
				nulls.has(index) ? null : this.batchItem(item, request, includeHeaders),
			),
		);
	}

	private batchItem(item: unknown, parent: GraphRequest, includeHeaders: boolean): object {
		const request = subRequest(item, parent);
		const answer = request
			? this.respond(request, this.faults.take(request, 'batchItem'), 'batchItem')
			: invalidParameter('(#100) Each batch request needs a method and a relative_url');
		// Assumption (Meta's documentation does not say): a sub-request refused for the app's quota
		// keeps its own usage headers even with include_headers=false.
		return {
			code: answer.status,
			...(includeHeaders || answer.overQuota
				? { headers: Object.entries(answer.headers).map(([name, value]) => ({ name, value })) }
				: {}),
			body: answer.body,
		};
	}

	/** The quota window, opened afresh once `windowMs` of real time went by since it opened. */
	private currentWindow(): { startedMs: number; used: number } {
		const nowMs = Date.now();
		if (this.quota && nowMs - this.window.startedMs >= this.quota.windowMs) {
			this.window = { startedMs: nowMs, used: 0 };
		}
		return this.window;
	}

	/** Whether `calls` more still fit in the current window. */
	private fitsQuota(calls: number): boolean {
		return !this.quota || this.currentWindow().used + calls <= this.quota.calls;
	}

	/** Counts one call; true when it is past the quota. */
	private overQuota(): boolean {
		if (!this.quota) return false;
		const window = this.currentWindow();
		window.used += 1;
		return window.used > this.quota.calls;
	}

	/** `x-app-usage` in percent of the quota; without one, a light constant load. */
	private appUsage(): Record<string, number> {
		if (!this.quota) return { call_count: 1, total_time: 1, total_cputime: 1 };
		const percent = Math.floor((this.window.used * 100) / this.quota.calls);
		return { call_count: percent, total_time: 1, total_cputime: 1 };
	}

	/** The id `x-business-use-case-usage` is keyed by: the calling token's app (or '0'). */
	private businessId(request: GraphRequest): string {
		return (request.callingToken && this.store.find(request.callingToken)?.appId) || '0';
	}

	private withGraphHeaders(answer: Answer, request: GraphRequest): Answer {
		answer.headers = {
			'x-app-usage': JSON.stringify(this.appUsage()),
			'x-fb-trace-id': fbtraceId(),
			...(request.version ? { 'facebook-api-version': request.version } : {}),
			...answer.headers,
		};
		return answer;
	}
}

/**
 * A batch item as a request of its own. It runs with the batch's token and proof unless it names
 * its own `access_token` (then it must carry its own proof too).
 */
function subRequest(item: unknown, parent: GraphRequest): GraphRequest | null {
	if (typeof item !== 'object' || item === null) return null;
	const { method, relative_url: relativeUrl, body } = item as Record<string, unknown>;
	if (typeof method !== 'string' || typeof relativeUrl !== 'string') return null;
	const url = new URL(`/${relativeUrl.replace(/^\/+/, '')}`, 'http://batch.invalid');
	const { version, path } = splitVersion(url.pathname);
	const params: Record<string, string> = {
		...Object.fromEntries(url.searchParams),
		...(typeof body === 'string' ? Object.fromEntries(new URLSearchParams(body)) : {}),
	};
	const ownToken = params.access_token;
	if (ownToken === undefined) {
		for (const name of ['appsecret_proof', 'appsecret_time']) {
			const inherited = parent.params[name];
			if (inherited !== undefined && params[name] === undefined) params[name] = inherited;
		}
	}
	return {
		platform: parent.platform,
		method: method.toUpperCase(),
		path,
		version: version ?? parent.version,
		params,
		callingToken: ownToken || parent.callingToken,
	};
}
