/**
 * The Meta Token node's Check for Alerts run through n8n-core's ExecuteContext against the Graph
 * API double over real HTTP, with the workflow's static data saved between runs exactly when n8n
 * saves it (tools/n8n-harness/n8nHarness.ts: after non-manual runs only). The policy over many tokens is
 * tested in test/policy/watchList*.test.ts (the 400-day timeline in watchList.timeline.test.ts); here: the wiring —
 * what goes in, what comes out, what is kept, and the Graph calls it costs.
 */
import type { IDataObject, INodeExecutionData, NodeExecutionHint } from 'n8n-workflow';

import { MetaToken } from '../../nodes/MetaToken/MetaToken.node';
import { tokenFingerprint } from '../../nodes/policy/tokenIdentity';
import type { DoubleTokenSpec } from '../../tools/graph-double/GraphDouble';
import { GraphDouble } from '../../tools/graph-double/GraphDouble';
import type { CredentialStore, NodeRunOptions } from '../../tools/n8n-harness/n8nHarness';
import { runNode } from '../../tools/n8n-harness/n8nHarness';

const APP = { id: '1234567890', name: 'Reporting App', secret: 'check-alerts-app-secret-canary' };
const DAY = 86_400;
const NODE_KEY = 'node:Node Under Test';
const node = new MetaToken();

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

function credentials(accessToken = 'unused', extra: IDataObject = {}): CredentialStore {
	return {
		metaTokenApi: { accessToken, appId: APP.id, appSecret: APP.secret, baseUrl: double.url, ...extra },
	};
}

const PARAMETERS = {
	operation: 'checkAlerts',
	tokenSource: 'input',
	token: '={{ $json.token }}',
	tokenName: '={{ $json.client }}',
	requiredScopes: 'ads_read',
};

interface Run {
	items: IDataObject[];
	staticData: IDataObject;
	mode?: NodeRunOptions['mode'];
	parameters?: IDataObject;
	continueOnFail?: boolean;
	credentials?: CredentialStore;
	hints?: NodeExecutionHint[];
}

/** One execution started by a Schedule Trigger (mode `trigger`) unless told otherwise. */
async function check(run: Run): Promise<INodeExecutionData[]> {
	return await runNode(node, {
		parameters: { ...PARAMETERS, ...run.parameters },
		credentials: run.credentials ?? credentials(),
		items: run.items,
		staticData: run.staticData,
		mode: run.mode ?? 'trigger',
		continueOnFail: run.continueOnFail,
		hints: run.hints,
	});
}

function user(expiresInSeconds: number, extra: Partial<DoubleTokenSpec> = {}): string {
	const now = double.now();
	return double.addToken({
		type: 'USER',
		appId: APP.id,
		userId: '10215241773831025',
		scopes: ['ads_read', 'ads_management'],
		issuedAt: now - 10 * DAY,
		expiresAt: now + expiresInSeconds,
		dataAccessExpiresAt: now + 80 * DAY,
		...extra,
	});
}

const summary = (output: INodeExecutionData[]) =>
	output.map((item) => [item.json.tokenName, item.json.event, item.json.threshold, item.pairedItem]);

function expectNoSecrets(value: unknown, secrets: string[]): void {
	const text = JSON.stringify(value);
	for (const secret of secrets) expect(text).not.toContain(secret);
}

describe('an agency list in scheduled runs', () => {
	it('alerts once per threshold per token, paired to its item, and stays quiet on the next runs', async () => {
		const tokens = {
			acme: user(5 * DAY + 3600),
			bistro: user(50 * DAY),
			cycle: user(-2 * DAY),
			deli: user(40 * DAY),
			page: double.addToken({ type: 'PAGE', appId: APP.id, profileId: '555', scopes: ['ads_read'], expiresAt: 0 }),
			scopes: user(50 * DAY, { scopes: ['public_profile'] }),
		};
		double.invalidate(tokens.deli, 'passwordChanged');
		const items = [
			{ client: 'Acme Shoes', token: tokens.acme },
			{ client: 'Bistro Bella', token: tokens.bistro },
			{ client: 'Cycle Hub', token: tokens.cycle },
			{ client: 'Deli Forty', token: tokens.deli },
			{ client: 'Brand Page', token: tokens.page },
			{ client: 'Echo Media', token: tokens.scopes },
		];
		const staticData: IDataObject = {};
		const first = await check({ items, staticData });
		expect(summary(first)).toEqual([
			['Acme Shoes', 'expiring', 7, { item: 0 }],
			['Cycle Hub', 'expired', null, { item: 2 }],
			['Deli Forty', 'invalid', null, { item: 3 }],
			['Echo Media', 'scopesLost', null, { item: 5 }],
		]);
		const [acme, , deli, echo] = first.map((item) => item.json);
		expect(acme.message).toMatch(/^Meta token "Acme Shoes" \(USER, app Reporting App\) expires in 5 days, on \d{4}-\d{2}-\d{2}$/);
		expect(acme).toMatchObject({ severity: 'warning', daysLeft: 5, credentialName: null, status: 'expiring', type: 'USER' });
		expect(deli).toMatchObject({ reason: 'passwordChanged', severity: 'critical', isValid: false });
		expect(deli.message).toMatch(/^Meta token "Deli Forty" \(USER, app Reporting App\) is no longer valid: /);
		expect(echo).toMatchObject({ missingScopes: ['ads_read'] });
		expectNoSecrets(first, [...Object.values(tokens), APP.secret]);
		// Six tokens, one batch call: as Inspect makes.
		expect(double.requests.map((r) => [r.path, r.batchSize])).toEqual([['/', 6]]);

		expect(await check({ items, staticData })).toEqual([]);
		// A restart loses nothing: every run loads the static data from its JSON, as n8n does.
		expect(await check({ items: [...items].reverse(), staticData })).toEqual([]);
	});

	it('keeps the record fields where alert and record both have one: missingScopes, expiresAt, tokenHint', async () => {
		const now = double.now();
		const token = user(40 * DAY, { dataAccessExpiresAt: now + 2 * DAY + 3600, scopes: ['public_profile'] });
		const [item] = await check({ items: [{ client: 'Foxtrot', token }], staticData: {}, parameters: { events: ['dataAccessExpiring'] } });
		expect(item.json).toMatchObject({
			event: 'dataAccessExpiring',
			threshold: 3,
			expiryCause: 'dataAccess',
			// The record's: the token's own expiry, and the scopes it lacks (the alert's own list is empty).
			expiresAt: new Date((now + 40 * DAY) * 1000).toISOString(),
			effectiveExpiresAt: new Date((now + 2 * DAY + 3600) * 1000).toISOString(),
			missingScopes: ['ads_read'],
			tokenHint: `${token.slice(0, 6)}…${token.slice(-4)}`,
			tokenFingerprint: tokenFingerprint(token),
		});
	});

	it('makes the same Graph calls as Inspect for the same items: 120 tokens, 4 batch calls', async () => {
		const items = Array.from({ length: 120 }, (_, i) => ({ client: `Client ${i}`, token: user((20 + i) * DAY) }));
		await runNode(node, { parameters: { operation: 'inspect', tokenSource: 'input', token: '={{ $json.token }}' }, credentials: credentials(), items });
		const inspectCalls = double.requests.map((r) => [r.path, r.batchSize]);
		double.clearRequests();
		await check({ items, staticData: {} });
		expect(double.requests.map((r) => [r.path, r.batchSize])).toEqual(inspectCalls);
		// The pacer's first-answer cap: a tenth of the run before Meta's first answer says how much quota is used.
		expect(inspectCalls).toEqual([['/', 12], ['/', 50], ['/', 50], ['/', 8]]);
	});

	it('keeps at most 200 bytes of static data per watched token, whatever their states', async () => {
		const now = double.now();
		const items: IDataObject[] = [];
		for (let i = 0; i < 200; i++) {
			const kind = i % 5;
			const token =
				kind === 0
					? user((1 + (i % 13)) * DAY)
					: kind === 1
						? user(50 * DAY, { scopes: ['public_profile'] })
						: kind === 2
							? double.addToken({ type: 'SYSTEM_USER', appId: APP.id, userId: `6155${i}`, scopes: ['ads_read'], expiringSystemUser: true, expiresAt: now + (i % 20) * DAY + 60 })
							: kind === 3
								? user(40 * DAY, { dataAccessExpiresAt: now + (i % 9) * DAY + 60 })
								: user(-DAY);
			items.push({ client: `Agency client number ${String(i).padStart(3, '0')}`, token });
		}
		const staticData: IDataObject = {};
		const output = await check({ items, staticData });
		expect(output.length).toBeGreaterThan(100);
		const bytes = JSON.stringify(staticData).length;
		expect(bytes / items.length).toBeLessThanOrEqual(200);
		const list = (staticData[NODE_KEY] as IDataObject).watchList as { named: Record<string, unknown> };
		expect(Object.keys(list.named)).toHaveLength(200);
		expectNoSecrets(staticData, [...items.map((item) => item.token as string), APP.secret]);
	});
});

describe('names', () => {
	it('raises `renewed` once when a new token arrives under a name that was alerted about', async () => {
		const staticData: IDataObject = {};
		const old = user(3 * DAY - 3600);
		expect(summary(await check({ items: [{ client: 'Acme Shoes', token: old }], staticData }))).toEqual([
			['Acme Shoes', 'expiring', 3, { item: 0 }],
		]);
		const renewed = user(60 * DAY);
		const [item] = await check({ items: [{ client: 'Acme Shoes', token: renewed }], staticData });
		expect(item.json).toMatchObject({ event: 'renewed', severity: 'info', tokenName: 'Acme Shoes', tokenFingerprint: tokenFingerprint(renewed) });
		expect(item.json.message).toMatch(/^Meta token "Acme Shoes" \(USER, app Reporting App\) was replaced by a new token, which expires /);
		expect(await check({ items: [{ client: 'Acme Shoes', token: renewed }], staticData })).toEqual([]);
	});

	it('without a name keys the token by its fingerprint and names it by its hint', async () => {
		const token = user(2 * DAY);
		const staticData: IDataObject = {};
		const [item] = await check({ items: [{ token }], staticData });
		const hint = `${token.slice(0, 6)}…${token.slice(-4)}`;
		expect(item.json).toMatchObject({ event: 'expiring', tokenName: null, tokenHint: hint });
		expect(item.json.message).toMatch(new RegExp(`^Meta token "${hint}" \\(USER, app Reporting App\\) expires in 47 hours`));
		const list = (staticData[NODE_KEY] as IDataObject).watchList as { unnamed: Record<string, unknown> };
		expect(Object.keys(list.unnamed)).toEqual([tokenFingerprint(token)]);
		expect(await check({ items: [{ token }], staticData })).toEqual([]);
	});

	it('refuses a name given twice in one run, naming the field, and records nothing', async () => {
		const staticData: IDataObject = {};
		const items = [
			{ client: 'Acme Shoes', token: user(5 * DAY) },
			{ client: 'Acme Shoes', token: user(2 * DAY) },
		];
		await expect(check({ items, staticData })).rejects.toThrow(
			'Token Name "Acme Shoes" was already given to item 0 of this run: each token needs a name of its own, because the name keeps its alert history.',
		);
		expect(staticData).toEqual({});
	});

	it('under Continue On Fail: the second item is an error, the others alert and are recorded', async () => {
		const staticData: IDataObject = {};
		const acme = user(5 * DAY);
		const items = [
			{ client: 'Acme Shoes', token: acme },
			{ client: 'Acme Shoes', token: user(2 * DAY) },
			{ client: 'Bistro Bella', token: user(6 * DAY) },
			{ client: 'Cycle Hub', token: '' },
			{ token: acme },
			{ token: acme },
		];
		const output = await check({ items, staticData, continueOnFail: true });
		expect(output.map((item) => [item.json.event ?? (item.json.error as IDataObject).class, item.pairedItem])).toEqual([
			['expiring', { item: 0 }],
			['input', { item: 1 }],
			['expiring', { item: 2 }],
			['input', { item: 3 }],
			// The same token twice without a name: one key, the second is refused.
			['expiring', { item: 4 }],
			['input', { item: 5 }],
		]);
		expect((output[5].json.error as IDataObject).message).toBe(
			'This token was already checked by item 4 of this run, without a Token Name: give each item a Token Name, or list the token once.',
		);
		expect((output[3].json.error as IDataObject).message).toMatch(/^Token is empty/);
		expect(await check({ items, staticData, continueOnFail: true })).toEqual([
			expect.objectContaining({ pairedItem: { item: 1 } }),
			expect.objectContaining({ pairedItem: { item: 3 } }),
			expect.objectContaining({ pairedItem: { item: 5 } }),
		]);
	});

	it('refuses a name that is not text, naming the field', async () => {
		await expect(
			check({ items: [{ token: user(5 * DAY) }], staticData: {}, parameters: { tokenName: '={{ { client: 1 } }}' } }),
		).rejects.toThrow('Token Name must be text, such as the client\'s name: check what the expression returns.');
	});
});

describe('runs n8n does not save', () => {
	it('a manual run shows what would alert against the saved history, changes nothing and says so', async () => {
		const staticData: IDataObject = {};
		const acme = user(5 * DAY + 3600);
		const bistro = user(10 * DAY + 3600);
		expect(summary(await check({ items: [{ client: 'Acme Shoes', token: acme }], staticData }))).toEqual([
			['Acme Shoes', 'expiring', 7, { item: 0 }],
		]);
		const saved = JSON.stringify(staticData);
		const items = [
			{ client: 'Acme Shoes', token: acme },
			{ client: 'Bistro Bella', token: bistro },
		];
		const hints: NodeExecutionHint[] = [];
		expect(summary(await check({ items, staticData, mode: 'manual', hints }))).toEqual([['Bistro Bella', 'expiring', 14, { item: 1 }]]);
		expect(JSON.stringify(staticData)).toBe(saved);
		expect(hints).toEqual([
			expect.objectContaining({ location: 'outputPane', message: expect.stringMatching(/^Manual run: nothing was recorded/) }),
		]);
		// So the next scheduled run raises it for real, once.
		expect(summary(await check({ items, staticData }))).toEqual([['Bistro Bella', 'expiring', 14, { item: 1 }]]);
		expect(await check({ items, staticData })).toEqual([]);
	});

	it('a run that stops on a failing item records nothing: its alerts come at the next run', async () => {
		const staticData: IDataObject = {};
		const items = [{ client: 'Acme Shoes', token: user(5 * DAY) }, { client: 'Bistro Bella', token: 'two tokens pasted' }];
		await expect(check({ items, staticData })).rejects.toThrow(/^Token contains spaces/);
		expect(staticData).toEqual({});
		expect(summary(await check({ items: items.slice(0, 1), staticData }))).toEqual([['Acme Shoes', 'expiring', 7, { item: 0 }]]);
	});
});

describe('checks that fail', () => {
	it('never calls a token invalid because its check failed; raises checkFailing once after the set hours', async () => {
		const staticData: IDataObject = {};
		const items = [
			{ client: 'Acme Shoes', token: user(50 * DAY) },
			{ client: 'Bistro Bella', token: user(50 * DAY) },
		];
		// Every debug_token inside the batch is refused (code 100: not retried, says nothing of the token).
		double.injectFault({ fault: { type: 'graphError', code: 100, message: 'Unsupported request' }, path: '/debug_token', times: Infinity });
		const output = await check({ items, staticData, parameters: { checkFailingAfterHours: 0 } });
		expect(output.map((item) => [item.json.tokenName, item.json.event, item.json.errorClass])).toEqual([
			['Acme Shoes', 'checkFailing', 'badRequest'],
			['Bistro Bella', 'checkFailing', 'badRequest'],
		]);
		expect(output[0].json.message).toMatch(/^Meta token "Acme Shoes" could not be checked for 0 minutes .*Meta refused the check as invalid/);
		expect(double.requests.map((r) => [r.path, r.batchSize])).toEqual([['/', 2]]);
		expect(await check({ items, staticData, parameters: { checkFailingAfterHours: 0 } })).toEqual([]);
		// Checks work again: no alert for that (the next alert that matters is about the token).
		double.clearFaults();
		expect(await check({ items, staticData, parameters: { checkFailingAfterHours: 0 } })).toEqual([]);
	});

	it('reads a dead token that inspects itself (no App Secret) as dead, not as a failed check', async () => {
		const token = user(50 * DAY);
		double.invalidate(token, 'expired');
		const output = await check({
			items: [{ client: 'Acme Shoes', token }],
			staticData: {},
			credentials: credentials('unused', { appId: '', appSecret: '' }),
		});
		expect(output.map((item) => [item.json.event, item.json.reason])).toEqual([['expired', 'expired']]);
		expect(double.requests.map((r) => r.callingToken)).toEqual([token]);
	});

	it('takes the token of the credential when Token Source is the credential, and names the credential', async () => {
		const token = user(2 * DAY + 3600);
		const [item] = await check({
			items: [{}],
			staticData: {},
			credentials: credentials(token),
			parameters: { tokenSource: 'credential', tokenName: 'Agency system user' },
		});
		expect(item.json).toMatchObject({ event: 'expiring', threshold: 3, tokenName: 'Agency system user', credentialName: 'metaTokenApi credential' });
	});

	it('refuses bad thresholds for the item, naming the field', async () => {
		await expect(
			check({ items: [{ client: 'Acme Shoes', token: user(5 * DAY) }], staticData: {}, parameters: { thresholds: '14,seven' } }),
		).rejects.toThrow(/Thresholds.*seven/);
	});
});
