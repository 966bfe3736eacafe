/**
 * Graph batch calls: requests taken as they come, sent in calls of at most 50 cut to the room the
 * pacer sees left in the app's quota, several calls in flight; items Meta timed out asked again,
 * rate-limited items sent again after the pause (in calls cut to the room, so a throttled app is
 * probed with one call, not fifty), and single calls when a batch answer is unusable. Its own
 * file because it is one algorithm with its own queue and bookkeeping on top of the sender; the
 * endpoints only hand it requests.
 */
import { DEFAULT_CONCURRENCY, mapWithConcurrency } from './concurrency';
import { GraphError } from './GraphError';
import type { PacerGrant, PaceSignal } from './pacing';
import { secretParameterValues } from '../meta/redact';
import type { Answer, GraphCallRequest, GraphSender } from './sender';
import type { BatchRequest, GraphHttpResponse } from './http';
import { isRecord } from '../meta/wire';

export type BatchResult = { ok: true; status: number; body: unknown } | { ok: false; error: GraphError };

export interface BatchOptions {
	/** The token the batch calls (and any fallback single calls) run with. */
	accessToken?: string;
	/** Batch calls in flight at once; default DEFAULT_CONCURRENCY. */
	concurrency?: number;
	/**
	 * How many requests the run will have (its item count, say), when they are added one by one;
	 * a tenth of it (or one full round of calls, see {@link firstAnswerCap}) may go out before
	 * Meta's first answer tells how much of the quota is used.
	 */
	expected?: number;
}

/** Meta's limit of requests per batch call. */
const MAX_BATCH_SIZE = 50;
/**
 * Before the first answer the pacer does not know whether the app is already throttled: a run
 * risks a tenth of its calls (at least this many) on finding out, not all of them at once.
 */
const SHARE_BEFORE_FIRST_ANSWER = 0.1;
const MIN_BEFORE_FIRST_ANSWER = 10;
/** …or one full round of batch calls, when that round is at most this share of the run. */
const ROUND_SHARE_BEFORE_FIRST_ANSWER = 0.2;

/**
 * How many calls of a run of `expected` may be in flight before Meta's first answer: a tenth of
 * the run — or, when one full round (`concurrency` calls of 50) is at most a fifth of the run, that
 * round. A run of 5 to 10 rounds (1,000 tokens at the default Concurrency 4) otherwise starts with
 * a half-empty round and takes one round-trip more than it needs; only the first round leaves
 * blind, so a throttled app still costs at most a fifth of the run's calls before the pacer pauses
 * and probes with single calls. Smaller runs keep the tenth: for them a full round would be more
 * than a fifth of the run (up to 200 tokens at Concurrency 4, all of it).
 */
function firstAnswerCap(expected: number, concurrency: number): number {
	const tenth = Math.max(MIN_BEFORE_FIRST_ANSWER, Math.ceil(expected * SHARE_BEFORE_FIRST_ANSWER));
	const round = concurrency * MAX_BATCH_SIZE;
	return round <= expected * ROUND_SHARE_BEFORE_FIRST_ANSWER ? Math.max(tenth, round) : tenth;
}

/**
 * Whether a failed batch call says "this answer cannot be read as a batch answer" (a 2xx that is not
 * JSON, empty, cut off): then single calls may still work. A refusal — a Graph error (unknown API
 * version, a refused app token, a missing proof), an error status, an unreachable Meta — would
 * refuse every single call too, so it is every item's answer instead.
 */
function isUnusableAnswer(error: GraphError): boolean {
	const status = error.httpStatus;
	return error.errorClass === 'badResponse' && status !== undefined && status >= 200 && status < 300;
}

/** A request waiting for its answer. */
interface Pending {
	request: BatchRequest;
	/**
	 * The secret parameter values (input tokens…) of the 50 requests it was added with, itself
	 * included: scrubbed from whatever its answer says, wherever it is sent (a retry may go alone).
	 */
	secrets: string[];
	/** Rounds it was asked again for something else than a rate limit (Meta timed it out…). */
	rounds: number;
	settle: (result: BatchResult) => void;
}

/**
 * One run of batch calls, fed request by request ({@link add}) — so the first calls can leave
 * while the caller is still reading the later requests — and closed when no more come
 * ({@link close}). Calls of 50 go as soon as 50 requests wait (fewer only after close, or when
 * the quota's room is smaller), at most `concurrency` in flight, each cut to what the pacer
 * grants. Items Meta answers `null` (timed out) or with a retryable error go again in a later call,
 * up to `maxAttempts` rounds, then timed-out ones alone; rate-limited items go again after the
 * pause for as long as the wait budget lasts. When a batch answer is unusable its items go alone;
 * when a batch call is refused, each of its items gets that error.
 */
export class BatchRun {
	private readonly queue: Pending[] = [];
	private readonly concurrency: number;
	private readonly runSecrets: string[];
	private readonly finished: Promise<void>;
	private callsInFlight = 0;
	private closed = false;
	private wake: (() => void) | undefined;
	/** The secrets of the requests added since the last 50 (see {@link Pending.secrets}). */
	private addedSecrets: string[] = [];
	private addedCount = 0;

	constructor(
		private readonly sender: GraphSender,
		private readonly opts: BatchOptions = {},
	) {
		this.concurrency = Math.max(1, Math.floor(opts.concurrency ?? DEFAULT_CONCURRENCY));
		if (opts.expected !== undefined && opts.expected > 0) {
			sender.pacer.capBeforeFirstAnswer(firstAnswerCap(opts.expected, this.concurrency));
		}
		this.runSecrets = sender.secretsOf({ accessToken: opts.accessToken });
		this.finished = this.dispatch();
	}

	/** Queues a request; its result comes once it is answered or given up on. */
	add(request: BatchRequest): Promise<BatchResult> {
		if (this.closed) throw new Error('BatchRun: a request was added after close()');
		if (this.addedCount++ % MAX_BATCH_SIZE === 0) this.addedSecrets = [];
		const secrets = this.addedSecrets;
		secrets.push(...(request.secrets ?? secretParameterValues(splitRelativeUrl(request.relativeUrl).qs)));
		const result = new Promise<BatchResult>((settle) => this.queue.push({ request, secrets, rounds: 0, settle }));
		if (this.queue.length >= Math.min(MAX_BATCH_SIZE, this.sender.pacer.room())) this.notify();
		return result;
	}

	/** Says no more requests come (a last, smaller call may go); resolves once every one is settled. */
	async close(): Promise<void> {
		this.closed = true;
		this.notify();
		await this.finished;
	}

	private notify(): void {
		const wake = this.wake;
		this.wake = undefined;
		wake?.();
	}

	private changed(): Promise<void> {
		return new Promise<void>((resolve) => (this.wake = resolve));
	}

	/** The one loop that starts calls: each waits for a free slot, enough requests and room. */
	private async dispatch(): Promise<void> {
		const { pacer } = this.sender;
		for (;;) {
			if (this.closed && this.queue.length === 0 && this.callsInFlight === 0) return;
			const room = pacer.room();
			const full = Math.min(MAX_BATCH_SIZE, room);
			const ready = this.queue.length > 0 && room >= 1 && (this.closed || this.queue.length >= full);
			if (!ready || this.callsInFlight >= this.concurrency) {
				// No room can mean requests of another caller in flight: their end wakes us too.
				await (ready || room >= 1 ? this.changed() : Promise.race([this.changed(), pacer.released()]));
				continue;
			}
			const grant = await pacer.acquireUpTo(Math.min(MAX_BATCH_SIZE, this.queue.length));
			const items = this.queue.splice(0, grant.calls);
			this.callsInFlight++;
			void this.call(items, grant)
				.catch((error: unknown) => {
					// Whatever went wrong must fail these items, never leave the run waiting for them.
					const failure =
						error instanceof GraphError
							? error
							: new GraphError({
									errorClass: 'badResponse',
									summary: 'The answer to a Graph batch call could not be handled.',
									description: 'Run it again; if it keeps failing, report it with n8n\'s log.',
								});
					for (const item of items) item.settle({ ok: false, error: failure });
				})
				.finally(() => {
					this.callsInFlight--;
					this.notify();
				});
		}
	}

	/** One batch call and what becomes of each of its items. Never throws: every item is settled or queued again. */
	private async call(items: Pending[], grant: PacerGrant): Promise<void> {
		const { sender } = this;
		const groups = new Set(items.map((item) => item.secrets));
		const secrets = [...this.runSecrets, ...[...groups].flat()];
		let outcomes: Array<BatchResult | null> | undefined;
		const answer = await sender.sendWithRetries(
			batchCall(
				items.map((item) => item.request),
				this.opts.accessToken,
			),
			secrets,
			{
				calls: items.length,
				grant,
				readBatch: (batchAnswer, signal) => {
					if (!Array.isArray(batchAnswer.body) || batchAnswer.body.length !== items.length) return signal;
					outcomes = batchAnswer.body.map((item: unknown) => batchItemOutcome(sender, item, batchAnswer.headers, secrets));
					return itemsSignal(outcomes, signal);
				},
			},
		);
		if (answer instanceof GraphError) {
			if (answer.errorClass === 'rateLimit' && answer.retryable) {
				// Refused as a whole for the rate limit: the pacer paused; the items go again after it.
				this.queue.unshift(...items);
			} else if (isUnusableAnswer(answer)) {
				await this.alone(items, secrets);
			} else {
				// The batch call itself was refused for good (a dead calling token, an unknown API
				// version…), or Meta is unreachable: so is every item, without a call of its own.
				for (const item of items) item.settle({ ok: false, error: answer });
			}
			return;
		}
		if (!outcomes) {
			await this.alone(items, secrets);
			return;
		}
		const mayRetryRateLimited = sender.pacer.mayRetryRateLimited();
		const rateLimited: Pending[] = [];
		const again: Pending[] = [];
		const alone: Pending[] = [];
		outcomes.forEach((outcome, position) => {
			const item = items[position];
			if (outcome !== null && (outcome.ok || !outcome.error.retryable)) {
				item.settle(outcome);
				return;
			}
			const error = outcome === null || outcome.ok ? null : outcome.error;
			if (error?.errorClass === 'rateLimit') {
				if (mayRetryRateLimited) rateLimited.push(item);
				else item.settle({ ok: false, error: sender.givenUpOnRateLimit(error) });
				return;
			}
			item.rounds++;
			if (item.rounds < sender.maxAttempts) again.push(item);
			// Given up: a retryable error is the answer; a timed-out item is tried alone.
			else if (error) item.settle({ ok: false, error });
			else alone.push(item);
		});
		// Rate-limited items wait out the pacer's shared pause when they are sent again.
		this.queue.unshift(...rateLimited);
		if (again.length > 0) {
			await sender.sleep(sender.backoff(Math.max(...again.map((item) => item.rounds))));
			this.queue.unshift(...again);
		}
		await this.alone(alone, secrets);
	}

	/** Items tried alone, each as a single call. */
	private async alone(items: Pending[], secrets: string[]): Promise<void> {
		const results = await mapWithConcurrency(items, this.concurrency, async (item) =>
			await singleCall(this.sender, item.request, this.opts.accessToken, secrets),
		);
		items.forEach((item, index) => item.settle(results[index]));
	}
}

/** What a batch answer tells the pacer: its headers', and whether any item was refused for the rate limit. */
function itemsSignal(outcomes: Array<BatchResult | null>, signal: PaceSignal): PaceSignal {
	let refused: GraphError | undefined;
	for (const outcome of outcomes) {
		if (outcome && !outcome.ok && outcome.error.errorClass === 'rateLimit') {
			refused = outcome.error;
			break;
		}
	}
	// Items can be refused for the rate limit in a batch whose own answer looks calm.
	if (!refused) return signal;
	return {
		...signal,
		rateLimited: true,
		retryAfterMs: refused.retryAfterMs ?? signal.retryAfterMs,
	};
}

function batchCall(requests: BatchRequest[], accessToken: string | undefined): GraphCallRequest {
	const batch = requests.map((request) => ({
		method: request.method,
		relative_url: request.relativeUrl.replace(/^\/+/, ''),
	}));
	return {
		effect: 'idempotent',
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
function batchItemOutcome(
	sender: GraphSender,
	item: unknown,
	batchHeaders: GraphHttpResponse['headers'],
	secrets: string[],
): BatchResult | null {
	// Anything but `{code, body}` is treated like a timeout: asking again costs little.
	if (!isRecord(item) || typeof item.code !== 'number') return null;
	const body = item.body;
	const itemHeaders = batchItemHeaders(item.headers);
	const outcome = sender.interpret(
		{
			statusCode: item.code,
			headers: Object.keys(itemHeaders).length > 0 ? itemHeaders : batchHeaders,
			body: typeof body === 'string' || isRecord(body) ? body : null,
		},
		secrets,
	);
	return resultOf(outcome);
}

async function singleCall(
	sender: GraphSender,
	request: BatchRequest,
	accessToken: string | undefined,
	secrets: string[],
): Promise<BatchResult> {
	const { path, qs } = splitRelativeUrl(request.relativeUrl);
	// Only reads are batched: a batched request is idempotent, alone as in the batch.
	const answer = await sender.sendWithRetries({ effect: 'idempotent', method: request.method, path, qs, accessToken }, secrets);
	return resultOf(answer);
}

function resultOf(outcome: Answer | GraphError): BatchResult {
	return outcome instanceof GraphError
		? { ok: false, error: outcome }
		: { ok: true, status: outcome.status, body: outcome.body };
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

function splitRelativeUrl(relativeUrl: string): { path: string; qs: Record<string, string> } {
	const queryStart = relativeUrl.indexOf('?');
	const path = queryStart === -1 ? relativeUrl : relativeUrl.slice(0, queryStart);
	const query = queryStart === -1 ? '' : relativeUrl.slice(queryStart + 1);
	return {
		path: `/${path.replace(/^\/+/, '')}`,
		qs: Object.fromEntries(new URLSearchParams(query)),
	};
}
