/**
 * The Meta Token node run through n8n-core's ExecuteContext and request helpers (our credential's
 * `authenticate` applied by n8n's `httpRequestWithAuthentication`), against the Graph API double
 * over real HTTP. Save to Credential: saveToCredential.test.ts.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { GraphDouble } from '../../tools/graph-double/GraphDouble';
import { runNode, testCredential, type CredentialStore } from '../../tools/n8n-harness/n8nHarness';
import { MetaToken } from '../../nodes/MetaToken/MetaToken.node';

const APP = { id: '1234567890', name: 'Reporting App', secret: 'app-secret-canary-7f3a9c' };
const DAY = 86_400;

let double: GraphDouble;
const node = new MetaToken();

beforeAll(async () => {
	double = await GraphDouble.start();
	double.addApp(APP);
});
afterAll(async () => await double.stop());
beforeEach(() => {
	double.clearFaults();
	double.clearRequests();
});

function metaCredentials(accessToken: string, extra: IDataObject = {}): CredentialStore {
	return {
		metaTokenApi: {
			accessToken,
			appId: APP.id,
			appSecret: APP.secret,
			graphApiVersion: 'v25.0',
			proofMode: 'auto',
			baseUrl: double.url,
			...extra,
		},
	};
}

function userToken(overrides: Partial<Parameters<GraphDouble['addToken']>[0]> = {}): string {
	return double.addToken({
		type: 'USER',
		appId: APP.id,
		userId: '10215241773831025',
		scopes: ['ads_read', 'ads_management', 'public_profile'],
		expiresAt: double.now() + 50 * DAY,
		dataAccessExpiresAt: double.now() + 80 * DAY,
		...overrides,
	});
}

const json = (items: INodeExecutionData[]) => items.map((item) => item.json);

/** Asserts that no whole secret appears anywhere in what the node produced. */
function expectNoSecrets(value: unknown, secrets: string[]) {
	const text = JSON.stringify(value);
	for (const secret of secrets) expect(text).not.toContain(secret);
}

describe('credential', () => {
	it('sends the token in the Authorization header with an appsecret_proof, never in the query', async () => {
		const token = userToken();
		await runNode(node, { parameters: { operation: 'inspect' }, credentials: metaCredentials(token) });
		const [request] = double.requests;
		expect(request.path).toBe('/debug_token');
		expect(request.headers.authorization).toBe(`Bearer ${APP.id}|${APP.secret}`);
		expect(request.query.access_token).toBeUndefined();
		expect(request.query.appsecret_proof).toMatch(/^[0-9a-f]{64}$/);
	});

	it('passes the credential test of a live token, sent by n8n itself with the app token and a proof', async () => {
		const token = userToken({ expiresAt: double.now() + 55 * DAY + 3600 });
		const result = await testCredential('metaTokenApi', { ...metaCredentials(` Bearer ${token} `).metaTokenApi });
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		const [request] = double.requests;
		expect(request.path).toBe('/debug_token');
		expect(request.query.input_token).toBe(token);
		expect(request.headers.authorization).toBe(`Bearer ${APP.id}|${APP.secret}`);
		expect(request.query.appsecret_proof).toMatch(/^[0-9a-f]{64}$/);
	});

	it('fails the credential test for a dead token with the reason and what to do', async () => {
		const token = userToken();
		double.invalidate(token, 'passwordChanged');
		const result = await testCredential('metaTokenApi', metaCredentials(token).metaTokenApi);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/changed their password.*Log in again and generate a new token/);
		expectNoSecrets(result, [token, APP.secret]);
	});

	it('fails the credential test of a dead token that inspects itself (no App Secret), no secret in the text', async () => {
		// What n8n then shows depends on the major (our 400 rule on 2.x, n8n's "Bad request" on 1.x):
		// e2e/credential-test.e2e.test.ts.
		const token = userToken({ expiresAt: double.now() - DAY });
		const result = await testCredential('metaTokenApi', metaCredentials(token, { appSecret: '' }).metaTokenApi);
		expect(result.status).toBe('Error');
		expectNoSecrets(result, [token, APP.secret]);
		expect(double.requests[0].headers.authorization).toBe(`Bearer ${token}`);
		expect(double.requests[0].query.appsecret_proof).toBeUndefined();
	});

	it('fails the credential test of a bad Base URL before sending anything, naming the field', async () => {
		const token = userToken();
		const result = await testCredential('metaTokenApi', metaCredentials(token, { baseUrl: 'http://graph.example.com' }).metaTokenApi);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/^Base URL may only be https:\/\/graph\.facebook\.com/);
		expect(double.requests).toHaveLength(0);
	});
});

describe('inspect', () => {
	it('returns the inspect record of a valid user token', async () => {
		const token = userToken({ expiresAt: double.now() + 30 * DAY + 60 });
		const [record] = json(
			await runNode(node, {
				parameters: { operation: 'inspect', options: { requiredScopes: 'ads_read, business_management' } },
				credentials: metaCredentials(token),
			}),
		);
		expect(record).toMatchObject({
			isValid: true,
			status: 'valid',
			neverExpires: false,
			type: 'USER',
			appId: APP.id,
			application: 'Reporting App',
			daysLeft: 30,
			missingScopes: ['business_management'],
			error: null,
		});
		expect(record.tokenHint).toBe(`${token.slice(0, 6)}…${token.slice(-4)}`);
		expectNoSecrets(record, [token, APP.secret]);
	});

	it('tells page, system-user and data-access-limited tokens apart', async () => {
		const now = double.now();
		const page = double.addToken({ type: 'PAGE', appId: APP.id, profileId: '555', expiresAt: 0 });
		const permanent = double.addToken({ type: 'SYSTEM_USER', appId: APP.id, userId: '61550000000009', expiresAt: 0 });
		const expiring = double.addToken({ type: 'SYSTEM_USER', appId: APP.id, userId: '61550000000010', expiringSystemUser: true, expiresAt: now + 5 * DAY + 60 });
		const dataAccess = userToken({ expiresAt: now + 40 * DAY, dataAccessExpiresAt: now + 20 * DAY + 60 });
		const records = json(
			await runNode(node, {
				parameters: { operation: 'inspect', tokenSource: 'input', token: '={{ $json.token }}' },
				items: [page, permanent, expiring, dataAccess].map((token) => ({ token })),
				credentials: metaCredentials('unused'),
			}),
		);
		expect(records[0]).toMatchObject({ type: 'PAGE', profileId: '555', status: 'valid', neverExpires: true, daysLeft: null, effectiveExpiresAt: null });
		expect(records[1]).toMatchObject({ type: 'SYSTEM_USER', status: 'valid', neverExpires: true, daysLeft: null });
		expect(records[2]).toMatchObject({ type: 'SYSTEM_USER', status: 'expiring', neverExpires: false, daysLeft: 5 });
		expect(records[3]).toMatchObject({ type: 'USER', status: 'valid', daysLeft: 20 });
		expect(records[3].effectiveExpiresAt).toBe(records[3].dataAccessExpiresAt);
	});

	it('marks a token dying within the window as expiring and one past its expiry as expired', async () => {
		const soon = userToken({ expiresAt: double.now() + 3 * DAY + 60 });
		const dataAccessSoon = userToken({ expiresAt: double.now() + 40 * DAY, dataAccessExpiresAt: double.now() + 2 * DAY + 60 });
		const gone = userToken({ expiresAt: double.now() + 60 });
		double.advance(120);
		const records = json(
			await runNode(node, {
				parameters: { operation: 'inspect', tokenSource: 'input', token: '={{ $json.token }}' },
				items: [{ token: soon }, { token: dataAccessSoon }, { token: gone }],
				credentials: metaCredentials('unused-credential-token'),
			}),
		);
		double.advance(-120);
		// The node counts days on n8n's clock; only the double's moved, so only `gone` has died.
		expect(records.map((r) => [r.status, r.daysLeft])).toEqual([
			['expiring', 3],
			['expiring', 2],
			['expired', 0],
		]);
		expect(records[1].effectiveExpiresAt).toBe(records[1].dataAccessExpiresAt);
	});

	it('reports an invalidated token as a result, with the reason, not as an error', async () => {
		const token = userToken();
		double.invalidate(token, 'passwordChanged');
		const [record] = json(await runNode(node, { parameters: { operation: 'inspect' }, credentials: metaCredentials(token) }));
		expect(record).toMatchObject({ isValid: false, status: 'invalid', error: { code: 190, subcode: 460 } });
		expectNoSecrets(record, [token, APP.secret]);
	});

	it('lets a token inspect itself when the credential has no app secret; a dead one is still a result', async () => {
		const alive = userToken();
		const dead = userToken();
		double.invalidate(dead, 'expired');
		const records = json(
			await runNode(node, {
				parameters: { operation: 'inspect', tokenSource: 'input', token: '={{ $json.token }}' },
				items: [{ token: alive }, { token: dead }],
				credentials: metaCredentials('unused', { appId: '', appSecret: '' }),
			}),
		);
		expect(records.map((r) => r.status)).toEqual(['valid', 'expired']);
		expect(double.requests.map((r) => r.callingToken)).toEqual([alive, dead]);
	});

	it('inspects 120 input tokens in batch calls (a tenth of them first) and keeps every item paired', async () => {
		const tokens = Array.from({ length: 120 }, (_, i) =>
			userToken({ expiresAt: double.now() + (i + 1) * DAY + 60, dataAccessExpiresAt: 0 }),
		);
		const output = await runNode(node, {
			parameters: { operation: 'inspect', tokenSource: 'input', token: '={{ $json.token }}', options: { concurrency: 2 } },
			items: tokens.map((token) => ({ token })),
			credentials: metaCredentials('unused'),
		});
		expect(double.requests.filter((r) => r.path === '/').map((r) => r.batchSize)).toEqual([12, 50, 50, 8]);
		expect(double.requests.filter((r) => r.path !== '/')).toHaveLength(0);
		expect(output.map((item) => item.pairedItem)).toEqual(tokens.map((_, item) => ({ item })));
		expect(output.map((item) => item.json.daysLeft)).toEqual(tokens.map((_, i) => i + 1));
		expectNoSecrets(json(output), [...tokens, APP.secret]);
	});

	it('inspects 1,000 input tokens in at most 20 batch calls, all of them answered', async () => {
		const tokens = Array.from({ length: 1000 }, () => userToken());
		const output = await runNode(node, {
			parameters: { operation: 'inspect', tokenSource: 'input', token: '={{ $json.token }}' },
			items: tokens.map((token) => ({ token })),
			credentials: metaCredentials('unused'),
		});
		const calls = double.requests;
		expect(calls.length).toBeLessThanOrEqual(20);
		expect(calls.every((r) => r.path === '/' && r.batchSize === 50)).toBe(true);
		expect(output.filter((item) => item.json.status === 'valid')).toHaveLength(1000);
	});

	it('inspects a token shared by many items once', async () => {
		const token = userToken();
		const output = await runNode(node, {
			parameters: { operation: 'inspect' },
			items: [{}, {}, {}],
			credentials: metaCredentials(token),
		});
		expect(output).toHaveLength(3);
		expect(double.requests).toHaveLength(1);
	});
});

describe('exchange, refresh and generate', () => {
	it('exchanges a short-lived user token for a long-lived one', async () => {
		const shortLived = userToken({ expiresAt: double.now() + 3600 });
		const before = Date.now();
		const [result] = json(await runNode(node, { parameters: { operation: 'exchange' }, credentials: metaCredentials(shortLived) }));
		expect(result.accessToken).toEqual(expect.any(String));
		expect(result.accessToken).not.toBe(shortLived);
		expect(result.tokenType).toBe('bearer');
		expect(result.expiresIn).toBeGreaterThan(5_000_000);
		const expiresAt = Date.parse(result.expiresAt as string);
		expect(expiresAt).toBeGreaterThanOrEqual(before + (result.expiresIn as number) * 1000 - 1000);
		expect(result.tokenHint).toBe(`${(result.accessToken as string).slice(0, 6)}…${(result.accessToken as string).slice(-4)}`);
		expect(double.token(result.accessToken as string)?.type).toBe('USER');
		const exchange = double.requests.find((r) => r.path === '/oauth/access_token');
		expect(exchange?.query).toMatchObject({ grant_type: 'fb_exchange_token', client_id: APP.id });
	});

	it('needs the App Secret to exchange and says so, naming the field', async () => {
		const shortLived = userToken({ expiresAt: double.now() + 3600 });
		await expect(
			runNode(node, { parameters: { operation: 'exchange' }, credentials: metaCredentials(shortLived, { appSecret: '' }) }),
		).rejects.toThrow(/App Secret/);
		expect(double.requests).toHaveLength(0);
	});

	it('refreshes an expiring system-user token for another 60 days', async () => {
		const token = double.addToken({ type: 'SYSTEM_USER', appId: APP.id, userId: '61550000000001', expiringSystemUser: true, expiresAt: double.now() + 5 * DAY, scopes: ['ads_read'] });
		const [result] = json(await runNode(node, { parameters: { operation: 'refreshSystemUserToken' }, credentials: metaCredentials(token) }));
		const minted = double.token(result.accessToken as string);
		expect(minted?.type).toBe('SYSTEM_USER');
		expect(minted?.expiresAt).toBe(double.now() + 60 * DAY);
		expect(result.expiresIn).toBe(60 * DAY);
		// Inspected first (never-expiring tokens are refused), then refreshed.
		expect(double.requests.map((request) => request.path)).toEqual(['/debug_token', '/oauth/access_token']);
		expect(double.requests[1].query.set_token_expires_in_60_days).toBe('true');
	});

	it('generates a system-user token with the admin token, always with a proof', async () => {
		const admin = double.addToken({ type: 'USER', appId: APP.id, userId: '42', scopes: ['business_management'], expiresAt: 0 });
		const [result] = json(
			await runNode(node, {
				parameters: { operation: 'generateSystemUserToken', systemUserId: '61550000000002', scopes: 'ads_read, ads_management', expiring: true },
				credentials: metaCredentials(admin),
			}),
		);
		const minted = double.token(result.accessToken as string);
		expect(minted).toMatchObject({ type: 'SYSTEM_USER', scopes: ['ads_read', 'ads_management'] });
		const [request] = double.requests;
		expect(request.path).toBe('/61550000000002/access_tokens');
		expect(request.form).toMatchObject({ business_app: APP.id, scope: 'ads_read,ads_management', set_token_expires_in_60_days: 'true' });
		expect(request.query.appsecret_proof ?? request.form.appsecret_proof).toMatch(/^[0-9a-f]{64}$/);
	});
});

describe('page tokens and revoke', () => {
	it('lists every page of /me/accounts as one item per Page', async () => {
		// More Pages than one answer holds (the client asks for 100 at a time), so paging is followed.
		const pages = Array.from({ length: 130 }, (_, i) => ({ id: `${1000 + i}`, name: `Page ${i}`, category: 'Brand', tasks: ['ADVERTISE'] }));
		const token = userToken({ pages, expiresAt: 0 });
		const output = json(await runNode(node, { parameters: { operation: 'getPageTokens' }, credentials: metaCredentials(token) }));
		expect(output).toHaveLength(130);
		expect(new Set(output.map((page) => page.pageId)).size).toBe(130);
		expect(output[129]).toMatchObject({ pageId: '1129', name: 'Page 129', category: 'Brand', tasks: ['ADVERTISE'] });
		expect(double.token(output[0].accessToken as string)?.type).toBe('PAGE');
		expect(double.requests.filter((r) => r.path === '/me/accounts')).toHaveLength(2);
		for (const request of double.requests) expect(request.query.access_token).toBeUndefined();
	});

	it('revokes a user token through DELETE /me/permissions', async () => {
		const token = userToken();
		const [result] = json(await runNode(node, { parameters: { operation: 'revoke' }, credentials: metaCredentials(token) }));
		expect(result).toEqual({ revoked: true, tokenFingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) });
		expect(double.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /debug_token', 'DELETE /me/permissions']);
		expect(double.token(token)?.invalid).toBeDefined();
	});

	it('revokes a system-user token through oauth/revoke', async () => {
		const token = double.addToken({ type: 'SYSTEM_USER', appId: APP.id, userId: '61550000000003', scopes: ['ads_read'] });
		await runNode(node, { parameters: { operation: 'revoke', tokenType: 'SYSTEM_USER' }, credentials: metaCredentials(token) });
		expect(double.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /oauth/revoke']);
		expect(double.token(token)?.invalid).toBeDefined();
	});
});

describe('failures', () => {
	it.each([
		[{ type: 'graphError' as const, code: 190, subcode: 460 }, 'auth', 'passwordChanged'],
		[{ type: 'graphError' as const, code: 200, message: '(#200) Requires business_management permission to manage the object' }, 'permission', null],
		[{ type: 'graphError' as const, code: 100, message: 'API calls from the server require an appsecret_proof argument' }, 'proofRequired', null],
		[{ type: 'graphError' as const, code: 368, message: 'The action attempted has been deemed abusive' }, 'policy', null],
		[{ type: 'graphError' as const, code: 100, message: 'Invalid parameter' }, 'badRequest', null],
	])('classifies %j under Continue On Fail', async (fault, errorClass, reason) => {
		const token = userToken({ expiresAt: double.now() + 3600 });
		double.injectFault({ fault, path: '/oauth/access_token', times: Infinity });
		const [item] = await runNode(node, { parameters: { operation: 'exchange' }, credentials: metaCredentials(token), continueOnFail: true });
		expect(item.json.error).toMatchObject({ class: errorClass, reason });
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(double.requests.filter((r) => r.path === '/oauth/access_token')).toHaveLength(1);
		expectNoSecrets(item.json, [token, APP.secret]);
	});

	it('keeps going under Continue On Fail with mixed good and bad items', async () => {
		const good = userToken({ expiresAt: double.now() + 3600 });
		const expired = userToken({ expiresAt: double.now() + 3600 });
		double.invalidate(expired, 'expired');
		const output = await runNode(node, {
			parameters: { operation: 'exchange', tokenSource: 'input', token: '={{ $json.token }}' },
			items: [{ token: good }, { token: '' }, { token: 'EAAbad token' }, { token: expired }, { token: `Bearer ${good}\n` }],
			credentials: metaCredentials('unused'),
			continueOnFail: true,
		});
		expect(output.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3, 4].map((item) => ({ item })));
		expect(output.map((item) => (item.json.error as IDataObject | undefined)?.class ?? 'ok')).toEqual(['ok', 'input', 'input', 'auth', 'ok']);
		expect((output[1].json.error as IDataObject).message).toMatch(/^Token is empty/);
		expect((output[3].json.error as IDataObject).reason).toBe('expired');
		expectNoSecrets(output.map((item) => item.json.error), [good, expired, APP.secret]);
	});

	it('stops at the first failure without Continue On Fail, with the classified message and no token', async () => {
		const token = userToken({ expiresAt: double.now() + 3600 });
		double.invalidate(token, 'passwordChanged');
		const failure = runNode(node, { parameters: { operation: 'exchange' }, credentials: metaCredentials(token) });
		await expect(failure).rejects.toMatchObject({ name: 'NodeApiError' });
		const error = (await failure.catch((e: unknown) => e)) as Error & { description?: string };
		expect(error.message).toMatch(/password/i);
		expectNoSecrets([error.message, error.description], [token, APP.secret]);
	});

	it('retries a rate-limited call and then succeeds', async () => {
		const token = userToken();
		double.injectFault({ fault: { type: 'rateLimit', code: 4 }, path: '/debug_token', times: 1 });
		const [record] = json(await runNode(node, { parameters: { operation: 'inspect' }, credentials: metaCredentials(token) }));
		expect(record.status).toBe('valid');
		// Meta answers code 4 with HTTP 403 here; the client went by the code and tried again.
		expect(double.requests.map((r) => r.status)).toEqual([403, 200]);
	});

	it('turns a connection reset into a network error', async () => {
		const token = userToken({ expiresAt: double.now() + 3600 });
		double.injectFault({ fault: { type: 'reset' }, path: '/oauth/access_token', times: Infinity });
		const output = await runNode(node, { parameters: { operation: 'exchange' }, credentials: metaCredentials(token), continueOnFail: true });
		expect(output[0].json.error).toMatchObject({ class: 'network' });
		expectNoSecrets(output[0].json, [token, APP.secret]);
	}, 30_000);
});
