/**
 * The memory of Check for Alerts: one alert history per watched token — the trigger's AlertState —
 * kept in the workflow's static data under the token's name (or its fingerprint when it has none),
 * written compactly, because an agency watches thousands of tokens and n8n writes the whole of
 * static data after every run.
 *
 * Its own file because, like alertState.ts, stored state outlives releases: the encoding, its
 * version and its validation are a compatibility contract. An entry holds exactly what AlertState
 * holds except the label, which every run supplies again (the Token Name, or the token's hint), and
 * with the last check rounded down to the second (it only appears in words).
 */
import { isRecord } from '../meta/wire';
import { GRAPH_ERROR_CLASSES, type GraphErrorClass } from '../meta/types';
import type { AlertState, TrackedToken } from './alertState';
import { ALERT_STATE_VERSION, MAX_SCOPES } from './alertState';

export const WATCH_LIST_VERSION = 1;

/** One token's AlertState as stored. An absent key means the value in brackets. */
export interface StoredEntry {
	/** Fingerprint of the token last inspected under this key [none: only failed checks so far]. */
	f?: string;
	/** When a run last listed this key (unix s): tokens gone from the list are forgotten from here. */
	s: number;
	/** Seconds from the last successful check to `s` [0]. */
	c?: number;
	/** Type: U, P, S, A for Meta's USER, PAGE, SYSTEM_USER, APP, else `=` and Meta's word [unknown]. */
	t?: string;
	/** Application: an index into `apps` [unknown]. */
	a?: number;
	/** Effective expiry (unix s) [never]. */
	e?: number;
	/** Only when data access ends before the token: the token's own expiry (unix s), 0 = never. */
	d?: number;
	/** Lowest threshold handled, in days [none]. */
	l?: number;
	/** Dead: `e` expired, `i` invalid [alive]. */
	x?: 'e' | 'i';
	/** Required scopes already reported missing, comma-separated [none]. */
	m?: string;
	/** 1 once an alert about this token went out (decides `renewed`) [not yet]. */
	n?: 1;
	/** Instagram and Threads: the expiry is unknown, 1; and `expiryUnknown` was raised, 2 [known]. */
	u?: 1 | 2;
	/** Platform of the token: `i` Instagram, `t` Threads [Facebook]. */
	p?: 'i' | 't';
	/** Failing checks: [first failure (ms), error class, 1 once checkFailing was raised]. */
	k?: [number, GraphErrorClass, 0 | 1];
}

export interface WatchListState {
	v: 1;
	/** Application names, shared by the entries (an agency's tokens mostly belong to one app). */
	apps: string[];
	/** Histories keyed by Token Name. */
	named: Record<string, StoredEntry>;
	/** Histories of tokens without a name, keyed by fingerprint. */
	unnamed: Record<string, StoredEntry>;
}

function emptyWatchList(): WatchListState {
	return { v: WATCH_LIST_VERSION, apps: [], named: {}, unnamed: {} };
}

const TYPE_CODES: Record<string, string> = { USER: 'U', PAGE: 'P', SYSTEM_USER: 'S', APP: 'A' };
const TYPE_NAMES: Record<string, string> = Object.fromEntries(
	Object.entries(TYPE_CODES).map(([name, code]) => [code, name]),
);

const toSeconds = (ms: number): number => ms / 1000;
// Expiries come from Meta in whole seconds, so ms / 1000 is exact; rounding undoes float noise.
const toMs = (seconds: number): number => Math.round(seconds * 1000);

// ---------------------------------------------------------------------------------------------
// Writing

/** Application names → indexes, built afresh at every save so names no entry uses drop out. */
export class AppTable {
	readonly names: string[] = [];
	private readonly index = new Map<string, number>();

	indexOf(name: string): number {
		let at = this.index.get(name);
		if (at === undefined) {
			at = this.names.push(name) - 1;
			this.index.set(name, at);
		}
		return at;
	}
}

function encodeToken(token: TrackedToken, entry: StoredEntry, apps: AppTable): void {
	entry.f = token.fingerprint;
	const checked = Math.max(0, entry.s - Math.floor(toSeconds(token.checkedAtMs)));
	if (checked > 0) entry.c = checked;
	if (token.type !== null) entry.t = TYPE_CODES[token.type] ?? `=${token.type}`;
	if (token.app !== null) entry.a = apps.indexOf(token.app);
	if (token.expiresAtMs !== null) entry.e = toSeconds(token.expiresAtMs);
	if (token.expiryCause === 'dataAccess') {
		entry.d = token.tokenExpiresAtMs === null ? 0 : toSeconds(token.tokenExpiresAtMs);
	}
	if (token.lowestAlertedThreshold !== null) entry.l = token.lowestAlertedThreshold;
	if (token.dead !== null) entry.x = token.dead === 'expired' ? 'e' : 'i';
	if (token.alertedMissingScopes.length > 0) entry.m = token.alertedMissingScopes.join(',');
	if (token.alerted) entry.n = 1;
	if (token.expiryUnknown !== undefined) entry.u = token.expiryUnknown === 'alerted' ? 2 : 1;
	if (token.platform !== undefined) entry.p = token.platform === 'instagram' ? 'i' : 't';
}

/** One token's AlertState as a stored entry; `seenMs` is the run that listed it. */
export function encodeEntry(state: AlertState, seenMs: number, apps: AppTable): StoredEntry {
	const entry: StoredEntry = { s: Math.floor(toSeconds(seenMs)) };
	if (state.token !== null) encodeToken(state.token, entry, apps);
	if (state.failure !== null) {
		entry.k = [state.failure.sinceMs, state.failure.errorClass, state.failure.alerted ? 1 : 0];
	}
	return entry;
}

// ---------------------------------------------------------------------------------------------
// Reading

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const absentOr = (value: unknown, check: (value: unknown) => boolean): boolean => value === undefined || check(value);
const isText = (value: unknown): boolean => typeof value === 'string' && value !== '';

function isFailure(value: unknown): boolean {
	return (
		Array.isArray(value) &&
		value.length === 3 &&
		isFiniteNumber(value[0]) &&
		(GRAPH_ERROR_CLASSES as readonly unknown[]).includes(value[1]) &&
		(value[2] === 0 || value[2] === 1)
	);
}

/** Whether `raw` is an entry this version wrote; anything else is dropped (a fresh start for it). */
function isStoredEntry(raw: unknown, apps: readonly string[]): raw is StoredEntry {
	if (!isRecord(raw) || !isFiniteNumber(raw.s)) return false;
	const tokenFields = ['c', 't', 'a', 'e', 'd', 'l', 'x', 'm', 'n', 'u', 'p'];
	if (raw.f === undefined && tokenFields.some((field) => raw[field] !== undefined)) return false;
	return (
		absentOr(raw.f, isText) &&
		absentOr(raw.c, (c) => isFiniteNumber(c) && c >= 0) &&
		absentOr(raw.t, (t) => isText(t) && (TYPE_NAMES[t as string] !== undefined || (t as string).startsWith('='))) &&
		absentOr(raw.a, (a) => Number.isInteger(a) && (a as number) >= 0 && (a as number) < apps.length) &&
		absentOr(raw.e, isFiniteNumber) &&
		absentOr(raw.d, (d) => isFiniteNumber(d) && raw.e !== undefined) &&
		absentOr(raw.l, isFiniteNumber) &&
		absentOr(raw.x, (x) => x === 'e' || x === 'i') &&
		absentOr(raw.m, isText) &&
		absentOr(raw.n, (n) => n === 1) &&
		absentOr(raw.u, (u) => (u === 1 || u === 2) && raw.e === undefined) &&
		absentOr(raw.p, (p) => p === 'i' || p === 't') &&
		absentOr(raw.k, isFailure)
	);
}

function decodeToken(entry: StoredEntry & { f: string }, apps: readonly string[], label: string | null): TrackedToken {
	const expiresAtMs = entry.e === undefined ? null : toMs(entry.e);
	const dataAccess = entry.d !== undefined;
	const token: TrackedToken = {
		fingerprint: entry.f,
		credentialName: label,
		type: entry.t === undefined ? null : (TYPE_NAMES[entry.t] ?? entry.t.slice(1)),
		app: entry.a === undefined ? null : apps[entry.a],
		expiresAtMs,
		expiryCause: expiresAtMs === null ? null : dataAccess ? 'dataAccess' : 'expires',
		tokenExpiresAtMs: dataAccess ? (entry.d === 0 ? null : toMs(entry.d as number)) : expiresAtMs,
		lowestAlertedThreshold: entry.l ?? null,
		dead: entry.x === undefined ? null : entry.x === 'e' ? 'expired' : 'invalid',
		alertedMissingScopes: entry.m === undefined ? [] : entry.m.split(',').slice(0, MAX_SCOPES),
		alerted: entry.n === 1,
		checkedAtMs: (entry.s - (entry.c ?? 0)) * 1000,
	};
	if (entry.u !== undefined) token.expiryUnknown = entry.u === 2 ? 'alerted' : 'unknown';
	if (entry.p !== undefined) token.platform = entry.p === 'i' ? 'instagram' : 'threads';
	return token;
}

/** A stored entry as the AlertState evaluateAlerts reads; `label` names the token in messages. */
export function decodeEntry(entry: StoredEntry, apps: readonly string[], label: string | null): AlertState {
	return {
		v: ALERT_STATE_VERSION,
		token: entry.f === undefined ? null : decodeToken(entry as StoredEntry & { f: string }, apps, label),
		failure: entry.k === undefined ? null : { sinceMs: entry.k[0], errorClass: entry.k[1], alerted: entry.k[2] === 1 },
	};
}

function loadEntries(raw: unknown, apps: readonly string[]): Record<string, StoredEntry> {
	// No prototype: a Token Name such as "__proto__" is a key like any other.
	const entries = Object.create(null) as Record<string, StoredEntry>;
	if (!isRecord(raw)) return entries;
	for (const [key, entry] of Object.entries(raw)) {
		// One bad entry costs that token its history (at worst one repeated alert), not the others.
		if (isStoredEntry(entry, apps)) entries[key] = entry;
	}
	return entries;
}

/**
 * The watch list as stored in static data, validated. Anything missing or of another version is
 * an empty list; an invalid entry is dropped alone. Entries are read as they are, not copied:
 * a run decodes or copies them (carriedEntry), it never changes one in place.
 */
export function loadWatchList(raw: unknown): WatchListState {
	if (!isRecord(raw) || raw.v !== WATCH_LIST_VERSION) return emptyWatchList();
	const apps = Array.isArray(raw.apps) && raw.apps.every((app) => typeof app === 'string') ? (raw.apps as string[]) : [];
	return { v: WATCH_LIST_VERSION, apps, named: loadEntries(raw.named, apps), unnamed: loadEntries(raw.unnamed, apps) };
}

/**
 * An entry kept from an earlier run, written afresh: its application re-indexed into this run's
 * table, and nothing but the fields this version knows.
 */
export function carriedEntry(entry: StoredEntry, oldApps: readonly string[], apps: AppTable): StoredEntry {
	return encodeEntry(decodeEntry(entry, oldApps, null), entry.s * 1000, apps);
}
