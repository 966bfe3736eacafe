/**
 * The shared inputs of the alert-policy tests: an injected clock, two tokens, `debug_token` answers,
 * and a trigger in miniature that stores its state as JSON between polls as n8n does.
 */
import type { DebugTokenData, GraphErrorClass } from '../../nodes/meta/types';
import type { Alert } from '../../nodes/policy/alerts';
import { evaluateAlerts } from '../../nodes/policy/alertPolicy';
import type { AlertEvent, AlertSettingsInput } from '../../nodes/policy/alertSettings';
import type { AlertState } from '../../nodes/policy/alertState';
import { loadAlertState } from '../../nodes/policy/alertState';
import type { Observation } from '../../nodes/policy/observations';
import { observationFromCheckFailure, observationFromInspection } from '../../nodes/policy/observations';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
/** 2026-11-01T00:00:00Z: the injected clock starts here. */
export const T0 = Date.UTC(2026, 10, 1);
export const sec = (ms: number): number => Math.floor(ms / 1000);

export const TOKEN_A = 'EAAB' + 'a'.repeat(150) + 'AAAA';
export const TOKEN_B = 'EAAB' + 'b'.repeat(150) + 'BBBB';
export const CREDENTIAL = 'Acme Ads';

export function answer(type: string, expiresAtMs: number | 0, extra: Partial<DebugTokenData> = {}): DebugTokenData {
	return {
		app_id: '1234567890',
		application: 'Reporting App',
		type,
		is_valid: true,
		expires_at: expiresAtMs === 0 ? 0 : sec(expiresAtMs),
		scopes: ['ads_read', 'ads_management', 'business_management'],
		...extra,
	};
}

export const userAnswer = (expiresAtMs: number, extra: Partial<DebugTokenData> = {}) =>
	answer('USER', expiresAtMs, extra);

export function inspected(token: string, data: DebugTokenData, nowMs: number): Observation {
	return observationFromInspection(token, data, { nowMs, credentialName: CREDENTIAL });
}

/** An Instagram token (Instagram Login): `IG…`, as Meta issues them. */
export const TOKEN_IG = 'IGAA' + 'i'.repeat(150) + 'IIII';

/**
 * An Instagram token's `/me` answer (platformInspect.ts reads it as a working token's `data`),
 * observed with the credential's token record when there is one.
 */
export function instagramSeen(
	token: string,
	nowMs: number,
	tokenRecord?: { fingerprint: string; issuedAt: number; expiresAt?: number },
): Observation {
	return observationFromInspection(token, { is_valid: true, user_id: '17841400000000001', username: 'acme.shoes' }, {
		nowMs,
		credentialName: CREDENTIAL,
		platform: 'instagram',
		...(tokenRecord ? { tokenRecord } : {}),
	});
}

export function failed(token: string, errorClass: GraphErrorClass, message = 'Something went wrong'): Observation {
	return observationFromCheckFailure(token, { errorClass, message }, { credentialName: CREDENTIAL });
}

/**
 * A trigger in miniature: keeps the state as n8n would (JSON in static data, so every poll is also
 * a restart), and records what each poll emitted.
 */
export class Trigger {
	stored: string | null = null;
	constructor(public settings: AlertSettingsInput = {}) {}

	poll(observation: Observation, nowMs: number): Alert[] {
		const previous: unknown = this.stored === null ? undefined : JSON.parse(this.stored);
		const { alerts, nextState } = evaluateAlerts(previous, observation, this.settings, nowMs);
		this.stored = JSON.stringify(nextState);
		return alerts;
	}

	/** Polls the answer `data` for `token` at `nowMs`. */
	see(token: string, data: DebugTokenData, nowMs: number): Alert[] {
		return this.poll(inspected(token, data, nowMs), nowMs);
	}

	get state(): AlertState {
		return loadAlertState(this.stored === null ? undefined : JSON.parse(this.stored));
	}
}

export const events = (alerts: Alert[]): AlertEvent[] => alerts.map((alert) => alert.event);
export const thresholdsOf = (alerts: Alert[]): Array<number | null> => alerts.map((alert) => alert.threshold);

/** Polls every `stepMs` from `fromMs` to `toMs` (inclusive), returning every alert with its time. */
export function walk(
	trigger: Trigger,
	observe: (nowMs: number) => Observation,
	fromMs: number,
	toMs: number,
	stepMs: number,
): Array<Alert & { at: number }> {
	const all: Array<Alert & { at: number }> = [];
	for (let now = fromMs; now <= toMs; now += stepMs) {
		for (const alert of trigger.poll(observe(now), now)) all.push({ ...alert, at: now });
	}
	return all;
}
