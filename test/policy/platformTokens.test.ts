/**
 * Instagram and Threads tokens in the policy: what their inspect record says and where from
 * (inspectRecord.ts), and the alert policy's "expiry unknown, said once" (alertPolicy.ts), in the
 * trigger's state and in Check for Alerts' watch list.
 */
import { evaluateAlerts } from '../../nodes/policy/alertPolicy';
import { describeStatus } from '../../nodes/policy/alertStatus';
import { platformReadingOf, toInspectRecord } from '../../nodes/policy/inspectRecord';
import { observationFromAuthError, observationFromInspection } from '../../nodes/policy/observations';
import { tokenFingerprint } from '../../nodes/policy/tokenIdentity';
import { formatTokenRecord, recordMintedToken } from '../../nodes/policy/tokenRecord';
import { evaluateWatchList } from '../../nodes/policy/watchList';
import {
	CREDENTIAL,
	DAY,
	events,
	HOUR,
	instagramSeen,
	sec,
	T0,
	thresholdsOf,
	TOKEN_A,
	TOKEN_IG,
	Trigger,
	userAnswer,
} from './alertFixtures';

const TOKEN_IG2 = 'IGAA' + 'j'.repeat(150) + 'JJJJ';
const TOKEN_TH = 'THAA' + 't'.repeat(150) + 'TTTT';
const ME = { is_valid: true, user_id: '17841400000000001', username: 'acme.shoes' };
/** The record Save to Credential writes for a token minted at `mintedMs`, living 60 days. */
const recordOf = (token: string, mintedMs: number) => recordMintedToken(token, mintedMs, 60 * 86_400);

describe('the inspect record of an Instagram or Threads token', () => {
	it('Instagram without a record: valid, expiry unknown (not "never"), scopes unknown, the username', () => {
		const record = toInspectRecord(TOKEN_IG, ME, { nowMs: T0, platform: 'instagram', requiredScopes: ['instagram_business_basic'] });
		expect(record).toMatchObject({
			isValid: true,
			status: 'valid',
			neverExpires: false,
			expiresAt: null,
			effectiveExpiresAt: null,
			daysLeft: null,
			issuedAt: null,
			userId: '17841400000000001',
			scopes: [],
			// Unknown scopes are not missing ones.
			missingScopes: [],
			platform: 'instagram',
			expirySource: 'unknown',
			scopesKnown: false,
			username: 'acme.shoes',
			tokenFingerprint: tokenFingerprint(TOKEN_IG),
		});
	});

	it('Instagram with the record of this very token: expiry and issue time from the record, status by the clock', () => {
		const minted = T0 - 55 * DAY;
		const reading = platformReadingOf({ platform: 'instagram', tokenRecord: formatTokenRecord(recordOf(TOKEN_IG, minted)) }, TOKEN_IG);
		const record = toInspectRecord(TOKEN_IG, ME, { nowMs: T0, ...reading });
		expect(record).toMatchObject({
			status: 'expiring',
			expirySource: 'recorded',
			issuedAt: new Date(minted).toISOString(),
			expiresAt: new Date(minted + 60 * DAY).toISOString(),
			daysLeft: 5,
			neverExpires: false,
		});
	});

	it('a record of another token (pasted by hand since) is not used', () => {
		const stored = formatTokenRecord(recordOf(TOKEN_IG2, T0));
		expect(platformReadingOf({ platform: 'instagram', tokenRecord: stored }, TOKEN_IG)).toEqual({ platform: 'instagram' });
		expect(toInspectRecord(TOKEN_IG, ME, { nowMs: T0, ...platformReadingOf({ platform: 'instagram', tokenRecord: stored }, TOKEN_IG) }).expirySource).toBe('unknown');
	});

	it('Threads debug_token: Meta\'s expiry and scopes win over a record', () => {
		const data = { ...userAnswer(T0 + 30 * DAY), scopes: ['threads_basic'] };
		const record = toInspectRecord(TOKEN_TH, data, { nowMs: T0, platform: 'threads', tokenRecord: recordOf(TOKEN_TH, T0 - 50 * DAY), requiredScopes: ['threads_basic', 'threads_content_publish'] });
		expect(record).toMatchObject({
			expirySource: 'meta',
			expiresAt: new Date(T0 + 30 * DAY).toISOString(),
			scopesKnown: true,
			missingScopes: ['threads_content_publish'],
			platform: 'threads',
		});
	});

	it('a Facebook record is exactly what it was: no platform fields, expires_at 0 still means never', () => {
		expect(platformReadingOf({ platform: undefined, tokenRecord: formatTokenRecord(recordOf(TOKEN_A, T0)) }, TOKEN_A)).toEqual({});
		const before = toInspectRecord(TOKEN_A, userAnswer(0), { nowMs: T0 });
		const after = toInspectRecord(TOKEN_A, userAnswer(0), { nowMs: T0, platform: 'facebook', tokenRecord: recordOf(TOKEN_A, T0) });
		expect(JSON.stringify(after)).toBe(JSON.stringify(before));
		expect(after.neverExpires).toBe(true);
		expect(Object.keys(after)).not.toContain('expirySource');
	});

	it('an expired Instagram token (refused 190/463) is dead, dated by its record', () => {
		const minted = T0 - 61 * DAY;
		const observation = observationFromAuthError(
			TOKEN_IG,
			{ reason: 'expired', message: 'Error validating access token: Session has expired', code: 190, subcode: 463 },
			{ nowMs: T0, platform: 'instagram', tokenRecord: recordOf(TOKEN_IG, minted) },
		);
		expect(observation.record).toMatchObject({ status: 'expired', expirySource: 'recorded', expiresAt: new Date(minted + 60 * DAY).toISOString() });
	});
});

describe('alerts: an unknown expiry is said once', () => {
	it('once per token, however many polls; nothing else for a working token', () => {
		const trigger = new Trigger();
		const first = trigger.poll(instagramSeen(TOKEN_IG, T0), T0);
		expect(events(first)).toEqual(['expiryUnknown']);
		expect(first[0]).toMatchObject({ severity: 'warning', threshold: null, daysLeft: null, expiresAt: null, tokenFingerprint: tokenFingerprint(TOKEN_IG) });
		expect(first[0].message).toBe(
			`Meta token "${CREDENTIAL}": its expiry is unknown. Instagram does not tell when this token expires, and the credential holds no record of it (one is written when this package exchanges or refreshes the token with Save to Credential), so no expiry alert can come for it until one does`,
		);
		expect(first[0].action).toMatch(/Refresh Long-Lived Token .* Save to Credential/);
		for (let hour = 6; hour <= 90 * 24; hour += 6) {
			expect(trigger.poll(instagramSeen(TOKEN_IG, T0 + hour * HOUR), T0 + hour * HOUR)).toEqual([]);
		}
	});

	it('the token refreshed with Save to Credential: renewed (someone was told), then the thresholds of its recorded expiry', () => {
		const trigger = new Trigger();
		trigger.poll(instagramSeen(TOKEN_IG, T0), T0);
		const refreshed = T0 + DAY;
		const record = recordOf(TOKEN_IG2, refreshed);
		const renewed = trigger.poll(instagramSeen(TOKEN_IG2, refreshed + HOUR, record), refreshed + HOUR);
		expect(events(renewed)).toEqual(['renewed']);
		expect(renewed[0].message).toMatch(/^Meta token "Acme Ads" was replaced by a new token, which expires 2027-01-01, in 59 days$/);
		const expiry = refreshed + 60 * DAY;
		const later: Array<number | null> = [];
		for (let now = refreshed + 2 * HOUR; now < expiry - HOUR; now += 6 * HOUR) {
			later.push(...thresholdsOf(trigger.poll(instagramSeen(TOKEN_IG2, now, record), now)));
		}
		expect(later).toEqual([14, 7, 3, 1]);
	});

	it('reset when the expiry becomes known: nothing remembered, and the known date counts down from then on', () => {
		const trigger = new Trigger();
		expect(events(trigger.poll(instagramSeen(TOKEN_IG, T0), T0))).toEqual(['expiryUnknown']);
		// The same token, minted by this package after all (a refresh can hand back the same string).
		const record = recordOf(TOKEN_IG, T0 + HOUR);
		expect(trigger.poll(instagramSeen(TOKEN_IG, T0 + 2 * HOUR, record), T0 + 2 * HOUR)).toEqual([]);
		expect(trigger.state.token?.expiryUnknown).toBeUndefined();
		expect(trigger.state.token?.expiresAtMs).toBe(sec(T0 + HOUR) * 1000 + 60 * DAY);
		// Later answers without the record (someone cleared it) keep that date: nothing to say again.
		expect(trigger.poll(instagramSeen(TOKEN_IG, T0 + 3 * HOUR), T0 + 3 * HOUR)).toEqual([]);
		// Another token whose expiry nothing tells: said for it, once.
		expect(events(trigger.poll(instagramSeen(TOKEN_IG2, T0 + 4 * HOUR), T0 + 4 * HOUR))).toEqual(['renewed', 'expiryUnknown']);
	});

	it('an answer without a date for a token whose expiry is known keeps the known one counting down (Threads /me fallback)', () => {
		const trigger = new Trigger();
		const expiry = T0 + 20 * DAY;
		const debug = (now: number) =>
			observationFromInspection(TOKEN_TH, { ...userAnswer(expiry), scopes: ['threads_basic'] }, { nowMs: now, credentialName: CREDENTIAL, platform: 'threads' });
		const me = (now: number) =>
			observationFromInspection(TOKEN_TH, { is_valid: true, user_id: '26000000000000001' }, { nowMs: now, credentialName: CREDENTIAL, platform: 'threads' });
		expect(trigger.poll(debug(T0), T0)).toEqual([]);
		// From now on only /me answers: no expiryUnknown, and the 14-day threshold still comes.
		const seen: string[] = [];
		for (let now = T0 + HOUR; now < expiry - 13 * DAY; now += 6 * HOUR) seen.push(...events(trigger.poll(me(now), now)));
		expect(seen).toEqual(['expiring']);
	});

	it('a dead token with an unknown expiry is reported dead once, and never "expiry unknown"', () => {
		const trigger = new Trigger();
		const dead = observationFromAuthError(TOKEN_IG, { message: 'Invalid OAuth access token', code: 190 }, { nowMs: T0, platform: 'instagram', credentialName: CREDENTIAL });
		expect(events(trigger.poll(dead, T0))).toEqual(['invalid']);
		expect(trigger.poll(dead, T0 + HOUR)).toEqual([]);
	});

	it('disabled, it is not emitted but still counts as said', () => {
		const trigger = new Trigger({ events: ['expiring'] });
		expect(trigger.poll(instagramSeen(TOKEN_IG, T0), T0)).toEqual([]);
		trigger.settings = {};
		expect(trigger.poll(instagramSeen(TOKEN_IG, T0 + HOUR), T0 + HOUR)).toEqual([]);
	});

	it('saying it is a change the trigger must save (mustSave), and only the first time', () => {
		const first = evaluateAlerts(undefined, instagramSeen(TOKEN_IG, T0), {}, T0);
		expect(first.nextState.token?.expiryUnknown).toBe('alerted');
		const second = evaluateAlerts(JSON.parse(JSON.stringify(first.nextState)), instagramSeen(TOKEN_IG, T0 + HOUR), {}, T0 + HOUR);
		expect(second).toMatchObject({ alerts: [], mustSave: false });
	});
});

describe('Check for Alerts keeps "said once" in its compact watch list', () => {
	it('a second run says nothing more; a stored state holds the flag', () => {
		const entry = (now: number) => ({ name: 'Acme IG', observation: instagramSeen(TOKEN_IG, now), settings: {} });
		const first = evaluateWatchList(undefined, [entry(T0)], T0);
		expect(events(first.results[0].kind === 'checked' ? first.results[0].alerts : [])).toEqual(['expiryUnknown']);
		const stored = JSON.parse(JSON.stringify(first.nextState));
		expect(stored.named['Acme IG'].u).toBe(2);
		const second = evaluateWatchList(stored, [entry(T0 + DAY)], T0 + DAY);
		expect(second.results[0]).toMatchObject({ alerts: [] });
	});
});

describe('Fetch Test Event on an Instagram token', () => {
	it('says the expiry is unknown (not "never expires") and that the next poll raises expiryUnknown', () => {
		const status = describeStatus(undefined, instagramSeen(TOKEN_IG, T0), {}, T0);
		expect(status).toMatchObject({ event: 'status', status: 'valid', pendingEvents: ['expiryUnknown'], expiresAt: null });
		expect(status.message).toMatch(/its expiry is unknown/);
		expect(status.message).not.toMatch(/never expires/);
	});

	it('with a record: counts down to it, as for a Facebook token', () => {
		const status = describeStatus(undefined, instagramSeen(TOKEN_IG, T0, recordOf(TOKEN_IG, T0 - 50 * DAY)), {}, T0);
		expect(status).toMatchObject({ status: 'expiring', threshold: 14, pendingEvents: ['expiring'] });
	});
});
