/**
 * The trigger's `poll` run in n8n-core's PollContext (real parameter resolution, credential
 * `authenticate`, request helpers) against the Graph API double over real HTTP, under n8n's
 * pollers as they save static data (test/support/pollers.ts). The alert decisions themselves are
 * tested exhaustively in test/policy/alertPolicy.test.ts; here: the wiring, and that what must
 * survive a restart does under every poller.
 */
import type { IDataObject } from 'n8n-workflow';

import { GraphDouble } from '../../tools/graph-double/GraphDouble';
import { fakeDateOnly } from '../support/fakeDate';
import type { CredentialStore } from '../../tools/n8n-harness/n8nHarness';
import type { PollOutcome, PollerKind } from '../support/pollers';
import { POLLER_KINDS, PolledTrigger } from '../support/pollers';
import { MetaTokenTrigger } from '../../nodes/MetaTokenTrigger/MetaTokenTrigger.node';

const APP = { id: '1234567890', name: 'Reporting App', secret: 'trigger-app-secret-canary' };
const DAY = 86_400;
const HOUR = 3_600;
const trigger = new MetaTokenTrigger();
let double: GraphDouble;

beforeAll(async () => {
	double = await GraphDouble.start();
	double.addApp(APP);
});
afterAll(async () => await double.stop());
beforeEach(() => {
	double.clearFaults();
	double.clearRequests();
});
afterEach(() => jest.useRealTimers());

function credentials(accessToken: string, extra: IDataObject = {}): CredentialStore {
	return {
		metaTokenApi: { accessToken, appId: APP.id, appSecret: APP.secret, baseUrl: double.url, ...extra },
	};
}

const parameters = { thresholds: '14,7,3,1', requiredScopes: 'ads_read' };

function watch(kind: PollerKind = 'legacy', extra: { parameters?: IDataObject; pollTimeoutMs?: number; alwaysOutputData?: boolean } = {}) {
	return new PolledTrigger(trigger, kind, {
		parameters: { ...parameters, ...extra.parameters },
		credentialIds: { metaTokenApi: 'cred-acme' },
		pollTimeoutMs: extra.pollTimeoutMs,
		alwaysOutputData: extra.alwaysOutputData,
	});
}

const items = (outcome: PollOutcome | null) => outcome?.items?.[0]?.map((item) => item.json) ?? null;

it('alerts once at the first poll for a token inside a threshold, then stays quiet, also after a restart', async () => {
	const token = double.addToken({ type: 'USER', appId: APP.id, scopes: ['ads_read'], expiresAt: double.now() + 6 * DAY + 3600 });
	const t = watch();
	const run = { credentials: credentials(token) };
	const first = await t.activate(run);
	expect(first.items?.[0]).toHaveLength(1);
	const alert = first.items![0][0].json;
	expect(alert).toMatchObject({ event: 'expiring', threshold: 7, daysLeft: 6, severity: 'warning', credentialName: 'metaTokenApi credential', type: 'USER', status: 'expiring' });
	expect(alert.message).toMatch(/^Meta token "metaTokenApi credential" \(USER, app Reporting App\) expires in 6 days, on \d{4}-\d{2}-\d{2}/);
	expect(alert.action).toEqual(expect.any(String));
	expect(JSON.stringify(first.items)).not.toContain(token);
	expect(JSON.stringify(first.items)).not.toContain(APP.secret);
	expect(first.saved).toBe(true);

	expect(await t.poll(run)).toMatchObject({ items: null, executed: false });
	// The legacy poller polls again at once when n8n starts: from what the database kept.
	expect(await t.restart(run)).toMatchObject({ items: null, executed: false });
});

it('saves a token seen for the first time with an empty result (no item for the nodes after it), then returns null', async () => {
	const token = double.addToken({ type: 'USER', appId: APP.id, scopes: ['ads_read'], expiresAt: double.now() + 50 * DAY });
	for (const kind of POLLER_KINDS) {
		const t = watch(kind);
		const run = { credentials: credentials(token) };
		expect(await t.activate(run)).toMatchObject({ items: [[]], executed: true, saved: true });
		expect(t.stored()).toMatchObject({ alertState: { token: { alerted: false, lowestAlertedThreshold: null } } });
		expect(await t.poll(run)).toMatchObject({ items: null, executed: false });
	}
});

it('reports an invalidated token once, with the reason', async () => {
	const token = double.addToken({ type: 'USER', appId: APP.id, scopes: ['ads_read'], expiresAt: double.now() + 50 * DAY });
	const t = watch();
	const run = { credentials: credentials(token) };
	await t.activate(run);
	double.invalidate(token, 'passwordChanged');
	expect(items(await t.poll(run))).toEqual([expect.objectContaining({ event: 'invalid', severity: 'critical', reason: 'passwordChanged', isValid: false })]);
	expect(items(await t.poll(run))).toBeNull();
});

it('treats a dead token that inspects itself (no app secret) as expired, not as a failed check', async () => {
	const token = double.addToken({ type: 'USER', appId: APP.id, scopes: ['ads_read'], expiresAt: double.now() + 50 * DAY });
	double.invalidate(token, 'expired');
	const outcome = await watch().activate({ credentials: credentials(token, { appId: '', appSecret: '' }) });
	expect(items(outcome)).toEqual([expect.objectContaining({ event: 'expired', reason: 'expired' })]);
	expect(double.requests[0].callingToken).toBe(token);
});

it('never reports a rate limit as an invalid token', async () => {
	const token = double.addToken({ type: 'USER', appId: APP.id, scopes: ['ads_read'], expiresAt: double.now() + 50 * DAY });
	double.injectFault({ fault: { type: 'graphError', code: 4, message: '(#4) Application request limit reached' }, path: '/debug_token', times: Infinity });
	const outcome = await watch('legacy', { parameters: { checkFailingAfterHours: 0 } }).activate({ credentials: credentials(token) });
	expect(items(outcome)).toEqual([expect.objectContaining({ event: 'checkFailing', errorClass: 'rateLimit' })]);
});

it('describes the current state in manual mode without touching the alert history', async () => {
	const token = double.addToken({ type: 'SYSTEM_USER', appId: APP.id, scopes: ['ads_read'], expiringSystemUser: true, expiresAt: double.now() + 2 * DAY + 3600 });
	const t = watch();
	const run = { credentials: credentials(token) };
	const [[status]] = (await t.manualPoll(run))!;
	expect(status.json).toMatchObject({ event: 'status', status: 'expiring', pendingEvents: ['expiring'], type: 'SYSTEM_USER' });
	expect(t.stored()).toEqual({});
	expect(items(await t.activate(run))).toEqual([expect.objectContaining({ event: 'expiring', threshold: 3 })]);
});

it('refuses thresholds that are not positive numbers, naming the field', async () => {
	const token = double.addToken({ type: 'USER', appId: APP.id, expiresAt: double.now() + 50 * DAY });
	await expect(watch('legacy', { parameters: { thresholds: '14,seven' } }).activate({ credentials: credentials(token) })).rejects.toThrow(/Thresholds.*seven/);
	expect(double.requests).toHaveLength(0);
});

it('puts the Renewal Link into the action of a user token\'s expiring alert and status item', async () => {
	const renewalUrl = 'https://n8n.example.com/form/renew-meta-token';
	const token = double.addToken({ type: 'USER', appId: APP.id, scopes: ['ads_read'], expiresAt: double.now() + 2 * DAY + 3600 });
	const run = { credentials: credentials(token) };
	const [[status]] = (await watch('legacy', { parameters: { renewalUrl } }).manualPoll(run))!;
	expect(status.json.action).toMatch(new RegExp(`^Open ${renewalUrl} and paste a new token`));
	const [alert] = items(await watch('legacy', { parameters: { renewalUrl } }).activate(run))!;
	expect(alert).toMatchObject({ event: 'expiring', action: status.json.action });
	// A trigger saved before the parameter existed has none: the usual instructions.
	const [plain] = items(await watch().activate(run))!;
	expect(plain.action).toMatch(/^Exchange a new token/);
});

it('refuses a Renewal Link that is not an http(s) address, naming the field, before any request', async () => {
	const token = double.addToken({ type: 'USER', appId: APP.id, expiresAt: double.now() + 50 * DAY });
	const t = watch('legacy', { parameters: { renewalUrl: 'form/renew-meta-token' } });
	await expect(t.manualPoll({ credentials: credentials(token) })).rejects.toThrow(/^Renewal Link: "form\/renew-meta-token"/);
	expect(double.requests).toHaveLength(0);
});

it('offers Renewal Link (renewalUrl) as a string parameter, empty by default', () => {
	const field = trigger.description.properties.find((property) => property.name === 'renewalUrl');
	expect(field).toMatchObject({ displayName: 'Renewal Link', type: 'string', default: '' });
});

it('with "Always Output Data" on the trigger, returns no empty result (it would become an item downstream)', async () => {
	const token = double.addToken({ type: 'USER', appId: APP.id, scopes: ['ads_read'], expiresAt: double.now() + 50 * DAY });
	expect(await watch('legacy', { alwaysOutputData: true }).activate({ credentials: credentials(token) })).toMatchObject({ items: null, executed: false });
});

describe.each(POLLER_KINDS)('an outage with a restart in the middle, %s poller', (kind) => {
	it('raises checkFailing once after the set hours, never invalid; a recovery is saved; a later outage is a new streak', async () => {
		const t0 = double.now();
		const at = (hours: number): void => {
			jest.setSystemTime((t0 + hours * HOUR) * 1000);
			double.setNow(t0 + hours * HOUR);
		};
		fakeDateOnly(t0 * 1000);
		const token = double.addToken({ type: 'USER', appId: APP.id, scopes: ['ads_read'], expiresAt: t0 + 50 * DAY });
		const t = watch(kind);
		const run = { credentials: credentials(token) };
		const seen: Array<[number, unknown]> = [];
		const poll = async (hours: number, what: 'poll' | 'restart' = 'poll'): Promise<PollOutcome | null> => {
			at(hours);
			const outcome = what === 'poll' ? await t.poll(run) : await t.restart(run);
			for (const alert of items(outcome) ?? []) seen.push([hours, alert.event]);
			return outcome;
		};
		at(0);
		await t.activate(run);
		const outage = (): void => double.injectFault({ fault: { type: 'graphError', code: 2 }, path: '/debug_token', times: Infinity });

		outage();
		// The streak begins in a poll with nothing to say: saved with an empty result.
		expect(await poll(1)).toMatchObject({ items: [[]], saved: true });
		await poll(3, 'restart');
		await poll(15);
		await poll(26);
		// 24 hours after the first failed check (hour 1), not after the restart (hour 3).
		expect(seen).toEqual([[26, 'checkFailing']]);

		double.clearFaults();
		// Back: no alert, but the end of the streak is saved.
		expect(await poll(28)).toMatchObject({ items: [[]], saved: true });
		expect(await poll(29)).toMatchObject({ items: null });

		outage();
		await poll(40);
		await poll(41, 'restart');
		await poll(52);
		await poll(64);
		expect(seen).toEqual([
			[26, 'checkFailing'],
			[64, 'checkFailing'],
		]);
		expect(seen.map(([, event]) => event)).not.toContain('invalid');
	}, 30_000);
});

it('keeps a poll inside the durable scheduler\'s budget: a hanging Graph is a failed check, not an abandoned tick', async () => {
	const token = double.addToken({ type: 'USER', appId: APP.id, scopes: ['ads_read'], expiresAt: double.now() + 50 * DAY });
	// N8N_SCHEDULER_POLL_TIMEOUT=8 → a 4 s budget: two 1.5 s attempts and the 1 s pause fit.
	const t = watch('durable', { pollTimeoutMs: 8_000 });
	const run = { credentials: credentials(token) };
	await t.activate(run);
	double.injectFault({ fault: { type: 'delay', ms: 20_000 }, path: '/debug_token', times: Infinity });
	const started = Date.now();
	const outcome = await t.poll(run);
	expect(outcome).toMatchObject({ timedOut: false, items: [[]], saved: true });
	expect(Date.now() - started).toBeLessThan(8_000);
	expect(t.stored()).toMatchObject({ alertState: { failure: { errorClass: 'network', alerted: false } } });
}, 30_000);
