/** The endpoints: what each one asks, with which token, and what it makes of the answer. */
import { GraphClient, type GraphClientOptions } from '../../nodes/graph/GraphClient';
import { GraphError } from '../../nodes/graph/GraphError';
import type { GraphRequestLogEntry } from '../../nodes/graph/sender';
import type { GraphHttpRequest } from '../../nodes/graph/http';
import { authorizedTransport } from '../support/fetchTransport';
import { APP_ID, APP_SECRET, APP_TOKEN, batchForm, failure, FakeTransport, graphError, harness, inspectAll, json, raw, type Reply, type Route, runBatch, START } from './fakes';

describe('appToken', () => {
	it('is id|secret when both are set', () => {
		expect(harness(new FakeTransport()).client.appToken()).toBe(APP_TOKEN);
		expect(harness(new FakeTransport(), { appSecret: undefined }).client.appToken()).toBeUndefined();
		expect(harness(new FakeTransport(), { appId: '  ' }).client.appToken()).toBeUndefined();
	});
});

describe('secrets', () => {
	it('are the app secret, the app token and the given secrets, trimmed, none empty', () => {
		const { client } = harness(new FakeTransport(), { appId: ` ${APP_ID} `, appSecret: ` ${APP_SECRET}\n`, secrets: ['  EAAgiven  ', ' ', ''] });
		expect(client.secrets()).toEqual([APP_SECRET, APP_TOKEN, 'EAAgiven']);
		expect(harness(new FakeTransport(), { appSecret: '  ' }).client.secrets()).toEqual([]);
	});

	it('are copies: changing one changes nothing in the client', () => {
		const { client } = harness(new FakeTransport());
		client.secrets().push('x');
		expect(client.secrets()).toEqual([APP_SECRET, APP_TOKEN]);
	});
});

describe('inspectToken', () => {
	const data = { app_id: APP_ID, type: 'USER', is_valid: true, expires_at: 0 };

	it('inspects with the app token when the credential has one', async () => {
		const { client, fake } = harness(new FakeTransport().reply(json({ data })));
		await expect(client.inspectToken('EAAinputTokenValue')).resolves.toEqual({ ok: true, data });
		expect(fake.requests[0].headers).toEqual({ Authorization: `Bearer ${APP_TOKEN}` });
	});

	it('else lets the token inspect itself, and says so when that fails', async () => {
		const { client, fake } = harness(new FakeTransport().reply(graphError(190, { subcode: 463, message: 'Session has expired' })), {
			appSecret: undefined,
		});
		const inspection = await client.inspectToken('EAAinputTokenValue');
		expect(fake.requests[0].headers).toEqual({ Authorization: 'Bearer EAAinputTokenValue' });
		expect(inspection).toMatchObject({ ok: false, selfInspected: true });
		expect(!inspection.ok && inspection.error).toBeInstanceOf(GraphError);
		expect(!inspection.ok && (inspection.error as GraphError).errorClass).toBe('auth');
	});

	it('never throws: a refused app token is a failure that did not inspect itself', async () => {
		const { client } = harness(new FakeTransport().reply(graphError(190, { message: 'Invalid OAuth access token' })));
		const inspection = await client.inspectToken('EAAinputTokenValue');
		expect(inspection).toMatchObject({ ok: false, selfInspected: false });
	});
});

describe('debugToken', () => {
	const data = {
		app_id: APP_ID,
		type: 'USER',
		is_valid: false,
		expires_at: 0,
		granular_scopes: [{ scope: 'ads_read', target_ids: [1, '2'] }, { scope: 'public_profile' }],
		error: { code: 190, subcode: 463, message: 'Session has expired for EAAinputTokenValue' },
	};

	it('inspects with the app token and returns data even when the token is dead', async () => {
		const { client, fake } = harness(new FakeTransport().reply(json({ data })));
		const result = await client.debugToken('EAAinputTokenValue');
		expect(fake.requests[0]).toMatchObject({
			url: 'https://graph.facebook.com/v25.0/debug_token',
			qs: { input_token: 'EAAinputTokenValue' },
			headers: { Authorization: `Bearer ${APP_TOKEN}` },
		});
		expect(result.is_valid).toBe(false);
		expect(result.expires_at).toBe(0);
		expect(result.granular_scopes).toEqual([{ scope: 'ads_read', target_ids: ['1', '2'] }, { scope: 'public_profile' }]);
		expect(result.error?.message).toBe('Session has expired for [redacted]');
	});

	it('uses the given token, or the credential token when no app token is known', async () => {
		const withToken = harness(new FakeTransport().reply(json({ data })));
		await withToken.client.debugToken('EAAx', { accessToken: 'EAAcaller' });
		expect(withToken.fake.requests[0].headers).toEqual({ Authorization: 'Bearer EAAcaller' });

		const noApp = harness(new FakeTransport().reply(json({ data })), { appSecret: undefined });
		await noApp.client.debugToken('EAAx');
		expect(noApp.fake.requests[0].headers).toEqual({});
	});

	it('fails with badResponse when the answer has no data', async () => {
		const { client } = harness(new FakeTransport().reply(json({ is_valid: true })));
		const error = await failure(client.debugToken('EAAx'));
		expect(error.errorClass).toBe('badResponse');
		expect(error.message).toContain('"data"');
	});

	it('throws the classified error of the calling token', async () => {
		const { client } = harness(new FakeTransport().reply(graphError(190, { subcode: 467 })));
		const error = await failure(client.debugToken('EAAx'));
		expect(error.reason).toBe('invalid');
	});
});

describe('exchangeToken and refreshSystemUserToken', () => {
	it('exchanges with the app credentials, signed by the token being exchanged', async () => {
		const { client, fake } = harness(
			new FakeTransport().reply(json({ access_token: 'EAAlong', token_type: 'bearer', expires_in: 5183944 })),
		);
		await expect(client.exchangeToken('EAAshort')).resolves.toEqual({
			access_token: 'EAAlong',
			token_type: 'bearer',
			expires_in: 5183944,
		});
		expect(fake.requests[0]).toMatchObject({
			method: 'GET',
			url: 'https://graph.facebook.com/v25.0/oauth/access_token',
			qs: {
				grant_type: 'fb_exchange_token',
				client_id: APP_ID,
				client_secret: APP_SECRET,
				fb_exchange_token: 'EAAshort',
			},
			headers: { Authorization: 'Bearer EAAshort' },
		});
	});

	it('leaves expires_in out when Meta leaves it out, and reads it from a string', async () => {
		const { client } = harness(
			new FakeTransport().reply(json({ access_token: 'EAAlong' }), json({ access_token: 'EAAlong', expires_in: '60' })),
		);
		await expect(client.exchangeToken('EAAshort')).resolves.toEqual({ access_token: 'EAAlong' });
		await expect(client.exchangeToken('EAAshort')).resolves.toEqual({ access_token: 'EAAlong', expires_in: 60 });
	});

	it('refreshes a system-user token for 60 days', async () => {
		const { client, fake } = harness(new FakeTransport().reply(json({ access_token: 'EAAnew', expires_in: 5183944 })));
		await client.refreshSystemUserToken('EAAsystem');
		expect(fake.requests[0].qs).toEqual({
			grant_type: 'fb_exchange_token',
			client_id: APP_ID,
			client_secret: APP_SECRET,
			fb_exchange_token: 'EAAsystem',
			set_token_expires_in_60_days: 'true',
		});
	});

	it.each<[Partial<GraphClientOptions>, string[], string[]]>([
		[{ appId: undefined }, ["'App ID'"], ["'App Secret'"]],
		[{ appSecret: undefined }, ["'App Secret'"], ["'App ID'"]],
		[{ appId: undefined, appSecret: '' }, ["'App ID' and 'App Secret'"], []],
	])('without %j fails before calling, naming the missing fields', async (options, named, notNamed) => {
		const { client, fake } = harness(new FakeTransport(), options);
		for (const attempt of [client.exchangeToken('EAAx'), client.refreshSystemUserToken('EAAx')]) {
			const error = await failure(attempt);
			expect(error.errorClass).toBe('badRequest');
			expect(error.reason).toBeUndefined();
			for (const field of named) expect(error.message).toContain(field);
			for (const field of notNamed) expect(error.message).not.toContain(field);
		}
		expect(fake.requests).toHaveLength(0);
	});

	it('fails with badResponse when the answer has no token', async () => {
		const { client } = harness(new FakeTransport().reply(json({ token_type: 'bearer' })));
		expect((await failure(client.exchangeToken('EAAx'))).errorClass).toBe('badResponse');
	});

	it('passes on an expired input token as auth/expired', async () => {
		const { client, fake } = harness(new FakeTransport().reply(graphError(190, { subcode: 463 })));
		expect((await failure(client.exchangeToken('EAAx'))).reason).toBe('expired');
		expect(fake.requests).toHaveLength(1);
	});
});

describe('generateSystemUserToken', () => {
	it('posts business_app and scopes, with the 60-day flag when expiring', async () => {
		const { client, fake } = harness(new FakeTransport().reply(json({ access_token: 'EAAsu' })));
		await expect(
			client.generateSystemUserToken({
				systemUserId: '61550000000001',
				scopes: ['ads_read', ' ads_management '],
				expiring: true,
				adminToken: 'EAAadmin',
			}),
		).resolves.toEqual({ access_token: 'EAAsu' });
		expect(fake.requests[0]).toMatchObject({
			method: 'POST',
			url: 'https://graph.facebook.com/v25.0/61550000000001/access_tokens',
			form: { business_app: APP_ID, scope: 'ads_read,ads_management', set_token_expires_in_60_days: 'true' },
			headers: { Authorization: 'Bearer EAAadmin' },
		});
	});

	it('leaves the flag out for a permanent token and runs with the credential token by default', async () => {
		const { client, fake } = harness(new FakeTransport().reply(json({ access_token: 'EAAsu' })));
		await client.generateSystemUserToken({ systemUserId: '1', scopes: ['ads_read'], expiring: false });
		expect(fake.requests[0].form).toEqual({ business_app: APP_ID, scope: 'ads_read' });
		expect(fake.requests[0].headers).toEqual({});
	});

	it('needs the App Secret (Meta always demands a proof here)', async () => {
		const { client, fake } = harness(new FakeTransport(), { appSecret: undefined });
		const error = await failure(client.generateSystemUserToken({ systemUserId: '1', scopes: ['ads_read'], expiring: true }));
		expect(error.errorClass).toBe('badRequest');
		expect(error.message).toContain("'App Secret'");
		expect(fake.requests).toHaveLength(0);
	});

	it('needs a system user and a scope', async () => {
		const { client, fake } = harness(new FakeTransport());
		for (const opts of [
			{ systemUserId: ' ', scopes: ['ads_read'], expiring: true },
			{ systemUserId: '1', scopes: [' '], expiring: true },
		]) {
			expect((await failure(client.generateSystemUserToken(opts))).errorClass).toBe('badRequest');
		}
		expect(fake.requests).toHaveLength(0);
	});

	it('passes on a missing proof as proofRequired', async () => {
		const { client } = harness(
			new FakeTransport().reply(graphError(100, { message: 'API calls from the server require an appsecret_proof argument' })),
		);
		const error = await failure(client.generateSystemUserToken({ systemUserId: '1', scopes: ['ads_read'], expiring: true }));
		expect(error.errorClass).toBe('proofRequired');
	});
});

describe('getPageAccounts', () => {
	const page = (id: string) => ({ id, name: `Page ${id}`, category: 'Brand', access_token: `EAApage${id}`, tasks: ['ADVERTISE', 7] });

	it('follows the after cursor on its own URL, never Meta`s next link', async () => {
		const fake = new FakeTransport().reply(
			json({
				data: [page('1'), page('2')],
				paging: { cursors: { before: 'b0', after: 'c1' }, next: 'https://evil.example/v25.0/me/accounts?access_token=EAAleak&after=c1' },
			}),
			json({ data: [page('3')], paging: { cursors: { before: 'c1', after: 'c2' } } }),
		);
		const { client } = harness(fake);
		const pages = await client.getPageAccounts({ accessToken: 'EAAuser', pageSize: 2 });
		expect(pages).toEqual([
			{ id: '1', name: 'Page 1', category: 'Brand', access_token: 'EAApage1', tasks: ['ADVERTISE'] },
			{ id: '2', name: 'Page 2', category: 'Brand', access_token: 'EAApage2', tasks: ['ADVERTISE'] },
			{ id: '3', name: 'Page 3', category: 'Brand', access_token: 'EAApage3', tasks: ['ADVERTISE'] },
		]);
		expect(fake.requests.map((request) => [request.url, request.qs, request.headers])).toEqual([
			[
				'https://graph.facebook.com/v25.0/me/accounts',
				{ fields: 'id,name,category,access_token,tasks', limit: '2' },
				{ Authorization: 'Bearer EAAuser' },
			],
			[
				'https://graph.facebook.com/v25.0/me/accounts',
				{ fields: 'id,name,category,access_token,tasks', limit: '2', after: 'c1' },
				{ Authorization: 'Bearer EAAuser' },
			],
		]);
	});

	it('stops when a cursor comes back a second time', async () => {
		const fake = new FakeTransport().reply(
			json({ data: [page('1')], paging: { cursors: { after: 'same' }, next: 'n' } }),
			json({ data: [page('2')], paging: { cursors: { after: 'same' }, next: 'n' } }),
		);
		const { client } = harness(fake);
		expect((await client.getPageAccounts()).map((account) => account.id)).toEqual(['1', '2']);
		expect(fake.requests).toHaveLength(2);
	});

	it('stops after 100 pages of a server that never stops paging', async () => {
		let cursor = 0;
		const fake = new FakeTransport(() => json({ data: [page(String(cursor))], paging: { cursors: { after: `c${++cursor}` }, next: 'n' } }));
		const { client } = harness(fake);
		expect(await client.getPageAccounts()).toHaveLength(100);
		expect(fake.requests).toHaveLength(100);
	});

	it('skips items without an id and fails on an answer without data', async () => {
		const ok = harness(new FakeTransport().reply(json({ data: [{ name: 'no id' }, { id: 5 }, 'junk'] })));
		await expect(ok.client.getPageAccounts()).resolves.toEqual([{ id: '5' }]);
		const bad = harness(new FakeTransport().reply(json({ pages: [] })));
		expect((await failure(bad.client.getPageAccounts())).errorClass).toBe('badResponse');
	});

	it('passes on a missing Page role as auth/noPageRole', async () => {
		const { client } = harness(new FakeTransport().reply(graphError(190, { subcode: 492 })));
		expect((await failure(client.getPageAccounts())).reason).toBe('noPageRole');
	});
});

describe('revoking', () => {
	it('revokeUserToken deletes /me/permissions with the token', async () => {
		const { client, fake } = harness(new FakeTransport().reply(json({ success: true }), json(true)));
		await client.revokeUserToken('EAAuser');
		await client.revokeUserToken();
		expect(fake.requests.map((request) => [request.method, request.url, request.headers])).toEqual([
			['DELETE', 'https://graph.facebook.com/v25.0/me/permissions', { Authorization: 'Bearer EAAuser' }],
			['DELETE', 'https://graph.facebook.com/v25.0/me/permissions', {}],
		]);
	});

	it('revokeSystemUserToken accepts success as "true" or true', async () => {
		const { client, fake } = harness(new FakeTransport().reply(json({ success: 'true' }), json({ success: true })));
		await client.revokeSystemUserToken('EAAsu');
		await client.revokeSystemUserToken('EAAsu', { accessToken: 'EAAadmin' });
		expect(fake.requests[0]).toMatchObject({
			method: 'GET',
			url: 'https://graph.facebook.com/v25.0/oauth/revoke',
			qs: { client_id: APP_ID, client_secret: APP_SECRET, revoke_token: 'EAAsu' },
			headers: {},
		});
		expect(fake.requests[1].headers).toEqual({ Authorization: 'Bearer EAAadmin' });
	});

	it('fails with badResponse when Meta does not confirm', async () => {
		const { client } = harness(new FakeTransport().reply(json({ success: false })));
		expect((await failure(client.revokeUserToken('EAAuser'))).errorClass).toBe('badResponse');
		expect((await failure(client.revokeSystemUserToken('EAAsu'))).errorClass).toBe('badResponse');
	});

	it('revokeSystemUserToken needs the app credentials', async () => {
		const { client } = harness(new FakeTransport(), { appId: undefined });
		expect((await failure(client.revokeSystemUserToken('EAAsu'))).message).toContain("'App ID'");
	});
});

describe('redaction canary', () => {
	// Unique strings that must never come out of the client. The token shapes are deliberately
	// not Meta-like, so only the client's own bookkeeping of secrets can catch them.
	const CREDENTIAL_TOKEN = 'canaryDummyCredential0001';
	const SECRET = 'canaryDummyAppSecret0002';
	const INPUT = 'canaryDummyInput0003';
	const SHORT = 'canaryDummyShort0004';
	const ADMIN = 'canaryDummyAdmin0005';
	const REVOKE = 'canaryDummyRevoke0006';
	const CANARIES = [CREDENTIAL_TOKEN, SECRET, INPUT, SHORT, ADMIN, REVOKE];
	/** Each canary must not appear raw, URL-encoded, or as part of the app token. */
	const forbidden = [...CANARIES, ...CANARIES.map(encodeURIComponent), `${APP_ID}|${SECRET}`];

	/** Echoes the whole signed request back inside Meta's message, the HTML, or the rejection. */
	function echo(request: GraphHttpRequest): string {
		return `${JSON.stringify(request)} ${new URLSearchParams(request.qs).toString()} ${new URLSearchParams(request.form ?? {}).toString()}`;
	}

	const faults: Array<[string, (request: GraphHttpRequest) => Reply]> = [
		['auth', (request) => graphError(190, { subcode: 463, message: echo(request) })],
		['permission', (request) => graphError(200, { message: echo(request) })],
		['proofRequired', (request) => graphError(100, { message: `Invalid appsecret_proof ${echo(request)}` })],
		['rateLimit', (request) => graphError(4, { message: echo(request) })],
		['transient', (request) => graphError(2, { status: 500, message: echo(request) })],
		['badRequest', (request) => graphError(100, { message: echo(request) })],
		['policy', (request) => graphError(368, { message: echo(request) })],
		['network', (request) => Object.assign(new Error(echo(request)), { code: echo(request) })],
		['html', (request) => raw(200, `<html>${echo(request)}</html>`)],
		['html 5xx', (request) => raw(502, `<html>${echo(request)}</html>`)],
		['malformed', (request) => raw(200, `{${echo(request)}`, 'application/json')],
		['no envelope', (request) => json({ echo: echo(request) }, 404)],
		['unexpected shape', (request) => json({ echo: echo(request) })],
	];

	it.each(faults)('keeps every secret out of %s failures of every operation', async (_name, fault) => {
		const log: GraphRequestLogEntry[] = [];
		const route: Route = (request) =>
			// Batch calls answer with items carrying the fault, then fall back to single calls.
			request.form?.batch
				? json(batchForm(request).map(() => {
					const reply = fault(request);
					return reply instanceof Error ? null : { code: reply.statusCode, body: reply.body };
				}))
				: fault(request);
		const client = new GraphClient({
			transport: authorizedTransport(
				{ accessToken: CREDENTIAL_TOKEN, appId: APP_ID, appSecret: SECRET, proofMode: 'auto' },
				new FakeTransport(route).transport,
				() => START,
			),
			appId: APP_ID,
			appSecret: SECRET,
			secrets: [CREDENTIAL_TOKEN],
			sleep: async () => undefined,
			maxAttempts: 2,
			onRequest: (entry) => log.push(entry),
		});

		const errors: GraphError[] = [];
		const collect = async (promise: Promise<unknown>): Promise<void> => {
			try {
				await promise;
			} catch (error) {
				expect(error).toBeInstanceOf(GraphError);
				errors.push(error as GraphError);
			}
		};
		await collect(client.debugToken(INPUT));
		await collect(client.exchangeToken(SHORT));
		await collect(client.refreshSystemUserToken(SHORT));
		await collect(client.generateSystemUserToken({ systemUserId: '1', scopes: ['ads_read'], expiring: true, adminToken: ADMIN }));
		await collect(client.getPageAccounts({ accessToken: ADMIN }));
		await collect(client.revokeUserToken(REVOKE));
		await collect(client.revokeSystemUserToken(REVOKE, { accessToken: ADMIN }));
		for (const result of await inspectAll(client, [INPUT, SHORT])) if (!result.ok) errors.push(result.error);
		for (const result of await runBatch(client, [{ method: 'GET', relativeUrl: `debug_token?input_token=${INPUT}` }])) {
			if (!result.ok) errors.push(result.error);
		}

		expect(errors.length).toBeGreaterThanOrEqual(8);
		const texts = errors.flatMap((error) => [
			error.message,
			error.description,
			error.metaMessage ?? '',
			error.stack ?? '',
			JSON.stringify(error),
			JSON.stringify({ ...error }),
		]);
		texts.push(...log.map((entry) => entry.url));
		for (const text of texts) {
			for (const secret of forbidden) expect(text).not.toContain(secret);
		}
	});
});
