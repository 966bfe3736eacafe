/**
 * The trigger's "Fetch Test Event" item: the current situation of the watched token as one status
 * item, with what the next real poll would emit.
 *
 * Its own file because it is a read-only view for a human testing the trigger: it reuses the
 * policy's decisions (alertPolicy) and words (alertWords) but decides nothing and stores nothing.
 */
import { PLATFORM_FACTS } from '../meta/platform';
import type { AlertEvent, AlertSettingsInput } from './alertSettings';
import { resolveAlertSettings } from './alertSettings';
import { evaluateAlerts } from './alertPolicy';
import type { AlertSeverity, AlertSubject } from './alerts';
import {
	asFailedCheck,
	checkFailingAlert,
	deathAlert,
	deathOf,
	expirySeverity,
	missingScopesNow,
	subjectOf,
} from './alerts';
import type { CheckFailureStreak } from './alertState';
import { loadAlertState, trackedFrom } from './alertState';
import {
	NOTHING_TO_DO_NOW,
	checkFailingAfterNote,
	expiryAction,
	expiryUnknownAction,
	expiryMessage,
	firstAlertNote,
	missingPermissionsNote,
	neverExpiresMessage,
	expiryUnknownMessage,
	scopesAction,
} from './alertWords';
import type { TokenStatus } from './inspectRecord';
import type { Observation } from './observations';
import { DAY_MS, wholeDaysLeft } from './time';

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
		return {
			...alert,
			event: 'status',
			status: 'checkFailed',
			threshold: null,
			message: alert.message + checkFailingAfterNote(resolved.checkFailingAfterHours),
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
		const alert = deathAlert(token, death, record, nowMs, resolved.renewalUrl);
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
	let action = NOTHING_TO_DO_NOW;
	if (token.expiresAtMs === null && token.expiryUnknown !== undefined) {
		message = expiryUnknownMessage(token, record.platform ? PLATFORM_FACTS[record.platform].label : null);
		action = expiryUnknownAction(token.platform);
	} else if (token.expiresAtMs === null) {
		message = neverExpiresMessage(token);
	} else {
		message = expiryMessage(token, nowMs);
		if (lowestCrossed !== null && remaining !== null) {
			severity = expirySeverity(lowestCrossed, thresholds, remaining);
			action = expiryAction(token, resolved.renewalUrl);
		} else if (nextAlertAt !== null && nextThreshold !== null) {
			message += firstAlertNote(nextThreshold, Date.parse(nextAlertAt));
		}
	}
	if (missing.length > 0) {
		severity = 'critical';
		message += missingPermissionsNote(missing);
		action = scopesAction(token.type, missing, token.platform);
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
