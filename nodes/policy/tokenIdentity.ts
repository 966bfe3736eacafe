/**
 * How a token is named without being revealed: its fingerprint (the identity the trigger's state
 * and every output use) and a short hint for humans.
 *
 * Its own file because the node's operations need these two and nothing else of the policy: a
 * minted or revoked token is fingerprinted without ever being inspected.
 */
import { createHash } from 'crypto';

/** First 16 hex digits of SHA-256 of the token (trimmed): the token's identity in state and logs. */
export function tokenFingerprint(token: string): string {
	return createHash('sha256').update(token.trim(), 'utf8').digest('hex').slice(0, 16);
}

/**
 * `EAAxyz…abcd`: first 6 and last 4 characters of a full-size token. A short string (a test
 * value, a truncated paste) shows at most a third of itself, so the hint never gives most of it
 * away.
 */
export function tokenHint(token: string): string {
	const trimmed = token.trim();
	if (trimmed.length >= 30) return `${trimmed.slice(0, 6)}…${trimmed.slice(-4)}`;
	const budget = Math.floor(trimmed.length / 3);
	const tail = Math.floor((budget * 2) / 5);
	const head = budget - tail;
	return `${trimmed.slice(0, head)}…${tail > 0 ? trimmed.slice(-tail) : ''}`;
}
