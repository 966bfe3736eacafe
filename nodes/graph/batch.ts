/**
 * Graph batch calls: requests cut into chunks of at most 50, several chunks in flight, items Meta
 * timed out asked again, rate-limited items retried after the pause, and single calls when the
 * batch answer is unusable. Its own file because it is one algorithm with its own rounds and
 * bookkeeping on top of the sender; the endpoints only hand it requests.
 */
import { mapWithConcurrency } from './concurrency';
import { GraphError } from './GraphError';
import { secretParameterValues } from './redact';
import type { Answer, GraphCallRequest, GraphSender } from './sender';
import type { BatchRequest, GraphHttpResponse } from './types';
import { isRecord } from './wire';

export type BatchResult = { ok: true; status: number; body: unknown } | { ok: false; error: GraphError };

export interface BatchOptions {
	/** The token the batch calls (and any fallback single calls) run with. */
	accessToken?: string;
	/** Batch calls in flight at once; default 4. */
	concurrency?: number;
}

/** Meta's limit of requests per batch call. */
const MAX_BATCH_SIZE = 50;
const DEFAULT_BATCH_CONCURRENCY = 4;

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

/**
 * Runs requests as Graph batch calls of at most 50, `concurrency` calls in flight. Items Meta
 * answers `null` (timed out) are retried in a later batch, then alone; rate-limited items are
 * retried after the wait. When the batch answer is unusable the chunk falls back to single calls;
 * when the batch call is refused, every item of the chunk gets that error. Results are in input order.
 */
export async function runBatch(
	sender: GraphSender,
	requests: BatchRequest[],
	opts: BatchOptions = {},
): Promise<BatchResult[]> {
	const concurrency = opts.concurrency ?? DEFAULT_BATCH_CONCURRENCY;
	const chunks = chunked(requests, MAX_BATCH_SIZE);
	const results = await mapWithConcurrency(chunks, concurrency, async (chunk) =>
		await runChunk(sender, chunk, opts.accessToken, concurrency),
	);
	return results.flat();
}

async function runChunk(
	sender: GraphSender,
	chunk: BatchRequest[],
	accessToken: string | undefined,
	concurrency: number,
): Promise<BatchResult[]> {
	const secrets = sender.secretsOf(
		{ accessToken },
		chunk.flatMap((request) => secretParameterValues(splitRelativeUrl(request.relativeUrl).qs)),
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
				await sender.sleep(sender.backoff(otherRounds));
			}
			// Rate-limited items wait out the pacer's shared pause when they are sent.
		}
		const indexes = [...unfinished.keys()];
		const answer = await sender.sendWithRetries(
			batchCall(indexes.map((index) => chunk[index]), accessToken),
			secrets,
			{ batch: true },
		);
		if (answer instanceof GraphError) {
			if (isUnusableAnswer(answer)) {
				batchingFailed = true;
				break;
			}
			// The batch call itself was refused for good (a dead calling token, an unknown API
			// version…), or Meta is unreachable: so is every item, without a call of its own.
			for (const index of indexes) results[index] = { ok: false, error: answer };
			unfinished.clear();
			break;
		}
		if (!Array.isArray(answer.body) || answer.body.length !== indexes.length) {
			if (answer.ticket !== undefined && answer.paceSignal) sender.pacer.observe(answer.ticket, answer.paceSignal);
			batchingFailed = true;
			break;
		}
		let itemRateLimit: GraphError | undefined;
		answer.body.forEach((item: unknown, position) => {
			const index = indexes[position];
			const outcome = batchItemOutcome(sender, item, answer.headers, secrets);
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
			sender.pacer.observe(answer.ticket, {
				usagePercent: answer.paceSignal.usagePercent,
				rateLimited: itemRateLimit !== undefined,
				retryAfterMs: itemRateLimit?.retryAfterMs ?? answer.paceSignal.retryAfterMs,
			});
		}
		// Settle the items that may not go another round.
		const mayRetryRateLimited = sender.pacer.mayRetryRateLimited();
		for (const [index, reason] of unfinished) {
			const isRateLimit = reason?.errorClass === 'rateLimit';
			const outOfTurns = isRateLimit ? !mayRetryRateLimited : otherRounds + 1 >= sender.maxAttempts;
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
		if (!lastError) alone.push(index);
		else {
			const error = lastError.errorClass === 'rateLimit' ? sender.givenUpOnRateLimit(lastError) : lastError;
			results[index] = { ok: false, error };
		}
	}
	if (batchingFailed) alone.push(...unfinished.keys());
	const singles = await mapWithConcurrency(alone, concurrency, async (index) =>
		await singleCall(sender, chunk[index], accessToken, secrets),
	);
	alone.forEach((index, position) => (results[index] = singles[position]));
	return results.map((result) => result as BatchResult);
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

function chunked<T>(items: readonly T[], size: number): T[][] {
	const chunks: T[][] = [];
	for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
	return chunks;
}
