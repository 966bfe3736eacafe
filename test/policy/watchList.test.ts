/**
 * The alert policy over a list of tokens (nodes/policy/watchList.ts): each token decided exactly
 * as the trigger decides one, a key once per run, and keys gone from the list forgotten after 30
 * days. State goes through JSON between runs, as n8n stores it.
 */
import type { Alert } from '../../nodes/policy/alerts';
import type { Observation } from '../../nodes/policy/observations';
import { observationFromCheckFailure, observationFromInspection } from '../../nodes/policy/observations';
import { tokenFingerprint } from '../../nodes/policy/tokenIdentity';
import type { WatchEntry, WatchResult } from '../../nodes/policy/watchList';
import { evaluateWatchList, normalizeTokenName } from '../../nodes/policy/watchList';
import type { WatchListState } from '../../nodes/policy/watchListState';
import { DAY, HOUR, T0, Trigger, answer, userAnswer } from './alertFixtures';

/** A token name unseen this long is forgotten. */
const FORGET_AFTER_MS = 30 * DAY;

/** A workflow in miniature: the list's state stored as JSON between runs. */
class Watch {
	stored: string | undefined;

	run(entries: WatchEntry[], nowMs: number): WatchResult[] {
		const { results, nextState } = evaluateWatchList(this.stored === undefined ? undefined : JSON.parse(this.stored), entries, nowMs);
		this.stored = JSON.stringify(nextState);
		return results;
	}

	get state(): WatchListState {
		return JSON.parse(this.stored ?? 'null') as WatchListState;
	}
}

const tokenOf = (name: string, generation = 0): string => `EAAB${name.replace(/\W/g, '')}${'x'.repeat(40)}${generation}`;

function seen(name: string | null, token: string, data: ReturnType<typeof answer>, nowMs: number, settings = {}): WatchEntry {
	const observation = observationFromInspection(token, data, { nowMs, credentialName: name ?? 'hint' });
	return { name, observation, settings };
}

const alertsOf = (result: WatchResult): Alert[] => (result.kind === 'checked' ? result.alerts : []);
const eventsOf = (results: WatchResult[]) => results.map((result) => alertsOf(result).map((alert) => `${alert.event}${alert.threshold ?? ''}`));

describe('one history per token', () => {
	it('decides every token exactly as a trigger watching it alone would', () => {
		// Twelve tokens, each with its own expiry, some replaced and some failing now and then,
		// polled every 5 hours for 90 days: the list must say what twelve triggers say.
		const names = Array.from({ length: 12 }, (_, i) => `Client ${i}`);
		const triggers = names.map(() => new Trigger({ requiredScopes: 'ads_read' }));
		const watch = new Watch();
		const observe = (i: number, nowMs: number): Observation => {
			const generation = Math.floor((nowMs - T0) / ((20 + 7 * i) * DAY));
			const token = tokenOf(names[i], generation);
			if ((Math.floor((nowMs - T0) / HOUR) + i) % 37 === 0) {
				return observationFromCheckFailure(token, { errorClass: 'transient', message: 'Meta had trouble' }, { credentialName: names[i] });
			}
			const expiresAt = T0 + (generation + 1) * (20 + 7 * i) * DAY + i * HOUR;
			const data = userAnswer(expiresAt, { scopes: i % 5 === 4 && generation % 2 === 1 ? ['public_profile'] : ['ads_read'] });
			return observationFromInspection(token, data, { nowMs, credentialName: names[i], requiredScopes: 'ads_read' });
		};
		const events = new Map<string, number>();
		for (let nowMs = T0; nowMs < T0 + 90 * DAY; nowMs += 5 * HOUR) {
			const observations = names.map((_, i) => observe(i, nowMs));
			const results = watch.run(
				observations.map((observation, i) => ({ name: names[i], observation, settings: { requiredScopes: 'ads_read' } })),
				nowMs,
			);
			results.forEach((result, i) => {
				const alone = triggers[i].poll(observations[i], nowMs);
				expect(alertsOf(result)).toEqual(alone);
				for (const alert of alone) events.set(alert.event, (events.get(alert.event) ?? 0) + 1);
			});
		}
		// Not a quiet stretch: thresholds crossed, tokens replaced and scopes lost many times over.
		expect([...events.keys()].sort()).toEqual(['expiring', 'renewed', 'scopesLost']);
		expect(Math.min(...events.values())).toBeGreaterThanOrEqual(2);
		expect(events.get('expiring')).toBeGreaterThan(50);
	});

	it('keeps tokens with no name apart by fingerprint, away from any name', () => {
		const watch = new Watch();
		const token = tokenOf('Acme');
		const fingerprint = tokenFingerprint(token);
		const data = userAnswer(T0 + 5 * DAY);
		// A name that happens to look like a fingerprint is still a name: two histories.
		expect(eventsOf(watch.run([seen(null, token, data, T0), seen(fingerprint, token, data, T0)], T0))).toEqual([['expiring7'], ['expiring7']]);
		expect(Object.keys(watch.state.unnamed)).toEqual([fingerprint]);
		expect(Object.keys(watch.state.named)).toEqual([fingerprint]);
		expect(eventsOf(watch.run([seen(null, token, data, T0 + HOUR), seen(fingerprint, token, data, T0 + HOUR)], T0 + HOUR))).toEqual([[], []]);
	});
});

describe('a key once per run', () => {
	it('refuses the later entries with a key already taken, and they change nothing', () => {
		const watch = new Watch();
		const first = tokenOf('Acme', 1);
		const second = tokenOf('Acme', 2);
		expect(eventsOf(watch.run([seen('Acme', first, userAnswer(T0 + 20 * DAY), T0)], T0))).toEqual([[]]);
		const before = watch.state.named.Acme;
		const results = watch.run(
			[
				seen('Bistro', tokenOf('Bistro'), userAnswer(T0 + 50 * DAY), T0 + HOUR),
				seen('Acme', first, userAnswer(T0 + 20 * DAY), T0 + HOUR),
				seen('Acme', second, userAnswer(T0 + 2 * DAY), T0 + HOUR),
				seen('Acme', second, userAnswer(T0 + 2 * DAY), T0 + HOUR),
			],
			T0 + HOUR,
		);
		expect(results.slice(1)).toEqual([{ kind: 'checked', alerts: [] }, { kind: 'duplicate', firstEntry: 1 }, { kind: 'duplicate', firstEntry: 1 }]);
		expect({ ...watch.state.named.Acme, s: before.s }).toEqual(before);
	});
});

describe('names that leave the list', () => {
	const data = userAnswer(T0 + 5 * DAY);
	const acme = tokenOf('Acme');
	const bistro = (nowMs: number) => seen('Bistro', tokenOf('Bistro'), userAnswer(T0 + 300 * DAY), nowMs);

	it('keeps a history 30 days after the last run that listed it, then forgets it', () => {
		const watch = new Watch();
		expect(eventsOf(watch.run([seen('Acme', acme, data, T0), bistro(T0)], T0))).toEqual([['expiring7'], []]);
		watch.run([bistro(T0 + FORGET_AFTER_MS)], T0 + FORGET_AFTER_MS);
		expect(Object.keys(watch.state.named).sort()).toEqual(['Acme', 'Bistro']);
		watch.run([bistro(T0 + FORGET_AFTER_MS + 1)], T0 + FORGET_AFTER_MS + 1);
		expect(Object.keys(watch.state.named)).toEqual(['Bistro']);
	});

	it('picks up where it left off when a name comes back within 30 days', () => {
		const watch = new Watch();
		watch.run([seen('Acme', acme, data, T0)], T0);
		watch.run([], T0 + 2 * DAY);
		// Back 29 days later: the token died meanwhile, which is news; the 7-day alert is not.
		const back = T0 + 29 * DAY;
		expect(eventsOf(watch.run([seen('Acme', acme, data, back)], back))).toEqual([['expired']]);
	});

	it('starts afresh when a forgotten name comes back: a new token under it is no renewal', () => {
		const watch = new Watch();
		watch.run([seen('Acme', acme, data, T0)], T0);
		watch.run([], T0 + 40 * DAY);
		const back = T0 + 41 * DAY;
		const renewed = tokenOf('Acme', 2);
		expect(eventsOf(watch.run([seen('Acme', renewed, userAnswer(back + 6 * DAY), back)], back))).toEqual([['expiring7']]);
	});

	it('forgets the applications no history refers to any more', () => {
		const watch = new Watch();
		const other = answer('USER', T0 + 50 * DAY, { application: 'Second App' });
		watch.run([seen('Acme', acme, data, T0), seen('Bistro', tokenOf('Bistro'), other, T0)], T0);
		expect(watch.state.apps).toEqual(['Reporting App', 'Second App']);
		watch.run([seen('Bistro', tokenOf('Bistro'), other, T0 + 31 * DAY)], T0 + 31 * DAY);
		expect(watch.state.apps).toEqual(['Second App']);
		expect(watch.state.named.Bistro.a).toBe(0);
	});
});

describe('normalizeTokenName', () => {
	it('takes text and numbers, trimmed; empty is no name', () => {
		expect(normalizeTokenName('  Acme Shoes ')).toBe('Acme Shoes');
		expect(normalizeTokenName(1042)).toBe('1042');
		for (const empty of ['', '   ', undefined, null]) expect(normalizeTokenName(empty)).toBeNull();
	});

	it('refuses what cannot name a token, naming the field', () => {
		for (const bad of [{ client: 'Acme' }, ['Acme'], true, Number.NaN]) {
			expect(() => normalizeTokenName(bad)).toThrow(/^Token Name must be text/);
		}
		expect(() => normalizeTokenName('x'.repeat(201))).toThrow(/^Token Name is longer than 200 characters/);
		expect(normalizeTokenName('x'.repeat(200))).toHaveLength(200);
	});
});
