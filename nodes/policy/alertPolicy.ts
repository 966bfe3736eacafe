/**
 * The alert policy of the Meta Token Trigger: the one place that decides what "expiring" means and
 * when to alert.
 *
 *   evaluateAlerts(previousState, observation, settings, nowMs) → { alerts, nextState }
 *
 * Pure: no clock, no I/O, no n8n. The trigger loads `previousState` from the workflow's static
 * data, inspects the token, turns the outcome into an {@link Observation} (observations.ts), calls
 * {@link evaluateAlerts}, saves `nextState` and emits `alerts` as items.
 *
 * This file holds the decisions only; around it: alertSettings.ts (event names, defaults,
 * validation), observations.ts (what a poll saw), alertState.ts (what is remembered between
 * polls), alertWords.ts (every message and action), alertStatus.ts (the "Fetch Test Event" item),
 * and inspectRecord.ts (the record and its effective expiry).
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
 *   same token, marked as based on the last successful check, before the streak began.
 * - `mustSave` says when a poll without alerts changed something later decisions depend on
 *   (alertState.ts, isDecisionChange): the trigger then returns an empty result so that n8n saves
 *   the state under every poller (the legacy one saves static data only when a poll returns items).
 * - Disabled events are never emitted, but the state advances as if they had been: enabling an event
 *   later does not replay old news, and a suppressed alert does not count as "sent" for `renewed`.
 */
import { retryableClassOfCode } from '../graph/errorCodes';
import type { AuthReason, GraphErrorClass } from '../graph/types';
import type { AlertEvent, AlertSettings, AlertSettingsInput } from './alertSettings';
import { resolveAlertSettings } from './alertSettings';
import type { AlertState, CheckFailureStreak, TrackedToken } from './alertState';
import { MAX_SCOPES, clip, isDecisionChange, loadAlertState, trackedFrom, unknownToken } from './alertState';
import {
	NOTHING_TO_DO,
	checkFailingAction,
	checkFailingMessage,
	deathMessage,
	expiryAction,
	expiryMessage,
	invalidAction,
	renewedMessage,
	scopesAction,
	scopesLostMessage,
	staleNote,
} from './alertWords';
import type { ExpiryCause, InspectRecord } from './inspectRecord';
import { recordAuthReason } from './inspectRecord';
import type { CheckFailedObservation, Observation, OkObservation } from './observations';
import { missingScopesOf, parseScopeList } from './scopes';
import { DAY_MS, HOUR_MS, wholeDaysLeft } from './time';

export type AlertSeverity = 'info' | 'warning' | 'critical';

/** Who and what an alert or status item is about. No token, no secret: fingerprint and hint only. */
export interface AlertSubject {
	credentialName: string | null;
	tokenType: string | null;
	/** Application name, else app id. */
	application: string | null;
	tokenFingerprint: string;
	/** From the inspect record; null when the alert is based on a failed check. */
	tokenHint: string | null;
	/**
	 * The token's own expiry (ISO), as `expiresAt` of the inspect record; null = never or unknown.
	 * Alerts count down to `effectiveExpiresAt`.
	 */
	expiresAt: string | null;
	/** The earlier of the token's expiry and its data-access expiry (ISO); null = never or unknown. */
	effectiveExpiresAt: string | null;
	/** Which of the two `effectiveExpiresAt` is. */
	expiryCause: ExpiryCause | null;
	/** Why the token is dead (`expired`/`invalid` alerts). */
	reason: AuthReason | null;
	/** Required scopes the token lacks, as last seen (as `missingScopes` of the inspect record). */
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
	/** nextState differs from the previous state in what later decisions read: it must be saved. */
	mustSave: boolean;
}

/** Mutable working context of one evaluation. */
interface Evaluation {
	settings: AlertSettings;
	nowMs: number;
	alerts: Alert[];
}

function isoOrNull(ms: number | null): string | null {
	return ms === null ? null : new Date(ms).toISOString();
}

export function subjectOf(token: TrackedToken, extra: Partial<AlertSubject> = {}): AlertSubject {
	return {
		credentialName: token.credentialName,
		tokenType: token.type,
		application: token.app,
		tokenFingerprint: token.fingerprint,
		tokenHint: null,
		expiresAt: isoOrNull(token.tokenExpiresAtMs),
		effectiveExpiresAt: isoOrNull(token.expiresAtMs),
		expiryCause: token.expiryCause,
		reason: null,
		missingScopes: [...token.alertedMissingScopes],
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

// ---------------------------------------------------------------------------------------------
// Thresholds

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

export function expirySeverity(threshold: number, thresholds: readonly number[], remainingMs: number): AlertSeverity {
	const lowest = thresholds[thresholds.length - 1];
	return threshold <= lowest || remainingMs <= DAY_MS ? 'critical' : 'warning';
}

/**
 * Threshold alerts: the lowest crossed, not-yet-handled threshold, if any. `stale` is set when the
 * expiry comes from the last successful check because this one failed; `sinceMs` is when the
 * failure streak began (saved under every poller, unlike the time of each successful check).
 */
function thresholdAlerts(
	run: Evaluation,
	token: TrackedToken,
	hint: string | null,
	stale: { sinceMs: number; errorClass: GraphErrorClass } | null,
	/** What this check found missing (else the last known list). */
	missingScopes: string[] = token.alertedMissingScopes,
): void {
	const threshold = pendingThreshold(token, run.settings.thresholds, run.nowMs);
	if (threshold === null || token.expiresAtMs === null) return;
	token.lowestAlertedThreshold = threshold;
	const remaining = token.expiresAtMs - run.nowMs;
	emitAboutToken(run, token, {
		event: token.expiryCause === 'dataAccess' ? 'dataAccessExpiring' : 'expiring',
		severity: expirySeverity(threshold, run.settings.thresholds, remaining),
		threshold,
		daysLeft: wholeDaysLeft(token.expiresAtMs, run.nowMs),
		message: expiryMessage(token, run.nowMs) + (stale ? staleNote(stale.sinceMs) : ''),
		action: expiryAction(token, run.settings.renewalUrl),
		...subjectOf(token, { tokenHint: hint, errorClass: stale ? stale.errorClass : null, missingScopes: [...missingScopes] }),
	});
}

// ---------------------------------------------------------------------------------------------
// Death, scopes, renewal

export interface Death {
	event: 'expired' | 'invalid';
	reason: AuthReason;
}

/** Whether this inspection says the token is dead, and why. The clock beats `is_valid: true`. */
export function deathOf(observation: OkObservation, effectiveMs: number | null, nowMs: number): Death | null {
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

export function deathAlert(
	token: TrackedToken,
	death: Death,
	record: InspectRecord,
	nowMs: number,
	renewalUrl: string | null,
): Alert {
	return {
		event: death.event,
		severity: 'critical',
		threshold: null,
		daysLeft: wholeDaysLeft(token.expiresAtMs, nowMs),
		message: deathMessage(token, death.event, death.reason, record.error?.message, nowMs),
		action: invalidAction(death.reason, token.type, renewalUrl),
		...subjectOf(token, { tokenHint: record.tokenHint, reason: death.reason, missingScopes: [...record.missingScopes] }),
	};
}

/** Scopes the token should have but lacks, per the settings (else as the record computed them). */
export function missingScopesNow(record: InspectRecord, settings: AlertSettings): string[] {
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
		message: scopesLostMessage(token, missing),
		action: scopesAction(token.type, missing),
		...subjectOf(token, { tokenHint: record.tokenHint, missingScopes: missing }),
	});
}

function renewedAlert(previous: TrackedToken, next: TrackedToken, hint: string, nowMs: number): Alert {
	return {
		event: 'renewed',
		severity: 'info',
		threshold: null,
		daysLeft: wholeDaysLeft(next.expiresAtMs, nowMs),
		message: renewedMessage(previous, next, nowMs),
		action: NOTHING_TO_DO,
		...subjectOf(next, { tokenHint: hint }),
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
			emitAboutToken(run, token, deathAlert(token, death, record, run.nowMs, run.settings.renewalUrl));
		}
		return;
	}
	// Alive again (Meta said invalid, then valid for the same token): it is watched like any live
	// token, and a second death is news again.
	token.dead = null;
	thresholdAlerts(run, token, record.tokenHint, null, missingScopesNow(record, run.settings).slice(0, MAX_SCOPES));
	scopeAlerts(run, token, record);
}

// ---------------------------------------------------------------------------------------------
// Failed checks

export function checkFailingAlert(
	streak: CheckFailureStreak,
	failure: CheckFailedObservation,
	token: TrackedToken | null,
	nowMs: number,
): Alert {
	const subject: TrackedToken =
		token && token.fingerprint === failure.fingerprint
			? { ...token, credentialName: clip(failure.credentialName) ?? token.credentialName }
			: unknownToken(failure.fingerprint, clip(failure.credentialName), nowMs);
	return {
		event: 'checkFailing',
		severity: 'warning',
		threshold: null,
		daysLeft: wholeDaysLeft(subject.expiresAtMs, nowMs),
		message: checkFailingMessage(subject, streak.sinceMs, failure.errorClass, failure.message, nowMs),
		action: checkFailingAction(failure.errorClass),
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
		thresholdAlerts(run, token, null, { sinceMs: streak.sinceMs, errorClass: failure.errorClass });
	}
}

/**
 * An inspection whose `data.error` is a rate limit or a temporary error says nothing about the
 * token: it is treated as a failed check, never as `invalid`. Which codes those are is the Graph
 * layer's fact (errorCodes.ts), shared with its retries.
 */
export function asFailedCheck(observation: Observation): CheckFailedObservation | null {
	if (observation.kind === 'checkFailed') return observation;
	const error = observation.record.error;
	if (observation.record.isValid || error === null || error.code === null) return null;
	const errorClass = retryableClassOfCode(error.code);
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
 * counts as a fresh start); `nextState` is a new object to store back, and `mustSave` whether it
 * has to be stored even when there is no alert. Throws only on invalid settings (an Error naming
 * the field).
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
	// loadAlertState copies: a second load is the previous state untouched by this evaluation.
	return { alerts: run.alerts, nextState: state, mustSave: isDecisionChange(loadAlertState(previousState), state) };
}
