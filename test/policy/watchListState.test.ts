/**
 * The stored form of Check for Alerts' histories: every AlertState the policy can reach comes back
 * from its compact entry (and JSON) exactly — bar the label, which each run supplies, and the last
 * check, kept to the second — and what is not this version's entry is dropped, alone.
 */
import type { GraphErrorClass } from '../../nodes/meta/types';
import type { AlertState } from '../../nodes/policy/alertState';
import { evaluateAlerts } from '../../nodes/policy/alertPolicy';
import type { Observation } from '../../nodes/policy/observations';
import { observationFromAuthError } from '../../nodes/policy/observations';
import {
	AppTable,
	WATCH_LIST_VERSION,
	carriedEntry,
	decodeEntry,
	encodeEntry,
	loadWatchList,
} from '../../nodes/policy/watchListState';
import { DAY, HOUR, T0, TOKEN_A, TOKEN_B, answer, failed, inspected, sec } from './alertFixtures';

/** A small deterministic PRNG (mulberry32): the same cases on every run. */
function random(seed: number): () => number {
	let a = seed;
	return () => {
		a = (a + 0x6d2b79f5) | 0;
		let t = Math.imul(a ^ (a >>> 15), 1 | a);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const TYPES = ['USER', 'PAGE', 'SYSTEM_USER', 'APP', 'BUSINESS_INTEGRATION'];
const CLASSES: GraphErrorClass[] = ['rateLimit', 'transient', 'network', 'badResponse', 'auth', 'permission'];

/** Some observation of one of two tokens: alive with any dates and scopes, dead, or a failed check. */
function someObservation(next: () => number, nowMs: number): Observation {
	const token = next() < 0.8 ? TOKEN_A : TOKEN_B;
	const pick = next();
	if (pick < 0.15) return failed(token, CLASSES[Math.floor(next() * CLASSES.length)], 'Meta had trouble');
	if (pick < 0.2) {
		return observationFromAuthError(token, { message: 'Error validating access token: The session has been invalidated', code: 190, subcode: 460 }, { nowMs, credentialName: 'Acme Ads' });
	}
	const expires = next() < 0.2 ? 0 : nowMs + (next() * 20 - 1) * DAY;
	const dataAccess = next() < 0.5 ? sec(nowMs + (next() * 20 - 1) * DAY) : undefined;
	const data = answer(TYPES[Math.floor(next() * TYPES.length)], expires, {
		data_access_expires_at: dataAccess,
		application: next() < 0.5 ? 'Reporting App' : 'Second App',
		scopes: next() < 0.3 ? ['public_profile'] : ['ads_read', 'ads_management'],
		is_valid: next() < 0.9,
	});
	return inspected(token, data, nowMs);
}

/** What the stored form keeps of a state: all of it, with the label and the check's milliseconds gone. */
function expectedAfterStorage(state: AlertState, label: string | null): AlertState {
	if (state.token === null) return state;
	return { ...state, token: { ...state.token, credentialName: label, checkedAtMs: Math.floor(state.token.checkedAtMs / 1000) * 1000 } };
}

it('brings back every state 2,000 random runs reach, exactly (but for the label and the check to the second)', () => {
	const next = random(13);
	let state: AlertState | undefined;
	let nowMs = T0 + 123;
	let apps = new AppTable();
	let table: string[] = [];
	let entry = undefined as ReturnType<typeof encodeEntry> | undefined;
	const reached = new Set<string>();
	for (let run = 0; run < 2000; run++) {
		nowMs += Math.floor(next() * 30 * HOUR) + 7;
		const settings = { thresholds: next() < 0.5 ? '14,7,3,1' : '10,5,2,0.5', requiredScopes: 'ads_read', checkFailingAfterHours: 12 };
		const previous = entry === undefined ? undefined : decodeEntry(JSON.parse(JSON.stringify(entry)), table, 'Acme Ads');
		if (state !== undefined) expect(previous).toEqual(expectedAfterStorage(state, 'Acme Ads'));
		// The first run fails: a history that knows a failure streak and no token yet.
		const observation = run === 0 ? failed(TOKEN_A, 'network') : someObservation(next, nowMs);
		state = evaluateAlerts(previous, observation, settings, nowMs).nextState;
		const token = state.token;
		if (token === null) reached.add('no token yet');
		if (state.failure !== null) reached.add(state.failure.alerted ? 'checkFailing raised' : 'failing');
		if (token?.dead) reached.add(`dead: ${token.dead}`);
		if (token?.expiryCause) reached.add(`${token.expiryCause}${token.tokenExpiresAtMs === null ? ', token never expires' : ''}`);
		if (token?.expiresAtMs === null) reached.add('never expires');
		if (token?.type) reached.add(token.type);
		if (token?.lowestAlertedThreshold) reached.add('threshold handled');
		if (token?.alerted) reached.add('alerted');
		if (token?.alertedMissingScopes.length) reached.add('scopes missing');
		apps = new AppTable();
		entry = encodeEntry(state, nowMs, apps);
		table = [...apps.names];
	}
	// The runs reached every kind of state the stored form must carry.
	expect([...reached].sort()).toEqual([
		'APP',
		'BUSINESS_INTEGRATION',
		'PAGE',
		'SYSTEM_USER',
		'USER',
		'alerted',
		'checkFailing raised',
		'dataAccess',
		'dataAccess, token never expires',
		'dead: expired',
		'dead: invalid',
		'expires',
		'failing',
		'never expires',
		'no token yet',
		'scopes missing',
		'threshold handled',
	]);
});

it('writes a typical history in well under 200 bytes', () => {
	const nowMs = T0;
	const data = answer('USER', nowMs + 6 * DAY, { data_access_expires_at: sec(nowMs + 80 * DAY) });
	const { nextState } = evaluateAlerts(undefined, inspected(TOKEN_A, data, nowMs), {}, nowMs);
	const apps = new AppTable();
	const stored = JSON.stringify({ 'Agency client number 042': encodeEntry(nextState, nowMs, apps) });
	expect(stored.length).toBeLessThan(120);
	expect(apps.names).toEqual(['Reporting App']);
});

describe('loading', () => {
	const good = { s: sec(T0), f: 'abcdef0123456789', t: 'U', a: 0, e: sec(T0 + DAY), l: 1, n: 1 };

	it('reads its own version and nothing else', () => {
		const stored = { v: WATCH_LIST_VERSION, apps: ['Reporting App'], named: { Acme: good }, unnamed: {} };
		expect(loadWatchList(JSON.parse(JSON.stringify(stored))).named.Acme).toEqual(good);
		for (const other of [undefined, null, 'x', [], { ...stored, v: 2 }, { named: { Acme: good } }]) {
			const list = loadWatchList(other);
			expect([list.v, list.apps, Object.keys(list.named), Object.keys(list.unnamed)]).toEqual([1, [], [], []]);
		}
	});

	it('drops a bad entry alone: the others keep their histories', () => {
		const bad = [
			{ ...good, s: 'yesterday' },
			{ ...good, a: 3 },
			{ ...good, t: 'USER' },
			{ ...good, x: 'dead' },
			{ ...good, n: true },
			{ ...good, k: [T0, 'meteor', 0] },
			{ ...good, d: 0, e: undefined },
			{ s: sec(T0), l: 7 },
			null,
		];
		const named = Object.fromEntries(bad.map((entry, i) => [`bad ${i}`, entry]));
		const list = loadWatchList({ v: 1, apps: ['Reporting App'], named: { ...named, Acme: good }, unnamed: { abcdef0123456789: good } });
		expect(Object.keys(list.named)).toEqual(['Acme']);
		expect(Object.keys(list.unnamed)).toEqual(['abcdef0123456789']);
	});

	it('keeps a Token Name such as "__proto__" as a key like any other', () => {
		const list = loadWatchList(JSON.parse(`{"v":1,"apps":["Reporting App"],"named":{"__proto__":${JSON.stringify(good)}},"unnamed":{}}`));
		expect(Object.keys(list.named)).toEqual(['__proto__']);
		expect(Object.getPrototypeOf(list.named)).toBeNull();
	});
});

it('re-indexes a kept entry into the new application table and drops fields it does not know', () => {
	const apps = new AppTable();
	apps.indexOf('Other App');
	const kept = carriedEntry({ s: sec(T0), f: 'abcdef0123456789', a: 1, surplus: 'x' } as never, ['Reporting App', 'Second App'], apps);
	expect(kept).toEqual({ s: sec(T0), f: 'abcdef0123456789', a: 1 });
	expect(apps.names).toEqual(['Other App', 'Second App']);
});
