/**
 * The alert policy of the Meta Token Trigger and of Check for Alerts (per token, watchList.ts):
 * the one place that decides what "expiring" means and when to alert.
 *
 *   evaluateAlerts(previousState, observation, settings, nowMs) → { alerts, nextState }
 *
 * Pure: no clock, no I/O, no n8n. The trigger loads `previousState` from the workflow's static
 * data, inspects the token, turns the outcome into an {@link Observation} (observations.ts), calls
 * {@link evaluateAlerts}, saves `nextState` and emits `alerts` as items.
 *
 * This file holds the decisions only; around it: alerts.ts (what an alert is, and the builders
 * the status item shares), alertSettings.ts (event names, defaults, validation), observations.ts (what a poll saw), alertState.ts (what is remembered between
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
 * - An Instagram or Threads token whose expiry nothing tells (no token record, no debug_token) is
 *   never called "never expires": `expiryUnknown` is raised once per token. For the same token a
 *   known expiry keeps counting down (an answer without a date, such as Threads' /me fallback, does
 *   not forget it), so it is not raised again.
 * - `mustSave` says when a poll without alerts changed something later decisions depend on
 *   (alertState.ts, isDecisionChange): the trigger then returns an empty result so that n8n saves
 *   the state under every poller (the legacy one saves static data only when a poll returns items).
 * - Disabled events are never emitted, but the state advances as if they had been: enabling an event
 *   later does not replay old news, and a suppressed alert does not count as "sent" for `renewed`.
 */
import { PLATFORM_FACTS } from '../meta/platform';
import type { GraphErrorClass } from '../meta/types';
import type { AlertEvent, AlertSettings, AlertSettingsInput } from './alertSettings';
import { resolveAlertSettings } from './alertSettings';
import type { AlertState, CheckFailureStreak, TrackedToken } from './alertState';
import { MAX_SCOPES, isDecisionChange, loadAlertState, trackedFrom } from './alertState';
import {
	NOTHING_TO_DO,
	expiryAction,
	expiryUnknownAction,
	expiryUnknownMessage,
	expiryMessage,
	renewedMessage,
	scopesAction,
	scopesLostMessage,
	staleNote,
} from './alertWords';
import type { Alert } from './alerts';
import {
	asFailedCheck,
	checkFailingAlert,
	deathAlert,
	deathOf,
	expirySeverity,
	missingScopesNow,
	subjectOf,
} from './alerts';
import type { InspectRecord } from './inspectRecord';
import type { CheckFailedObservation, Observation, OkObservation } from './observations';
import { DAY_MS, HOUR_MS, wholeDaysLeft } from './time';

interface AlertDecision {
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
	'expiryUnknown',
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
// Scopes, renewal

function scopeAlerts(run: Evaluation, token: TrackedToken, record: InspectRecord): void {
	// Scopes Meta did not tell (Instagram's /me) are not lost: what was reported stays as it was.
	if (record.scopesKnown === false) return;
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
		action: scopesAction(token.type, missing, token.platform),
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

function expiryUnknownAlert(token: TrackedToken, record: InspectRecord): Alert {
	return {
		event: 'expiryUnknown',
		severity: 'warning',
		threshold: null,
		daysLeft: null,
		message: expiryUnknownMessage(token, record.platform ? PLATFORM_FACTS[record.platform].label : null),
		action: expiryUnknownAction(token.platform),
		...subjectOf(token, { tokenHint: record.tokenHint, missingScopes: [...record.missingScopes] }),
	};
}

/**
 * What this check saw, as a token with a fresh history. An answer that cannot tell the expiry says
 * nothing against the one an earlier check learnt for the same token: that one keeps counting down.
 */
function seenNow(observation: OkObservation, previous: TrackedToken | null, nowMs: number): TrackedToken {
	const seen = trackedFrom(observation, nowMs);
	if (seen.expiryUnknown === undefined || previous === null || previous.fingerprint !== seen.fingerprint) return seen;
	if (previous.expiresAtMs === null) return seen;
	const known: TrackedToken = {
		...seen,
		expiresAtMs: previous.expiresAtMs,
		expiryCause: previous.expiryCause,
		tokenExpiresAtMs: previous.tokenExpiresAtMs,
	};
	delete known.expiryUnknown;
	return known;
}

/** Whether the expiry is still unknown (and already said so), or known: then nothing is remembered. */
function expiryUnknownAfter(previous: TrackedToken, seen: TrackedToken): TrackedToken['expiryUnknown'] {
	if (seen.expiryUnknown === undefined) return undefined;
	return previous.expiryUnknown ?? seen.expiryUnknown;
}

function onInspected(state: AlertState, observation: OkObservation, run: Evaluation): void {
	// A working check ends a failure streak. No alert for that (see the module comment).
	state.failure = null;
	const record = observation.record;
	const previous = state.token;
	const seen = seenNow(observation, previous, run.nowMs);
	const death = deathOf(observation, seen.expiresAtMs, run.nowMs);

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
		const unknown = expiryUnknownAfter(previous, seen);
		if (unknown === undefined) delete token.expiryUnknown;
		else token.expiryUnknown = unknown;
		// A state stored before the platform was remembered learns it from this check.
		const platform = seen.platform ?? previous.platform;
		if (platform !== undefined) token.platform = platform;
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
	// Said once per token instead of guessing: no threshold can be crossed without an expiry.
	if (token.expiryUnknown === 'unknown') {
		token.expiryUnknown = 'alerted';
		emitAboutToken(run, token, expiryUnknownAlert(token, record));
	}
	thresholdAlerts(run, token, record.tokenHint, null, missingScopesNow(record, run.settings).slice(0, MAX_SCOPES));
	scopeAlerts(run, token, record);
}

// ---------------------------------------------------------------------------------------------
// Failed checks

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
