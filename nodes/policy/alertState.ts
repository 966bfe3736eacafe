/**
 * The alert policy's memory: what it keeps between polls or runs in n8n's workflow static data
 * (JSON, bounded, versioned), how a stored state is loaded back, and how a token is first
 * remembered.
 *
 * Its own file because stored state outlives releases: its shape, version and validation are a
 * compatibility contract, kept apart from the decisions that change what is in it.
 */
import { isRecord } from '../meta/wire';
import { GRAPH_ERROR_CLASSES, type GraphErrorClass } from '../meta/types';
import type { ExpiryCause } from './inspectRecord';
import { effectiveExpiryMs, expiresAtMs, recordExpiryCause } from './inspectRecord';
import type { OkObservation } from './observations';
import type { MetaPlatform } from '../meta/platform';

export const ALERT_STATE_VERSION = 1;

/** What the policy remembers about the token it watches. Only the current token: no history. */
export interface TrackedToken {
	fingerprint: string;
	/** Labels for messages written while a check fails (no record then). */
	credentialName: string | null;
	type: string | null;
	/** Application name, else app id. */
	app: string | null;
	/** Effective expiry (ms); null = never. */
	expiresAtMs: number | null;
	expiryCause: ExpiryCause | null;
	/** The token's own `expires_at` (ms), for "data access ends…, the token itself…" messages. */
	tokenExpiresAtMs: number | null;
	/**
	 * Lowest threshold (days) already handled for this token; every threshold ≥ it counts as sent.
	 * Time left only shrinks for one token (a later expiry starts a fresh history), so "sent" is
	 * always the top of the list: one number replaces a list of sent thresholds.
	 */
	lowestAlertedThreshold: number | null;
	/** Set once the token was found dead; nothing more is raised for it. */
	dead: 'expired' | 'invalid' | null;
	/** Required scopes missing at the last check (already reported). */
	alertedMissingScopes: string[];
	/** Whether any alert about this token was actually emitted: decides `renewed`. */
	alerted: boolean;
	/**
	 * Last successful check (ms). Bookkeeping only: no decision and no message reads it (pollers
	 * that save state only with alerts would make it stale); kept so stored states stay valid.
	 */
	checkedAtMs: number;
	/**
	 * Instagram and Threads: nothing tells this token's expiry (`expiresAtMs` null means unknown
	 * then, not never): `unknown`, or `alerted` once `expiryUnknown` was raised for it. Absent when
	 * the expiry is known (and for every Facebook token).
	 */
	expiryUnknown?: 'unknown' | 'alerted';
	/**
	 * Instagram or Threads: the family the token belongs to, so that alerts say how to renew it there
	 * (Facebook's Explorer and exchange form do not apply). Absent for every Facebook token.
	 */
	platform?: TokenPlatform;
}

/** The families whose tokens are renewed differently from Facebook's. */
export type TokenPlatform = Exclude<MetaPlatform, 'facebook'>;
const TOKEN_PLATFORMS: readonly TokenPlatform[] = ['instagram', 'threads'];

/** A streak of failed checks. */
export interface CheckFailureStreak {
	/** First failed check of the streak (ms): "failing for N hours" is counted from here. */
	sinceMs: number;
	errorClass: GraphErrorClass;
	/** `checkFailing` already raised for this streak. */
	alerted: boolean;
}

export interface AlertState {
	v: 1;
	token: TrackedToken | null;
	failure: CheckFailureStreak | null;
}

/** Caps that keep the state small whatever Meta or the user sends. */
const MAX_LABEL = 200;
export const MAX_SCOPES = 100;

function initialAlertState(): AlertState {
	return { v: ALERT_STATE_VERSION, token: null, failure: null };
}

/** A label fit for the state: trimmed, capped, null when empty. */
export function clip(value: string | null | undefined): string | null {
	if (typeof value !== 'string' || value.trim() === '') return null;
	return value.trim().slice(0, MAX_LABEL);
}

/**
 * A token known only by its fingerprint, with a fresh history: the subject of an alert when a
 * check fails for a token never inspected, and the base every newly seen token starts from.
 */
export function unknownToken(fingerprint: string, credentialName: string | null, nowMs: number): TrackedToken {
	return {
		fingerprint,
		credentialName,
		type: null,
		app: null,
		expiresAtMs: null,
		expiryCause: null,
		tokenExpiresAtMs: null,
		lowestAlertedThreshold: null,
		dead: null,
		alertedMissingScopes: [],
		alerted: false,
		checkedAtMs: nowMs,
	};
}

/** What the state would remember of this inspection, as a token with a fresh history. */
export function trackedFrom(observation: OkObservation, nowMs: number): TrackedToken {
	const record = observation.record;
	return {
		...unknownToken(observation.fingerprint, clip(observation.credentialName), nowMs),
		type: clip(record.type),
		app: clip(record.application ?? record.appId),
		expiresAtMs: effectiveExpiryMs(record),
		expiryCause: recordExpiryCause(record),
		tokenExpiresAtMs: expiresAtMs(record),
		...(record.expirySource === 'unknown' ? { expiryUnknown: 'unknown' as const } : {}),
		...(record.platform !== undefined ? { platform: record.platform } : {}),
	};
}

// ---------------------------------------------------------------------------------------------
// Loading

function isNumber(value: unknown): value is number {
	return typeof value === 'number' && Number.isFinite(value);
}

function isNullableNumber(value: unknown): value is number | null {
	return value === null || isNumber(value);
}

function isNullableString(value: unknown): value is string | null {
	return value === null || typeof value === 'string';
}

function loadToken(raw: unknown): TrackedToken | null | undefined {
	if (raw === null) return null;
	if (!isRecord(raw)) return undefined;
	const t = raw;
	const valid =
		typeof t.fingerprint === 'string' &&
		t.fingerprint !== '' &&
		isNullableString(t.credentialName) &&
		isNullableString(t.type) &&
		isNullableString(t.app) &&
		isNullableNumber(t.expiresAtMs) &&
		(t.expiryCause === null || t.expiryCause === 'expires' || t.expiryCause === 'dataAccess') &&
		isNullableNumber(t.tokenExpiresAtMs) &&
		isNullableNumber(t.lowestAlertedThreshold) &&
		(t.dead === null || t.dead === 'expired' || t.dead === 'invalid') &&
		Array.isArray(t.alertedMissingScopes) &&
		t.alertedMissingScopes.every((scope) => typeof scope === 'string') &&
		typeof t.alerted === 'boolean' &&
		isNumber(t.checkedAtMs) &&
		(t.expiryUnknown === undefined || t.expiryUnknown === 'unknown' || t.expiryUnknown === 'alerted') &&
		(t.platform === undefined || (TOKEN_PLATFORMS as readonly unknown[]).includes(t.platform));
	if (!valid) return undefined;
	// Rebuilt field by field: unknown keys are dropped and nothing aliases the stored object.
	const token: TrackedToken = {
		fingerprint: t.fingerprint as string,
		credentialName: t.credentialName as string | null,
		type: t.type as string | null,
		app: t.app as string | null,
		expiresAtMs: t.expiresAtMs as number | null,
		expiryCause: t.expiryCause as ExpiryCause | null,
		tokenExpiresAtMs: t.tokenExpiresAtMs as number | null,
		lowestAlertedThreshold: t.lowestAlertedThreshold as number | null,
		dead: t.dead as TrackedToken['dead'],
		alertedMissingScopes: (t.alertedMissingScopes as string[]).slice(0, MAX_SCOPES),
		alerted: t.alerted as boolean,
		checkedAtMs: t.checkedAtMs as number,
	};
	if (t.expiryUnknown !== undefined) token.expiryUnknown = t.expiryUnknown as TrackedToken['expiryUnknown'];
	if (t.platform !== undefined) token.platform = t.platform as TokenPlatform;
	return token;
}

function loadFailure(raw: unknown): CheckFailureStreak | null | undefined {
	if (raw === null) return null;
	if (!isRecord(raw)) return undefined;
	if (
		!isNumber(raw.sinceMs) ||
		typeof raw.alerted !== 'boolean' ||
		!(GRAPH_ERROR_CLASSES as readonly unknown[]).includes(raw.errorClass)
	) {
		return undefined;
	}
	return { sinceMs: raw.sinceMs, errorClass: raw.errorClass as GraphErrorClass, alerted: raw.alerted };
}

/**
 * The state as stored in static data, validated and copied. Anything missing, corrupt or of
 * another version counts as a fresh start: the worst case is one repeated alert, never a crash
 * and never a silenced trigger.
 */
export function loadAlertState(raw: unknown): AlertState {
	if (!isRecord(raw) || raw.v !== ALERT_STATE_VERSION) return initialAlertState();
	const token = loadToken(raw.token === undefined ? null : raw.token);
	const failure = loadFailure(raw.failure === undefined ? null : raw.failure);
	if (token === undefined || failure === undefined) return initialAlertState();
	return { v: ALERT_STATE_VERSION, token, failure };
}

// ---------------------------------------------------------------------------------------------
// What must be saved

function sameScopes(a: readonly string[], b: readonly string[]): boolean {
	return a.length === b.length && a.every((scope) => b.includes(scope));
}

function sameDecisionToken(a: TrackedToken | null, b: TrackedToken | null): boolean {
	if (a === null || b === null) return a === b;
	return (
		a.fingerprint === b.fingerprint &&
		a.expiresAtMs === b.expiresAtMs &&
		a.expiryCause === b.expiryCause &&
		a.lowestAlertedThreshold === b.lowestAlertedThreshold &&
		a.dead === b.dead &&
		a.alerted === b.alerted &&
		a.expiryUnknown === b.expiryUnknown &&
		sameScopes(a.alertedMissingScopes, b.alertedMissingScopes)
	);
}

function sameDecisionFailure(a: CheckFailureStreak | null, b: CheckFailureStreak | null): boolean {
	if (a === null || b === null) return a === b;
	return a.sinceMs === b.sinceMs && a.alerted === b.alerted;
}

/**
 * Whether `next` differs from `previous` in anything a later decision depends on: the token and
 * its expiry, what was already alerted, whether it is dead, the missing scopes already reported,
 * and the start of a failure streak. Labels, the error class of a streak and `checkedAtMs` only
 * shape words and do not count.
 *
 * Why it exists: n8n's pollers do not all save a poll's static data. The legacy poller saves it
 * only when `poll` returns items (a quiet poll's changes stay in memory until a restart), the
 * durable scheduler without durable cursors throws them away. A change that counts must therefore
 * be saved by returning a result — an empty one when there is no alert.
 */
export function isDecisionChange(previous: AlertState, next: AlertState): boolean {
	return !sameDecisionToken(previous.token, next.token) || !sameDecisionFailure(previous.failure, next.failure);
}
