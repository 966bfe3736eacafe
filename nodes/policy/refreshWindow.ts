/**
 * Whether a long-lived Instagram or Threads token may be refreshed now. Meta refreshes such a token
 * only once it is at least 24 hours old and while it has not expired; a refresh outside that window
 * cannot succeed, so when the package knows the token's age (the credential's token record, written
 * when this package minted it) the call is not sent at all, and the user is told when it can be.
 * When nothing is known the call goes out and Meta's answer decides. Pure; no n8n import.
 */
import type { TokenRecord } from './tokenRecord';
import { isoMinute, timeLeftInWords } from './time';

export type RefreshWindow =
	/** No record of this token: only Meta can say. */
	| { verdict: 'unknown' }
	/** Old enough and unexpired (as far as recorded). */
	| { verdict: 'open' }
	/** Under the minimum age: refreshable from `opensAt` (unix seconds). */
	| { verdict: 'tooYoung'; opensAt: number }
	/** Expired at `expiredAt` (unix seconds): no refresh can revive it. */
	| { verdict: 'expired'; expiredAt: number };

/** Where `record` puts a token minted `minAgeSeconds` ago at the least, at `nowMs`. */
export function refreshWindow(record: TokenRecord | undefined, nowMs: number, minAgeSeconds: number): RefreshWindow {
	if (!record) return { verdict: 'unknown' };
	const now = Math.floor(nowMs / 1000);
	if (record.expiresAt !== undefined && now >= record.expiresAt) return { verdict: 'expired', expiredAt: record.expiresAt };
	const opensAt = record.issuedAt + minAgeSeconds;
	if (now < opensAt) return { verdict: 'tooYoung', opensAt };
	return { verdict: 'open' };
}

/**
 * What to tell the user when the window is closed at `nowMs` (`label`: "Instagram", "Threads"); undefined
 * when the refresh may be sent.
 */
export function closedWindowMessage(window: RefreshWindow, label: string, nowMs: number): string | undefined {
	if (window.verdict === 'tooYoung') {
		// Rounded up to the minute: the time said is never one at which Meta would still refuse.
		const opensMs = Math.ceil((window.opensAt * 1000) / 60_000) * 60_000;
		return `This ${label} token was minted less than 24 hours ago, and Meta refreshes a long-lived token only once it is at least 24 hours old: it can be refreshed from ${isoMinute(opensMs)} (${timeLeftInWords(opensMs, nowMs)}). Nothing was sent. Run this again from then on (a weekly schedule is plenty: a refreshed token lives 60 days).`;
	}
	if (window.verdict === 'expired') {
		return `This ${label} token expired at ${isoMinute(window.expiredAt * 1000)}, and Meta refreshes only tokens that have not expired. Nothing was sent. Get a new token (log in through the app again), exchange it for a long-lived one (Exchange for Long-Lived Token), and refresh it on a schedule well before its 60 days end.`;
	}
	return undefined;
}
