/**
 * One Graph call on the wire: builds the HTTP request, sends it under the shared rate-limit pacer,
 * interprets the answer (a success, or a classified GraphError), retries what a retry can fix with
 * exponential backoff, and logs every attempt with its secrets redacted. Its own file because the
 * endpoints (GraphClient.ts) and the batch runner (batch.ts) both send through it.
 *
 * Retry policy, per call ({@link CallEffect}):
 * - an idempotent call (inspect, list Pages, revoke) is retried for whatever a retry can fix;
 * - a minting call (exchange, refresh, generate) creates a token each time Meta processes it, so it
 *   is retried only when the request surely never reached Meta (connection refused, host name not
 *   found) or Meta said it did not process it (a rate limit). A timeout, a reset, a 5xx or a
 *   garbled answer may hide a token that was created: the call fails, saying so and how to check.
 * - Once a call of this sender gave up on a transport failure (Meta unreachable), every later call
 *   fails at once with the same classified error: one sender serves one node run, and a run of 100
 *   items must not repeat the full retry sequence 100 times.
 */
import { parseBody } from './answers';
import { classifyBadAnswer, classifyGraphError, errorEnvelopeOf } from './classify';
import { classifyNetworkError } from './networkErrors';
import { GraphError } from './GraphError';
import { paceSignalOf, RateLimitPacer, type PacerGrant, type PaceSignal } from './pacing';
import { redactUrl, secretParameterValues } from '../meta/redact';
import { DEFAULT_GRAPH_API_VERSION, DEFAULT_GRAPH_BASE_URL } from '../meta/endpoint';
import type { GraphErrorClass } from '../meta/types';
import type { GraphHttpRequest, GraphHttpResponse, GraphTransport, HttpMethod } from './http';

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

export interface GraphSenderOptions {
	transport: GraphTransport;
	/** Default `https://graph.facebook.com`; a trailing slash is tolerated. */
	baseUrl?: string;
	/** Default `v25.0`. */
	version?: string;
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
	/** Per request, handed to the transport. Default 30000. */
	timeoutMs?: number;
	onRequest?: (entry: GraphRequestLogEntry) => void;
}

/**
 * What sending a call twice does: nothing more (`idempotent`), or create a second token
 * (`minting`). Decides which failures may be retried.
 */
export type CallEffect = 'idempotent' | 'minting';

export interface GraphCallRequest {
	effect: CallEffect;
	method: HttpMethod;
	/** Below the version root, e.g. `/debug_token`. */
	path: string;
	qs?: Record<string, string>;
	form?: Record<string, string>;
	/** Runs the call with this token instead of the credential's. */
	accessToken?: string;
	/** `path` is below the host, not the version root (Instagram's and Threads' token endpoints have no version). */
	unversioned?: true;
}

/** A successful answer: a 2xx with JSON that is not a Graph error envelope. */
export interface Answer {
	status: number;
	headers: GraphHttpResponse['headers'];
	body: unknown;
}

/** How one call is sent, beyond the request itself. */
interface SendOptions {
	/** Sub-requests the call carries: what it counts against the app's quota. Default 1. */
	calls?: number;
	/** What the pacer already granted the first attempt (the batch runner cuts batches to it). */
	grant?: PacerGrant;
	/**
	 * Marks a batch call: reads a successful answer's items and says what they tell the pacer,
	 * before the next request is let go. A rate-limited batch call is then handed back instead of
	 * retried here, so that its items can go again in calls cut to the room left.
	 */
	readBatch?: (answer: Answer, signal: PaceSignal) => PaceSignal;
}

/**
 * Sends Graph calls through an injected transport and never lets a secret out in an error or a
 * log line. One per client: its pacer is shared by every request the client makes.
 */
export class GraphSender {
	readonly sleep: (ms: number) => Promise<void>;
	readonly now: () => number;
	readonly maxAttempts: number;
	readonly pacer: RateLimitPacer;
	private readonly transport: GraphTransport;
	private readonly baseUrl: string;
	private readonly version: string;
	private readonly knownSecrets: string[];
	private readonly baseDelayMs: number;
	private readonly maxDelayMs: number;
	private readonly timeoutMs: number;
	private readonly onRequest?: (entry: GraphRequestLogEntry) => void;
	/** The transport failure a call of this run gave up on: later calls fail with it at once. */
	private unreachable: GraphError | undefined;

	constructor(options: GraphSenderOptions) {
		this.transport = options.transport;
		this.baseUrl = (options.baseUrl?.trim() || DEFAULT_GRAPH_BASE_URL).replace(/\/+$/, '');
		this.version = (options.version?.trim() || DEFAULT_GRAPH_API_VERSION).replace(/^\/+|\/+$/g, '');
		this.knownSecrets = (options.secrets ?? []).filter(
			(secret): secret is string => typeof secret === 'string' && secret.trim() !== '',
		);
		this.sleep = options.sleep;
		this.now = options.now ?? Date.now;
		this.maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 4));
		this.baseDelayMs = Math.max(0, options.baseDelayMs ?? 1000);
		this.maxDelayMs = Math.max(0, options.maxDelayMs ?? 60_000);
		this.timeoutMs = options.timeoutMs ?? 30_000;
		this.onRequest = options.onRequest;
		this.pacer = new RateLimitPacer({
			sleep: this.sleep,
			now: this.now,
			backoff: (throttledInARow) => this.backoff(throttledInARow),
			maxDelayMs: this.maxDelayMs,
			maxWaitMs: Math.max(0, options.maxRateLimitWaitMs ?? 300_000),
		});
	}

	/** Every secret a request carries, plus the ones the sender was told about. */
	secretsOf(request: Pick<GraphCallRequest, 'accessToken' | 'qs' | 'form'>, extra: string[] = []): string[] {
		const secrets = [...this.knownSecrets, ...extra];
		if (request.accessToken) secrets.push(request.accessToken);
		secrets.push(...secretParameterValues(request.qs));
		secrets.push(...secretParameterValues(request.form));
		return secrets;
	}

	/** Sends a request until it succeeds, fails for good, or runs out of attempts. */
	async send(request: GraphCallRequest, secrets = this.secretsOf(request)): Promise<Answer> {
		const outcome = await this.sendWithRetries(request, secrets);
		if (outcome instanceof GraphError) throw outcome;
		return outcome;
	}

	/**
	 * As {@link send}, with the final failure returned instead of thrown. Rate limits are retried
	 * while the pacer's wait budget lasts (the pacer does the waiting); other retryable failures
	 * up to `maxAttempts` tries, with exponential backoff — for a minting call only those that
	 * surely never reached Meta.
	 */
	async sendWithRetries(
		request: GraphCallRequest,
		secrets: string[],
		opts: SendOptions = {},
	): Promise<Answer | GraphError> {
		if (this.unreachable) {
			if (opts.grant) this.pacer.release(opts.grant);
			return this.unreachable;
		}
		const httpRequest = this.toHttpRequest(request);
		let failures = 0;
		for (let attempt = 1; ; attempt++) {
			const grant = attempt === 1 && opts.grant ? opts.grant : await this.pacer.acquire(opts.calls ?? 1);
			const outcome = await this.attempt(httpRequest, attempt, secrets, grant, opts.readBatch);
			if (!(outcome instanceof GraphError)) return outcome;
			if (outcome.errorClass === 'rateLimit' && outcome.retryable) {
				if (!this.pacer.mayRetryRateLimited()) return this.givenUpOnRateLimit(outcome);
				if (opts.readBatch) return outcome;
				continue;
			}
			const mayRetry =
				outcome.retryable && (request.effect === 'idempotent' || outcome.neverReachedMeta);
			if (mayRetry && failures + 1 < this.maxAttempts) {
				failures++;
				await this.sleep(this.backoff(failures));
				continue;
			}
			// Meta counts as unreachable when a transport failure outlasted every retry allowed, or a
			// minting call got no answer at all within the timeout (asking again per item would wait
			// that long for each). A reset of one minting call alone says nothing of the others.
			const unreachable =
				outcome.errorClass === 'network' && (mayRetry || (request.effect === 'minting' && outcome.timedOut));
			return this.settle(request, outcome, attempt, unreachable);
		}
	}

	/**
	 * The error a rate-limited request gives up with: Meta's limit and wait, and why this run will
	 * not wait for it (see {@link RateLimitPacer.giveUpNote}).
	 */
	givenUpOnRateLimit(error: GraphError): GraphError {
		const note = this.pacer.giveUpNote();
		return error.derive({ summary: note ? `${error.summary} ${note}` : error.summary, retryable: false });
	}

	/** A failure that is final: remembered when Meta is unreachable, worded when a token may exist. */
	private settle(request: GraphCallRequest, error: GraphError, attempts: number, unreachable: boolean): GraphError {
		let settled = error;
		if (error.errorClass === 'network') {
			const tries = attempts > 1 ? ` It was tried ${attempts} times.` : '';
			settled = error.derive({ summary: `${error.summary}${tries}`, retryable: false });
		}
		if (unreachable) {
			this.unreachable ??= settled.derive({
				summary: `${error.summary} Not sent: an earlier call of this run could not reach the Graph API, so the remaining calls fail at once.`,
				neverReachedMeta: true,
			});
		}
		if (request.effect === 'minting' && mayHaveMinted(error)) {
			settled = settled.derive({
				summary: `${settled.summary} A new token may have been created anyway: the request may have reached Meta before the answer was lost, so it was not sent again.`,
				description:
					"Before running it again, check whether a token was created: inspect the tokens you know (this node's Inspect operation, or debug_token), and for a system user look at its tokens in Business Settings → Users → System users; revoke any you do not use.",
				mayHaveMinted: true,
				retryable: false,
			});
		}
		return settled;
	}

	/** A response judged: Meta's error envelope decides, whatever the status; else the status. */
	interpret(response: GraphHttpResponse, secrets: readonly string[]): Answer | GraphError {
		const status = response.statusCode;
		const headers = response.headers ?? {};
		const context = { httpStatus: status, headers, nowMs: this.now(), secrets };
		const parsed = parseBody(response.body);
		if ('bad' in parsed) return classifyBadAnswer(parsed.bad, context);
		const envelope = errorEnvelopeOf(parsed.json);
		// Auth errors come as 400, 401 or 403: the status alone would misjudge them.
		if (envelope) return classifyGraphError(envelope, context);
		if (status < 200 || status >= 300) return classifyBadAnswer('noEnvelope', context);
		return { status, headers, body: parsed.json };
	}

	/** Exponential backoff by the number of failures so far; never longer than `maxDelayMs`. */
	backoff(failures: number): number {
		return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (failures - 1));
	}

	/**
	 * One try under `grant`. The answer's usage headers go to the pacer before anything else may be
	 * sent — for a successful batch call together with what its items said (`readBatch`).
	 */
	private async attempt(
		request: GraphHttpRequest,
		attempt: number,
		secrets: string[],
		grant: PacerGrant,
		readBatch: SendOptions['readBatch'],
	): Promise<Answer | GraphError> {
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
			this.pacer.release(grant);
			// A transport may refuse to send with an error it classified itself (n8n's SSRF protection
			// blocking the address). Any other raw error may carry the request and its headers: only
			// its classification leaves.
			const error = cause instanceof GraphError ? cause : classifyNetworkError(cause, secrets);
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
			if (readBatch && !error) signal = readBatch(outcome as Answer, signal);
		} finally {
			// Released whatever happens: a request that never leaves the pacer would block the others.
			this.pacer.release(grant, signal);
		}
		this.log(request, response.statusCode, attempt, started, outcome, secrets);
		return outcome;
	}

	private toHttpRequest(request: GraphCallRequest): GraphHttpRequest {
		const path = request.path.startsWith('/') ? request.path : `/${request.path}`;
		const headers: Record<string, string> = {};
		if (request.accessToken) headers.Authorization = `Bearer ${request.accessToken}`;
		return {
			method: request.method,
			url: request.unversioned ? `${this.baseUrl}${path}` : `${this.baseUrl}/${this.version}${path}`,
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
}

/**
 * Whether a failed minting call may still have created a token: Meta may have processed it when an
 * answer was lost after sending (timeout, reset), came garbled, or was a server fault. A refusal
 * with a Graph error (auth, permission, bad request, rate limit…) created nothing.
 */
function mayHaveMinted(error: GraphError): boolean {
	if (error.errorClass === 'network') return !error.neverReachedMeta;
	return error.errorClass === 'transient' || error.errorClass === 'badResponse';
}
