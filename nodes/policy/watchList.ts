/**
 * Check for Alerts: the trigger's alert policy applied to a list of tokens in one run, each token
 * with its own history kept under its name, and what only a list brings — a name given twice, and
 * names that leave the list.
 *
 *   evaluateWatchList(previousState, entries, nowMs) → { results, nextState }
 *
 * Pure: no clock, no I/O, no n8n. Every decision about one token is evaluateAlerts' (alertPolicy.ts),
 * fed that token's own AlertState, so each token gets exactly the trigger's guarantees. This file
 * only keys, refuses duplicates and forgets. Rules:
 * - A token's key is its Token Name; without one, its fingerprint. A new token under a known name
 *   is that name's renewal (`renewed` once, if an alert about the old one went out). A new token
 *   without a name is a new key with a fresh history: it cannot raise `renewed`.
 * - A key counts once per run: a later entry with the same key is refused (`duplicate`) and
 *   changes nothing; the first one is checked as usual.
 * - A key that no run has listed for more than 30 days is forgotten; if it comes back, it starts
 *   afresh, as a token never seen.
 */
import type { Alert } from './alerts';
import { evaluateAlerts } from './alertPolicy';
import type { AlertSettingsInput } from './alertSettings';
import type { Observation } from './observations';
import { DAY_MS } from './time';
import { TokenInputError } from './tokenInput';
import type { StoredEntry, WatchListState } from './watchListState';
import { AppTable, WATCH_LIST_VERSION, carriedEntry, decodeEntry, encodeEntry, loadWatchList } from './watchListState';

const FORGET_AFTER_MS = 30 * DAY_MS;
export const TOKEN_NAME_FIELD = 'Token Name';
const MAX_TOKEN_NAME_LENGTH = 200;

/** One token of this run's list. */
export interface WatchEntry {
	/** The Token Name (normalizeTokenName); null when there is none. */
	name: string | null;
	/** What inspecting it found; its `credentialName` is the label the alerts call the token by. */
	observation: Observation;
	settings: AlertSettingsInput;
}

export type WatchResult =
	| { kind: 'checked'; alerts: Alert[] }
	/** The key was already taken by entry `firstEntry` of this run. */
	| { kind: 'duplicate'; firstEntry: number };

interface WatchDecision {
	/** One per entry, in order. */
	results: WatchResult[];
	/** A new object to store back. */
	nextState: WatchListState;
}

/**
 * The Token Name as the key and label of a history: text (a number is taken as its digits),
 * trimmed; null when empty. Refuses what cannot name a token, naming the field.
 */
export function normalizeTokenName(value: unknown): string | null {
	if (value === undefined || value === null) return null;
	const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
	if (typeof text !== 'string') {
		throw new TokenInputError(
			TOKEN_NAME_FIELD,
			`${TOKEN_NAME_FIELD} must be text, such as the client's name: check what the expression returns.`,
		);
	}
	const name = text.trim();
	if (name === '') return null;
	if (name.length > MAX_TOKEN_NAME_LENGTH) {
		throw new TokenInputError(
			TOKEN_NAME_FIELD,
			`${TOKEN_NAME_FIELD} is longer than ${MAX_TOKEN_NAME_LENGTH} characters: use a shorter name, such as the client's name.`,
		);
	}
	return name;
}

type Book = 'named' | 'unnamed';

/** Entries by key with no prototype: a Token Name such as "__proto__" is a key like any other. */
function emptyBook(): Record<string, StoredEntry> {
	return Object.create(null) as Record<string, StoredEntry>;
}

/**
 * Decides the alerts of one run over a list of tokens. `previousState` is whatever static data
 * held (anything invalid counts as a fresh start); `nextState` is a new object to store back.
 * Throws only on invalid settings, as evaluateAlerts does.
 */
export function evaluateWatchList(previousState: unknown, entries: readonly WatchEntry[], nowMs: number): WatchDecision {
	const previous = loadWatchList(previousState);
	const apps = new AppTable();
	const next: WatchListState = { v: WATCH_LIST_VERSION, apps: apps.names, named: emptyBook(), unnamed: emptyBook() };
	const listed: Record<Book, Map<string, number>> = { named: new Map(), unnamed: new Map() };

	const results = entries.map((entry, index): WatchResult => {
		const book: Book = entry.name === null ? 'unnamed' : 'named';
		const key = entry.name ?? entry.observation.fingerprint;
		const first = listed[book].get(key);
		if (first !== undefined) return { kind: 'duplicate', firstEntry: first };
		listed[book].set(key, index);
		const stored = Object.prototype.hasOwnProperty.call(previous[book], key) ? previous[book][key] : undefined;
		const state =
			stored === undefined ? undefined : decodeEntry(stored, previous.apps, entry.observation.credentialName ?? null);
		const { alerts, nextState } = evaluateAlerts(state, entry.observation, entry.settings, nowMs);
		next[book][key] = encodeEntry(nextState, nowMs, apps);
		return { kind: 'checked', alerts };
	});

	// Keys this run did not list keep their history for 30 days after the last run that did.
	for (const book of ['named', 'unnamed'] as const) {
		for (const [key, entry] of Object.entries(previous[book])) {
			if (listed[book].has(key) || nowMs - entry.s * 1000 > FORGET_AFTER_MS) continue;
			next[book][key] = carriedEntry(entry, previous.apps, apps);
		}
	}
	return { results, nextState: next };
}
