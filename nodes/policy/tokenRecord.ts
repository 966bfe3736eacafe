/**
 * What the package itself learned about a token's lifetime when it minted it (exchange or
 * refresh: `expires_in` and the time of the answer), kept in the credential beside the token
 * (`tokenRecord`, written by Save to Credential in the same request as the token).
 *
 * Why: Instagram's Graph host has no debug_token, so nothing Meta answers later says when an
 * Instagram token expires or how old it is; the record is the only honest source, and it holds only
 * for the very token it was written for (a user may paste another token by hand), hence the
 * fingerprint. Pure; no n8n import.
 */
import { tokenFingerprint } from './tokenIdentity';

export interface TokenRecord {
	/** `tokenFingerprint` of the token the record describes. */
	fingerprint: string;
	/** When the token was minted (unix seconds). */
	issuedAt: number;
	/** When Meta said it expires (unix seconds); absent when Meta gave no `expires_in`. */
	expiresAt?: number;
}

/** The record for a token minted at `nowMs` with Meta's `expires_in` (seconds). */
export function recordMintedToken(token: string, nowMs: number, expiresIn: number | undefined): TokenRecord {
	// Rounded up: the answer arrives after Meta minted the token, and a record that made the token
	// look older than it is could let a refresh go out a moment before Meta's 24 hours are up.
	const issuedAt = Math.ceil(nowMs / 1000);
	const record: TokenRecord = { fingerprint: tokenFingerprint(token), issuedAt };
	if (typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0) {
		record.expiresAt = issuedAt + Math.floor(expiresIn);
	}
	return record;
}

/** The credential field's text. */
export function formatTokenRecord(record: TokenRecord): string {
	return JSON.stringify(record);
}

/**
 * The record stored in a credential, if it describes `token`; undefined when there is none, it
 * cannot be read, or it belongs to another token (then nothing about this token's age is known).
 */
export function tokenRecordFor(token: string, stored: unknown): TokenRecord | undefined {
	if (typeof stored !== 'string' || stored.trim() === '') return undefined;
	let parsed: unknown;
	try {
		parsed = JSON.parse(stored);
	} catch {
		return undefined;
	}
	if (!parsed || typeof parsed !== 'object') return undefined;
	const { fingerprint, issuedAt, expiresAt } = parsed as Record<string, unknown>;
	if (typeof fingerprint !== 'string' || fingerprint !== tokenFingerprint(token)) return undefined;
	if (typeof issuedAt !== 'number' || !Number.isFinite(issuedAt)) return undefined;
	const record: TokenRecord = { fingerprint, issuedAt };
	if (typeof expiresAt === 'number' && Number.isFinite(expiresAt)) record.expiresAt = expiresAt;
	return record;
}
