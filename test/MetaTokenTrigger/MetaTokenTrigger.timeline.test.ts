/**
 * Timeline simulation of the trigger over a token's life: 400 days of polls, every 6 hours,
 * of the REAL Meta Token Trigger — `poll` run in n8n-core's PollContext, over real HTTP, against the
 * Graph API double — while the watched token lives through a scripted life: an expiring system-user
 * token refreshed on day 50, a revocation, a 60-day user token, a 3-day Graph outage, a 5-day n8n
 * downtime, exchanges, a threshold list change, a password change, a mistaken paste, restarts.
 * It runs once under each of n8n's pollers (test/support/pollers.ts: legacy, durable scheduler,
 * durable scheduler with durable cursors), which differ in what they save; a restart keeps only
 * what the poller saved to the database, and under the legacy poller it polls at once.
 *
 * The clock is injected: jest fakes `Date` only — timers, sockets, axios and fetch run on real time,
 * so HTTP behaves as in production and the client's one retry of a failed check really waits its
 * second (14 failed polls: most of this test's ~20 s) — and the double's clock is kept equal at
 * every step and poll. The expected alerts are derived by hand from the policy's rules (lib/token/alertPolicy.ts
 * header): one per threshold per token, the lowest when several were crossed since the last poll,
 * `renewed` once for a replacement after an alert, dead once, failed checks never `invalid`.
 */
import type { IDataObject } from 'n8n-workflow';

import { GraphClient } from '../../nodes/graph/GraphClient';
import { tokenFingerprint } from '../../nodes/policy/tokenIdentity';
import { MetaTokenTrigger } from '../../nodes/MetaTokenTrigger/MetaTokenTrigger.node';
import { GraphDouble } from '../../tools/graph-double/GraphDouble';
import type { DoubleTokenSpec } from '../../tools/graph-double/GraphDouble';
import { authorizedTransport, fetchTransport } from '../support/fetchTransport';
import { fakeDateOnly } from '../support/fakeDate';
import type { PollOutcome, PollerKind } from '../support/pollers';
import { POLLER_KINDS, PolledTrigger } from '../support/pollers';

const HOUR = 3_600;
const DAY = 86_400;
/** Day 0, 00:00 UTC: the workflow is activated and polls for the first time. */
const T0 = Date.UTC(2026, 0, 1) / 1000;
const DAYS = 400;
const POLL_HOURS = [0, 6, 12, 18];

const APP = { id: '4455667788', name: 'Ads Reporting', secret: 'timeline-app-secret-canary' };
const SCOPES = ['ads_read', 'ads_management', 'business_management'];

/** Unix seconds of day `day`, `hour` o'clock (hours may be fractional or run past 24). */
const at = (day: number, hour = 0): number => T0 + day * DAY + hour * HOUR;

/** What the scripted world holds between polls. */
interface World {
	double: GraphDouble;
	/** Every token string of the story, by the name the tables use. */
	tokens: Record<string, string>;
	/** Name of the token the trigger's credential holds. */
	watched: string;
	thresholds: string;
	/** The active workflow under the poller of this run. */
	trigger: PolledTrigger;
	/** n8n is down: no polls at all. */
	down: boolean;
	/** Set by a step: n8n restarts (or re-activates the edited workflow) right after it. */
	restartPending: boolean;
	restarts: number;
}

/** The user's side: the Meta Token node's calls, made against the double's real endpoints. */
function userClient(double: GraphDouble): GraphClient {
	const credentials = { accessToken: '', appId: APP.id, appSecret: APP.secret };
	return new GraphClient({
		transport: authorizedTransport(credentials, fetchTransport, () => double.now() * 1000),
		baseUrl: double.url,
		appId: APP.id,
		appSecret: APP.secret,
		sleep: async () => {
			throw new Error('the user-side calls of the timeline must not need a retry');
		},
		now: () => double.now() * 1000,
		timeoutMs: 5_000,
	});
}

/** A token appears in the credential as a user pastes it. */
function paste(name: string, spec: Omit<DoubleTokenSpec, 'appId'>) {
	return (w: World): void => {
		w.tokens[name] = w.double.addToken({ appId: APP.id, scopes: SCOPES, ...spec });
		w.watched = name;
	};
}

/**
 * The user copies a short-lived token from the Graph API Explorer and runs Exchange
 * (`fb_exchange_token`): the long-lived result, 60 days from now, goes into the credential.
 */
function exchange(shortName: string, longName: string) {
	return async (w: World): Promise<void> => {
		const now = w.double.now();
		w.tokens[shortName] = w.double.addToken({
			appId: APP.id,
			type: 'USER',
			userId: '10001',
			scopes: SCOPES,
			issuedAt: now,
			expiresAt: now + 2 * HOUR,
			dataAccessExpiresAt: now + 90 * DAY,
		});
		const answer = await userClient(w.double).exchangeToken(w.tokens[shortName]);
		expect(answer.expires_in).toBe(60 * DAY);
		w.tokens[longName] = answer.access_token;
		w.watched = longName;
	};
}

/** Refresh System-User Token (`set_token_expires_in_60_days`): a new string, 60 days from now. */
function refresh(oldName: string, newName: string) {
	return async (w: World): Promise<void> => {
		const answer = await userClient(w.double).refreshSystemUserToken(w.tokens[oldName]);
		expect(answer.expires_in).toBe(60 * DAY);
		w.tokens[newName] = answer.access_token;
		w.watched = newName;
	};
}

/** A business admin revokes a system-user token (`/oauth/revoke`, with the admin's own token). */
function revoke(name: string) {
	return async (w: World): Promise<void> => {
		await userClient(w.double).revokeSystemUserToken(w.tokens[name], { accessToken: w.tokens.ADMIN });
	};
}

/** n8n restarts: only what the poller saved to the database comes back (pollers.ts). */
function restart(w: World): void {
	w.restartPending = true;
	w.restarts += 1;
}

type Step = [day: number, hour: number, what: string, act: (w: World) => void | Promise<void>];

/**
 * The script. Each step runs at its own time (both clocks set to it), before the first poll at or
 * after that time. Polls run at 00:00, 06:00, 12:00 and 18:00 every day unless n8n is down; steps
 * fall between polls so that no threshold is crossed exactly at a poll.
 */
const SCRIPT: Step[] = [
	// Chapter 1: an expiring system-user token, refreshed on day 50 of its 60.
	[-1, 20, 'a business admin token exists (used only to revoke, never watched)', paste('ADMIN', { type: 'SYSTEM_USER', userId: '90001' })],
	[-1, 23, 'SU1, an expiring system-user token (60 days → d59 23:00), goes into the credential', paste('SU1', { type: 'SYSTEM_USER', userId: '90002', expiringSystemUser: true, expiresAt: at(59, 23) })],
	[30, 3, 'restart (quiet period)', restart],
	[50, 9, 'Refresh System-User Token on SU1 (its day 50) → SU2, expires d110 09:00', refresh('SU1', 'SU2')],
	[101, 2, 'Graph outage begins: every debug_token answers 500, code 2 (transient)', (w) => w.double.injectFault({ fault: { type: 'graphError', code: 2 }, path: '/debug_token', times: Infinity })],
	[101, 14, 'restart in the middle of the outage (the failure streak must survive it)', restart],
	[104, 2, 'Graph outage ends (3 days)', (w) => w.double.clearFaults()],
	[108, 10, 'an admin revokes SU2 through /oauth/revoke', revoke('SU2')],
	// Chapter 2: a 60-day user token, an n8n downtime across two thresholds, expiry, an exchange.
	[110, 15, 'U1, a 60-day long-lived user token (→ d170 15:00), is pasted', paste('U1', { type: 'USER', userId: '10001', issuedAt: at(110, 15), expiresAt: at(170, 15), dataAccessExpiresAt: at(200, 15) })],
	[162, 19, 'n8n goes down (no polls d163 00:00 … d167 18:00)', (w) => { w.down = true; }],
	[167, 23, 'n8n is back after 5 days: a restart', (w) => { w.down = false; restart(w); }],
	[172, 9, 'Exchange of a fresh short-lived token S2 → U2, expires d232 09:00', exchange('S2', 'U2')],
	[223, 8, 'the workflow is edited: thresholds "14,7,3,1" → "10,5,2" (saved: a restart)', (w) => { w.thresholds = '10,5,2'; restart(w); }],
	[231, 10, "the user changes the Facebook password: U2 dies (190/460)", (w) => w.double.invalidate(w.tokens.U2, 'passwordChanged')],
	// Chapter 3: a mistaken paste of a short-lived token, a proper exchange, a permanent token.
	[235, 11, 'S3, a short-lived Explorer token (→ d235 13:00), is pasted without exchanging it', paste('S3', { type: 'USER', userId: '10001', issuedAt: at(235, 11), expiresAt: at(235, 13), dataAccessExpiresAt: at(325, 11) })],
	[236, 9, 'Exchange of a fresh short-lived token S4 → U3, expires d296 09:00', exchange('S4', 'U3')],
	[270, 10, 'P, a permanent system-user token, replaces U3 before any alert about it', paste('P', { type: 'SYSTEM_USER', userId: '90003' })],
	[300, 3, 'restart', restart],
	[320, 3, 'a 12-hour blip: debug_token answers a 502 proxy page', (w) => w.double.injectFault({ fault: { type: 'html' }, path: '/debug_token', times: Infinity })],
	[320, 10, 'restart during the blip', restart],
	[320, 15, 'the blip ends', (w) => w.double.clearFaults()],
	[380, 3, 'restart', restart],
];

type Expected = [event: string, threshold: number | null, day: number, token: string];

/**
 * Derived by hand from the script and the policy's rules (thresholds 14,7,3,1 until day 223, then
 * 10,5,2; checkFailingAfterHours 24). Day = the day of the poll that emits the alert. The pollers
 * differ in one place only: the legacy one polls when n8n starts.
 */
const expectedAlerts = (kind: PollerKind): Expected[] => [
	// SU1 ends d59 23:00; 14 days left from d45 23:00 → first poll after: d46 00:00.
	['expiring', 14, 46, 'SU1'],
	// Refreshed d50 09:00: new fingerprint, and SU1 had an alert → renewed once (poll d50 12:00).
	// SU1's 7-day threshold (d52 23:00) never fires: the credential no longer holds SU1.
	['renewed', null, 50, 'SU2'],
	// SU2 ends d110 09:00 (refresh + 60 days); 14 days left from d96 09:00 → poll d96 12:00.
	['expiring', 14, 96, 'SU2'],
	// Outage from d101 02:00: first failed poll d101 06:00; 24 h of failure at the d102 06:00 poll.
	// Once per streak, and never `invalid`, though 12 polls fail (13 under the legacy poller, which
	// polls at the restart of d101 14:00). The restart keeps the streak's start under every poller:
	// the poll that began it saved it with an empty result.
	['checkFailing', null, 102, 'SU2'],
	// Still in the outage: 7 days left from d103 09:00 → poll d103 12:00, counted down from the
	// last good check (d101 00:00). The outage ends d104 02:00 silently.
	['expiring', 7, 103, 'SU2'],
	// 3 days left from d107 09:00 → poll d107 12:00.
	['expiring', 3, 107, 'SU2'],
	// Revoked d108 10:00 (190/467) → invalid at once (poll d108 12:00). Its expiry (d110 09:00)
	// passes later without an `expired`: a dead token is reported dead once.
	['invalid', null, 108, 'SU2'],
	// U1 pasted d110 15:00 and alive; SU2 had alerts → renewed at the d110 18:00 poll.
	['renewed', null, 110, 'U1'],
	// U1 ends d170 15:00; 14 days left from d156 15:00 → poll d156 18:00.
	['expiring', 14, 156, 'U1'],
	// n8n down d162 19:00 – d167 23:00: 7 days left from d163 15:00 and 3 days from d167 15:00 both
	// pass unpolled; the first poll after sends ONE alert, for 3: the legacy poller's at the start
	// (d167 23:00, 2 d 16 h left), the durable scheduler's first tick (d168 00:00, 2 d 15 h left).
	['expiring', 3, kind === 'legacy' ? 167 : 168, 'U1'],
	// 1 day left from d169 15:00 → poll d169 18:00.
	['expiring', 1, 169, 'U1'],
	// U1 expires d170 15:00 → expired once, at the d170 18:00 poll; the polls after stay quiet.
	['expired', null, 170, 'U1'],
	// U2 from the exchange of d172 09:00; U1 had alerts → renewed (poll d172 12:00).
	['renewed', null, 172, 'U2'],
	// U2 ends d232 09:00; 14 days left from d218 09:00 → poll d218 12:00.
	['expiring', 14, 218, 'U2'],
	// List now 10,5,2; at the next poll (legacy: the re-activation at d223 08:00, 9 d 1 h left;
	// durable: d223 12:00) 10 is crossed and below the 14 already sent → alert for 10 at once. The
	// old 7 (d225 09:00) is no threshold any more.
	['expiring', 10, 223, 'U2'],
	// 5 days left from d227 09:00 → poll d227 12:00.
	['expiring', 5, 227, 'U2'],
	// 2 days left from d230 09:00 → poll d230 12:00.
	['expiring', 2, 230, 'U2'],
	// Password changed d231 10:00 → invalid at the d231 12:00 poll; its expiry (d232 09:00)
	// passes later without an `expired`.
	['invalid', null, 231, 'U2'],
	// S3 pasted d235 11:00, alive at the d235 12:00 poll; U2 had alerts → renewed, then…
	['renewed', null, 235, 'S3'],
	// …in the same poll, 1 hour left: 10, 5 and 2 are all crossed for this new token → ONE alert, for 2.
	['expiring', 2, 235, 'S3'],
	// S3 expires d235 13:00 → expired at the d235 18:00 poll.
	['expired', null, 235, 'S3'],
	// U3 from the exchange of d236 09:00; S3 had alerts → renewed (poll d236 12:00).
	['renewed', null, 236, 'U3'],
	// U3 (ends d296 09:00) is replaced by P on d270 before its first threshold (d282 09:00): no
	// alert was sent about U3, so no `renewed`. P never expires; the 12-hour blip of d320 (two
	// failed polls, 6 h of failure) stays under the 24 hours of checkFailing: nothing until day 399.
];

/**
 * The polls that return an EMPTY result (an execution in which no node after the trigger runs):
 * the ones without an alert that changed what later polls decide on, so that every poller saves
 * it. This is all the noise the guarantees cost, under every poller.
 */
const EXPECTED_EMPTY: Array<[day: number, hour: number, why: string]> = [
	[0, 0, 'SU1 seen for the first time (its first alert is due on day 46)'],
	[101, 6, 'the outage: the first failed check begins the streak'],
	[104, 6, 'the outage is over: the streak ends (no alert for that)'],
	[270, 12, 'P replaces U3, about which nothing was sent'],
	[320, 6, 'the blip: a streak begins'],
	[320, 18, 'the blip is over'],
];

let double: GraphDouble;

beforeAll(async () => {
	double = await GraphDouble.start({ now: at(-1) });
	double.addApp(APP);
});
afterAll(async () => await double.stop());
afterEach(() => jest.useRealTimers());

/** Moves both clocks: the trigger's (`Date`) and the double's. */
function setClocks(unixSeconds: number): void {
	jest.setSystemTime(unixSeconds * 1000);
	double.setNow(unixSeconds);
}

function parametersOf(w: World): IDataObject {
	return { thresholds: w.thresholds, requiredScopes: 'ads_read', checkFailingAfterHours: 24 };
}

function runOf(w: World) {
	return {
		credentials: {
			metaTokenApi: { accessToken: w.tokens[w.watched], appId: APP.id, appSecret: APP.secret, baseUrl: double.url },
		},
	};
}

describe.each(POLLER_KINDS)('the %s poller', (kind) => {
	beforeAll(() => double.clearRequests());

	it('400 days of polls: the exact alerts, none missed, none repeated', async () => {
		fakeDateOnly(at(-1) * 1000);
		const world: World = {
			double,
			tokens: {},
			watched: '',
			thresholds: '14,7,3,1',
			trigger: new PolledTrigger(new MetaTokenTrigger(), kind, {
				parameters: { thresholds: '14,7,3,1', requiredScopes: 'ads_read', checkFailingAfterHours: 24 },
				credentialIds: { metaTokenApi: 'cred-meta-ads' },
			}),
			down: false,
			restartPending: false,
			restarts: 0,
		};
		const steps = SCRIPT.map(([day, hour, what, act]) => ({ time: at(day, hour), what, act }));
		const pending = [...steps].sort((a, b) => a.time - b.time);
		expect(pending.map((step) => step.what)).toEqual(steps.map((step) => step.what));

		const alerts: IDataObject[] = [];
		const seen: Expected[] = [];
		const empty: Array<[number, number]> = [];
		let polls = 0;
		let largestState = 0;
		const record = (outcome: PollOutcome | null, unixSeconds: number): void => {
			if (outcome === null) return;
			polls += 1;
			largestState = Math.max(largestState, JSON.stringify(world.trigger.stored()).length);
			const day = Math.floor((unixSeconds - T0) / DAY);
			if (outcome.items?.[0]?.length === 0) empty.push([day, ((unixSeconds - T0) % DAY) / HOUR]);
			for (const item of outcome.items?.[0] ?? []) {
				const alert = item.json;
				const token = Object.keys(world.tokens).find(
					(name) => tokenFingerprint(world.tokens[name]) === alert.tokenFingerprint,
				);
				alerts.push(alert);
				seen.push([alert.event as string, alert.threshold as number | null, day, token ?? '?']);
			}
		};

		for (let day = 0; day < DAYS; day++) {
			for (const hour of POLL_HOURS) {
				const pollTime = at(day, hour);
				while (pending.length > 0 && pending[0].time <= pollTime) {
					const step = pending.shift()!;
					setClocks(step.time);
					await step.act(world);
					if (world.restartPending) {
						world.restartPending = false;
						record(await world.trigger.restart(runOf(world), { parameters: parametersOf(world) }), step.time);
					}
				}
				if (world.down) continue;
				setClocks(pollTime);
				expect(Date.now()).toBe(pollTime * 1000);
				const first = day === 0 && hour === 0;
				record(first ? await world.trigger.activate(runOf(world)) : await world.trigger.poll(runOf(world)), pollTime);
			}
		}

		expect(pending).toEqual([]);
		expect(world.restarts).toBe(7);
		// 400 days × 4 polls, less the 5 days (20 polls) n8n was down; the legacy poller also polls
		// at each of the 7 restarts.
		const restartPolls = kind === 'legacy' ? 7 : 0;
		expect(polls).toBe(DAYS * POLL_HOURS.length - 20 + restartPolls);
		// Every poll reached Meta: one debug_token each, plus the one retry of each failed poll
		// (12 in the outage, 2 in the blip; the legacy poller's restart polls add one to each).
		const debugCalls = double.requests.filter((request) => request.path === '/debug_token');
		expect(debugCalls).toHaveLength(polls + 12 + 2 + (kind === 'legacy' ? 2 : 0));

		expect(seen).toEqual(expectedAlerts(kind));
		expect(empty).toEqual(EXPECTED_EMPTY.map(([day, hour]) => [day, hour]));

		// What the alerts say about why, on top of when.
		const byEvent = (event: string) => alerts.filter((alert) => alert.event === event);
		expect(byEvent('invalid').map((alert) => alert.reason)).toEqual(['invalid', 'passwordChanged']);
		expect(byEvent('expired').map((alert) => alert.reason)).toEqual(['expired', 'expired']);
		expect(byEvent('checkFailing')[0]).toMatchObject({ errorClass: 'transient', severity: 'warning' });
		expect(byEvent('checkFailing')[0].message).toMatch(/could not be checked for 24 hours/);
		const duringOutage = alerts.find((alert) => alert.event === 'expiring' && alert.threshold === 7)!;
		expect(duringOutage).toMatchObject({ errorClass: 'transient', tokenHint: null });
		expect(duringOutage.message).toMatch(/as of the last successful check; checks have failed since 2026-04-12 06:00 UTC/);

		// No alert carries a token or the app secret.
		const everything = JSON.stringify(alerts);
		for (const secret of [...Object.values(world.tokens), APP.secret]) {
			expect(everything).not.toContain(secret);
		}
		// The state stays one small record, whatever 400 days and 9 tokens did to it.
		expect(largestState).toBeLessThan(2_048);
		expect(JSON.stringify(world.trigger.stored()).length).toBeLessThan(2_048);
	}, 60_000);
});
