/**
 * How many calls still fit in the app's rate-limit window, read from the usage headers alone.
 * Meta reports usage in whole percent (`x-app-usage` `call_count`), never in calls and never how
 * big the window is; but every answer says how many calls we sent and where the percentage stood
 * afterwards, and that bounds what one percent is worth. Its own file because it is arithmetic
 * with its own invariants (a lower bound, so that a batch sized by it is not refused), which the
 * pacer (pacing.ts) only consults.
 */

/** Meta throttles once any usage figure reaches 100 (percent). */
export const THROTTLED_AT_PERCENT = 100;

/** The answers of one stretch in which a figure only rose (a fall means the window moved on). */
interface Rise {
	/** The percentage the first answer of the stretch reported, its own calls included. */
	firstPercent: number;
	firstCalls: number;
	/** Calls of every answer of the stretch, the first included. */
	calls: number;
	lastPercent: number;
}

/** What is known of one usage figure (`app.call_count`, `app.total_time` …). */
interface Figure {
	percent: number;
	/** A lower bound of the calls one percent of it stands for. */
	callsPerPercent: number;
	rise: Rise;
}

/**
 * For each usage figure, a lower bound of the calls one percent of it stands for, and its latest
 * value; the room is that of the figure with the least.
 *
 * Why a lower bound: Meta floors the figure, so after `c` calls reported as `p` %, `c` calls are
 * worth less than `p + 1` %: one percent is worth more than `c / (p + 1)` calls, whatever other
 * clients of the app spent before (their calls only raise `p`). Within a rise, the calls after the
 * first answer moved the figure from `p0` to `p`, so one percent is also worth more than
 * `(c − c0) / (p − p0 + 1)` calls — tighter, and still a bound while the figure does not fall in
 * between (when it falls, a new rise starts). The best bound seen is kept: the app's quota does
 * not shrink within a run. A figure our calls do not move (Meta's `total_time` of light calls)
 * gets a bound that grows with every answer, and stops limiting.
 */
export class QuotaRoom {
	private readonly figures = new Map<string, Figure>();

	/** Takes in an answer below the limit: `calls` it carried, the usage `figures` it reported after them. */
	observe(calls: number, figures: Record<string, number> | undefined): void {
		for (const [name, value] of Object.entries(figures ?? {})) {
			if (!Number.isFinite(value) || value < 0) continue;
			const percent = Math.floor(value);
			const known = this.figures.get(name);
			let rise = known?.rise;
			if (!rise || percent < rise.lastPercent) {
				rise = { firstPercent: percent, firstCalls: calls, calls, lastPercent: percent };
			} else {
				rise.calls += calls;
				rise.lastPercent = percent;
			}
			const overall = rise.calls / (percent + 1);
			const sinceFirst = (rise.calls - rise.firstCalls) / (percent - rise.firstPercent + 1);
			const callsPerPercent = Math.max(known?.callsPerPercent ?? 0, overall, sinceFirst);
			this.figures.set(name, { percent, callsPerPercent, rise });
		}
	}

	/**
	 * Calls that may still be sent below the limit while `inFlightCalls` are unanswered, keeping one
	 * percent in hand for the rounding; undefined while no answer reported usage.
	 */
	room(inFlightCalls: number): number | undefined {
		let room: number | undefined;
		for (const figure of this.figures.values()) {
			const free = THROTTLED_AT_PERCENT - 1 - figure.percent;
			const calls = Math.floor(free * figure.callsPerPercent);
			room = room === undefined ? calls : Math.min(room, calls);
		}
		return room === undefined ? undefined : Math.max(0, room - inFlightCalls);
	}
}
