/**
 * Every Meta Token operation in a real n8n (each major from the npm registry), the package
 * installed from its packed tarball, against the Graph double running as its own process.
 * Few `n8n execute` runs (each boots n8n): one workflow runs all operations in parallel branches,
 * one shows a failing run's message, one is the agency report example.
 */
import { EXAMPLES, loadExample } from './support/examples';
import { GraphDoubleProcess } from './support/graphDoubleProcess';
import type { RunResult } from './support/n8n';
import { N8nInstance, nodeItems } from './support/n8n';
import type { Major } from './support/paths';
import { n8nRuntime, selectedMajors } from './support/paths';
import { stopAll } from './support/processes';
import { WebhookSink } from './support/sink';
import { packedTarball } from './support/tarball';
import { DAY, REPORTING_APP, fingerprint, metaCredential, nowSeconds, tokenFor } from './support/tokens';
import { emitItems, manualTrigger, metaTokenNode, workflow } from './support/workflowBuilder';

const APP = REPORTING_APP;
const T = nowSeconds();

const t = {
	valid: tokenFor('valid'),
	expiring: tokenFor('expiring'),
	expired: tokenFor('expired'),
	invalid: tokenFor('invalid'),
	page: tokenFor('page'),
	systemUser: tokenFor('system-user'),
	neverExpiring: tokenFor('never-expiring'),
	shortLived: tokenFor('short-lived'),
	shortLived2: tokenFor('short-lived-2'),
	expiringSystemUser: tokenFor('expiring-system-user'),
	admin: tokenFor('admin'),
	pagesUser: tokenFor('pages-user'),
	revokeUser: tokenFor('revoke-user'),
	expiredSystemUser: tokenFor('expired-system-user'),
};
const bulk = Array.from({ length: 200 }, (_, i) => tokenFor(`bulk-${i}`));
const PAGE_COUNT = 120; // the node asks for 100 per page: two pages of /me/accounts

function seed() {
	const user = (token: string, userId: string, expiresAt: number, extra = {}) => ({
		token,
		type: 'USER' as const,
		appId: APP.id,
		userId,
		scopes: ['ads_read', 'ads_management', 'public_profile'],
		issuedAt: T - 10 * DAY,
		expiresAt,
		dataAccessExpiresAt: T + 80 * DAY,
		...extra,
	});
	return {
		apps: [APP],
		tokens: [
			user(t.valid, '11', T + 50 * DAY),
			user(t.expiring, '12', T + 3 * DAY + 3600),
			user(t.expired, '13', T - 3600, { issuedAt: T - 61 * DAY }),
			user(t.invalid, '14', T + 40 * DAY),
			{ token: t.page, type: 'PAGE' as const, appId: APP.id, userId: '15', profileId: '5550001', scopes: ['pages_show_list'], expiresAt: 0 },
			{ token: t.systemUser, type: 'SYSTEM_USER' as const, appId: APP.id, userId: '7001', scopes: ['ads_read'], expiresAt: T + 20 * DAY, expiringSystemUser: true },
			{ token: t.neverExpiring, type: 'SYSTEM_USER' as const, appId: APP.id, userId: '7002', scopes: ['ads_read'], expiresAt: 0 },
			user(t.shortLived, '16', T + 3600, { issuedAt: T }),
			user(t.shortLived2, '17', T + 3600, { issuedAt: T }),
			{ token: t.expiringSystemUser, type: 'SYSTEM_USER' as const, appId: APP.id, userId: '7003', scopes: ['ads_read'], expiresAt: T + 5 * DAY, expiringSystemUser: true },
			{ token: t.admin, type: 'SYSTEM_USER' as const, appId: APP.id, userId: '7000', scopes: ['business_management', 'ads_management'], expiresAt: 0 },
			user(t.pagesUser, '18', T + 50 * DAY, {
				pages: Array.from({ length: PAGE_COUNT }, (_, i) => ({
					id: String(900000 + i),
					name: `Page ${i + 1}`,
					category: 'Retail',
					tasks: ['ADVERTISE', 'ANALYZE'],
				})),
			}),
			user(t.revokeUser, '19', T + 50 * DAY),
			{ token: t.expiredSystemUser, type: 'SYSTEM_USER' as const, appId: APP.id, userId: '7004', scopes: ['ads_read'], issuedAt: T - 61 * DAY, expiresAt: T - DAY, expiringSystemUser: true },
			...bulk.map((token, i) => user(token, String(20000 + i), T + 30 * DAY)),
		],
	};
}

const INSPECT_LABELS = ['valid', 'expiring', 'expired', 'invalid', 'page', 'systemUser', 'neverExpiring'] as const;

function credentials(baseUrl: string) {
	return [
		metaCredential('mtApp0000000001', 'Reporting app', t.valid, baseUrl),
		metaCredential('mtPageSelf00001', 'Page token, no app secret', t.page, baseUrl, null),
		metaCredential('mtShort00000001', 'Short-lived user token', t.shortLived, baseUrl),
		metaCredential('mtSysUser000001', 'Expiring system user', t.expiringSystemUser, baseUrl),
		metaCredential('mtAdmin00000001', 'Admin system user', t.admin, baseUrl),
		metaCredential('mtPages00000001', 'User with pages', t.pagesUser, baseUrl),
		metaCredential('mtRevoke0000001', 'User to revoke', t.revokeUser, baseUrl),
		metaCredential('mtExpired000001', 'Expired system user', t.expiredSystemUser, baseUrl),
	];
}

function operationsWorkflow() {
	const onError = { onError: 'continueRegularOutput' };
	return workflow('MetaTokenOps0001', 'Meta Token: every operation', manualTrigger(), [
		[
			emitItems('Tokens', INSPECT_LABELS.map((label) => ({ label, token: t[label] }))),
			metaTokenNode(
				'Inspect each',
				{ operation: 'inspect', tokenSource: 'input', token: '={{ $json.token }}', options: { requiredScopes: 'ads_read' } },
				'mtApp0000000001',
			),
		],
		[
			emitItems('Bulk tokens', bulk.map((token) => ({ token }))),
			metaTokenNode('Inspect bulk', { operation: 'inspect', tokenSource: 'input', token: '={{ $json.token }}', options: { concurrency: 4 } }, 'mtApp0000000001'),
		],
		[metaTokenNode('Inspect own token', { operation: 'inspect' }, 'mtPageSelf00001')],
		[metaTokenNode('Exchange', { operation: 'exchange' }, 'mtShort00000001')],
		[metaTokenNode('Refresh', { operation: 'refreshSystemUserToken' }, 'mtSysUser000001')],
		[
			metaTokenNode(
				'Generate',
				{ operation: 'generateSystemUserToken', systemUserId: '7005', scopes: 'ads_read,ads_management', expiring: true },
				'mtAdmin00000001',
			),
		],
		[metaTokenNode('Page tokens', { operation: 'getPageTokens' }, 'mtPages00000001')],
		[metaTokenNode('Revoke', { operation: 'revoke' }, 'mtRevoke0000001')],
		[
			emitItems('Mixed tokens', [{ token: t.shortLived2 }, { token: t.expired }, { token: '' }]),
			metaTokenNode('Exchange mixed', { operation: 'exchange', tokenSource: 'input', token: '={{ $json.token }}' }, 'mtApp0000000001', onError),
		],
	]);
}

function failingWorkflow() {
	return workflow('MetaTokenFail001', 'Meta Token: failing refresh', manualTrigger(), [
		[metaTokenNode('Refresh expired', { operation: 'refreshSystemUserToken' }, 'mtExpired000001')],
	]);
}

describe.each(selectedMajors())('Meta Token operations in real n8n %s.x', (major: Major) => {
	let double: GraphDoubleProcess;
	let n8n: N8nInstance;
	let sink: WebhookSink;
	let ops: RunResult | undefined;

	beforeAll(async () => {
		const started = Date.now();
		double = await GraphDoubleProcess.start(seed());
		await double.invalidate(t.invalid, 'passwordChanged');
		sink = await WebhookSink.start();
		n8n = await N8nInstance.create(n8nRuntime(major), packedTarball());
		await n8n.importCredentials(credentials(double.url));
		const report = loadExample(EXAMPLES.agencyReport, {
			metaTokenCredential: { id: 'mtApp0000000001', name: 'Reporting app' },
			slackWebhookUrl: sink.url,
			clients: [
				{ client: 'Acme Shoes', token: t.valid },
				{ client: 'Bistro Bella', token: t.expiring },
				{ client: 'Cycle Hub', token: t.expired },
				{ client: 'Deli Forty', token: t.invalid },
				{ client: 'Eco Paints', token: '' },
			],
		});
		await n8n.importWorkflows([operationsWorkflow(), failingWorkflow(), report]);
		await double.clearRequests();
		const result = await n8n.execute('MetaTokenOps0001');
		if (!result.ok) throw new Error(`operations workflow failed:\n${result.output.slice(-6000)}`);
		ops = result.run;
		process.stdout.write(`n8n ${n8n.runtime.version}: setup + operations run in ${Date.now() - started} ms\n`);
	});

	afterAll(async () => {
		await n8n?.dispose();
		await double?.stop();
		await sink?.stop();
		await stopAll();
	});

	it('inspects valid, expiring, expired, invalid, page, system-user and never-expiring tokens', () => {
		const records = nodeItems(ops, 'Inspect each');
		const byLabel = Object.fromEntries(INSPECT_LABELS.map((label, i) => [label, records[i]]));
		expect(byLabel.valid).toMatchObject({ isValid: true, status: 'valid', type: 'USER', daysLeft: 49, missingScopes: [] });
		expect(byLabel.valid.tokenFingerprint).toBe(fingerprint(t.valid));
		expect(byLabel.expiring).toMatchObject({ isValid: true, status: 'expiring', daysLeft: 3 });
		expect(byLabel.expired).toMatchObject({ isValid: false, status: 'expired' });
		expect(byLabel.invalid).toMatchObject({ isValid: false, status: 'invalid' });
		expect(String((byLabel.invalid.error as { message: string }).message)).toMatch(/changed their password/);
		expect(byLabel.page).toMatchObject({ isValid: true, type: 'PAGE', profileId: '5550001', neverExpires: true, missingScopes: ['ads_read'] });
		expect(byLabel.systemUser).toMatchObject({ isValid: true, type: 'SYSTEM_USER', status: 'valid', daysLeft: 19 });
		expect(byLabel.neverExpiring).toMatchObject({ isValid: true, status: 'valid', neverExpires: true, daysLeft: null, expiresAt: null });
		// No output item ever carries a whole token.
		expect(JSON.stringify(records)).not.toContain(t.valid);
	});

	it('inspects a token with itself when the credential has no app secret', () => {
		const [record] = nodeItems(ops, 'Inspect own token');
		expect(record).toMatchObject({ isValid: true, type: 'PAGE', neverExpires: true, tokenFingerprint: fingerprint(t.page) });
	});

	it('inspects 200 tokens in batch calls of at most 50, a tenth of them first', async () => {
		const records = nodeItems(ops, 'Inspect bulk');
		expect(records).toHaveLength(200);
		expect(records.every((r) => r.isValid === true && r.status === 'valid')).toBe(true);
		expect(records.map((r) => r.tokenFingerprint)).toEqual(bulk.map(fingerprint));
		const inBulk = new Set(bulk);
		const bulkBatches = (await double.requests()).filter((r) => {
			if (r.path !== '/' || !r.form.batch) return false;
			const items = JSON.parse(r.form.batch) as Array<{ relative_url: string }>;
			return items.every((item) => inBulk.has(new URLSearchParams(item.relative_url.split('?')[1]).get('input_token') ?? ''));
		});
		// Until Meta's first answer says how much of the app's quota is used, a run risks a tenth of
		// it; then the rest goes in calls of 50: one call more than ⌈200 / 50⌉.
		expect(bulkBatches.map((r) => r.batchSize)).toEqual([20, 50, 50, 50, 30]);
	});

	it('exchanges a short-lived token for a long-lived one', async () => {
		const [item] = nodeItems(ops, 'Exchange');
		expect(item.expiresIn).toBe(5_184_000);
		expect(String(item.accessToken)).toMatch(/^EAA/);
		expect(item.accessToken).not.toBe(t.shortLived);
		const issued = (await double.requests()).find((r) => r.path === '/oauth/access_token' && r.query.fb_exchange_token === t.shortLived);
		expect(issued?.status).toBe(200);
	});

	it('refreshes an expiring system-user token for 60 days', () => {
		const [item] = nodeItems(ops, 'Refresh');
		expect(item.accessToken).not.toBe(t.expiringSystemUser);
		expect(Math.abs(Number(item.expiresIn) - 60 * DAY)).toBeLessThan(120);
	});

	it('generates a system-user token with an admin token', async () => {
		const [item] = nodeItems(ops, 'Generate');
		expect(String(item.accessToken)).toMatch(/^EAA/);
		const call = (await double.requests()).find((r) => r.path === '/7005/access_tokens');
		expect(call).toMatchObject({ method: 'POST', status: 200, callingToken: t.admin });
		expect(call?.form.scope).toBe('ads_read,ads_management');
	});

	it('lists every page token across two pages of /me/accounts', async () => {
		const pages = nodeItems(ops, 'Page tokens');
		expect(pages).toHaveLength(PAGE_COUNT);
		expect(pages[0]).toMatchObject({ pageId: '900000', name: 'Page 1', category: 'Retail' });
		expect(String(pages[119].accessToken)).toMatch(/^EAA/);
		const listCalls = (await double.requests()).filter((r) => r.path === '/me/accounts');
		expect(listCalls).toHaveLength(2);
		expect(listCalls[0].headers.authorization).toBe(`Bearer ${t.pagesUser}`);
		expect(listCalls[0].query.access_token).toBeUndefined();
	});

	it('revokes a user token', async () => {
		const [item] = nodeItems(ops, 'Revoke');
		expect(item).toMatchObject({ revoked: true, tokenFingerprint: fingerprint(t.revokeUser) });
		const call = (await double.requests()).find((r) => r.method === 'DELETE' && r.path === '/me/permissions');
		expect(call).toMatchObject({ status: 200, callingToken: t.revokeUser });
	});

	it('keeps going under Continue On Fail with mixed items', () => {
		const [good, expired, empty] = nodeItems(ops, 'Exchange mixed');
		expect(good.expiresIn).toBe(5_184_000);
		expect(expired.error).toMatchObject({ class: 'auth', reason: 'expired' });
		expect(String((expired.error as { message: string }).message)).toContain('The Meta access token has expired.');
		expect(empty.error).toMatchObject({ class: 'input' });
	});

	it('fails a run with the classified error message', async () => {
		const result = await n8n.execute('MetaTokenFail001');
		expect(result.ok).toBe(false);
		expect(result.output).toContain('The Meta access token has expired.');
		expect(result.output).not.toContain(t.expiredSystemUser);
	});

	it('runs the agency token health report example and posts its summary', async () => {
		const result = await n8n.execute('MetaTokenReport1');
		if (!result.ok) throw new Error(result.output.slice(-4000));
		const [summary] = nodeItems(result.run, 'Summarise');
		expect(summary).toMatchObject({ total: 5, needsAction: 4 });
		const text = sink.texts().at(-1) ?? '';
		expect(text).toContain('Meta token health: 5 tokens');
		expect(text).toContain('Bistro Bella: expiring (3 days left)');
		expect(text).toContain('Cycle Hub: expired');
		expect(text).toContain('Deli Forty: invalid');
		expect(text).toContain('Eco Paints: could not be checked');
		expect(text).not.toContain('Acme Shoes');
		for (const token of [t.valid, t.expiring, t.expired, t.invalid]) expect(text).not.toContain(token);
	});
});
