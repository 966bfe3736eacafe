/**
 * How the policy counts and writes time: the units, floored whole days, UTC dates and "in N days".
 *
 * Its own file because the alert policy, its status item and the alerts' words (alertWords) must
 * count and print time identically, and none of them owns the others. Time is always a parameter: nothing here
 * reads the clock.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Whole days (floored) from now to the moment; 0 when past; null for never. */
export function wholeDaysLeft(atMs: number | null, nowMs: number): number | null {
	if (atMs === null) return null;
	return Math.max(0, Math.floor((atMs - nowMs) / DAY_MS));
}

/** 'YYYY-MM-DD' (UTC) of a moment in ms. */
export function isoDay(ms: number): string {
	return new Date(ms).toISOString().slice(0, 10);
}

/** 'YYYY-MM-DD HH:MM UTC'. */
export function isoMinute(ms: number): string {
	const iso = new Date(ms).toISOString();
	return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** The date, with the time of day when it is close enough for the hour to matter. */
export function whenInWords(atMs: number, nowMs: number): string {
	return atMs - nowMs < 2 * DAY_MS ? isoMinute(atMs) : isoDay(atMs);
}

/** "in 55 days", "in 30 hours", "in less than an hour"; "now" when past. */
export function timeLeftInWords(atMs: number, nowMs: number): string {
	const remaining = atMs - nowMs;
	if (remaining <= 0) return 'now';
	if (remaining >= 2 * DAY_MS) return `in ${Math.floor(remaining / DAY_MS)} days`;
	const hours = Math.floor(remaining / HOUR_MS);
	if (hours >= 2) return `in ${hours} hours`;
	if (hours === 1) return 'in 1 hour';
	return 'in less than an hour';
}
