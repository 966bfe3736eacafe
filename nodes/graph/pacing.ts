/**
 * Pacing against Meta's rate limit: what each answer says about it, and the one pacer all
 * requests of a client share. Its own file because the rules (room left in the quota, shared
 * pauses, one-call probes after a pause, a wait budget per throttled stretch) are one piece of
 * state the sender and the batch runner both feed, and because they are subtle enough to read on
 * their own.
 */
import { QuotaRoom, THROTTLED_AT_PERCENT } from './quotaRoom';
import type { GraphHttpResponse } from './http';
import { announcedWaitMs, durationWords, highestUsage, usageFiguresOf } from './usage';

type Headers = GraphHttpResponse['headers'];

export { THROTTLED_AT_PERCENT };
/** Gives up after this many throttled answers in a row even when pauses cost nothing (no backoff). */
const MAX_THROTTLED_IN_A_ROW = 64;
/**
 * Without an announced wait, this many throttled answers in a row are each followed by the first
 * backoff step (1 s by default) before the next probe; only later ones back off exponentially. A
 * probe is one call, so steady probing costs one counted call a second, and finds a window that
 * reopens within a second of it.
 */
const STEADY_PROBES = 5;

/** What one answer said about the rate limit. */
export interface PaceSignal {
	/** The highest figure of the usage headers that concern the call, in percent; undefined when none. */
	usagePercent?: number;
	/** Each of those figures (`app.call_count` …), for the room left (quotaRoom.ts). */
	usageFigures?: Record<string, number>;
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
	const usageFigures = usageFiguresOf(headers);
	return {
		usagePercent: usageFigures && highestUsage(usageFigures),
		usageFigures,
		rateLimited,
		retryAfterMs: rateLimited ? error?.retryAfterMs : announcedWaitMs(headers, nowMs),
	};
}

interface PacerOptions {
	sleep: (ms: number) => Promise<void>;
	now: () => number;
	/** The wait after the n-th failure in a row: exponential (1 s, 2 s, 4 s … by default). */
	backoff: (failures: number) => number;
	/** Cap of one backoff pause (an announced wait is taken whole, or not at all). */
	maxDelayMs: number;
	/** Most pause time one throttled stretch may cost before rate-limited requests give up. */
	maxWaitMs: number;
}

/** What the pacer let one request carry: `calls` sub-requests (1 for a single call), under `ticket`. */
export interface PacerGrant {
	/** The pause generation the request was sent under (see {@link RateLimitPacer.observe}). */
	ticket: number;
	calls: number;
}

/**
 * Paces every request of one client against Meta's rate limit, shared by all concurrent
 * requests (batch workers included), so that a quota is spent without being overrun and a closed
 * window is waited out once, not hammered.
 *
 * Rules:
 * - Room: every answer below the limit says how many calls it carried and where usage stood
 *   after them; from that the pacer knows a lower bound of the calls still fitting below 100 %
 *   ({@link QuotaRoom}), and the calls in flight count against it. A request is sent when it fits
 *   (a batch is cut to fit, see batch.ts), and one always may when nothing is in flight. Before
 *   the first answer, at most {@link capBeforeFirstAnswer} calls go out: Meta may already be
 *   throttling the app, and then each of them is refused and counted.
 * - Every answer is read: a rate-limit error, a usage figure ≥ 100 %, or an announced wait
 *   (`estimated_time_to_regain_access`, `retry-after`) means *throttled*.
 * - Throttled → a shared pause: the announced wait, else the first backoff step for the first
 *   {@link STEADY_PROBES} throttled answers in a row and exponential backoff after them (never
 *   longer than `maxDelayMs`). Retrying before an announced wait is over only spends budget on
 *   refusals, so an announced wait is never shortened.
 *   Nothing is sent until it ends. An answer to a request sent before the current pause began
 *   says nothing new: it neither escalates the backoff nor ends the stretch (it may only lengthen
 *   the pause to a longer announced wait).
 * - After a pause, probes: one request of one call at a time, until an answer below the limit
 *   ends the throttled stretch. A refused probe costs one counted call, not a batch of them.
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
	/** From a throttled answer to the next one below the limit: only one-call probes go. */
	private probing = false;
	private readonly quota = new QuotaRoom();
	private answered = false;
	private capUnanswered = Number.POSITIVE_INFINITY;
	private requestsInFlight = 0;
	private callsInFlight = 0;
	private waiters: Array<() => void> = [];
	private throttledInARow = 0;
	private stretchWaitMs = 0;
	private exhausted = false;
	/** Why the budget ran out, for the error of the requests that give up. */
	private exhaustedBecause: string | undefined;

	constructor(private readonly options: PacerOptions) {}

	/**
	 * At most `calls` in flight until the first answer: a batch run of N sets a tenth of N (a fifth
	 * at most, when that fills its first round: batch.ts), so a throttled app costs at most that many
	 * refused calls before the pacer knows it.
	 */
	capBeforeFirstAnswer(calls: number): void {
		this.capUnanswered = Math.min(this.capUnanswered, Math.max(1, Math.floor(calls)));
	}

	/**
	 * Calls that fit now, pauses aside: 0 when none, Infinity when nothing limits them. One call
	 * always fits when nothing is in flight (only an answer can tell more, and a probe is one call).
	 */
	room(): number {
		const idle = this.requestsInFlight === 0 ? 1 : 0;
		// Once the budget is spent nothing is left to probe for: the rest go, and give up, together.
		if (this.probing && !this.exhausted) return idle;
		if (!this.answered) return Math.max(idle, this.capUnanswered - this.callsInFlight);
		const room = this.quota.room(this.callsInFlight);
		return room === undefined ? Number.POSITIVE_INFINITY : Math.max(idle, room);
	}

	/** Waits until a request of `calls` sub-requests may be sent (it fits, or nothing is in flight). */
	async acquire(calls = 1): Promise<PacerGrant> {
		return await this.admit(calls, false);
	}

	/** Waits until something may be sent, and grants as many calls of `most` as fit (at least 1). */
	async acquireUpTo(most: number): Promise<PacerGrant> {
		return await this.admit(most, true);
	}

	private async admit(wanted: number, cut: boolean): Promise<PacerGrant> {
		const want = Math.max(1, Math.floor(wanted));
		// Each pause is slept once per request: a clock that does not move (a test's) cannot spin.
		let sleptGeneration = -1;
		for (;;) {
			const wait = this.pausedUntil - this.options.now();
			if (wait > 0 && sleptGeneration !== this.generation) {
				sleptGeneration = this.generation;
				await this.options.sleep(wait);
				continue;
			}
			const room = this.room();
			if (room >= want || (room >= 1 && cut) || this.requestsInFlight === 0) {
				const calls = cut ? Math.max(1, Math.min(want, room)) : want;
				this.requestsInFlight++;
				this.callsInFlight += calls;
				return { ticket: this.generation, calls };
			}
			await new Promise<void>((resolve) => this.waiters.push(resolve));
		}
	}

	/** Resolves when the next request ends (and the room may have changed). */
	released(): Promise<void> {
		return new Promise<void>((resolve) => this.waiters.push(resolve));
	}

	/** Ends a request; `signal` is what its answer said (none when no answer came). */
	release(grant: PacerGrant, signal?: PaceSignal): void {
		this.requestsInFlight = Math.max(0, this.requestsInFlight - 1);
		this.callsInFlight = Math.max(0, this.callsInFlight - grant.calls);
		if (signal) this.observe(grant, signal);
		const waiters = this.waiters;
		this.waiters = [];
		for (const wake of waiters) wake();
	}

	/** Takes in what the answer to a granted request said. */
	private observe(grant: PacerGrant, signal: PaceSignal): void {
		this.answered = true;
		const announced = signal.retryAfterMs !== undefined && signal.retryAfterMs > 0 ? signal.retryAfterMs : undefined;
		const throttled =
			signal.rateLimited ||
			announced !== undefined ||
			(signal.usagePercent !== undefined && signal.usagePercent >= THROTTLED_AT_PERCENT);
		// A request sent before the current pause began was answered before it, or says nothing new.
		const stale = grant.ticket < this.generation;
		if (!throttled) {
			if (stale) return;
			// An answer below the limit ends the throttled stretch.
			this.quota.observe(grant.calls, signal.usageFigures);
			this.probing = false;
			this.throttledInARow = 0;
			this.stretchWaitMs = 0;
			this.exhausted = false;
			this.exhaustedBecause = undefined;
			return;
		}
		this.probing = true;
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
		const steps = Math.max(1, this.throttledInARow - STEADY_PROBES + 1);
		const pause = announced ?? Math.min(this.options.backoff(steps), this.options.maxDelayMs);
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
