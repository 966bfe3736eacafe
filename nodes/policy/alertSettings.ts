/**
 * The alert settings of the trigger and of Check for Alerts (per item): the event names, the
 * defaults, and the validation of what the user typed into their parameters.
 *
 * Its own file because settings are checked before any token is looked at (when the trigger is
 * activated, for each item of Check for Alerts), and the event names are public (workflows switch
 * on them): they are defined here once.
 */
import { parseScopeList } from './scopes';

export type AlertEvent =
	| 'expiring'
	| 'expired'
	| 'invalid'
	| 'dataAccessExpiring'
	| 'scopesLost'
	| 'checkFailing'
	| 'renewed'
	| 'expiryUnknown';

export const ALERT_EVENTS: readonly AlertEvent[] = [
	'expiring',
	'expired',
	'invalid',
	'dataAccessExpiring',
	'scopesLost',
	'checkFailing',
	'renewed',
	'expiryUnknown',
];

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
	/**
	 * Address of a form that renews a user token (the renew-user-token-form example); when set,
	 * `expiring` and `expired` alerts about USER tokens send the reader there. Default none.
	 */
	renewalUrl?: string | null;
}

/** Settings after validation. */
export interface AlertSettings {
	/** Positive, de-duplicated, sorted descending, never empty. */
	thresholds: number[];
	events: AlertEvent[];
	requiredScopes: string[];
	checkFailingAfterHours: number;
	/** An http(s) address, or null when none is set. */
	renewalUrl: string | null;
}

/**
 * "14, 7, 3, 1" or [1, 3, 7, 14] → [14, 7, 3, 1]: positive numbers of days (decimals allowed,
 * e.g. 0.5 = 12 hours), de-duplicated, sorted descending. Throws an Error naming the field and the
 * bad value, so a typo fails the trigger's activation instead of silently never alerting.
 */
function parseThresholds(input: string | number[]): number[] {
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
	if (names.length === 0) {
		// No event selected would be a trigger (or a check) that silently never reports anything.
		throw new Error(`Events: none selected, so nothing would ever be reported; select at least one of ${ALERT_EVENTS.join(', ')}`);
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

/**
 * The Renewal Link: empty means none; anything else must be a whole http(s) address, since it is
 * pasted into alerts for a person to open. Kept as typed (trimmed), not re-serialised.
 */
function parseRenewalUrl(input: unknown): string | null {
	// An expression that yields nothing (undefined, null) leaves the link unset, like an empty field.
	if (input === undefined || input === null) return null;
	const text = String(input).trim();
	if (text === '') return null;
	let url: URL | null = null;
	try {
		url = new URL(text);
	} catch {
		url = null;
	}
	if (url === null || (url.protocol !== 'https:' && url.protocol !== 'http:') || /\s/.test(text)) {
		throw new Error(
			`Renewal Link: "${text}" is not an http(s) address; use the production URL of the renewal form, e.g. https://n8n.example.com/form/renew-meta-token, or leave it empty`,
		);
	}
	return text;
}

/** Validates settings and fills in defaults. Throws an Error naming the field on bad input. */
export function resolveAlertSettings(input: AlertSettingsInput = {}): AlertSettings {
	return {
		thresholds:
			input.thresholds === undefined ? [...DEFAULT_THRESHOLDS] : parseThresholds(input.thresholds),
		events: parseEvents(input.events),
		requiredScopes: parseScopeList(input.requiredScopes),
		checkFailingAfterHours: parseHours(input.checkFailingAfterHours),
		renewalUrl: parseRenewalUrl(input.renewalUrl),
	};
}
