/**
 * Pacing against Meta's rate limit: what each answer says about it, and the one pacer all
 * requests of a client share. Its own file because the rules (shared pauses, one probe after a
 * pause, a wait budget per throttled stretch) are one piece of state the sender and the batch
 * runner both feed, and because they are subtle enough to read on their own.
 */
import type { GraphHttpResponse } from './types';
import { announcedWaitMs, durationWords, usagePercentOf } from './usage';

type Headers = GraphHttpResponse['headers'];

/** Meta throttles once any usage figure reaches 100 (percent). */
export const THROTTLED_AT_PERCENT = 100;
/** From this usage on, the pacer lets only one request be in flight at a time. */
export const SLOW_DOWN_AT_PERCENT = 90;
/** Gives up after this many throttled answers in a row even when pauses cost nothing (no backoff). */
export const MAX_THROTTLED_IN_A_ROW = 64;

/** What one answer said about the rate limit. */
export interface PaceSignal {
	/** The highest figure of the usage headers that concern the call, in percent; undefined when none. */
	usagePercent?: number;
	/** The answer (or one of its batch items) was refused for the rate limit. */
	rateLimited: boolean;
	/** How long Meta asked us to wait, when it said so. */
	retryAfterMs?: number;
}

/**
 * The signal of an answer's headers; `rateLimited` and `retryAfterMs` may come from its error. The
 * wait of a rate-limit error is the one announced for the limit that refused the call (classify.ts);
 * any other answer only asks for one with `retry-after`.
 */
export function paceSignalOf(
	headers: Headers | undefined,
	nowMs: number,
	error?: { errorClass: string; retryAfterMs?: number },
): PaceSignal {
	const rateLimited = error?.errorClass === 'rateLimit';
	return {
		usagePercent: usagePercentOf(headers),
		rateLimited,
		retryAfterMs: rateLimited ? error?.retryAfterMs : announcedWaitMs(headers, nowMs),
	};
}

export interface PacerOptions {
	sleep: (ms: number) => Promise<void>;
	now: () => number;
	/** The wait after the n-th throttled answer in a row when Meta announced none. */
	backoff: (throttledInARow: number) => number;
	/** Cap of one backoff pause (an announced wait is taken whole, or not at all). */
	maxDelayMs: number;
	/** Most pause time one throttled stretch may cost before rate-limited requests give up. */
	maxWaitMs: number;
}

/**
 * Paces every request of one client against Meta's rate limit, shared by all concurrent
 * requests (batch workers included), so that a closed window is waited out once, not hammered.
 *
 * Rules:
 * - Every answer is read: a rate-limit error, a usage figure ≥ 100 %, or an announced wait
 *   (`estimated_time_to_regain_access`, `retry-after`) means *throttled*.
 * - Throttled → a shared pause: the announced wait, else exponential backoff by how many throttled
 *   answers came in a row (1 s, 2 s, 4 s … with the defaults, never longer than `maxDelayMs`).
 *   Retrying before an announced wait is over only spends budget on refusals, so an announced
 *   wait is never shortened.
 *   Nothing is sent until it ends. An answer to a request sent before the current pause began
 *   says nothing new: it neither escalates the backoff nor ends the stretch (it may only lengthen
 *   the pause to a longer announced wait).
 * - While the last answer reported usage ≥ 90 % (or was throttled), one request at a time is in
 *   flight: after a pause one probe goes first, and a nearly used-up window is not overrun by
 *   several batches at once. An answer below 90 % lets all workers go again.
 * - Budget: the pauses of one throttled stretch (first throttled answer to the next unthrottled
 *   one) add up to at most `maxWaitMs`. A pause that would go past it is not taken: from then on,
 *   rate-limited requests give up with their error, until an unthrottled answer ends the stretch.
 *   An announced wait longer than what is left of the budget thus fails at once ({@link giveUpNote}
 *   says why).
 *   So do they after {@link MAX_THROTTLED_IN_A_ROW} throttled answers in a row (pauses that cost
 *   nothing, as with no backoff configured, would otherwise never spend the budget).
 */
export class RateLimitPacer {
	private pausedUntil = 0;
	/** Bumped by every pause; a request remembers the one it was sent under. */
	private generation = 0;
	private usagePercent = 0;
	private inFlight = 0;
	private waiters: Array<() => void> = [];
	private throttledInARow = 0;
	private stretchWaitMs = 0;
	private exhausted = false;
	/** Why the budget ran out, for the error of the requests that give up. */
	private exhaustedBecause: string | undefined;

	constructor(private readonly options: PacerOptions) {}

	/** Waits until a request may be sent; returns its ticket for {@link release}. */
	async acquire(): Promise<number> {
		// Each pause is slept once per request: a clock that does not move (a test's) cannot spin.
		let sleptGeneration = -1;
		for (;;) {
			const wait = this.pausedUntil - this.options.now();
			if (wait > 0 && sleptGeneration !== this.generation) {
				sleptGeneration = this.generation;
				await this.options.sleep(wait);
				continue;
			}
			if (this.usagePercent >= SLOW_DOWN_AT_PERCENT && this.inFlight > 0) {
				await new Promise<void>((resolve) => this.waiters.push(resolve));
				continue;
			}
			this.inFlight++;
			return this.generation;
		}
	}

	/** Ends a request; `signal` is what its answer said (none when no answer came). */
	release(ticket: number, signal?: PaceSignal): void {
		this.inFlight = Math.max(0, this.inFlight - 1);
		if (signal) this.observe(ticket, signal);
		const waiters = this.waiters;
		this.waiters = [];
		for (const wake of waiters) wake();
	}

	/** Takes in what an answer said; may be called again for the same ticket (batch items). */
	observe(ticket: number, signal: PaceSignal): void {
		const announced = signal.retryAfterMs !== undefined && signal.retryAfterMs > 0 ? signal.retryAfterMs : undefined;
		const throttled =
			signal.rateLimited ||
			announced !== undefined ||
			(signal.usagePercent !== undefined && signal.usagePercent >= THROTTLED_AT_PERCENT);
		// A request sent before the current pause began was answered before it, or says nothing new.
		const stale = ticket < this.generation;
		if (!throttled) {
			if (stale) return;
			// An answer below the limit ends the throttled stretch.
			this.usagePercent = signal.usagePercent ?? 0;
			this.throttledInARow = 0;
			this.stretchWaitMs = 0;
			this.exhausted = false;
			this.exhaustedBecause = undefined;
			return;
		}
		this.usagePercent = Math.max(signal.usagePercent ?? 0, THROTTLED_AT_PERCENT);
		if (this.exhausted) return;
		const now = this.options.now();
		if (stale) {
			// Sent before the current pause: only a longer announced wait matters.
			if (announced === undefined) return;
			const until = now + announced;
			const extra = until - Math.max(this.pausedUntil, now);
			if (extra <= 0) return;
			if (this.stretchWaitMs + extra > this.options.maxWaitMs) {
				this.exhaust(announced);
				return;
			}
			this.stretchWaitMs += extra;
			this.pausedUntil = until;
			return;
		}
		this.throttledInARow++;
		const pause = announced ?? Math.min(this.options.backoff(this.throttledInARow), this.options.maxDelayMs);
		if (this.stretchWaitMs + pause > this.options.maxWaitMs) {
			this.exhaust(announced);
			return;
		}
		if (this.throttledInARow > MAX_THROTTLED_IN_A_ROW) {
			this.exhaust(undefined, `Meta refused ${MAX_THROTTLED_IN_A_ROW} answers in a row for the rate limit.`);
			return;
		}
		this.stretchWaitMs += pause;
		this.pausedUntil = Math.max(this.pausedUntil, now + pause);
		this.generation++;
	}

	/** Whether a rate-limited request should be tried again (after the pause). */
	mayRetryRateLimited(): boolean {
		return !this.exhausted;
	}

	/** Once rate-limited requests give up: why, in words (how the wait compares with the budget). */
	giveUpNote(): string | undefined {
		return this.exhausted ? this.exhaustedBecause : undefined;
	}

	private exhaust(announcedMs: number | undefined, note?: string): void {
		this.exhausted = true;
		if (note !== undefined) {
			this.exhaustedBecause = note;
			return;
		}
		const budget = durationWords(this.options.maxWaitMs);
		const left = Math.max(0, this.options.maxWaitMs - this.stretchWaitMs);
		this.exhaustedBecause =
			announcedMs !== undefined
				? `That is more than this run may still wait for rate limits (${left > 0 ? durationWords(left) : 'nothing'} of ${budget} left), so it stopped at once instead of retrying before then.`
				: `This run already waited ${durationWords(this.stretchWaitMs)} for rate limits, its limit being ${budget}.`;
	}
}
