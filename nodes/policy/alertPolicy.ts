/**
 * The alert policy of the Meta Token Trigger: the one place that decides what "expiring" means and
 * when to alert.
 *
 *   evaluateAlerts(previousState, observation, settings, nowMs) → { alerts, nextState }
 *
 * Pure: no clock, no I/O, no n8n. The trigger loads `previousState` from the workflow's static
 * data, inspects the token, turns the outcome into an {@link Observation} (helpers below), calls
 * {@link evaluateAlerts}, saves `nextState` and emits `alerts` as items.
 *
 * Rules (event names are public: users' workflows switch on them):
 * - Time left is measured to the EFFECTIVE expiry: the earlier non-zero of `expires_at` and
 *   `data_access_expires_at`. `dataAccessExpiring` replaces `expiring` when data access ends first.
 * - Threshold t (days) is crossed when time left ≤ t days. One alert per threshold per token; when
 *   several were crossed since the last poll (first poll, n8n down, long interval, list changed)
 *   ONE alert is sent, for the lowest crossed threshold, and the higher ones count as done.
 * - A token is known by its fingerprint. A new fingerprint, or a later effective expiry for the same
 *   one, starts a fresh history and, if any alert was sent about the old one, raises `renewed` once.
 * - `expired` / `invalid` are raised at once, once per token while it stays dead (a dead token is
 *   reported dead once, whichever of the two comes first); a dead token raises nothing else. Should
 *   Meta later call the same token valid again, it is watched as alive, and a new death is raised.
 * - An expired token's threshold alerts are not sent after the fact, even on the first poll.
 * - `scopesLost` is raised when a required scope goes missing, again only when a scope not already
 *   reported goes missing; cleared when all are back, so a later loss is raised again.
 * - A failed check (network, rate limit, Meta trouble, a refused app token…) is never reported as
 *   invalid. After `checkFailingAfterHours` of continuous failure `checkFailing` is raised once; the
 *   next successful check clears it without an alert (the next alert that matters is about the
 *   token, and "it works again" is noise in an alert channel).
 * - While checks fail, the last known expiry keeps counting down: threshold alerts still fire for the
 *   same token, marked as based on the last successful check.
 * - Disabled events are never emitted, but the state advances as if they had been: enabling an event
 *   later does not replay old news, and a suppressed alert does not count as "sent" for `renewed`.
 */
import type { AuthReason, DebugTokenData, GraphErrorClass } from '../graph/types';
import {
	authReasonInWords,
	DAY_MS,
	effectiveExpiryMs,
	isoDay,
	missingScopesOf,
	parseScopeList,
	recordAuthReason,
	recordExpiryCause,
	redactSecrets,
	timeLeftInWords,
	toInspectRecord,
	tokenFingerprint,
	wholeDaysLeft,
} from './tokenModel';
import type { ExpiryCause, InspectRecord, TokenStatus } from './tokenModel';

const HOUR_MS = 3_600_000;

// ---------------------------------------------------------------------------------------------
// Settings

export type AlertEvent =
	| 'expiring'
	| 'expired'
	| 'invalid'
	| 'dataAccessExpiring'
	| 'scopesLost'
	| 'checkFailing'
	| 'renewed';

export const ALERT_EVENTS: readonly AlertEvent[] = [
	'expiring',
	'expired',
	'invalid',
	'dataAccessExpiring',
	'scopesLost',
	'checkFailing',
	'renewed',
];

export type AlertSeverity = 'info' | 'warning' | 'critical';

export const DEFAULT_THRESHOLDS: readonly number[] = [14, 7, 3, 1];
export const DEFAULT_CHECK_FAILING_AFTER_HOURS = 24;

/** Settings as the trigger's parameters give them; every field optional (defaults apply). */
export interface AlertSettingsInput {
	/** Days before expiry to alert at: "14,7,3,1" or [14, 7, 3, 1]. Default 14,7,3,1. */
	thresholds?: string | number[];
	/** Events to emit; default all. A string is a comma-separated list. */
	events?: string | readonly string[];
	/** Scopes the workflows need; `scopesLost` fires when one is missing. */
	requiredScopes?: string | string[];
	/** Hours of continuous check failure before `checkFailing`. Default 24. */
	checkFailingAfterHours?: number | string;
}

/** Settings after validation. */
export interface AlertSettings {
	/** Positive, de-duplicated, sorted descending, never empty. */
	thresholds: number[];
	events: AlertEvent[];
	requiredScopes: string[];
	checkFailingAfterHours: number;
}

/**
 * "14, 7, 3, 1" or [1, 3, 7, 14] → [14, 7, 3, 1]: positive numbers of days (decimals allowed,
 * e.g. 0.5 = 12 hours), de-duplicated, sorted descending. Throws an Error naming the field and the
 * bad value, so a typo fails the trigger's activation instead of silently never alerting.
 */
export function parseThresholds(input: string | number[]): number[] {
	const example = 'use positive numbers of days, e.g. "14,7,3,1"';
	const parts: Array<string | number> =
		typeof input === 'string'
			? input.split(/[\s,;]+/).filter((part) => part !== '')
			: Array.isArray(input)
				? input
				: [];
	if (parts.length === 0) {
		throw new Error(`Thresholds: "${String(input)}" holds no number of days (${example})`);
	}
	const days = parts.map((part) => {
		// Strict on strings: Number('') is 0, Number('1e3') is 1000, Number('0x10') is 16.
		const value = typeof part === 'number' ? part : /^\d*\.?\d+$/.test(part) ? Number(part) : NaN;
		if (!Number.isFinite(value) || value <= 0) {
			throw new Error(`Thresholds: "${String(part)}" is not a positive number of days (${example})`);
		}
		return value;
	});
	return [...new Set(days)].sort((a, b) => b - a);
}

function parseEvents(input: string | readonly string[] | undefined): AlertEvent[] {
	if (input === undefined) return [...ALERT_EVENTS];
	const names = (typeof input === 'string' ? input.split(/[\s,;]+/) : [...input])
		.map((name) => (typeof name === 'string' ? name.trim() : ''))
		.filter((name) => name !== '');
	for (const name of names) {
		if (!(ALERT_EVENTS as readonly string[]).includes(name)) {
			throw new Error(`Events: "${name}" is not an event; use any of ${ALERT_EVENTS.join(', ')}`);
		}
	}
	return ALERT_EVENTS.filter((event) => names.includes(event));
}

function parseHours(input: number | string | undefined): number {
	if (input === undefined || input === '') return DEFAULT_CHECK_FAILING_AFTER_HOURS;
	const hours = typeof input === 'number' ? input : Number(input);
	if (!Number.isFinite(hours) || hours < 0) {
		throw new Error(`Check Failing After Hours: "${String(input)}" is not a number of hours ≥ 0`);
	}
	return hours;
}

/** Validates settings and fills in defaults. Throws an Error naming the field on bad input. */
export function resolveAlertSettings(input: AlertSettingsInput = {}): AlertSettings {
	return {
		thresholds:
			input.thresholds === undefined ? [...DEFAULT_THRESHOLDS] : parseThresholds(input.thresholds),
		events: parseEvents(input.events),
		requiredScopes: parseScopeList(input.requiredScopes),
		checkFailingAfterHours: parseHours(input.checkFailingAfterHours),
	};
}

// ---------------------------------------------------------------------------------------------
// Observations: what one poll saw

/** The token was inspected: `record` says what Meta answered (alive, expiring or dead). */
export interface OkObservation {
	kind: 'ok';
	/** Identity of the token (`tokenFingerprint(token)`, equal to `record.tokenFingerprint`). */
	fingerprint: string;
	record: InspectRecord;
	credentialName?: string | null;
	/** Why the token is dead when the Graph layer classified it (see observationFromAuthError). */
	reason?: AuthReason;
}

/** The check itself failed: nothing is known about the token from this poll. */
export interface CheckFailedObservation {
	kind: 'checkFailed';
	errorClass: GraphErrorClass;
	reason?: AuthReason;
	/** What went wrong; secrets are scrubbed again before it goes into an alert. */
	message: string;
	fingerprint: string;
	credentialName?: string | null;
}

export type Observation = OkObservation | CheckFailedObservation;

export interface ObservationOptions {
	nowMs: number;
	credentialName?: string | null;
	requiredScopes?: string | string[];
}

/** A successful `debug_token` answer (alive or dead token) as an observation. */
export function observationFromInspection(
	token: string,
	data: DebugTokenData,
	options: ObservationOptions,
): OkObservation {
	const record = toInspectRecord(token, data, {
		nowMs: options.nowMs,
		requiredScopes: parseScopeList(options.requiredScopes),
	});
	return {
		kind: 'ok',
		fingerprint: record.tokenFingerprint,
		record,
		credentialName: options.credentialName ?? null,
	};
}

/** What the Graph layer knows about a failed call (a `GraphError` fits this shape). */
export interface CheckFailure {
	errorClass: GraphErrorClass;
	reason?: AuthReason;
	message: string;
	/** Meta's own text, when there is one: preferred over `message` for the record's error. */
	metaMessage?: string;
	code?: number | null;
	subcode?: number | null;
}

/**
 * A token that inspected ITSELF (no app secret, so `debug_token` ran with the token as the caller)
 * and was refused with an auth error (code 190/102/2500): that refusal is Meta's verdict on the
 * token, so it becomes a dead-token observation (`expired` or `invalid` with the reason), exactly as
 * if an app token had inspected it and got `is_valid: false`.
 */
export function observationFromAuthError(
	token: string,
	error: Omit<CheckFailure, 'errorClass'>,
	options: ObservationOptions,
): OkObservation {
	const message = error.metaMessage ?? error.message;
	const data: DebugTokenData = {
		is_valid: false,
		error: {
			code: typeof error.code === 'number' ? error.code : undefined,
			subcode: typeof error.subcode === 'number' ? error.subcode : undefined,
			message,
		},
	};
	const record = toInspectRecord(token, data, {
		nowMs: options.nowMs,
		requiredScopes: parseScopeList(options.requiredScopes),
	});
	const reason = error.reason ?? (record.status === 'expired' ? 'expired' : recordAuthReason(record) ?? 'invalid');
	const status: TokenStatus = reason === 'expired' ? 'expired' : 'invalid';
	return {
		kind: 'ok',
		fingerprint: record.tokenFingerprint,
		record: { ...record, status },
		credentialName: options.credentialName ?? null,
		reason,
	};
}

/** A failed check as an observation; the message is scrubbed of the token. */
export function observationFromCheckFailure(
	token: string,
	failure: CheckFailure,
	options: Omit<ObservationOptions, 'nowMs'> = {},
): CheckFailedObservation {
	return {
		kind: 'checkFailed',
		errorClass: failure.errorClass,
		reason: failure.reason,
		message: redactSecrets(failure.message, [token]),
		fingerprint: tokenFingerprint(token),
		credentialName: options.credentialName ?? null,
	};
}

/**
 * The one mapping the trigger needs when `debug_token` fails:
 * - `inspectedWith: 'self'` and an `auth` error → the token is dead (observationFromAuthError);
 * - anything else (network, rateLimit, transient, badResponse, proofRequired, permission, policy,
 *   badRequest, and `auth` of the APP token, which says nothing about the inspected token) → a
 *   failed check, which can only ever raise `checkFailing`.
 */
export function observationFromFailure(
	token: string,
	failure: CheckFailure,
	options: ObservationOptions & { inspectedWith: 'appToken' | 'self' },
): Observation {
	if (failure.errorClass === 'auth' && options.inspectedWith === 'self') {
		return observationFromAuthError(token, failure, options);
	}
	return observationFromCheckFailure(token, failure, options);
}

// ---------------------------------------------------------------------------------------------
// State (lives in n8n's workflow static data: JSON, bounded, versioned)

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
	/** Last successful check (ms). */
	checkedAtMs: number;
}

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
const MAX_SCOPES = 100;

export function initialAlertState(): AlertState {
	return { v: ALERT_STATE_VERSION, token: null, failure: null };
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNumber(value: unknown): value is number {
	return typeof value === 'number' && Number.isFinite(value);
}

function isNullableNumber(value: unknown): value is number | null {
	return value === null || isNumber(value);
}

function isNullableString(value: unknown): value is string | null {
	return value === null || typeof value === 'string';
}

const ERROR_CLASSES: readonly GraphErrorClass[] = [
	'auth',
	'permission',
	'proofRequired',
	'rateLimit',
	'transient',
	'badRequest',
	'policy',
	'network',
	'badResponse',
];

function loadToken(raw: unknown): TrackedToken | null | undefined {
	if (raw === null) return null;
	if (!isObject(raw)) return undefined;
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
		isNumber(t.checkedAtMs);
	if (!valid) return undefined;
	// Rebuilt field by field: unknown keys are dropped and nothing aliases the stored object.
	return {
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
}

function loadFailure(raw: unknown): CheckFailureStreak | null | undefined {
	if (raw === null) return null;
	if (!isObject(raw)) return undefined;
	if (
		!isNumber(raw.sinceMs) ||
		typeof raw.alerted !== 'boolean' ||
		!(ERROR_CLASSES as readonly unknown[]).includes(raw.errorClass)
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
	if (!isObject(raw) || raw.v !== ALERT_STATE_VERSION) return initialAlertState();
	const token = loadToken(raw.token === undefined ? null : raw.token);
	const failure = loadFailure(raw.failure === undefined ? null : raw.failure);
	if (token === undefined || failure === undefined) return initialAlertState();
	return { v: ALERT_STATE_VERSION, token, failure };
}

// ---------------------------------------------------------------------------------------------
// Alerts

/** Who and what an alert or status item is about. No token, no secret: fingerprint and hint only. */
export interface AlertSubject {
	credentialName: string | null;
	tokenType: string | null;
	/** Application name, else app id. */
	application: string | null;
	tokenFingerprint: string;
	/** From the inspect record; null when the alert is based on a failed check. */
	tokenHint: string | null;
	/** Effective expiry (ISO); null = never or unknown. */
	expiresAt: string | null;
	expiryCause: ExpiryCause | null;
	/** Why the token is dead (`expired`/`invalid` alerts). */
	reason: AuthReason | null;
	missingScopes: string[];
	/** Class of the failing check (`checkFailing`, and alerts based on the last good check). */
	errorClass: GraphErrorClass | null;
}

export interface Alert extends AlertSubject {
	event: AlertEvent;
	severity: AlertSeverity;
	/** The threshold (days) this alert is for; null for non-threshold events. */
	threshold: number | null;
	/** Whole days to the effective expiry (floored, 0 when past); null for never or unknown. */
	daysLeft: number | null;
	/** One line, ready for Slack or e-mail. */
	message: string;
	/** What to do about it. */
	action: string;
}

export interface AlertDecision {
	alerts: Alert[];
	nextState: AlertState;
}

const EXPLORER_URL = 'https://developers.facebook.com/tools/explorer/';
const SYSTEM_USERS_URL = 'https://business.facebook.com/settings/system-users';

const EXCHANGE_USER_TOKEN =
	`exchange a new token: open ${EXPLORER_URL}, get a token, run the Meta Token node's Exchange operation — ` +
	`or switch to a system-user token (Business Settings → System users: ${SYSTEM_USERS_URL}) which can be refreshed by API`;

const GENERATE_SYSTEM_USER_TOKEN =
	"generate a new system-user token (the Meta Token node's Generate System-User Token operation, or " +
	`Business Settings → System users: ${SYSTEM_USERS_URL}) and store it in the credential`;

const REGENERATE_PAGE_TOKEN =
	"regenerate it: run the Meta Token node's Get Page Tokens operation with a valid long-lived user token " +
	'(or a system-user token the Page is assigned to) and store the new Page token in the credential';

const REBUILD_APP_TOKEN =
	'build the app token again from the App ID and the current App Secret (App Dashboard → Settings → Basic); ' +
	'an app token dies only when the app secret is reset';

function capitalise(sentence: string): string {
	return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

/** 'YYYY-MM-DD HH:MM UTC'. */
function isoMinute(ms: number): string {
	const iso = new Date(ms).toISOString();
	return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** The date, with the time of day when it is close enough for the hour to matter. */
function whenInWords(atMs: number, nowMs: number): string {
	return atMs - nowMs < 2 * DAY_MS ? isoMinute(atMs) : isoDay(atMs);
}

/** How to get a working token again, by token type. `dead`: past refreshing. */
function replaceTokenAction(type: string | null, expiresAtMs: number | null, dead: boolean): string {
	switch (type) {
		case 'SYSTEM_USER':
			if (dead || expiresAtMs === null) return GENERATE_SYSTEM_USER_TOKEN;
			return (
				`run the Meta Token node's Refresh System-User Token operation before ${isoMinute(expiresAtMs)} ` +
				'and store the new token in the credential; once it has expired it cannot be refreshed, and then you must ' +
				GENERATE_SYSTEM_USER_TOKEN
			);
		case 'PAGE':
			return REGENERATE_PAGE_TOKEN;
		case 'APP':
			return REBUILD_APP_TOKEN;
		default:
			return EXCHANGE_USER_TOKEN;
	}
}

function invalidAction(reason: AuthReason, type: string | null): string {
	const replace = replaceTokenAction(type, null, true);
	switch (reason) {
		case 'expired':
			return capitalise(replace);
		case 'passwordChanged':
			return `Log in to Facebook again (the password changed or Meta reset the session), then ${replace}`;
		case 'notAuthorized':
			return `Have the user log in through the app again and grant its permissions (the app was removed, never authorised, or the token revoked), then ${replace}`;
		case 'checkpoint':
			return `The user must log in at https://www.facebook.com and complete the security checkpoint, then ${replace}`;
		case 'noPageRole':
			return "Give the user a role on the Page again (Business Settings → Pages, or the Page's settings), then run the Meta Token node's Get Page Tokens operation and store the new Page token in the credential";
		case 'inactive':
			return `The user must log in again (inactive too long), then ${replace}`;
		default:
			return `Check that the credential holds the complete token of this app; otherwise ${replace}`;
	}
}

function scopesAction(type: string | null, missing: readonly string[]): string {
	const list = missing.join(', ');
	const appNote =
		'; if Meta does not offer a permission, add it to the app first (App Dashboard → Use cases / App Review)';
	switch (type) {
		case 'SYSTEM_USER':
			return `Generate a new system-user token with scope ${list} (the Meta Token node's Generate System-User Token operation, or Business Settings → System users: ${SYSTEM_USERS_URL}) and store it in the credential${appNote}`;
		case 'PAGE':
			return `Get a user token that has ${list} (${EXPLORER_URL}), then run the Meta Token node's Get Page Tokens operation and store the new Page token in the credential${appNote}`;
		default:
			return `Get a new token with ${list} granted (${EXPLORER_URL} → add the permissions → Generate Access Token), run the Meta Token node's Exchange operation and store the result in the credential${appNote}`;
	}
}

const CHECK_FAILING_ACTIONS: Record<GraphErrorClass, string> = {
	rateLimit:
		"Meta is rate-limiting the checks: poll less often (the trigger's Poll Times) or spread this app's other calls out; the token itself may be fine",
	transient: "Meta's API keeps failing: check https://metastatus.com; nothing needs changing if it recovers",
	network:
		"n8n cannot reach the Graph API: check DNS, firewall and proxy, and the credential's Base URL",
	badResponse:
		"Something between n8n and Meta answers instead of the Graph API: check the credential's Base URL and any proxy",
	auth: "The token used for the check was refused: check that the credential's App ID and App Secret are current (resetting the secret kills the app token), or run the Meta Token node's Inspect operation",
	proofRequired:
		'The app has "Require App Secret" on: fill in the credential\'s App Secret and set App Secret Proof to Auto',
	permission:
		"The check lacks a permission: check the credential's App ID and App Secret, or run the Meta Token node's Inspect operation for details",
	policy: "Meta blocks the check for a policy reason: check the app dashboard and Account Quality for restrictions",
	badRequest:
		"Meta refuses the check as invalid: check the credential's Graph API version and App ID, or run the Meta Token node's Inspect operation for details",
};

const CHECK_FAILING_WORDS: Record<GraphErrorClass, string> = {
	rateLimit: 'Meta is rate-limiting the checks',
	transient: "Meta's API had errors",
	network: 'the Graph API could not be reached',
	badResponse: 'the answer was not from the Graph API',
	auth: 'the token used for the check was refused',
	proofRequired: 'Meta requires an appsecret_proof',
	permission: 'a permission is missing for the check',
	policy: 'Meta blocks the check for a policy reason',
	badRequest: 'Meta refused the check as invalid',
};

/** Meta's text or the Graph layer's message, fit for one line of an alert. */
function quote(message: string | null | undefined): string {
	const clean = redactSecrets(message ?? '');
	if (clean === '') return '';
	return clean.length > 300 ? `${clean.slice(0, 299)}…` : clean;
}

function label(token: TrackedToken): string {
	const name = token.credentialName ? `"${token.credentialName}"` : `(fingerprint ${token.fingerprint})`;
	const details = [token.type, token.app ? `app ${token.app}` : null].filter(
		(part): part is string => part !== null,
	);
	return `Meta token ${name}${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
}

function clip(value: string | null | undefined): string | null {
	if (typeof value !== 'string' || value.trim() === '') return null;
	return value.trim().slice(0, MAX_LABEL);
}

/** Mutable working context of one evaluation. */
interface Evaluation {
	settings: AlertSettings;
	nowMs: number;
	alerts: Alert[];
}

function subjectOf(token: TrackedToken, extra: Partial<AlertSubject> = {}): AlertSubject {
	return {
		credentialName: token.credentialName,
		tokenType: token.type,
		application: token.app,
		tokenFingerprint: token.fingerprint,
		tokenHint: null,
		expiresAt: token.expiresAtMs === null ? null : new Date(token.expiresAtMs).toISOString(),
		expiryCause: token.expiryCause,
		reason: null,
		missingScopes: [],
		errorClass: null,
		...extra,
	};
}

/** Emits the alert when its event is enabled. Returns whether it was emitted. */
function emit(run: Evaluation, alert: Alert): boolean {
	if (!run.settings.events.includes(alert.event)) return false;
	run.alerts.push(alert);
	return true;
}

const TOKEN_EVENTS: ReadonlySet<AlertEvent> = new Set([
	'expiring',
	'dataAccessExpiring',
	'expired',
	'invalid',
	'scopesLost',
]);

/** Emits an alert about the token and remembers that the token has been alerted about. */
function emitAboutToken(run: Evaluation, token: TrackedToken, alert: Alert): void {
	if (emit(run, alert) && TOKEN_EVENTS.has(alert.event)) token.alerted = true;
}

/** The thresholds crossed and not yet handled for this token; the lowest is the one to alert. */
function pendingThreshold(token: TrackedToken, thresholds: readonly number[], nowMs: number): number | null {
	if (token.expiresAtMs === null || token.dead !== null) return null;
	const remaining = token.expiresAtMs - nowMs;
	if (remaining <= 0) return null;
	const crossed = thresholds.filter(
		(days) =>
			remaining <= days * DAY_MS &&
			(token.lowestAlertedThreshold === null || days < token.lowestAlertedThreshold),
	);
	return crossed.length > 0 ? Math.min(...crossed) : null;
}

function expirySeverity(threshold: number, thresholds: readonly number[], remainingMs: number): AlertSeverity {
	const lowest = thresholds[thresholds.length - 1];
	return threshold <= lowest || remainingMs <= DAY_MS ? 'critical' : 'warning';
}

function expiryMessage(token: TrackedToken, nowMs: number): string {
	const expiresAtMs = token.expiresAtMs ?? nowMs;
	const when = `${timeLeftInWords(expiresAtMs, nowMs)}, on ${whenInWords(expiresAtMs, nowMs)}`;
	if (token.expiryCause === 'dataAccess') {
		const itself =
			token.tokenExpiresAtMs === null
				? 'never expires'
				: `expires ${whenInWords(token.tokenExpiresAtMs, nowMs)}`;
		return `${label(token)} loses data access ${when} (the token itself ${itself})`;
	}
	return `${label(token)} expires ${when}`;
}

function expiryAction(token: TrackedToken): string {
	if (token.expiryCause === 'dataAccess' && token.type !== 'SYSTEM_USER') {
		return `Have the user log in to the app again (any Facebook Login renews data access for 90 days), or ${EXCHANGE_USER_TOKEN}`;
	}
	return capitalise(replaceTokenAction(token.type, token.expiresAtMs, false));
}

/**
 * Threshold alerts: the lowest crossed, not-yet-handled threshold, if any. `staleSinceMs` is set
 * when the expiry comes from the last successful check because this one failed.
 */
function thresholdAlerts(
	run: Evaluation,
	token: TrackedToken,
	hint: string | null,
	stale: { sinceMs: number; errorClass: GraphErrorClass } | null,
): void {
	const threshold = pendingThreshold(token, run.settings.thresholds, run.nowMs);
	if (threshold === null || token.expiresAtMs === null) return;
	token.lowestAlertedThreshold = threshold;
	const remaining = token.expiresAtMs - run.nowMs;
	const staleNote = stale
		? ` (as of the last successful check, ${isoMinute(stale.sinceMs)}; the latest check failed)`
		: '';
	emitAboutToken(run, token, {
		event: token.expiryCause === 'dataAccess' ? 'dataAccessExpiring' : 'expiring',
		severity: expirySeverity(threshold, run.settings.thresholds, remaining),
		threshold,
		daysLeft: wholeDaysLeft(token.expiresAtMs, run.nowMs),
		message: expiryMessage(token, run.nowMs) + staleNote,
		action: expiryAction(token),
		...subjectOf(token, { tokenHint: hint, errorClass: stale ? stale.errorClass : null }),
	});
}

interface Death {
	event: 'expired' | 'invalid';
	reason: AuthReason;
}

/** Whether this inspection says the token is dead, and why. The clock beats `is_valid: true`. */
function deathOf(observation: OkObservation, effectiveMs: number | null, nowMs: number): Death | null {
	const record = observation.record;
	const pastExpiry = effectiveMs !== null && effectiveMs <= nowMs;
	if (observation.reason === 'expired' || record.status === 'expired' || pastExpiry) {
		return { event: 'expired', reason: 'expired' };
	}
	if (record.status === 'invalid' || !record.isValid) {
		return { event: 'invalid', reason: observation.reason ?? recordAuthReason(record) ?? 'invalid' };
	}
	return null;
}

function deathAlert(token: TrackedToken, death: Death, record: InspectRecord, nowMs: number): Alert {
	const said = quote(record.error?.message);
	const metaSaid = said ? ` (Meta: "${said}")` : '';
	let message: string;
	if (death.event === 'expired') {
		const at = token.expiresAtMs;
		if (at !== null && at <= nowMs) {
			const what = token.expiryCause === 'dataAccess' ? 'lost data access' : 'expired';
			message = `${label(token)} ${what} on ${isoMinute(at)}`;
		} else {
			message = `${label(token)} has expired${metaSaid}`;
		}
	} else {
		message = `${label(token)} is no longer valid: ${authReasonInWords(death.reason)}${metaSaid}`;
	}
	return {
		event: death.event,
		severity: 'critical',
		threshold: null,
		daysLeft: wholeDaysLeft(token.expiresAtMs, nowMs),
		message,
		action: invalidAction(death.reason, token.type),
		...subjectOf(token, { tokenHint: record.tokenHint, reason: death.reason }),
	};
}

/** Scopes the token should have but lacks, per the settings (else as the record computed them). */
function missingScopesNow(record: InspectRecord, settings: AlertSettings): string[] {
	return settings.requiredScopes.length > 0
		? missingScopesOf(record.scopes, settings.requiredScopes)
		: parseScopeList(record.missingScopes);
}

function scopeAlerts(run: Evaluation, token: TrackedToken, record: InspectRecord): void {
	const missing = missingScopesNow(record, run.settings).slice(0, MAX_SCOPES);
	const newlyMissing = missing.filter((scope) => !token.alertedMissingScopes.includes(scope));
	// Remember exactly what is missing now: a scope that comes back and is lost again is news.
	token.alertedMissingScopes = missing;
	if (newlyMissing.length === 0) return;
	emitAboutToken(run, token, {
		event: 'scopesLost',
		severity: 'critical',
		threshold: null,
		daysLeft: wholeDaysLeft(token.expiresAtMs, run.nowMs),
		message: `${label(token)} is missing required permissions: ${missing.join(', ')}`,
		action: scopesAction(token.type, missing),
		...subjectOf(token, { tokenHint: record.tokenHint, missingScopes: missing }),
	});
}

function renewedAlert(previous: TrackedToken, next: TrackedToken, hint: string, nowMs: number): Alert {
	const expiry =
		next.expiresAtMs === null
			? 'never expires'
			: `${next.expiryCause === 'dataAccess' ? 'keeps data access until' : 'expires'} ${whenInWords(next.expiresAtMs, nowMs)}, ${timeLeftInWords(next.expiresAtMs, nowMs)}`;
	const how =
		previous.fingerprint !== next.fingerprint
			? `was replaced by a new token, which ${expiry}`
			: `was renewed: it now ${expiry}`;
	return {
		event: 'renewed',
		severity: 'info',
		threshold: null,
		daysLeft: wholeDaysLeft(next.expiresAtMs, nowMs),
		message: `${label(next)} ${how}`,
		action: 'Nothing to do.',
		...subjectOf(next, { tokenHint: hint }),
	};
}

function trackedFrom(observation: OkObservation, nowMs: number): TrackedToken {
	const record = observation.record;
	const expiresAt = record.expiresAt === null ? NaN : Date.parse(record.expiresAt);
	return {
		fingerprint: observation.fingerprint,
		credentialName: clip(observation.credentialName),
		type: clip(record.type),
		app: clip(record.application ?? record.appId),
		expiresAtMs: effectiveExpiryMs(record),
		expiryCause: recordExpiryCause(record),
		tokenExpiresAtMs: Number.isNaN(expiresAt) ? null : expiresAt,
		lowestAlertedThreshold: null,
		dead: null,
		alertedMissingScopes: [],
		alerted: false,
		checkedAtMs: nowMs,
	};
}

/** Whether the expiry moved later: to a later date, or from a date to "never". */
function isLater(next: number | null, previous: number | null): boolean {
	if (previous === null) return false;
	return next === null || next > previous;
}

function onInspected(state: AlertState, observation: OkObservation, run: Evaluation): void {
	// A working check ends a failure streak. No alert for that (see the module comment).
	state.failure = null;
	const record = observation.record;
	const seen = trackedFrom(observation, run.nowMs);
	const death = deathOf(observation, seen.expiresAtMs, run.nowMs);
	const previous = state.token;

	let token: TrackedToken;
	// A dead token's answer often lacks its dates; that is no renewal.
	if (
		previous === null ||
		previous.fingerprint !== seen.fingerprint ||
		(death === null && isLater(seen.expiresAtMs, previous.expiresAtMs))
	) {
		// New token or later expiry: fresh history. `renewed` only when someone was warned about the
		// old one and the new one works (a dead replacement gets its own alert instead).
		token = seen;
		if (previous !== null && previous.alerted && death === null) {
			emit(run, renewedAlert(previous, token, record.tokenHint, run.nowMs));
		}
	} else {
		token = {
			...previous,
			credentialName: seen.credentialName ?? previous.credentialName,
			type: seen.type ?? previous.type,
			app: seen.app ?? previous.app,
			expiresAtMs: seen.expiresAtMs,
			expiryCause: seen.expiryCause,
			tokenExpiresAtMs: seen.tokenExpiresAtMs,
			checkedAtMs: run.nowMs,
		};
	}
	state.token = token;

	if (death !== null) {
		// Once, immediately, and nothing else for a dead token (no threshold or scope alerts).
		if (token.dead === null) {
			token.dead = death.event;
			emitAboutToken(run, token, deathAlert(token, death, record, run.nowMs));
		}
		return;
	}
	// Alive again (Meta said invalid, then valid for the same token): it is watched like any live
	// token, and a second death is news again.
	token.dead = null;
	thresholdAlerts(run, token, record.tokenHint, null);
	scopeAlerts(run, token, record);
}

function checkFailingAlert(
	streak: CheckFailureStreak,
	failure: CheckFailedObservation,
	token: TrackedToken | null,
	nowMs: number,
): Alert {
	const subject: TrackedToken =
		token && token.fingerprint === failure.fingerprint
			? { ...token, credentialName: clip(failure.credentialName) ?? token.credentialName }
			: {
					fingerprint: failure.fingerprint,
					credentialName: clip(failure.credentialName),
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
	const hours = Math.floor((nowMs - streak.sinceMs) / HOUR_MS);
	const said = quote(failure.message);
	return {
		event: 'checkFailing',
		severity: 'warning',
		threshold: null,
		daysLeft: wholeDaysLeft(subject.expiresAtMs, nowMs),
		message:
			`${label(subject)} could not be checked for ${hours} hour${hours === 1 ? '' : 's'} ` +
			`(since ${isoMinute(streak.sinceMs)}): ${CHECK_FAILING_WORDS[failure.errorClass]}${said ? ` — ${said}` : ''}`,
		action: CHECK_FAILING_ACTIONS[failure.errorClass],
		...subjectOf(subject, { errorClass: failure.errorClass, reason: failure.reason ?? null }),
	};
}

function onCheckFailed(state: AlertState, failure: CheckFailedObservation, run: Evaluation): void {
	const streak: CheckFailureStreak = state.failure
		? { ...state.failure, errorClass: failure.errorClass }
		: { sinceMs: run.nowMs, errorClass: failure.errorClass, alerted: false };
	state.failure = streak;
	if (!streak.alerted && run.nowMs - streak.sinceMs >= run.settings.checkFailingAfterHours * HOUR_MS) {
		streak.alerted = true;
		emit(run, checkFailingAlert(streak, failure, state.token, run.nowMs));
	}
	// The expiry date does not stop because Meta cannot be asked: keep counting down for the token
	// we know, so an outage or a rate limit cannot hide an approaching expiry.
	const token = state.token;
	if (token !== null && token.fingerprint === failure.fingerprint) {
		thresholdAlerts(run, token, null, { sinceMs: token.checkedAtMs, errorClass: failure.errorClass });
	}
}

const RATE_LIMIT_CODES: ReadonlySet<number> = new Set([4, 17, 32, 341, 613]);
const TRANSIENT_CODES: ReadonlySet<number> = new Set([1, 2]);

/**
 * An inspection whose `data.error` is a rate limit or a temporary error says nothing about the
 * token: it is treated as a failed check, never as `invalid`.
 */
function asFailedCheck(observation: Observation): CheckFailedObservation | null {
	if (observation.kind === 'checkFailed') return observation;
	const error = observation.record.error;
	if (observation.record.isValid || error === null || error.code === null) return null;
	const code = error.code;
	const errorClass: GraphErrorClass | null =
		RATE_LIMIT_CODES.has(code) || (code >= 80000 && code <= 80014)
			? 'rateLimit'
			: TRANSIENT_CODES.has(code)
				? 'transient'
				: null;
	if (errorClass === null) return null;
	return {
		kind: 'checkFailed',
		errorClass,
		message: error.message,
		fingerprint: observation.fingerprint,
		credentialName: observation.credentialName ?? null,
	};
}

/**
 * Decides the alerts of one poll. `previousState` is whatever static data held (anything invalid
 * counts as a fresh start); `nextState` is a new object to store back. Throws only on invalid
 * settings (an Error naming the field).
 */
export function evaluateAlerts(
	previousState: unknown,
	observation: Observation,
	settings: AlertSettingsInput,
	nowMs: number,
): AlertDecision {
	const run: Evaluation = { settings: resolveAlertSettings(settings), nowMs, alerts: [] };
	const state = loadAlertState(previousState);
	const failed = asFailedCheck(observation);
	if (failed !== null) onCheckFailed(state, failed, run);
	else if (observation.kind === 'ok') onInspected(state, observation, run);
	return { alerts: run.alerts, nextState: state };
}

// ---------------------------------------------------------------------------------------------
// Status for "Fetch Test Event"

export interface StatusItem extends AlertSubject {
	event: 'status';
	severity: AlertSeverity;
	status: TokenStatus | 'checkFailed';
	/** Lowest crossed threshold (days), or null. */
	threshold: number | null;
	daysLeft: number | null;
	message: string;
	action: string;
	/** When the next not-yet-crossed threshold will be crossed (ISO), or null. */
	nextAlertAt: string | null;
	/** What a real poll with this observation would emit now (enabled events only). */
	pendingEvents: AlertEvent[];
	/** Start of the current failure streak (ISO), or null. */
	failingSince: string | null;
}

/**
 * The current situation as one item, for the trigger's manual "Fetch Test Event" mode. Reads the
 * state, never changes it (nothing is returned to store).
 */
export function describeStatus(
	state: unknown,
	observation: Observation,
	settings: AlertSettingsInput,
	nowMs: number,
): StatusItem {
	const resolved = resolveAlertSettings(settings);
	const current = loadAlertState(state);
	// A dry run on a copy tells what the next real poll would emit.
	const pendingEvents = evaluateAlerts(current, observation, resolved, nowMs).alerts.map(
		(alert) => alert.event,
	);
	const failed = asFailedCheck(observation);

	if (failed !== null) {
		const since = current.failure ? current.failure.sinceMs : nowMs;
		const known = current.token && current.token.fingerprint === failed.fingerprint ? current.token : null;
		const streak: CheckFailureStreak = { sinceMs: since, errorClass: failed.errorClass, alerted: false };
		const alert = checkFailingAlert(streak, failed, known, nowMs);
		const alertAfter = `${resolved.checkFailingAfterHours} hour${resolved.checkFailingAfterHours === 1 ? '' : 's'}`;
		return {
			...alert,
			event: 'status',
			status: 'checkFailed',
			threshold: null,
			message: `${alert.message} (checkFailing is raised after ${alertAfter} of failures)`,
			nextAlertAt: null,
			pendingEvents,
			failingSince: new Date(since).toISOString(),
		};
	}
	if (observation.kind !== 'ok') throw new Error('Unknown observation');

	const record = observation.record;
	const token = trackedFrom(observation, nowMs);
	const death = deathOf(observation, token.expiresAtMs, nowMs);
	const base = {
		event: 'status' as const,
		pendingEvents,
		failingSince: null,
		nextAlertAt: null,
	};
	if (death !== null) {
		const alert = deathAlert(token, death, record, nowMs);
		return { ...alert, ...base, status: death.event };
	}

	const thresholds = resolved.thresholds;
	const remaining = token.expiresAtMs === null ? null : token.expiresAtMs - nowMs;
	const crossed = remaining === null ? [] : thresholds.filter((days) => remaining <= days * DAY_MS);
	const lowestCrossed = crossed.length > 0 ? Math.min(...crossed) : null;
	// The next threshold to be crossed is the largest one not crossed yet.
	const ahead = remaining === null ? [] : thresholds.filter((days) => remaining > days * DAY_MS);
	const nextThreshold = ahead.length > 0 ? Math.max(...ahead) : null;
	const nextAlertAt =
		token.expiresAtMs !== null && nextThreshold !== null
			? new Date(token.expiresAtMs - nextThreshold * DAY_MS).toISOString()
			: null;
	const missing = missingScopesNow(record, resolved);

	let severity: AlertSeverity = 'info';
	let message: string;
	let action = 'Nothing to do now.';
	if (token.expiresAtMs === null) {
		message = `${label(token)} never expires`;
	} else {
		message = expiryMessage(token, nowMs);
		if (lowestCrossed !== null && remaining !== null) {
			severity = expirySeverity(lowestCrossed, thresholds, remaining);
			action = expiryAction(token);
		} else if (nextAlertAt !== null && nextThreshold !== null) {
			message += `; first alert at ${nextThreshold} day${nextThreshold === 1 ? '' : 's'} left, on ${isoDay(Date.parse(nextAlertAt))}`;
		}
	}
	if (missing.length > 0) {
		severity = 'critical';
		message += `; missing required permissions: ${missing.join(', ')}`;
		action = scopesAction(token.type, missing);
	}
	return {
		...base,
		severity,
		status: record.status === 'expiring' || lowestCrossed !== null ? 'expiring' : 'valid',
		threshold: lowestCrossed,
		daysLeft: wholeDaysLeft(token.expiresAtMs, nowMs),
		message,
		action,
		nextAlertAt,
		...subjectOf(token, { tokenHint: record.tokenHint, missingScopes: missing }),
	};
}
