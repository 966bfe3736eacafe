/**
 * The inspect record: Meta's `debug_token` answer turned into the one record that every operation
 * outputs and the alert policy reasons about — its fields, its effective expiry and its status.
 *
 * One cohesive thing: reading the answer, choosing the effective expiry and deciding the status
 * are one definition of what the record says, so they stay together. Who the token is
 * (tokenIdentity), scope lists (scopes) and why a token died (meta/authReasons) live apart.
 *
 * Time is always a parameter (`nowMs`), never read from the clock, so the same answer gives the
 * same record in tests, in the node and in the trigger.
 */
import { authReason, saysExpired } from '../meta/authReasons';
import { platformOf, type MetaPlatform } from '../meta/platform';
import type { AuthReason, DebugTokenData, MetaCredentials } from '../meta/types';
import { redactSecrets } from '../meta/redact';
import { missingScopesOf } from './scopes';
import { DAY_MS, wholeDaysLeft } from './time';
import { tokenFingerprint, tokenHint } from './tokenIdentity';
import { tokenRecordFor, type TokenRecord } from './tokenRecord';

export type TokenStatus = 'valid' | 'expiring' | 'expired' | 'invalid';

/**
 * Where an Instagram or Threads record's expiry comes from: Meta's own answer (Threads'
 * debug_token), the record this package kept when it minted the token (the credential's
 * `tokenRecord`: Instagram's only source), or nowhere (then `expiresAt` is null and means unknown,
 * not "never").
 */
export type ExpirySource = 'meta' | 'recorded' | 'unknown';

interface GranularScope {
	scope: string;
	/** Ids the scope is limited to (always strings); empty = applies to everything. */
	targetIds: string[];
}

export interface InspectRecord {
	isValid: boolean;
	status: TokenStatus;
	/**
	 * True only for a working token with no expiry of its own (`expires_at: 0`). A dead token never
	 * "never expires", even when Meta's answer about it carries no date.
	 */
	neverExpires: boolean;
	/** USER, PAGE, SYSTEM_USER, APP, as Meta sends it. */
	type: string | null;
	appId: string | null;
	application: string | null;
	userId: string | null;
	/** The Page id for Page tokens. */
	profileId: string | null;
	scopes: string[];
	granularScopes: GranularScope[];
	/** Required scopes (from the options) that the token does not have. */
	missingScopes: string[];
	/** ISO 8601; null when Meta sent 0 or nothing. */
	issuedAt: string | null;
	/** ISO 8601; null means the token itself never expires (`expires_at: 0`). */
	expiresAt: string | null;
	/** ISO 8601; null when 0 or absent (system users, pages). */
	dataAccessExpiresAt: string | null;
	/** The earlier non-zero of `expiresAt` and `dataAccessExpiresAt`; null = never. */
	effectiveExpiresAt: string | null;
	/** Whole days left until `effectiveExpiresAt` (floored), 0 when past, null for never. */
	daysLeft: number | null;
	/** First 16 hex digits of SHA-256 of the token: tells tokens apart without revealing them. */
	tokenFingerprint: string;
	/** A few characters of the token for humans; never enough to use it. */
	tokenHint: string;
	/** Meta's `data.error`, with anything token-like removed from the message. */
	error: { code: number | null; subcode: number | null; message: string } | null;
	/**
	 * Instagram and Threads records only (a Facebook record is unchanged): which family the token is,
	 * where its expiry comes from, whether Meta told its scopes, and the account's username.
	 */
	platform?: Exclude<MetaPlatform, 'facebook'>;
	expirySource?: ExpirySource;
	/** False when Meta's answer carried no scopes (Instagram's /me): `scopes` is then empty, not "none". */
	scopesKnown?: boolean;
	username?: string | null;
}

export interface InspectOptions {
	nowMs: number;
	/** Scopes the workflow needs; those the token lacks are listed in `missingScopes`. */
	requiredScopes?: string[];
	/** A valid token with at most this many days left is `expiring`. Default DEFAULT_EXPIRING_WITHIN_DAYS. */
	expiringWithinDays?: number;
	/** The credential's platform; absent or facebook = a debug_token answer, read as it always was. */
	platform?: MetaPlatform;
	/**
	 * What this package recorded when it minted the token (`tokenRecordFor(token, credentials.tokenRecord)`),
	 * only when it describes this very token: the expiry of an Instagram or Threads token when Meta
	 * does not tell it.
	 */
	tokenRecord?: TokenRecord;
}

export type ExpiryCause = 'expires' | 'dataAccess';

/**
 * How the answers about `token` are read under this credential: nothing to add for Facebook (its
 * records stay as they always were); for Instagram and Threads the platform and the credential's
 * token record, when it describes this very token.
 */
export function platformReadingOf(
	credentials: Pick<MetaCredentials, 'platform' | 'tokenRecord'>,
	token: string,
): Pick<InspectOptions, 'platform' | 'tokenRecord'> {
	const platform = platformOf(credentials.platform);
	if (platform === 'facebook') return {};
	const tokenRecord = tokenRecordFor(token, credentials.tokenRecord);
	return tokenRecord === undefined ? { platform } : { platform, tokenRecord };
}

export const DEFAULT_EXPIRING_WITHIN_DAYS = 7;

// ---------------------------------------------------------------------------------------------
// Small readers. Meta's answers are JSON from the wire: a field typed `number` may arrive as a
// numeric string or be missing, so every field is read defensively.

/** Unix seconds > 0, or null for 0 / absent / garbage (0 means "never" in Meta's answers). */
function positiveSeconds(value: unknown): number | null {
	const number =
		typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
	return Number.isFinite(number) && number > 0 ? number : null;
}

function text(value: unknown): string | null {
	if (typeof value === 'string') {
		const trimmed = value.trim();
		return trimmed === '' ? null : trimmed;
	}
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return null;
}

function optionalInteger(value: unknown): number | null {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value);
	return null;
}

function isoFromSeconds(seconds: number | null): string | null {
	return seconds === null ? null : new Date(seconds * 1000).toISOString();
}

function msOf(iso: string | null): number | null {
	if (iso === null) return null;
	const ms = Date.parse(iso);
	return Number.isNaN(ms) ? null : ms;
}

function normaliseGranularScopes(value: unknown): GranularScope[] {
	if (!Array.isArray(value)) return [];
	const result: GranularScope[] = [];
	for (const entry of value) {
		if (typeof entry !== 'object' || entry === null) continue;
		const { scope, target_ids: targetIds } = entry as { scope?: unknown; target_ids?: unknown };
		const name = text(scope);
		if (name === null) continue;
		// Documented as ints, seen as strings: ids become strings (ints above 2^53 would already be
		// damaged by JSON.parse, which is one more reason Meta sends strings).
		const ids = Array.isArray(targetIds)
			? targetIds.map((id) => text(id)).filter((id): id is string => id !== null)
			: [];
		result.push({ scope: name, targetIds: ids });
	}
	return result;
}

// ---------------------------------------------------------------------------------------------
// Expiry

/**
 * When the token stops being useful: the earlier NON-ZERO of `expires_at` and
 * `data_access_expires_at`. 0 or absent means "never" for either field — treating 0 as a past date
 * is the classic bug that reports every Page token as expired. On a tie the token's own expiry is
 * named as the cause, since the token then dies outright.
 */
function effectiveExpiry(data: DebugTokenData): {
	atSeconds: number | null;
	cause: ExpiryCause | null;
} {
	const expires = positiveSeconds(data?.expires_at);
	const dataAccess = positiveSeconds(data?.data_access_expires_at);
	if (expires === null && dataAccess === null) return { atSeconds: null, cause: null };
	if (dataAccess === null || (expires !== null && expires <= dataAccess)) {
		return { atSeconds: expires, cause: 'expires' };
	}
	return { atSeconds: dataAccess, cause: 'dataAccess' };
}

/** Which of the two dates `record.effectiveExpiresAt` is; null for never. */
export function recordExpiryCause(record: InspectRecord): ExpiryCause | null {
	if (record.effectiveExpiresAt === null) return null;
	if (record.expiresAt !== null && record.expiresAt === record.effectiveExpiresAt) return 'expires';
	return 'dataAccess';
}

/** `record.effectiveExpiresAt` in ms, null for never. */
export function effectiveExpiryMs(record: InspectRecord): number | null {
	return msOf(record.effectiveExpiresAt);
}

/** `record.expiresAt` (the token's own expiry, not data access) in ms, null for never. */
export function expiresAtMs(record: InspectRecord): number | null {
	return msOf(record.expiresAt);
}

// ---------------------------------------------------------------------------------------------
// Status

/** For a dead record: why it died ('expired' for expired ones). Null while the token works. */
export function recordAuthReason(record: InspectRecord): AuthReason | null {
	if (record.status === 'expired') return 'expired';
	if (record.status !== 'invalid') return null;
	const reason = authReason(record.error?.subcode, record.error?.message);
	// An invalid record is, by construction, not an expiry; a message that merely mentions one
	// (e.g. an unrelated date) must not relabel it.
	return reason === 'expired' ? 'invalid' : reason;
}

function errorSaysExpired(error: InspectRecord['error']): boolean {
	return error !== null && saysExpired(error.subcode, error.message);
}

function statusOf(
	isValid: boolean,
	error: InspectRecord['error'],
	effectiveMs: number | null,
	nowMs: number,
	expiringWithinDays: number,
): TokenStatus {
	const pastExpiry = effectiveMs !== null && effectiveMs <= nowMs;
	if (!isValid) return errorSaysExpired(error) || pastExpiry ? 'expired' : 'invalid';
	// Meta can still say is_valid:true for a moment after the clock passed expiry: the clock wins.
	if (pastExpiry) return 'expired';
	if (effectiveMs !== null && effectiveMs - nowMs <= expiringWithinDays * DAY_MS) return 'expiring';
	return 'valid';
}

// ---------------------------------------------------------------------------------------------
// The record

/**
 * An Instagram or Threads answer with the expiry filled in from the token record when Meta's
 * answer has none (and its source), ready to be read like a debug_token answer.
 */
function withRecordedExpiry(
	answer: DebugTokenData,
	tokenRecord: TokenRecord | undefined,
): { answer: DebugTokenData; expirySource: ExpirySource } {
	if (positiveSeconds(answer.expires_at) !== null) return { answer, expirySource: 'meta' };
	if (tokenRecord?.expiresAt === undefined) return { answer, expirySource: 'unknown' };
	const filled: DebugTokenData = { ...answer, expires_at: tokenRecord.expiresAt };
	if (positiveSeconds(answer.issued_at) === null) filled.issued_at = tokenRecord.issuedAt;
	return { answer: filled, expirySource: 'recorded' };
}

/**
 * Normalises a `debug_token` answer (`data`) for `token` into the inspect record. For Instagram and
 * Threads (`options.platform`) the answer may also be a `/me` one (platformInspect.ts): the record
 * then says where its expiry comes from, and an unknown expiry is never "never expires".
 */
export function toInspectRecord(
	token: string,
	data: DebugTokenData,
	options: InspectOptions,
): InspectRecord {
	const given: DebugTokenData = typeof data === 'object' && data !== null ? data : {};
	const platform = options.platform === 'instagram' || options.platform === 'threads' ? options.platform : null;
	if (platform === null) return recordOf(token, given, options);
	const { answer, expirySource } = withRecordedExpiry(given, options.tokenRecord);
	const record = recordOf(token, answer, options);
	const scopesKnown = Array.isArray(answer.scopes);
	return {
		...record,
		// Instagram and Threads tokens always expire (about 60 days): a missing date is unknown.
		neverExpires: false,
		// Scopes Meta did not tell cannot be missing: listing every required one would be a guess.
		missingScopes: scopesKnown ? record.missingScopes : [],
		platform,
		expirySource,
		scopesKnown,
		username: text(answer.username),
	};
}

function recordOf(token: string, answer: DebugTokenData, options: InspectOptions): InspectRecord {
	const expiringWithinDays =
		typeof options.expiringWithinDays === 'number' && Number.isFinite(options.expiringWithinDays)
			? options.expiringWithinDays
			: DEFAULT_EXPIRING_WITHIN_DAYS;

	const expiresAt = positiveSeconds(answer.expires_at);
	const dataAccessExpiresAt = positiveSeconds(answer.data_access_expires_at);
	const effective = effectiveExpiry(answer);
	const effectiveMs = effective.atSeconds === null ? null : effective.atSeconds * 1000;

	const scopes = Array.isArray(answer.scopes)
		? [...new Set(answer.scopes.map((scope) => text(scope)).filter((scope): scope is string => scope !== null))]
		: [];

	const rawError: unknown = answer.error;
	let error: InspectRecord['error'] = null;
	if (typeof rawError === 'object' && rawError !== null) {
		const { code, subcode, message } = rawError as { code?: unknown; subcode?: unknown; message?: unknown };
		error = {
			code: optionalInteger(code),
			subcode: optionalInteger(subcode),
			message: redactSecrets(typeof message === 'string' ? message : '', [token]),
		};
	}

	const isValid = answer.is_valid === true;
	return {
		isValid,
		status: statusOf(isValid, error, effectiveMs, options.nowMs, expiringWithinDays),
		neverExpires: isValid && expiresAt === null,
		type: text(answer.type),
		appId: text(answer.app_id),
		application: text(answer.application),
		userId: text(answer.user_id),
		profileId: text(answer.profile_id),
		scopes,
		granularScopes: normaliseGranularScopes(answer.granular_scopes),
		missingScopes: missingScopesOf(scopes, options.requiredScopes ?? []),
		issuedAt: isoFromSeconds(positiveSeconds(answer.issued_at)),
		expiresAt: isoFromSeconds(expiresAt),
		dataAccessExpiresAt: isoFromSeconds(dataAccessExpiresAt),
		effectiveExpiresAt: isoFromSeconds(effective.atSeconds),
		daysLeft: wholeDaysLeft(effectiveMs, options.nowMs),
		tokenFingerprint: tokenFingerprint(token),
		tokenHint: tokenHint(token),
		error,
	};
}
