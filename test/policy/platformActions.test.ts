/**
 * What alerts about Instagram and Threads tokens tell people to do: that platform's way of renewing
 * (Refresh Long-Lived Token, a new login through the app), never Facebook's Explorer or the Renewal
 * Link form; Facebook's actions word for word as before; and the platform remembered in the
 * trigger's state and the watch list, so alerts written while checks fail say the same.
 */
import type { Alert } from '../../nodes/policy/alerts';
import { describeStatus } from '../../nodes/policy/alertStatus';
import { loadAlertState } from '../../nodes/policy/alertState';
import { observationFromAuthError, observationFromInspection } from '../../nodes/policy/observations';
import { isoMinute } from '../../nodes/policy/time';
import { recordMintedToken } from '../../nodes/policy/tokenRecord';
import { evaluateWatchList } from '../../nodes/policy/watchList';
import {
	CREDENTIAL,
	DAY,
	events,
	failed,
	HOUR,
	instagramSeen,
	sec,
	T0,
	TOKEN_A,
	TOKEN_IG,
	Trigger,
	userAnswer,
} from './alertFixtures';

const TOKEN_TH = 'THAA' + 't'.repeat(150) + 'TTTT';
const FORM = 'https://n8n.example.com/form/renew-meta-token';
const EXAMPLE = 'examples/self-renewing-instagram-token.json';
/** Facebook's steps, which an Instagram or Threads token can never follow. */
const FACEBOOK_STEPS = /Graph API Explorer|tools\/explorer|Facebook|system-user|\bform\b|paste/;

/** An Instagram token minted by this package `ageDays` ago (60 days of life, recorded). */
const instagramAged = (ageDays: number, nowMs: number) =>
	instagramSeen(TOKEN_IG, nowMs, recordMintedToken(TOKEN_IG, nowMs - ageDays * DAY, 60 * 86_400));

/** Threads' debug_token answer, read as the trigger reads it for a Threads credential. */
const threadsSeen = (data: ReturnType<typeof userAnswer>, nowMs: number) =>
	observationFromInspection(TOKEN_TH, data, { nowMs, credentialName: CREDENTIAL, platform: 'threads' });

const threadsAnswer = (expiresAtMs: number, extra: Parameters<typeof userAnswer>[1] = {}) =>
	userAnswer(expiresAtMs, { scopes: ['threads_basic'], ...extra });

const only = (alerts: Alert[]): Alert => {
	expect(alerts).toHaveLength(1);
	return alerts[0];
};

describe('Instagram and Threads alerts say how to renew a token of that platform', () => {
	it('expiring (Instagram, recorded expiry 4 days away): Refresh Long-Lived Token before the expiry', () => {
		const expiry = sec(T0 - 56 * DAY) * 1000 + 60 * DAY;
		const alert = only(new Trigger().poll(instagramAged(56, T0), T0));
		expect(alert).toMatchObject({ event: 'expiring', threshold: 7 });
		expect(alert.action).toBe(
			`Run the Meta Token node's Refresh Long-Lived Token (Platform Instagram) with Save to Credential before ${isoMinute(expiry)}; ` +
				`once expired it cannot be refreshed (a weekly refresh keeps it alive: ${EXAMPLE})`,
		);
	});

	it('expiring (Threads, a USER token by debug_token) with a Renewal Link: still the refresh, never the form', () => {
		const expiry = T0 + 4 * DAY;
		const alert = only(new Trigger({ renewalUrl: FORM }).poll(threadsSeen(threadsAnswer(expiry), T0), T0));
		expect(alert).toMatchObject({ event: 'expiring', tokenType: 'USER' });
		expect(alert.action).toMatch(/^Run the Meta Token node's Refresh Long-Lived Token \(Platform Threads\) with Save to Credential before /);
		expect(alert.action).not.toContain(FORM);
		expect(alert.action).not.toMatch(FACEBOOK_STEPS);
	});

	it('invalid (Threads, debug_token USER, subcode 460): a new login through the app, Exchange, weekly refresh', () => {
		const dead = threadsAnswer(T0 + 20 * DAY, { is_valid: false, error: { code: 190, subcode: 460, message: 'password changed' } });
		const alert = only(new Trigger({ renewalUrl: FORM }).poll(threadsSeen(dead, T0), T0));
		expect(alert).toMatchObject({ event: 'invalid', reason: 'passwordChanged', tokenType: 'USER' });
		expect(alert.action).toBe(
			"The Threads password changed or Meta reset the session: log in through your app's Threads login again for a new short-lived token, " +
				`run the Meta Token node's Exchange (Platform Threads) with Save to Credential, then refresh it weekly (${EXAMPLE})`,
		);
	});

	it('expired (Instagram, Meta refused the token as expired) with a Renewal Link: the login again, never the form', () => {
		const observation = observationFromAuthError(
			TOKEN_IG,
			{ reason: 'expired', message: 'Error validating access token: Session has expired', code: 190, subcode: 463 },
			{ nowMs: T0, platform: 'instagram', credentialName: CREDENTIAL },
		);
		const alert = only(new Trigger({ renewalUrl: FORM }).poll(observation, T0));
		expect(alert.event).toBe('expired');
		expect(alert.action).toBe(
			"Log in through your app's Instagram login again for a new short-lived token, " +
				`run the Meta Token node's Exchange (Platform Instagram) with Save to Credential, then refresh it weekly (${EXAMPLE})`,
		);
	});

	it('expired by the clock (Threads USER token past its date) with a Renewal Link: the login again', () => {
		const trigger = new Trigger({ renewalUrl: FORM });
		trigger.poll(threadsSeen(threadsAnswer(T0 + 20 * DAY), T0), T0);
		const alert = only(trigger.poll(threadsSeen(threadsAnswer(T0 + 20 * DAY), T0 + 21 * DAY), T0 + 21 * DAY).filter((a) => a.event === 'expired'));
		expect(alert.action).toMatch(/^Log in through your app's Threads login again/);
		expect(alert.action).not.toMatch(FACEBOOK_STEPS);
	});

	it('scopesLost (Threads): log in again granting the permissions', () => {
		const alert = only(
			new Trigger({ requiredScopes: 'threads_basic,threads_content_publish' }).poll(threadsSeen(threadsAnswer(T0 + 50 * DAY), T0), T0),
		);
		expect(alert.event).toBe('scopesLost');
		expect(alert.action).toBe(
			"Log in through your app's Threads login again and grant threads_content_publish for a new short-lived token, " +
				`run the Meta Token node's Exchange (Platform Threads) with Save to Credential, then refresh it weekly (${EXAMPLE})` +
				'; if Meta does not offer a permission, add it to the app first (App Dashboard → Use cases / App Review)',
		);
	});

	it('data access ending (Threads): a new login through the app, not "any Facebook Login"', () => {
		const data = threadsAnswer(T0 + 50 * DAY, { data_access_expires_at: sec(T0 + 4 * DAY) });
		const alert = only(new Trigger().poll(threadsSeen(data, T0), T0));
		expect(alert).toMatchObject({ event: 'dataAccessExpiring' });
		expect(alert.action).toMatch(/^Log in through your app's Threads login again/);
		expect(alert.action).not.toMatch(FACEBOOK_STEPS);
	});

	it('expiryUnknown (Instagram) names the Platform to pick', () => {
		const alert = only(new Trigger().poll(instagramSeen(TOKEN_IG, T0), T0));
		expect(alert.event).toBe('expiryUnknown');
		expect(alert.action).toBe(
			"Run the Meta Token node's Refresh Long-Lived Token (Platform Instagram) on this credential with Save to Credential on: " +
				"the new token's expiry is recorded in the credential, and alerts count down to it. " +
				`A weekly Schedule Trigger doing so keeps the token alive (${EXAMPLE}).`,
		);
	});

	it('Fetch Test Event says the same as the alert would', () => {
		const status = describeStatus(undefined, instagramAged(56, T0), { renewalUrl: FORM }, T0);
		expect(status.action).toMatch(/^Run the Meta Token node's Refresh Long-Lived Token \(Platform Instagram\)/);
		const dead = threadsAnswer(T0 + 20 * DAY, { is_valid: false, error: { code: 190, subcode: 460, message: 'x' } });
		expect(describeStatus(undefined, threadsSeen(dead, T0), { renewalUrl: FORM }, T0).action).toMatch(/Threads login again/);
	});
});

describe("Facebook tokens' actions are unchanged", () => {
	it('expiring, invalid (460), scopesLost, and the Renewal Link form, word for word', () => {
		const expiring = only(new Trigger().see(TOKEN_A, userAnswer(T0 + 4 * DAY), T0));
		expect(expiring.action).toBe(
			"Exchange a new token: open https://developers.facebook.com/tools/explorer/, get a token, run the Meta Token node's Exchange operation — " +
				'or switch to a system-user token (Business Settings → System users: https://business.facebook.com/settings/system-users) which can be refreshed by API',
		);
		const withForm = only(new Trigger({ renewalUrl: FORM }).see(TOKEN_A, userAnswer(T0 + 4 * DAY), T0));
		expect(withForm.action).toBe(
			`Open ${FORM} and paste a new token from the Graph API Explorer (https://developers.facebook.com/tools/explorer/): ` +
				'the form exchanges it for a long-lived token and saves it in the credential',
		);
		const dead = userAnswer(T0 + 20 * DAY, { is_valid: false, error: { code: 190, subcode: 460, message: 'x' } });
		expect(only(new Trigger().see(TOKEN_A, dead, T0)).action).toBe(
			'Log in to Facebook again (the password changed or Meta reset the session), then exchange a new token: open https://developers.facebook.com/tools/explorer/, ' +
				"get a token, run the Meta Token node's Exchange operation — or switch to a system-user token (Business Settings → System users: " +
				'https://business.facebook.com/settings/system-users) which can be refreshed by API',
		);
		const lost = only(new Trigger({ requiredScopes: 'ads_read,pages_show_list' }).see(TOKEN_A, userAnswer(T0 + 50 * DAY), T0));
		expect(lost.action).toBe(
			"Get a new token with pages_show_list granted (https://developers.facebook.com/tools/explorer/ → add the permissions → Generate Access Token), run the Meta Token node's Exchange operation and store the result in the credential" +
				'; if Meta does not offer a permission, add it to the app first (App Dashboard → Use cases / App Review)',
		);
	});

	it("a Facebook token's stored state has no platform (the state is as before)", () => {
		const trigger = new Trigger();
		trigger.see(TOKEN_A, userAnswer(T0 + 50 * DAY), T0);
		expect(Object.keys(JSON.parse(trigger.stored as string).token)).not.toContain('platform');
		const run = evaluateWatchList(undefined, [{ name: 'Acme', observation: observationFromInspection(TOKEN_A, userAnswer(T0 + 50 * DAY), { nowMs: T0 }), settings: {} }], T0);
		expect(JSON.parse(JSON.stringify(run.nextState)).named.Acme).toEqual({ f: expect.any(String), s: sec(T0), t: 'U', a: 0, e: sec(T0 + 50 * DAY) });
	});
});

describe('the platform is remembered between polls', () => {
	it("the trigger's state holds it; while checks fail, threshold alerts still use the platform's words", () => {
		const trigger = new Trigger();
		const expiry = T0 + 10 * DAY;
		trigger.poll(threadsSeen(threadsAnswer(expiry), T0), T0);
		expect(JSON.parse(trigger.stored as string).token.platform).toBe('threads');
		expect(trigger.state.token?.platform).toBe('threads');
		// Meta is down from here on: the 7-day threshold comes from the stored state alone.
		const alert = only(trigger.poll(failed(TOKEN_TH, 'transient'), expiry - 6 * DAY));
		expect(alert.event).toBe('expiring');
		expect(alert.action).toMatch(/^Run the Meta Token node's Refresh Long-Lived Token \(Platform Threads\)/);
	});

	it('a state stored before the platform was remembered still loads, and learns it at the next check', () => {
		const trigger = new Trigger();
		trigger.poll(threadsSeen(threadsAnswer(T0 + 30 * DAY), T0), T0);
		const old = JSON.parse(trigger.stored as string);
		delete old.token.platform;
		expect(loadAlertState(old).token).toMatchObject({ fingerprint: old.token.fingerprint, expiresAtMs: sec(T0 + 30 * DAY) * 1000 });
		expect(loadAlertState(old).token?.platform).toBeUndefined();
		trigger.stored = JSON.stringify(old);
		expect(trigger.poll(threadsSeen(threadsAnswer(T0 + 30 * DAY), T0 + HOUR), T0 + HOUR)).toEqual([]);
		expect(trigger.state.token?.platform).toBe('threads');
	});

	it('a stored platform that is not one of these counts as a fresh start', () => {
		const trigger = new Trigger();
		trigger.poll(threadsSeen(threadsAnswer(T0 + 30 * DAY), T0), T0);
		const stored = JSON.parse(trigger.stored as string);
		expect(loadAlertState({ ...stored, token: { ...stored.token, platform: 'facebook' } }).token).toBeNull();
	});

	it("Check for Alerts' watch list stores it as `p` and reads it back; an entry without it still loads", () => {
		const expiry = T0 + 10 * DAY;
		const seen = (now: number) => ({ name: 'Acme Threads', observation: threadsSeen(threadsAnswer(expiry), now), settings: {} });
		const first = evaluateWatchList(undefined, [seen(T0)], T0);
		const stored = JSON.parse(JSON.stringify(first.nextState));
		expect(stored.named['Acme Threads'].p).toBe('t');
		const failing = { name: 'Acme Threads', observation: failed(TOKEN_TH, 'transient'), settings: {} };
		const second = evaluateWatchList(stored, [failing], expiry - 6 * DAY);
		const alerts = second.results[0].kind === 'checked' ? second.results[0].alerts : [];
		expect(events(alerts)).toEqual(['expiring']);
		expect(alerts[0].action).toMatch(/^Run the Meta Token node's Refresh Long-Lived Token \(Platform Threads\)/);

		const instagram = evaluateWatchList(undefined, [{ name: 'IG', observation: instagramSeen(TOKEN_IG, T0), settings: {} }], T0);
		expect(JSON.parse(JSON.stringify(instagram.nextState)).named.IG.p).toBe('i');

		const old = JSON.parse(JSON.stringify(first.nextState));
		delete old.named['Acme Threads'].p;
		const third = evaluateWatchList(old, [failing], expiry - 6 * DAY);
		// Its history survived: the 14-day threshold, sent at the first run, is not sent again.
		const thirdAlerts = third.results[0].kind === 'checked' ? third.results[0].alerts : [];
		expect(events(thirdAlerts)).toEqual(['expiring']);
		expect(thirdAlerts[0].threshold).toBe(7);
	});
});
