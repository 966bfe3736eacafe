/**
 * Timeline simulation of Check for Alerts over many tokens: 400 days of runs,
 * every 6 hours, of the policy over an agency's list of 31 clients — evaluateWatchList, its state
 * through JSON between runs as n8n stores it — while every client's token lives through a scripted
 * life and the clients themselves come and go from the list: listed throughout, away for 20 days,
 * away for 45 days (forgotten), joining late, renamed, or listed without a Token Name.
 *
 * What Meta answers comes from the Graph double's own token table (tools/graph-double/tokens.ts:
 * its `debug_token` data, dead-token errors and clocks), asked directly rather than over HTTP: the
 * node's wiring is tested in test/nodes/checkAlerts.test.ts, a single token's 400 days through the
 * real trigger in test/MetaTokenTrigger/MetaTokenTrigger.timeline.test.ts. Two lives, with their
 * alerts derived by hand from the policy's rules (nodes/policy/alertPolicy.ts and watchList.ts
 * headers); each variant's list is the life's list changed by the one rule it exercises, said
 * where it is built.
 */
import type { Alert } from '../../nodes/policy/alerts';
import type { Observation } from '../../nodes/policy/observations';
import { observationFromCheckFailure, observationFromInspection } from '../../nodes/policy/observations';
import { tokenHint } from '../../nodes/policy/tokenIdentity';
import type { WatchEntry } from '../../nodes/policy/watchList';
import { evaluateWatchList } from '../../nodes/policy/watchList';
import type { WatchListState } from '../../nodes/policy/watchListState';
import type { DoubleTokenSpec } from '../../tools/graph-double/GraphDouble';
import { TokenStore } from '../../tools/graph-double/tokens';

const HOUR = 3_600;
const DAY = 86_400;
/** Day 0, 00:00 UTC: the first run. */
const T0 = Date.UTC(2026, 0, 1) / 1000;
const DAYS = 400;
const RUN_HOURS = [0, 6, 12, 18];
const APP = { id: '4455667788', name: 'Ads Reporting', secret: 'timeline-app-secret' };
const SCOPES = ['ads_read', 'ads_management', 'business_management'];

/** Unix seconds of day `day`, `hour` o'clock. */
const at = (day: number, hour = 0): number => T0 + day * DAY + hour * HOUR;

let clock = at(-1);
const store = new TokenStore(() => clock);
store.addApp(APP);

type Life = 'A' | 'B';
/** When a client is on the list, and under which name (null: no Token Name). */
type Variant = 'listed' | 'away20' | 'away45' | 'lateJoiner' | 'unnamed' | 'renamed';

interface Client {
	id: string;
	life: Life;
	variant: Variant;
	/** The token string the list holds for it now. */
	token: string;
}

const newToken = (spec: Omit<DoubleTokenSpec, 'appId'>): string => store.add({ appId: APP.id, scopes: SCOPES, ...spec }).token;

/**
 * Life A, as the trigger's timeline: an expiring system-user token refreshed on its day 50, a
 * revocation, a 60-day user token, an exchange, a password change, then a permanent Page token.
 * Life B: a user token whose data access ends first, a fresh login, a removed permission, expiry,
 * and at last a permanent system-user token.
 */
type Step = [day: number, hour: number, life: Life | null, what: string, act: (client: Client) => void];
const STEPS: Step[] = [
	[50, 9, 'A', 'Refresh System-User Token → A2, expires d110 09:00', (c) => { c.token = newToken({ type: 'SYSTEM_USER', userId: '90002', expiringSystemUser: true, expiresAt: at(110, 9) }); }],
	[108, 10, 'A', 'A2 revoked (190/467)', (c) => store.invalidate(store.find(c.token)!, 'invalid')],
	[110, 15, 'A', 'A3, a 60-day user token (→ d170 15:00), is pasted', (c) => { c.token = newToken({ type: 'USER', userId: '10001', issuedAt: at(110, 15), expiresAt: at(170, 15), dataAccessExpiresAt: at(200, 15) }); }],
	[172, 9, 'A', 'exchange → A4, expires d232 09:00', (c) => { c.token = newToken({ type: 'USER', userId: '10001', issuedAt: at(172, 9), expiresAt: at(232, 9), dataAccessExpiresAt: at(262, 9) }); }],
	[231, 10, 'A', 'the user changes the password: A4 dies (190/460)', (c) => store.invalidate(store.find(c.token)!, 'passwordChanged')],
	[236, 9, 'A', 'A5, a Page token that never expires', (c) => { c.token = newToken({ type: 'PAGE', userId: '10001', profileId: '777', expiresAt: 0 }); }],
	[40, 10, 'B', 'fresh login → B2, expires d100 10:00, data access d130 10:00', (c) => { c.token = newToken({ type: 'USER', userId: '20001', issuedAt: at(40, 10), expiresAt: at(100, 10), dataAccessExpiresAt: at(130, 10) }); }],
	[90, 5, 'B', 'the user removes ads_read from B2', (c) => { store.find(c.token)!.scopes = ['ads_management']; }],
	[200, 10, 'B', 'B3, a permanent system-user token', (c) => { c.token = newToken({ type: 'SYSTEM_USER', userId: '90009', expiresAt: 0 }); }],
];

/** Every debug_token fails (Meta answers 500, code 2) from d101 02:00 to d104 02:00. */
const OUTAGE = [at(101, 2), at(104, 2)];
/** n8n is down (no runs at all) from d162 19:00 to d167 23:00. */
const DOWN = [at(162, 19), at(167, 23)];
/** The workflow is edited on d223 08:00: thresholds "14,7,3,1" → "10,5,2". */
const THRESHOLDS_CHANGE = at(223, 8);

function firstToken(life: Life): string {
	return life === 'A'
		? newToken({ type: 'SYSTEM_USER', userId: '90001', issuedAt: at(-1, 23), expiresAt: at(59, 23), expiringSystemUser: true })
		: newToken({ type: 'USER', userId: '20001', issuedAt: at(-20), expiresAt: at(80), dataAccessExpiresAt: at(30, 13) });
}

/** The name the list gives the client at `time`, or undefined when the client is not listed. */
function listedName(client: Client, time: number): string | null | undefined {
	switch (client.variant) {
		case 'away20':
			return time >= at(115) && time < at(135) ? undefined : client.id;
		case 'away45':
			return time >= at(171) && time < at(216) ? undefined : client.id;
		case 'lateJoiner':
			return time < at(100) ? undefined : client.id;
		case 'unnamed':
			return null;
		case 'renamed':
			return time < at(140) ? `${client.id} (old name)` : client.id;
		default:
			return client.id;
	}
}

type Expected = [event: string, day: number];

/** Life A's alerts, derived by hand (threshold in the event: `expiring14`). */
const LIFE_A: Expected[] = [
	// A1 ends d59 23:00; 14 days left from d45 23:00 → the run of d46 00:00.
	['expiring14', 46],
	// Refreshed d50 09:00: a new token under the name, and A1 had an alert → renewed (d50 12:00).
	['renewed', 50],
	// A2 ends d110 09:00: 14 days left from d96 09:00 → d96 12:00.
	['expiring14', 96],
	// Outage from d101 02:00: first failed check d101 06:00, 24 hours of failure at d102 06:00.
	['checkFailing', 102],
	// Still failing: 7 days left from d103 09:00 → d103 12:00, counted from the last good check.
	['expiring7', 103],
	// 3 days left from d107 09:00 → d107 12:00.
	['expiring3', 107],
	// Revoked d108 10:00 → invalid at once (d108 12:00); its expiry passes later without `expired`.
	['invalid', 108],
	// A3 pasted d110 15:00, A2 had alerts → renewed (d110 18:00).
	['renewed', 110],
	// A3 ends d170 15:00: 14 days left from d156 15:00 → d156 18:00.
	['expiring14', 156],
	// n8n down d162 19:00 – d167 23:00: 7 (d163 15:00) and 3 (d167 15:00) pass unchecked; the run of
	// d168 00:00 sends ONE alert, for 3.
	['expiring3', 168],
	// 1 day left from d169 15:00 → d169 18:00; expired at the d170 18:00 run.
	['expiring1', 169],
	['expired', 170],
	// A4 from the exchange of d172 09:00; A3 had alerts → renewed (d172 12:00).
	['renewed', 172],
	// A4 ends d232 09:00: 14 days left from d218 09:00 → d218 12:00.
	['expiring14', 218],
	// Thresholds now 10,5,2: at d223 12:00 8 d 21 h are left, 10 is crossed and below the 14 sent.
	['expiring10', 223],
	['expiring5', 227],
	['expiring2', 230],
	// Password changed d231 10:00 → invalid (d231 12:00).
	['invalid', 231],
	// A5 pasted d236 09:00, alive, A4 had alerts → renewed (d236 12:00). A5 never expires: quiet to the end.
	['renewed', 236],
];

/** Life B's alerts, derived by hand. */
const LIFE_B: Expected[] = [
	// B1's data access ends d30 13:00, before the token (d80): 14, 7, 3, 1 days before, each at the
	// next run (18:00), then expired (data access lost) at d30 18:00.
	['dataAccessExpiring14', 16],
	['dataAccessExpiring7', 23],
	['dataAccessExpiring3', 27],
	['dataAccessExpiring1', 29],
	['expired', 30],
	// B2 from a fresh login d40 10:00; B1 had alerts → renewed (d40 12:00).
	['renewed', 40],
	// B2 ends d100 10:00 (its data access later): 14 days left from d86 10:00 → d86 12:00.
	['expiring14', 86],
	// ads_read removed d90 05:00 → scopesLost at d90 06:00; the thresholds go on regardless.
	['scopesLost', 90],
	['expiring7', 93],
	['expiring3', 97],
	['expiring1', 99],
	['expired', 100],
	// The outage: a dead token's checks fail too, and 24 hours of that raise checkFailing (d102 06:00).
	['checkFailing', 102],
	// B3 from d200 10:00; B2 had alerts → renewed (d200 12:00).
	['renewed', 200],
];

const without = (list: Expected[], ...drop: Expected[]): Expected[] =>
	list.filter(([event, day]) => !drop.some(([e, d]) => e === event && d === day));

/** Each variant's alerts: its life's, changed by the one rule it exercises. */
function expectedFor(client: Client): Expected[] {
	const life = client.life === 'A' ? LIFE_A : LIFE_B;
	switch (client.variant) {
		case 'listed':
		case 'away20': // away d115–d135, a quiet stretch, under 30 days: its history is kept, nothing repeats
		case 'renamed': // a fresh history for the new name on d140, a quiet stretch: nothing differs but the name
			return life;
		case 'away45':
			// Last listed d170 18:00 (after `expired`), forgotten after d200 18:00, back on d216 with A4:
			// a fresh history, so A4 is no renewal of anything.
			return without(life, ['renewed', 172]);
		case 'lateJoiner':
			// First listed d100 00:00: A2 has 10 days 9 hours left → ONE alert, for 14; then as life A.
			return [['expiring14', 100], ...life.filter(([, day]) => day > 100)];
		case 'unnamed':
			// Keyed by fingerprint: every new token is a new key with a fresh history, never `renewed`.
			return life.filter(([event]) => event !== 'renewed');
	}
}

const PLAN: Array<[Life, Variant, number]> = [
	['A', 'listed', 10],
	['A', 'away20', 3],
	['A', 'away45', 3],
	['A', 'lateJoiner', 3],
	['A', 'unnamed', 3],
	['A', 'renamed', 2],
	['B', 'listed', 5],
	['B', 'unnamed', 2],
];

/** A deterministic shuffle: the list comes in another order every run. */
function shuffled<T>(list: T[], seed: number): T[] {
	const copy = [...list];
	let state = seed;
	for (let i = copy.length - 1; i > 0; i--) {
		state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
		const j = state % (i + 1);
		[copy[i], copy[j]] = [copy[j], copy[i]];
	}
	return copy;
}

it('400 days, 31 clients coming and going: each gets its exact alerts, none missed, none repeated', () => {
	const clients: Client[] = [];
	for (const [life, variant, count] of PLAN) {
		for (let i = 0; i < count; i++) {
			const id = `${life}-${variant}-${i}`;
			clients.push({ id, life, variant, token: firstToken(life) });
		}
	}
	const steps = STEPS.map(([day, hour, life, what, act]) => ({ time: at(day, hour), life, what, act })).sort((x, y) => x.time - y.time);
	const seen = new Map<string, Expected[]>(clients.map((client) => [client.id, []]));
	const labels = new Map<string, Set<string>>(clients.map((client) => [client.id, new Set()]));
	let stored: string | undefined;
	let runs = 0;
	let largestPerToken = 0;
	const keysAt = new Map<number, string[]>();

	for (let day = 0; day < DAYS; day++) {
		for (const hour of RUN_HOURS) {
			const now = at(day, hour);
			while (steps.length > 0 && steps[0].time <= now) {
				const step = steps.shift()!;
				clock = step.time;
				for (const client of clients) if (client.life === step.life) step.act(client);
			}
			if (now >= DOWN[0] && now < DOWN[1]) continue;
			clock = now;
			const nowMs = now * 1000;
			const settings = { thresholds: now < THRESHOLDS_CHANGE ? '14,7,3,1' : '10,5,2', requiredScopes: 'ads_read', checkFailingAfterHours: 24 };
			const listed = shuffled(clients, runs + 1).filter((client) => listedName(client, now) !== undefined);
			const entries: WatchEntry[] = listed.map((client) => {
				const name = listedName(client, now) as string | null;
				const label = name ?? tokenHint(client.token);
				const observation: Observation =
					now >= OUTAGE[0] && now < OUTAGE[1]
						? observationFromCheckFailure(client.token, { errorClass: 'transient', message: '(#2) Service temporarily unavailable' }, { credentialName: label })
						: observationFromInspection(client.token, store.debugData(store.find(client.token)!), { nowMs, credentialName: label, requiredScopes: 'ads_read' });
				return { name, observation, settings };
			});
			const { results, nextState } = evaluateWatchList(stored === undefined ? undefined : JSON.parse(stored), entries, nowMs);
			stored = JSON.stringify(nextState);
			runs += 1;
			largestPerToken = Math.max(largestPerToken, stored.length / entries.length);
			keysAt.set(now, Object.keys((JSON.parse(stored) as WatchListState).named));
			results.forEach((result, index) => {
				if (result.kind !== 'checked') throw new Error(`run ${runs}: entry ${index} refused`);
				const client = listed[index];
				for (const alert of result.alerts as Alert[]) {
					seen.get(client.id)!.push([`${alert.event}${alert.threshold ?? ''}`, day]);
					labels.get(client.id)!.add(alert.credentialName ?? '');
				}
			});
		}
	}

	expect(steps).toEqual([]);
	expect(runs).toBe(DAYS * RUN_HOURS.length - 20);
	for (const client of clients) {
		expect({ client: client.id, alerts: seen.get(client.id) }).toEqual({ client: client.id, alerts: expectedFor(client) });
	}

	// The names the alerts used: the Token Name, or the token's hint when there is none.
	expect([...labels.get('A-renamed-0')!].sort()).toEqual(['A-renamed-0', 'A-renamed-0 (old name)']);
	expect([...labels.get('A-unnamed-0')!].every((label) => /^EAA\w{3}…\w{4}$/.test(label))).toBe(true);
	// Forgetting: the name away for 45 days is gone from the history after 30 days and back later;
	// the renamed client's old name is gone 30 days after its last run.
	expect(keysAt.get(at(200, 18))).toContain('A-away45-0');
	expect(keysAt.get(at(201, 0))).not.toContain('A-away45-0');
	expect(keysAt.get(at(216, 0))).toContain('A-away45-0');
	expect(keysAt.get(at(169, 18))).toContain('A-renamed-0 (old name)');
	expect(keysAt.get(at(170, 0))).not.toContain('A-renamed-0 (old name)');
	// Unnamed keys of tokens no longer listed went too: what is left is one key per listed token.
	const final = JSON.parse(stored!) as WatchListState;
	expect(Object.keys(final.unnamed)).toHaveLength(5);
	expect(Object.keys(final.named)).toHaveLength(26);
	// Small state, whatever 400 days did: well under 200 bytes per watched token, and no token in it.
	expect(largestPerToken).toBeLessThan(200);
	for (const client of clients) expect(stored).not.toContain(client.token);
});
