import type { Alert } from '../../nodes/policy/alertPolicy';
import { evaluateAlerts } from '../../nodes/policy/alertPolicy';
import { initialAlertState, loadAlertState } from '../../nodes/policy/alertState';
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
		expect(loadAlertState(raw)).toEqual(initialAlertState());
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
