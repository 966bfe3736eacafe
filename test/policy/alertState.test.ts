import type { Alert } from '../../nodes/policy/alerts';
import { evaluateAlerts } from '../../nodes/policy/alertPolicy';
import { loadAlertState } from '../../nodes/policy/alertState';
import type { Observation } from '../../nodes/policy/observations';
import { observationFromInspection } from '../../nodes/policy/observations';
import {
	DAY,
	failed,
	HOUR,
	inspected,
	T0,
	thresholdsOf,
	TOKEN_A,
	TOKEN_B,
	Trigger,
	userAnswer,
	walk,
} from './alertFixtures';

describe('state', () => {
	it('restart = JSON round trip: the same alerts as keeping the object in memory', () => {
		const expiry = T0 + 20 * DAY;
		const observe = (now: number): Observation =>
			now % (5 * HOUR) === 0 ? failed(TOKEN_A, 'network') : inspected(TOKEN_A, userAnswer(expiry), now);
		const viaJson = walk(new Trigger(), observe, T0, expiry + DAY, HOUR);
		let inMemory: unknown = undefined;
		const direct: Alert[] = [];
		for (let now = T0; now <= expiry + DAY; now += HOUR) {
			const decision = evaluateAlerts(inMemory, observe(now), {}, now);
			direct.push(...decision.alerts);
			inMemory = decision.nextState;
		}
		expect(viaJson.map(({ at: _at, ...alert }) => alert)).toEqual(direct);
		expect(direct.length).toBeGreaterThan(3);
	});

	it('nextState is versioned, JSON-safe and does not alias the previous state', () => {
		const first = evaluateAlerts(undefined, inspected(TOKEN_A, userAnswer(T0 + 10 * DAY), T0), {}, T0).nextState;
		expect(first.v).toBe(1);
		expect(JSON.parse(JSON.stringify(first))).toEqual(first);
		const snapshot = JSON.stringify(first);
		const second = evaluateAlerts(first, inspected(TOKEN_A, userAnswer(T0 + 10 * DAY), T0 + 5 * DAY), {}, T0 + 5 * DAY).nextState;
		expect(JSON.stringify(first)).toBe(snapshot);
		expect(second).not.toBe(first);
		expect(second.token).not.toBe(first.token);
	});

	it.each<[string, unknown]>([
		['undefined', undefined],
		['null', null],
		['a string', 'garbage'],
		['an array', [1, 2]],
		['another version', { v: 2, token: null, failure: null }],
		['no version', { token: null }],
		['a bad token', { v: 1, token: { fingerprint: 5 }, failure: null }],
		['a bad threshold', { v: 1, token: { ...initialTokenLike(), lowestAlertedThreshold: 'x' }, failure: null }],
		['a bad failure', { v: 1, token: null, failure: { sinceMs: 'yesterday', alerted: false, errorClass: 'network' } }],
		['an unknown error class', { v: 1, token: null, failure: { sinceMs: 1, alerted: false, errorClass: 'boom' } }],
	])('corrupt or unknown state (%s) is treated as fresh', (_name, raw) => {
		expect(loadAlertState(raw)).toEqual(loadAlertState(undefined));
		const { alerts } = evaluateAlerts(raw, inspected(TOKEN_A, userAnswer(T0 + 5 * DAY), T0), {}, T0);
		expect(thresholdsOf(alerts)).toEqual([7]);
	});

	it('keeps a valid state and drops unknown keys', () => {
		const { nextState } = evaluateAlerts(undefined, inspected(TOKEN_A, userAnswer(T0 + 5 * DAY), T0), {}, T0);
		const withJunk = JSON.parse(JSON.stringify(nextState));
		withJunk.token.extra = 'x'.repeat(1000);
		withJunk.extra = 1;
		expect(loadAlertState(withJunk)).toEqual(nextState);
	});

	it('stays bounded after 10,000 polls of everything happening', () => {
		const trigger = new Trigger({ requiredScopes: 'ads_read, ads_management, business_management, pages_show_list' });
		const scopeSets = [['ads_read'], ['ads_read', 'ads_management', 'business_management', 'pages_show_list'], []];
		let biggest = 0;
		let total = 0;
		for (let i = 0; i < 10_000; i++) {
			const now = T0 + i * HOUR;
			const token = `EAAB${'c'.repeat(100)}${Math.floor(i / 500)}`;
			let observation: Observation;
			if (i % 7 === 3) observation = failed(token, 'network');
			else if (i % 11 === 5) {
				observation = inspected(token, userAnswer(now + 50 * DAY, { is_valid: false, error: { code: 190, subcode: 460, message: 'x' } }), now);
			} else {
				observation = inspected(token, userAnswer(T0 + Math.floor(i / 300) * 13 * DAY, { scopes: scopeSets[i % 3] }), now);
			}
			total += trigger.poll(observation, now).length;
			biggest = Math.max(biggest, (trigger.stored ?? '').length);
		}
		expect(total).toBeGreaterThan(0);
		expect(biggest).toBeLessThan(700);
	});

	it('caps labels so a huge credential name cannot grow the state', () => {
		const observation = observationFromInspection(TOKEN_A, userAnswer(T0 + 50 * DAY), { nowMs: T0, credentialName: 'n'.repeat(10_000) });
		const { nextState } = evaluateAlerts(undefined, observation, {}, T0);
		expect(JSON.stringify(nextState).length).toBeLessThan(700);
	});
});

function initialTokenLike(): Record<string, unknown> {
	const { nextState } = evaluateAlerts(undefined, inspected(TOKEN_A, userAnswer(T0 + 50 * DAY), T0), {}, T0);
	return { ...(nextState.token as unknown as Record<string, unknown>) };
}

describe('what must be saved (mustSave)', () => {
	const expiry = T0 + 40 * DAY;
	const ok = (token: string, now: number, extra = {}) => inspected(token, userAnswer(expiry, extra), now);

	/** The decision of `observation` at `now` after the polls in `before` (state kept as JSON). */
	function decide(before: Array<[Observation, number]>, observation: Observation, now: number, settings = {}) {
		const trigger = new Trigger(settings);
		for (const [seen, at] of before) trigger.poll(seen, at);
		return evaluateAlerts(trigger.stored === null ? undefined : JSON.parse(trigger.stored), observation, settings, now);
	}

	it.each<[string, Array<[Observation, number]>, Observation]>([
		['the first token ever seen', [], ok(TOKEN_A, T0)],
		['a new token about which nothing was sent', [[ok(TOKEN_A, T0), T0]], ok(TOKEN_B, T0 + HOUR)],
		['a later expiry of the same token', [[ok(TOKEN_A, T0), T0]], inspected(TOKEN_A, userAnswer(expiry + 5 * DAY), T0 + HOUR)],
		['the first failed check (a streak begins)', [[ok(TOKEN_A, T0), T0]], failed(TOKEN_A, 'network')],
		['a working check after failed ones (the streak ends)', [[ok(TOKEN_A, T0), T0], [failed(TOKEN_A, 'network'), T0 + HOUR]], ok(TOKEN_A, T0 + 2 * HOUR)],
		['a required scope back after it was reported lost', [[ok(TOKEN_A, T0, { scopes: [] }), T0]], ok(TOKEN_A, T0 + HOUR)],
		[
			'a dead token Meta calls valid again',
			[[inspected(TOKEN_A, userAnswer(expiry, { is_valid: false, error: { code: 190, subcode: 460, message: 'x' } }), T0), T0]],
			ok(TOKEN_A, T0 + HOUR),
		],
	])('is set without an alert for %s', (_what, before, observation) => {
		const decision = decide(before, observation, T0 + 2 * HOUR, { requiredScopes: 'ads_read' });
		expect(decision.alerts).toEqual([]);
		expect(decision.mustSave).toBe(true);
	});

	it.each<[string, Array<[Observation, number]>, Observation]>([
		['a quiet check of the same token (only the check time moves)', [[ok(TOKEN_A, T0), T0]], ok(TOKEN_A, T0 + HOUR)],
		['another failed check of the same streak, even of another class', [[ok(TOKEN_A, T0), T0], [failed(TOKEN_A, 'network'), T0 + HOUR]], failed(TOKEN_A, 'rateLimit')],
		['a renamed credential', [[ok(TOKEN_A, T0), T0]], observationFromInspection(TOKEN_A, userAnswer(expiry), { nowMs: T0 + HOUR, credentialName: 'Renamed' })],
	])('is not set for %s', (_what, before, observation) => {
		const decision = decide(before, observation, T0 + 2 * HOUR, { requiredScopes: 'ads_read' });
		expect(decision.alerts).toEqual([]);
		expect(decision.mustSave).toBe(false);
	});

	/**
	 * The worst poller (the durable scheduler without durable cursors) saves a poll's state only when
	 * it returns a result, and starts every poll from what was saved. With the trigger returning an
	 * empty result whenever `mustSave` is set, it must send exactly the alerts of a poller that saved
	 * every poll — over a long random life: tokens replaced, expiries moved, outages, scopes lost and
	 * back, deaths and revivals, threshold and event changes.
	 */
	it('saving only alerts and mustSave polls gives exactly the alerts of saving every poll', () => {
		let seed = 20_261_101;
		const random = (): number => {
			seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
			return seed / 2_147_483_648;
		};
		const tokens = [TOKEN_A, TOKEN_B, `EAAB${'c'.repeat(150)}CCCC`];
		const scopeSets = [['ads_read', 'ads_management'], ['ads_management'], []];
		const settingsSets = [
			{ requiredScopes: 'ads_read', checkFailingAfterHours: 12 },
			{ requiredScopes: 'ads_read', checkFailingAfterHours: 12, thresholds: '10,5,2', events: 'expiring,expired,invalid,checkFailing,scopesLost' },
		];
		let saved: unknown = undefined;
		const everyPoll = new Trigger();
		let token = tokens[0];
		let tokenExpiry = T0 + 20 * DAY;
		let outage = false;
		let dead = false;
		let scopes = scopeSets[0];
		let settings = settingsSets[0];
		let emptyResults = 0;
		let alertsSent = 0;
		for (let i = 0; i < 6_000; i++) {
			const now = T0 + i * 2 * HOUR;
			const dice = random();
			if (dice < 0.004) {
				token = tokens[Math.floor(random() * tokens.length)];
				tokenExpiry = now + Math.floor(random() * 60) * DAY;
				dead = false;
			} else if (dice < 0.008) tokenExpiry += Math.floor(random() * 20) * DAY;
			else if (dice < 0.02) outage = !outage;
			else if (dice < 0.026) scopes = scopeSets[Math.floor(random() * scopeSets.length)];
			else if (dice < 0.029) dead = !dead;
			else if (dice < 0.031) settings = settingsSets[Math.floor(random() * settingsSets.length)];
			const observation = outage
				? failed(token, random() < 0.5 ? 'network' : 'transient')
				: inspected(token, userAnswer(tokenExpiry, dead ? { is_valid: false, scopes, error: { code: 190, subcode: 460, message: 'x' } } : { scopes }), now);

			everyPoll.settings = settings;
			const reference = everyPoll.poll(observation, now);
			const decision = evaluateAlerts(saved, observation, settings, now);
			expect(decision.alerts).toEqual(reference);
			if (decision.alerts.length > 0 || decision.mustSave) saved = JSON.parse(JSON.stringify(decision.nextState));
			if (decision.alerts.length === 0 && decision.mustSave) emptyResults += 1;
			alertsSent += decision.alerts.length;
		}
		// The walk did exercise the policy, and the empty results stay the exception.
		expect(alertsSent).toBeGreaterThan(100);
		expect(emptyResults).toBeGreaterThan(20);
		expect(emptyResults).toBeLessThan(6_000 / 10);
	});
});
