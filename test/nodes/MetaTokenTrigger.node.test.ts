/**
 * The trigger's `poll` run in n8n-core's PollContext (real parameter resolution, credential
 * `authenticate`, request helpers) against the Graph API double over real HTTP. The alert
 * decisions themselves are tested exhaustively in lib/token/alertPolicy.test.ts; here: the wiring.
 */
import type { IDataObject } from 'n8n-workflow';

import { GraphDouble } from '../graph-double/GraphDouble';
import { runPoll, type CredentialStore } from '../support/n8nHarness';
import { MetaTokenTrigger } from '../../nodes/MetaTokenTrigger/MetaTokenTrigger.node';

const APP = { id: '1234567890', name: 'Reporting App', secret: 'trigger-app-secret-canary' };
const DAY = 86_400;
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

function credentials(accessToken: string, extra: IDataObject = {}): CredentialStore {
	return {
		metaTokenApi: { accessToken, appId: APP.id, appSecret: APP.secret, baseUrl: double.url, ...extra },
	};
}

const parameters = { thresholds: '14,7,3,1', requiredScopes: 'ads_read' };

function poll(token: string, staticData: IDataObject, extra: { mode?: 'manual'; parameters?: IDataObject; credentials?: CredentialStore } = {}) {
	return runPoll(trigger, {
		parameters: { ...parameters, ...extra.parameters },
		credentials: extra.credentials ?? credentials(token),
		credentialIds: { metaTokenApi: 'cred-acme' },
		staticData,
		mode: extra.mode,
	});
}

it('alerts once at the first poll for a token inside a threshold, then stays quiet', async () => {
	const token = double.addToken({ type: 'USER', appId: APP.id, scopes: ['ads_read'], expiresAt: double.now() + 6 * DAY + 3600 });
	const staticData: IDataObject = {};
	const first = await poll(token, staticData);
	expect(first?.[0]).toHaveLength(1);
	const alert = first![0][0].json;
	expect(alert).toMatchObject({ event: 'expiring', threshold: 7, daysLeft: 6, severity: 'warning', credentialName: 'metaTokenApi credential', type: 'USER', status: 'expiring' });
	expect(alert.message).toMatch(/^Meta token "metaTokenApi credential" \(USER, app Reporting App\) expires in 6 days, on \d{4}-\d{2}-\d{2}/);
	expect(alert.action).toEqual(expect.any(String));
	expect(JSON.stringify(first)).not.toContain(token);
	expect(JSON.stringify(first)).not.toContain(APP.secret);

	expect(await poll(token, staticData)).toBeNull();
	// A restart: n8n stores static data as JSON and loads it back.
	const reloaded = JSON.parse(JSON.stringify(staticData));
	expect(await poll(token, reloaded)).toBeNull();
});

it('reports an invalidated token once, with the reason', async () => {
	const token = double.addToken({ type: 'USER', appId: APP.id, scopes: ['ads_read'], expiresAt: double.now() + 50 * DAY });
	const staticData: IDataObject = {};
	expect(await poll(token, staticData)).toBeNull();
	double.invalidate(token, 'passwordChanged');
	const [[item]] = (await poll(token, staticData))!;
	expect(item.json).toMatchObject({ event: 'invalid', severity: 'critical', reason: 'passwordChanged', isValid: false });
	expect(await poll(token, staticData)).toBeNull();
});

it('treats a dead token that inspects itself (no app secret) as expired, not as a failed check', async () => {
	const token = double.addToken({ type: 'USER', appId: APP.id, scopes: ['ads_read'], expiresAt: double.now() + 50 * DAY });
	double.invalidate(token, 'expired');
	const [[item]] = (await poll(token, {}, { credentials: credentials(token, { appId: '', appSecret: '' }) }))!;
	expect(item.json).toMatchObject({ event: 'expired', reason: 'expired' });
	expect(double.requests[0].callingToken).toBe(token);
});

it('never reports a rate limit as an invalid token', async () => {
	const token = double.addToken({ type: 'USER', appId: APP.id, scopes: ['ads_read'], expiresAt: double.now() + 50 * DAY });
	double.injectFault({ fault: { type: 'graphError', code: 4, message: '(#4) Application request limit reached' }, path: '/debug_token', times: Infinity });
	const staticData: IDataObject = {};
	expect(await runPoll(trigger, { parameters: { ...parameters, checkFailingAfterHours: 0 }, credentials: credentials(token), staticData })).toEqual([
		[expect.objectContaining({ json: expect.objectContaining({ event: 'checkFailing', errorClass: 'rateLimit' }) })],
	]);
});

it('describes the current state in manual mode without touching the alert history', async () => {
	const token = double.addToken({ type: 'SYSTEM_USER', appId: APP.id, scopes: ['ads_read'], expiringSystemUser: true, expiresAt: double.now() + 2 * DAY + 3600 });
	const staticData: IDataObject = {};
	const [[status]] = (await poll(token, staticData, { mode: 'manual' }))!;
	expect(status.json).toMatchObject({ event: 'status', status: 'expiring', pendingEvents: ['expiring'], type: 'SYSTEM_USER' });
	expect(staticData).toEqual({ 'node:Node Under Test': {} });
	const [[alert]] = (await poll(token, staticData))!;
	expect(alert.json).toMatchObject({ event: 'expiring', threshold: 3 });
});

it('refuses thresholds that are not positive numbers, naming the field', async () => {
	const token = double.addToken({ type: 'USER', appId: APP.id, expiresAt: double.now() + 50 * DAY });
	await expect(poll(token, {}, { parameters: { thresholds: '14,seven' } })).rejects.toThrow(/Thresholds.*seven/);
	expect(double.requests).toHaveLength(0);
});

it('puts the Renewal Link into the action of a user token\'s expiring alert and status item', async () => {
	const renewalUrl = 'https://n8n.example.com/form/renew-meta-token';
	const token = double.addToken({ type: 'USER', appId: APP.id, scopes: ['ads_read'], expiresAt: double.now() + 2 * DAY + 3600 });
	const [[status]] = (await poll(token, {}, { mode: 'manual', parameters: { renewalUrl } }))!;
	expect(status.json.action).toMatch(new RegExp(`^Open ${renewalUrl} and paste a new token`));
	const [[alert]] = (await poll(token, {}, { parameters: { renewalUrl } }))!;
	expect(alert.json).toMatchObject({ event: 'expiring', action: status.json.action });
	// A trigger saved before the parameter existed has none: the usual instructions.
	const [[plain]] = (await poll(token, {}))!;
	expect(plain.json.action).toMatch(/^Exchange a new token/);
});

it('refuses a Renewal Link that is not an http(s) address, naming the field, before any request', async () => {
	const token = double.addToken({ type: 'USER', appId: APP.id, expiresAt: double.now() + 50 * DAY });
	await expect(poll(token, {}, { parameters: { renewalUrl: 'form/renew-meta-token' } })).rejects.toThrow(/^Renewal Link: "form\/renew-meta-token"/);
	expect(double.requests).toHaveLength(0);
});

it('offers Renewal Link (renewalUrl) as a string parameter, empty by default', () => {
	const field = trigger.description.properties.find((property) => property.name === 'renewalUrl');
	expect(field).toMatchObject({ displayName: 'Renewal Link', type: 'string', default: '' });
});
