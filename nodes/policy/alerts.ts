/**
 * What an alert is, and the builders the alert policy and the trigger's status item share: who an
 * alert is about, how severe an expiry is, whether a token is dead and the alert that says so,
 * the scopes missing now, the "check failing" alert, and when an answer is a failed check.
 *
 * Its own file because both alertPolicy.ts (which decides when to alert) and alertStatus.ts (the
 * "Fetch Test Event" view) build the same alerts; pure, like the rest of the policy.
 */
import { retryableClassOfCode } from '../meta/errorCodes';
import type { AuthReason, GraphErrorClass } from '../meta/types';
import type { AlertEvent, AlertSettings } from './alertSettings';
import type { CheckFailureStreak, TrackedToken } from './alertState';
import { clip, unknownToken } from './alertState';
import { checkFailingAction, checkFailingMessage, deathMessage, invalidAction } from './alertWords';
import type { ExpiryCause, InspectRecord } from './inspectRecord';
import { recordAuthReason } from './inspectRecord';
import type { CheckFailedObservation, Observation, OkObservation } from './observations';
import { missingScopesOf, parseScopeList } from './scopes';
import { DAY_MS, wholeDaysLeft } from './time';

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

export function expirySeverity(threshold: number, thresholds: readonly number[], remainingMs: number): AlertSeverity {
	const lowest = thresholds[thresholds.length - 1];
	return threshold <= lowest || remainingMs <= DAY_MS ? 'critical' : 'warning';
}

interface Death {
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
		action: invalidAction(death.reason, token.type, renewalUrl, token.platform),
		...subjectOf(token, { tokenHint: record.tokenHint, reason: death.reason, missingScopes: [...record.missingScopes] }),
	};
}

/** Scopes the token should have but lacks, per the settings (else as the record computed them). */
export function missingScopesNow(record: InspectRecord, settings: AlertSettings): string[] {
	// Unknown scopes (Instagram's /me tells none) cannot be missing.
	if (record.scopesKnown === false) return [];
	return settings.requiredScopes.length > 0
		? missingScopesOf(record.scopes, settings.requiredScopes)
		: parseScopeList(record.missingScopes);
}

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

/**
 * An inspection whose `data.error` is a rate limit or a temporary error says nothing about the
 * token: it is treated as a failed check, never as `invalid`. Which codes those are is a fact
 * about Meta (meta/errorCodes.ts), shared with the Graph layer's retries.
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
