import {
	classifyBadAnswer,
	classifyGraphError,
	classifyNetworkError,
	errorEnvelopeOf,
	GraphError,
	type BadAnswerKind,
} from './errors';
import { paceSignalOf, RateLimitPacer, type PaceSignal } from './pacing';
import { redactUrl, scrubSecrets, SECRET_PARAMETERS } from './redact';
import { DEFAULT_GRAPH_API_VERSION, DEFAULT_GRAPH_BASE_URL } from './settings';
import type {
	AccessTokenAnswer,
	BatchRequest,
	DebugTokenData,
	GraphErrorClass,
	GraphHttpRequest,
	GraphHttpResponse,
	GraphTransport,
	HttpMethod,
	PageAccount,
} from './types';

/** One attempt at one HTTP request, as logged through `onRequest`. */
export interface GraphRequestLogEntry {
	method: string;
	/** With every secret redacted. */
	url: string;
	/** HTTP status, or null when no answer came. */
	status: number | null;
	/** 1 for the first try. */
	attempt: number;
	durationMs: number;
	errorClass?: GraphErrorClass;
}

export interface GraphClientOptions {
	transport: GraphTransport;
	/** Default `https://graph.facebook.com`; a trailing slash is tolerated. */
	baseUrl?: string;
	/** Default `v25.0`. */
	version?: string;
	/** Needed to exchange, refresh and revoke tokens, and for the app token. */
	appId?: string;
	appSecret?: string;
	/**
	 * Secrets the client cannot see but must keep out of messages — above all the credential's
	 * access token, which only the authenticator adds to requests.
	 */
	secrets?: string[];
	/** Required: lib code may not use timers, so n8n passes its own `sleep`. */
	sleep: (ms: number) => Promise<void>;
	/** Milliseconds; default `Date.now`. */
	now?: () => number;
	/**
	 * Tries per request, the first included, for failures a retry may fix (transient, network,
	 * timed-out batch items); default 4. Rate limits are not counted here but against
	 * `maxRateLimitWaitMs`.
	 */
	maxAttempts?: number;
	/**
	 * Most time one throttled stretch may cost in pauses before rate-limited requests and batch
	 * items give up with their `rateLimit` error. Default 300000 (5 minutes). See {@link RateLimitPacer}.
	 */
	maxRateLimitWaitMs?: number;
	/** First backoff; doubles per retry. Default 1000. */
	baseDelayMs?: number;
	/** Cap of one wait, including a rate limit's announced wait. Default 60000. */
	maxDelayMs?: number;
	/** Full jitter on backoff waits; off by default so waits are predictable. */
	jitter?: boolean;
	/** Source of jitter, in [0, 1); default `Math.random`. */
	random?: () => number;
	/** Per request, handed to the transport. Default 30000. */
	timeoutMs?: number;
	onRequest?: (entry: GraphRequestLogEntry) => void;
}

export interface GraphCallRequest {
	method: HttpMethod;
	/** Below the version root, e.g. `/debug_token`. */
	path: string;
	qs?: Record<string, string>;
	form?: Record<string, string>;
	/** Runs the call with this token instead of the credential's. */
	accessToken?: string;
}

export type BatchResult = { ok: true; status: number; body: unknown } | { ok: false; error: GraphError };

export type DebugTokenResult = { ok: true; data: DebugTokenData } | { ok: false; error: GraphError };

/** Meta's limit of requests per batch call. */
const MAX_BATCH_SIZE = 50;
const DEFAULT_BATCH_CONCURRENCY = 4;
const DEFAULT_PAGE_SIZE = 100;
/** Far beyond any real account list; stops a server that keeps paging forever. */
const MAX_PAGES = 100;
const PAGE_FIELDS = 'id,name,category,access_token,tasks';

/** Batch-call failures that say "batching does not work here", not "this token/request is bad". */
const BATCH_FALLBACK_CLASSES: ReadonlySet<GraphErrorClass> = new Set(['badResponse', 'badRequest']);

interface Answer {
	status: number;
	headers: GraphHttpResponse['headers'];
	body: unknown;
	/** The pacer's ticket the request was sent under. */
	ticket?: number;
	/** For a batch answer: what its headers said, for the caller to judge with its items. */
	paceSignal?: PaceSignal;
}

type Parsed = { json: unknown } | { bad: BadAnswerKind };

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseBody(body: GraphHttpResponse['body']): Parsed {
	if (body === null || body === undefined) return { bad: 'empty' };
	if (typeof body !== 'string') return { json: body };
	const text = body.trim();
	if (text === '') return { bad: 'empty' };
	try {
		return { json: JSON.parse(text) };
	} catch {
		return { bad: text.startsWith('<') ? 'html' : 'malformedJson' };
	}
}

function chunked<T>(items: readonly T[], size: number): T[][] {
	const chunks: T[][] = [];
	for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
	return chunks;
}

/** Runs `work` over `items` with at most `limit` in flight; results keep the input order. */
async function mapWithConcurrency<T, R>(
	items: readonly T[],
	limit: number,
	work: (item: T) => Promise<R>,
): Promise<R[]> {
	const results = new Array<R>(items.length);
	let next = 0;
	const worker = async (): Promise<void> => {
		while (next < items.length) {
			const index = next++;
			results[index] = await work(items[index]);
		}
	};
	const workers = Math.min(Math.max(1, Math.floor(limit)), items.length);
	await Promise.all(Array.from({ length: workers }, worker));
	return results;
}

/** Values of secret parameters in a query string or form. */
function secretValues(parameters: Iterable<[string, string]>): string[] {
	const values: string[] = [];
	for (const [name, value] of parameters) if (SECRET_PARAMETERS.has(name)) values.push(value);
	return values;
}

function splitRelativeUrl(relativeUrl: string): { path: string; qs: Record<string, string> } {
	const queryStart = relativeUrl.indexOf('?');
	const path = queryStart === -1 ? relativeUrl : relativeUrl.slice(0, queryStart);
	const query = queryStart === -1 ? '' : relativeUrl.slice(queryStart + 1);
	return {
		path: `/${path.replace(/^\/+/, '')}`,
		qs: Object.fromEntries(new URLSearchParams(query)),
	};
}

/** Batch items carry headers as `[{name, value}]` when asked for them. */
function batchItemHeaders(headers: unknown): GraphHttpResponse['headers'] {
	const result: GraphHttpResponse['headers'] = {};
	if (!Array.isArray(headers)) return result;
	for (const header of headers) {
		if (isRecord(header) && typeof header.name === 'string' && typeof header.value === 'string') {
			result[header.name.toLowerCase()] = header.value;
		}
	}
	return result;
}

function optionalNumber(value: unknown): number | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value === 'string' && /^\d+$/.test(value.trim())) return Number(value);
	return undefined;
}

/**
 * Speaks HTTP to the Graph API through an injected transport: builds URLs, parses and classifies
 * answers, retries what a retry can fix, and never lets a secret out in an error or a log line.
 */
export class GraphClient {
	private readonly transport: GraphTransport;
	private readonly baseUrl: string;
	private readonly version: string;
	private readonly appId?: string;
	private readonly appSecret?: string;
	private readonly knownSecrets: string[];
	private readonly sleep: (ms: number) => Promise<void>;
	private readonly now: () => number;
	private readonly maxAttempts: number;
	private readonly baseDelayMs: number;
	private readonly maxDelayMs: number;
	private readonly jitter: boolean;
	private readonly random: () => number;
	private readonly timeoutMs: number;
	private readonly onRequest?: (entry: GraphRequestLogEntry) => void;
	private readonly pacer: RateLimitPacer;

	constructor(options: GraphClientOptions) {
		this.transport = options.transport;
		this.baseUrl = (options.baseUrl?.trim() || DEFAULT_GRAPH_BASE_URL).replace(/\/+$/, '');
		this.version = (options.version?.trim() || DEFAULT_GRAPH_API_VERSION).replace(/^\/+|\/+$/g, '');
		this.appId = options.appId?.trim() || undefined;
		this.appSecret = options.appSecret?.trim() || undefined;
		this.sleep = options.sleep;
		this.now = options.now ?? Date.now;
		this.maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 4));
		this.baseDelayMs = Math.max(0, options.baseDelayMs ?? 1000);
		this.maxDelayMs = Math.max(0, options.maxDelayMs ?? 60_000);
		this.jitter = options.jitter ?? false;
		this.random = options.random ?? Math.random;
		this.timeoutMs = options.timeoutMs ?? 30_000;
		this.onRequest = options.onRequest;
		this.pacer = new RateLimitPacer({
			sleep: this.sleep,
			now: this.now,
			backoff: (throttledInARow) => this.backoff(throttledInARow),
			maxDelayMs: this.maxDelayMs,
			maxWaitMs: Math.max(0, options.maxRateLimitWaitMs ?? 300_000),
		});
		this.knownSecrets = [this.appSecret, this.appToken(), ...(options.secrets ?? [])].filter(
			(secret): secret is string => typeof secret === 'string' && secret.trim() !== '',
		);
	}

	/** `app-id|app-secret`, when both are known. */
	appToken(): string | undefined {
		return this.appId && this.appSecret ? `${this.appId}|${this.appSecret}` : undefined;
	}

	/** One Graph call: parsed JSON on success, a classified GraphError otherwise. */
	async call<T>(request: GraphCallRequest): Promise<T> {
		const answer = await this.send(request, this.secretsOf(request));
		return answer.body as T;
	}

	/**
	 * Inspects a token, by default with the app token (it can inspect tokens that already died).
	 * A dead input token is an answer (`is_valid: false`), not an error.
	 */
	async debugToken(inputToken: string, opts: { accessToken?: string } = {}): Promise<DebugTokenData> {
		const request: GraphCallRequest = {
			method: 'GET',
			path: '/debug_token',
			qs: { input_token: inputToken },
			accessToken: opts.accessToken ?? this.appToken(),
		};
		const secrets = this.secretsOf(request);
		const answer = await this.send(request, secrets);
		const data = this.debugDataOf(answer.body, secrets);
		if (data instanceof GraphError) throw data;
		return data;
	}

	/** Inspects many tokens through batch calls; results are in input order. */
	async debugTokens(
		inputTokens: string[],
		opts: { accessToken?: string; concurrency?: number } = {},
	): Promise<DebugTokenResult[]> {
		const requests: BatchRequest[] = inputTokens.map((token) => ({
			method: 'GET',
			relativeUrl: `debug_token?${new URLSearchParams({ input_token: token }).toString()}`,
		}));
		const accessToken = opts.accessToken ?? this.appToken();
		const results = await this.batch(requests, { accessToken, concurrency: opts.concurrency });
		const secrets = this.secretsOf({ method: 'GET', path: '/debug_token', accessToken });
		return results.map((result, index): DebugTokenResult => {
			if (!result.ok) return result;
			// An answer can only echo its own input token (and the caller's): scrubbing each one for
			// every input token would cost O(N²) over thousands of tokens.
			const data = this.debugDataOf(result.body, [...secrets, inputTokens[index]]);
			return data instanceof GraphError ? { ok: false, error: data } : { ok: true, data };
		});
	}

	/**
	 * Runs requests as Graph batch calls of at most 50, `concurrency` calls in flight. Items Meta
	 * answers `null` (timed out) are retried in a later batch, then alone; rate-limited items are
	 * retried after the wait. When batching itself fails (unusable answer, or the batch call is
	 * refused as a bad request) the chunk falls back to single calls. Results are in input order.
	 */
	async batch(
		requests: BatchRequest[],
		opts: { accessToken?: string; concurrency?: number } = {},
	): Promise<BatchResult[]> {
		const concurrency = opts.concurrency ?? DEFAULT_BATCH_CONCURRENCY;
		const chunks = chunked(requests, MAX_BATCH_SIZE);
		const results = await mapWithConcurrency(chunks, concurrency, async (chunk) =>
			await this.runBatchChunk(chunk, opts.accessToken, concurrency),
		);
		return results.flat();
	}

	/** Exchanges a short-lived user token for a long-lived one (about 60 days). */
	async exchangeToken(shortLivedToken: string): Promise<AccessTokenAnswer> {
		return await this.exchange(shortLivedToken, 'exchange a token', {});
	}

	/** Renews an expiring system-user token for another 60 days; the old one keeps its own expiry. */
	async refreshSystemUserToken(token: string): Promise<AccessTokenAnswer> {
		return await this.exchange(token, 'refresh a system-user token', {
			set_token_expires_in_60_days: 'true',
		});
	}

	/**
	 * Generates a system-user token. Meta always demands an appsecret_proof on this call, which the
	 * authenticator adds from the credential's App Secret: without it the call cannot succeed, so it
	 * is refused up front.
	 */
	async generateSystemUserToken(opts: {
		systemUserId: string;
		scopes: string[];
		expiring: boolean;
		adminToken?: string;
	}): Promise<AccessTokenAnswer> {
		const { appId } = this.requireApp('generate a system-user token');
		const systemUserId = opts.systemUserId.trim();
		const scopes = opts.scopes.map((scope) => scope.trim()).filter((scope) => scope !== '');
		if (systemUserId === '' || scopes.length === 0) {
			throw new GraphError({
				errorClass: 'badRequest',
				summary: 'A system-user token needs a system user and at least one permission.',
				description:
					'Fill in the system user ID (Business Settings → Users → System users) and the permissions (scopes) the token should carry.',
			});
		}
		const form: Record<string, string> = { business_app: appId, scope: scopes.join(',') };
		if (opts.expiring) form.set_token_expires_in_60_days = 'true';
		const request: GraphCallRequest = {
			method: 'POST',
			path: `/${encodeURIComponent(systemUserId)}/access_tokens`,
			form,
			accessToken: opts.adminToken,
		};
		const secrets = this.secretsOf(request);
		const answer = await this.send(request, secrets);
		return this.accessTokenAnswerOf(answer.body, secrets);
	}

	/**
	 * Pages the token's user can act on, with their Page tokens. Follows the `after` cursor on our
	 * own URL — never Meta's `paging.next`, which carries the access token in its query string.
	 */
	async getPageAccounts(opts: { accessToken?: string; pageSize?: number } = {}): Promise<PageAccount[]> {
		const pageSize = Math.max(1, Math.floor(opts.pageSize ?? DEFAULT_PAGE_SIZE));
		const accounts: PageAccount[] = [];
		const seenCursors = new Set<string>();
		let after: string | undefined;
		for (let page = 0; page < MAX_PAGES; page++) {
			const qs: Record<string, string> = { fields: PAGE_FIELDS, limit: String(pageSize) };
			if (after !== undefined) qs.after = after;
			const request: GraphCallRequest = { method: 'GET', path: '/me/accounts', qs, accessToken: opts.accessToken };
			const secrets = this.secretsOf(request);
			const { body } = await this.send(request, secrets);
			if (!isRecord(body) || !Array.isArray(body.data)) {
				throw this.unexpectedShape('The list of Pages had no "data" array.', secrets);
			}
			accounts.push(...body.data.filter(isRecord).flatMap((item) => this.pageAccountOf(item)));
			after = this.nextCursor(body.paging);
			// A cursor seen before would only repeat pages already read.
			if (after === undefined || seenCursors.has(after)) break;
			seenCursors.add(after);
		}
		return accounts;
	}

	/** De-authorises the app for the token's user (`DELETE /me/permissions`). */
	async revokeUserToken(token?: string): Promise<void> {
		const request: GraphCallRequest = { method: 'DELETE', path: '/me/permissions', accessToken: token };
		const secrets = this.secretsOf(request);
		const { body } = await this.send(request, secrets);
		this.requireSuccess(body, secrets);
	}

	/** Revokes a system-user token; the call runs with `opts.accessToken` or the credential's token. */
	async revokeSystemUserToken(token: string, opts: { accessToken?: string } = {}): Promise<void> {
		const { appId, appSecret } = this.requireApp('revoke a system-user token');
		const request: GraphCallRequest = {
			method: 'GET',
			path: '/oauth/revoke',
			qs: { client_id: appId, client_secret: appSecret, revoke_token: token },
			accessToken: opts.accessToken,
		};
		const secrets = this.secretsOf(request);
		const { body } = await this.send(request, secrets);
		this.requireSuccess(body, secrets);
	}

	// -------------------------------------------------------------------------------------------
	// Sending, with retries

	/** Sends a request until it succeeds, fails for good, or runs out of attempts. */
	private async send(request: GraphCallRequest, secrets: string[]): Promise<Answer> {
		const outcome = await this.sendWithRetries(request, secrets);
		if (outcome instanceof GraphError) throw outcome;
		return outcome;
	}

	/**
	 * As {@link send}, with the final failure returned instead of thrown. Rate limits are retried
	 * while the pacer's wait budget lasts (the pacer does the waiting); other retryable failures
	 * up to `maxAttempts` tries, with exponential backoff.
	 */
	private async sendWithRetries(
		request: GraphCallRequest,
		secrets: string[],
		opts: { batch?: boolean } = {},
	): Promise<Answer | GraphError> {
		const httpRequest = this.toHttpRequest(request);
		let failures = 0;
		for (let attempt = 1; ; attempt++) {
			const outcome = await this.attempt(httpRequest, attempt, secrets, opts.batch === true);
			if (!(outcome instanceof GraphError)) return outcome;
			if (!outcome.retryable) return outcome;
			if (outcome.errorClass === 'rateLimit') {
				if (!this.pacer.mayRetryRateLimited()) return outcome;
				continue;
			}
			failures++;
			if (failures >= this.maxAttempts) return outcome;
			await this.sleep(this.backoff(failures));
		}
	}

	/**
	 * One try. The answer's usage headers go to the pacer — for a successful batch call the caller
	 * does that (`answer.paceSignal`), once it knows whether items were refused for the rate limit.
	 */
	private async attempt(
		request: GraphHttpRequest,
		attempt: number,
		secrets: string[],
		batch = false,
	): Promise<Answer | GraphError> {
		const ticket = await this.pacer.acquire();
		const started = this.now();
		let response: GraphHttpResponse;
		try {
			// A copy per attempt: an authenticator may rewrite what it is given.
			response = await this.transport({
				...request,
				qs: { ...request.qs },
				form: request.form && { ...request.form },
				headers: { ...request.headers },
			});
		} catch (cause) {
			this.pacer.release(ticket);
			// The raw error may carry the request and its headers: only its classification leaves.
			const error = classifyNetworkError(cause, secrets);
			this.log(request, null, attempt, started, error, secrets);
			return error;
		}
		let outcome: Answer | GraphError;
		let signal: PaceSignal | undefined;
		try {
			outcome = this.interpret(response, secrets);
			// Every answer's usage headers count, an error's as much as a success's.
			const error = outcome instanceof GraphError ? outcome : undefined;
			signal = paceSignalOf(response.headers, this.now(), error);
			if (batch && !error) {
				outcome = { ...(outcome as Answer), ticket, paceSignal: signal };
				signal = undefined;
			}
		} finally {
			// Released whatever happens: a request that never leaves the pacer would block the others.
			this.pacer.release(ticket, signal);
		}
		this.log(request, response.statusCode, attempt, started, outcome, secrets);
		return outcome;
	}

	private interpret(response: GraphHttpResponse, secrets: string[]): Answer | GraphError {
		const status = response.statusCode;
		const headers = response.headers ?? {};
		const context = { httpStatus: status, headers, nowMs: this.now(), secrets };
		const parsed = parseBody(response.body);
		if ('bad' in parsed) return classifyBadAnswer(parsed.bad, context);
		const envelope = errorEnvelopeOf(parsed.json);
		// Meta's error envelope decides, whatever the status (auth errors come as 400, 401 or 403).
		if (envelope) return classifyGraphError(envelope, context);
		if (status < 200 || status >= 300) return classifyBadAnswer('noEnvelope', context);
		return { status, headers, body: parsed.json };
	}

	/** Exponential backoff by the number of failures so far; never longer than `maxDelayMs`. */
	private backoff(attempt: number): number {
		const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
		return this.jitter ? Math.floor(this.random() * ceiling) : ceiling;
	}

	private toHttpRequest(request: GraphCallRequest): GraphHttpRequest {
		const path = request.path.startsWith('/') ? request.path : `/${request.path}`;
		const headers: Record<string, string> = {};
		if (request.accessToken) headers.Authorization = `Bearer ${request.accessToken}`;
		return {
			method: request.method,
			url: `${this.baseUrl}/${this.version}${path}`,
			qs: { ...(request.qs ?? {}) },
			form: request.form && { ...request.form },
			headers,
			timeoutMs: this.timeoutMs,
		};
	}

	private log(
		request: GraphHttpRequest,
		status: number | null,
		attempt: number,
		started: number,
		outcome: Answer | GraphError,
		secrets: string[],
	): void {
		if (!this.onRequest) return;
		const entry: GraphRequestLogEntry = {
			method: request.method,
			url: redactUrl(request.url, request.qs, secrets),
			status,
			attempt,
			durationMs: Math.max(0, this.now() - started),
		};
		if (outcome instanceof GraphError) entry.errorClass = outcome.errorClass;
		try {
			this.onRequest(entry);
		} catch {
			// Logging is an observer: a failing logger must not change the call's outcome.
		}
	}

	/** Every secret a request carries, plus the client's own. */
	private secretsOf(request: GraphCallRequest, extra: string[] = []): string[] {
		const secrets = [...this.knownSecrets, ...extra];
		if (request.accessToken) secrets.push(request.accessToken);
		secrets.push(...secretValues(Object.entries(request.qs ?? {})));
		secrets.push(...secretValues(Object.entries(request.form ?? {})));
		return secrets;
	}

	// -------------------------------------------------------------------------------------------
	// Batches

	private async runBatchChunk(
		chunk: BatchRequest[],
		accessToken: string | undefined,
		concurrency: number,
	): Promise<BatchResult[]> {
		const secrets = this.secretsOf(
			{ method: 'POST', path: '/', accessToken },
			chunk.flatMap((request) => secretValues(Object.entries(splitRelativeUrl(request.relativeUrl).qs))),
		);
		const results = new Array<BatchResult | undefined>(chunk.length);
		/** Why each unfinished item is unfinished: null = Meta timed it out; else a retryable error. */
		const unfinished = new Map<number, GraphError | null>(chunk.map((_, index) => [index, null]));
		/** Items given up on after their last round: timed-out ones are then tried alone. */
		const givenUp = new Map<number, GraphError | null>();
		let batchingFailed = false;
		// Rounds that retried items for something other than a rate limit: bounded by maxAttempts.
		let otherRounds = 0;

		for (let round = 1; unfinished.size > 0; round++) {
			if (round > 1) {
				const rateLimitedOnly = [...unfinished.values()].every((reason) => reason?.errorClass === 'rateLimit');
				if (!rateLimitedOnly) {
					otherRounds++;
					await this.sleep(this.backoff(otherRounds));
				}
				// Rate-limited items wait out the pacer's shared pause when they are sent.
			}
			const indexes = [...unfinished.keys()];
			const answer = await this.sendWithRetries(
				this.batchCall(indexes.map((index) => chunk[index]), accessToken),
				secrets,
				{ batch: true },
			);
			if (answer instanceof GraphError) {
				if (BATCH_FALLBACK_CLASSES.has(answer.errorClass)) {
					batchingFailed = true;
					break;
				}
				// The batch call itself failed for good (e.g. a dead calling token): so does every item.
				for (const index of indexes) results[index] = { ok: false, error: answer };
				unfinished.clear();
				break;
			}
			if (!Array.isArray(answer.body) || answer.body.length !== indexes.length) {
				if (answer.ticket !== undefined && answer.paceSignal) this.pacer.observe(answer.ticket, answer.paceSignal);
				batchingFailed = true;
				break;
			}
			let itemRateLimit: GraphError | undefined;
			answer.body.forEach((item: unknown, position) => {
				const index = indexes[position];
				const outcome = this.batchItemOutcome(item, answer.headers, secrets);
				if (outcome === null || (!outcome.ok && outcome.error.retryable)) {
					unfinished.set(index, outcome && !outcome.ok ? outcome.error : null);
					if (outcome && !outcome.ok && outcome.error.errorClass === 'rateLimit') itemRateLimit ??= outcome.error;
				} else {
					results[index] = outcome;
					unfinished.delete(index);
				}
			});
			// Items can be refused for the rate limit in a batch whose own answer looks calm.
			if (answer.ticket !== undefined && answer.paceSignal) {
				this.pacer.observe(answer.ticket, {
					usagePercent: answer.paceSignal.usagePercent,
					rateLimited: itemRateLimit !== undefined,
					retryAfterMs: itemRateLimit?.retryAfterMs ?? answer.paceSignal.retryAfterMs,
				});
			}
			// Settle the items that may not go another round.
			const mayRetryRateLimited = this.pacer.mayRetryRateLimited();
			for (const [index, reason] of unfinished) {
				const isRateLimit = reason?.errorClass === 'rateLimit';
				const outOfTurns = isRateLimit ? !mayRetryRateLimited : otherRounds + 1 >= this.maxAttempts;
				if (outOfTurns) {
					givenUp.set(index, reason);
					unfinished.delete(index);
				}
			}
		}

		// When batching failed every unfinished item is tried alone; items given up on keep their
		// retryable error, and timed-out ones are tried alone.
		const alone: number[] = [];
		for (const [index, lastError] of givenUp) {
			if (lastError) results[index] = { ok: false, error: lastError };
			else alone.push(index);
		}
		if (batchingFailed) alone.push(...unfinished.keys());
		const singles = await mapWithConcurrency(alone, concurrency, async (index) =>
			await this.singleCall(chunk[index], accessToken, secrets),
		);
		alone.forEach((index, position) => (results[index] = singles[position]));
		return results.map((result) => result as BatchResult);
	}

	private batchCall(requests: BatchRequest[], accessToken: string | undefined): GraphCallRequest {
		const batch = requests.map((request) => ({
			method: request.method,
			relative_url: request.relativeUrl.replace(/^\/+/, ''),
		}));
		return {
			method: 'POST',
			path: '/',
			form: { batch: JSON.stringify(batch), include_headers: 'false' },
			accessToken,
		};
	}

	/**
	 * An item's result, or null when it has to be asked again (Meta answered null: timed out).
	 * Items come without headers (`include_headers=false`), so a rate-limited item's wait is read
	 * from the batch answer's usage headers.
	 */
	private batchItemOutcome(
		item: unknown,
		batchHeaders: GraphHttpResponse['headers'],
		secrets: string[],
	): BatchResult | null {
		// Anything but `{code, body}` is treated like a timeout: asking again costs little.
		if (!isRecord(item) || typeof item.code !== 'number') return null;
		const body = item.body;
		const itemHeaders = batchItemHeaders(item.headers);
		const outcome = this.interpret(
			{
				statusCode: item.code,
				headers: Object.keys(itemHeaders).length > 0 ? itemHeaders : batchHeaders,
				body: typeof body === 'string' || isRecord(body) ? body : null,
			},
			secrets,
		);
		return outcome instanceof GraphError
			? { ok: false, error: outcome }
			: { ok: true, status: outcome.status, body: outcome.body };
	}

	private async singleCall(
		request: BatchRequest,
		accessToken: string | undefined,
		secrets: string[],
	): Promise<BatchResult> {
		const { path, qs } = splitRelativeUrl(request.relativeUrl);
		const answer = await this.sendWithRetries({ method: request.method, path, qs, accessToken }, secrets);
		return answer instanceof GraphError
			? { ok: false, error: answer }
			: { ok: true, status: answer.status, body: answer.body };
	}

	// -------------------------------------------------------------------------------------------
	// Answers

	private async exchange(
		token: string,
		action: string,
		extra: Record<string, string>,
	): Promise<AccessTokenAnswer> {
		const { appId, appSecret } = this.requireApp(action);
		const request: GraphCallRequest = {
			method: 'GET',
			path: '/oauth/access_token',
			qs: {
				grant_type: 'fb_exchange_token',
				client_id: appId,
				client_secret: appSecret,
				fb_exchange_token: token,
				...extra,
			},
			// The token being exchanged signs the call: the credential's own token may be the dead one.
			accessToken: token,
		};
		const secrets = this.secretsOf(request);
		const answer = await this.send(request, secrets);
		return this.accessTokenAnswerOf(answer.body, secrets);
	}

	private requireApp(action: string): { appId: string; appSecret: string } {
		const missing: string[] = [];
		if (!this.appId) missing.push('App ID');
		if (!this.appSecret) missing.push('App Secret');
		if (this.appId && this.appSecret) return { appId: this.appId, appSecret: this.appSecret };
		const fields = missing.map((field) => `'${field}'`).join(' and ');
		throw new GraphError({
			errorClass: 'badRequest',
			summary: `To ${action}, the credential needs the Meta app's ${missing.join(' and ')}.`,
			description: `Fill in ${fields} in the credential (App Dashboard → Settings → Basic).`,
		});
	}

	private accessTokenAnswerOf(body: unknown, secrets: string[]): AccessTokenAnswer {
		if (!isRecord(body) || typeof body.access_token !== 'string' || body.access_token === '') {
			throw this.unexpectedShape('It had no access_token.', secrets);
		}
		const answer: AccessTokenAnswer = { access_token: body.access_token };
		if (typeof body.token_type === 'string') answer.token_type = body.token_type;
		// Absent means "never expires, or unknown": debug_token tells which.
		const expiresIn = optionalNumber(body.expires_in);
		if (expiresIn !== undefined) answer.expires_in = expiresIn;
		return answer;
	}

	private debugDataOf(body: unknown, secrets: string[]): DebugTokenData | GraphError {
		if (!isRecord(body) || !isRecord(body.data)) {
			return this.unexpectedShape('The debug_token answer had no "data" object.', secrets);
		}
		const data = { ...body.data } as DebugTokenData;
		// Documented as ints, seen as strings: always strings.
		if (Array.isArray(data.granular_scopes)) {
			data.granular_scopes = data.granular_scopes.map((grant) =>
				Array.isArray(grant.target_ids)
					? { ...grant, target_ids: grant.target_ids.map((id) => String(id)) }
					: grant,
			);
		}
		// The node outputs this message: it must be as clean as our own.
		if (isRecord(data.error) && typeof data.error.message === 'string') {
			data.error = { ...data.error, message: scrubSecrets(data.error.message, secrets) };
		}
		return data;
	}

	private pageAccountOf(item: Record<string, unknown>): PageAccount[] {
		if (typeof item.id !== 'string' && typeof item.id !== 'number') return [];
		const account: PageAccount = { id: String(item.id) };
		if (typeof item.name === 'string') account.name = item.name;
		if (typeof item.category === 'string') account.category = item.category;
		if (typeof item.access_token === 'string') account.access_token = item.access_token;
		if (Array.isArray(item.tasks)) {
			account.tasks = item.tasks.filter((task): task is string => typeof task === 'string');
		}
		return [account];
	}

	/** The `after` cursor, only when Meta says there is a next page. */
	private nextCursor(paging: unknown): string | undefined {
		if (!isRecord(paging) || !paging.next || !isRecord(paging.cursors)) return undefined;
		const after = paging.cursors.after;
		return typeof after === 'string' && after !== '' ? after : undefined;
	}

	private requireSuccess(body: unknown, secrets: string[]): void {
		// `{"success":true}`, `{"success":"true"}` (oauth/revoke) or a bare `true` (older versions).
		const success = isRecord(body) ? body.success : body;
		if (success === true || success === 'true') return;
		throw this.unexpectedShape('Meta did not confirm the revocation (no "success": true).', secrets);
	}

	private unexpectedShape(detail: string, secrets: string[]): GraphError {
		return classifyBadAnswer('unexpectedShape', { detail, nowMs: this.now(), secrets });
	}
}
