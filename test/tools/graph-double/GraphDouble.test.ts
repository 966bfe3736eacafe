import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { appsecretProof, timestampedAppsecretProof } from '../../../nodes/graph/proof';
import type { DebugTokenData } from '../../../nodes/meta/types';
import { parseArgs, startFromCli } from '../../../tools/graph-double/cli';
import { type DoubleApp, type DoubleTokenSpec, GraphDouble, type LoggedRequest } from '../../../tools/graph-double/GraphDouble';

const VERSION = 'v25.0';
/** The reference's example issued_at: a fixed clock keeps expiry arithmetic exact. */
const T0 = 1_788_393_600;
const SIXTY_DAYS = 5_184_000;

const APP: DoubleApp = { id: '1234567890', name: 'Reporting App', secret: 'app-secret' };
const STRICT: DoubleApp = {
	id: '2222222222',
	name: 'Strict App',
	secret: 'strict-secret',
	requireAppSecret: true,
};
const OTHER: DoubleApp = { id: '3333333333', name: 'Other App', secret: 'other-secret' };
const APP_TOKEN = `${APP.id}|${APP.secret}`;
const USER_ID = '10215241773831025';

interface GraphErrorJson {
	message: string;
	type: string;
	code: number;
	error_subcode?: number;
	fbtrace_id: string;
	is_transient: boolean;
}

interface Reply {
	status: number;
	headers: Headers;
	text: string;
	json: unknown;
}

interface Call {
	method?: string;
	bearer?: string;
	query?: Record<string, string>;
	/** Sent form-encoded; the method then defaults to POST. */
	form?: Record<string, string>;
	/** Default VERSION; null sends an unversioned call. */
	version?: string | null;
	signal?: AbortSignal;
}

interface BatchItem {
	code: number;
	headers?: Array<{ name: string; value: string }>;
	body: string;
}

interface Accounts {
	data: Array<Record<string, unknown>>;
	paging?: { cursors: { before: string; after: string }; next?: string };
}

let double: GraphDouble;

async function graph(path: string, call: Call = {}): Promise<Reply> {
	const prefix = call.version === null ? '' : `/${call.version ?? VERSION}`;
	const url = new URL(`${double.url}${prefix}${path}`);
	for (const [name, value] of Object.entries(call.query ?? {})) url.searchParams.set(name, value);
	const response = await fetch(url, {
		method: call.method ?? (call.form ? 'POST' : 'GET'),
		headers: call.bearer ? { authorization: `Bearer ${call.bearer}` } : {},
		body: call.form ? new URLSearchParams(call.form) : undefined,
		signal: call.signal,
	});
	const text = await response.text();
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: response.status, headers: response.headers, text, json };
}

const errorOf = (reply: Reply): GraphErrorJson => (reply.json as { error: GraphErrorJson }).error;

/** GET /debug_token?input_token=… called with `caller`. */
function debugCall(caller: string, inputToken: string): Promise<Reply> {
	return graph('/debug_token', { bearer: caller, query: { input_token: inputToken } });
}

/** debug_token's `data`, asserting the HTTP 200 it always comes with. */
async function debug(inputToken: string, caller = APP_TOKEN): Promise<DebugTokenData> {
	const reply = await debugCall(caller, inputToken);
	expect(reply.status).toBe(200);
	return (reply.json as { data: DebugTokenData }).data;
}

function addUser(spec: Partial<DoubleTokenSpec> = {}): string {
	return double.addToken({
		type: 'USER',
		appId: APP.id,
		userId: USER_ID,
		scopes: ['ads_read', 'public_profile'],
		expiresAt: T0 + SIXTY_DAYS,
		...spec,
	});
}

function batch(items: unknown[], bearer: string, extra: Record<string, string> = {}): Promise<Reply> {
	return graph('/', { bearer, form: { batch: JSON.stringify(items), ...extra } });
}

const debugItem = (token: string) => ({
	method: 'GET',
	relative_url: `debug_token?input_token=${token}`,
});

beforeAll(async () => {
	double = await GraphDouble.start({ now: T0 });
	for (const app of [APP, STRICT, OTHER]) double.addApp(app);
});

afterAll(async () => {
	await double.stop();
});

beforeEach(() => {
	double.setNow(T0);
	double.clearFaults();
	double.clearRequests();
	double.setQuota(null);
	double.setLatency(0);
});

describe('server', () => {
	it('listens on an ephemeral 127.0.0.1 port and stops cleanly', async () => {
		const second = await GraphDouble.start();
		expect(second.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		expect(second.url).not.toBe(double.url);
		// The clock defaults to real time at start, then stands still.
		expect(Math.abs(second.now() - Date.now() / 1000)).toBeLessThan(5);
		expect((await fetch(`${second.url}/${VERSION}/debug_token`)).status).toBe(400);
		await second.stop();
		await expect(fetch(`${second.url}/${VERSION}/debug_token`)).rejects.toThrow();
		await second.stop();
	});

	it('adds usage, trace id and version headers to Graph answers', async () => {
		const reply = await debugCall(APP_TOKEN, APP_TOKEN);
		expect(reply.headers.get('content-type')).toBe('application/json; charset=UTF-8');
		expect(JSON.parse(reply.headers.get('x-app-usage') ?? '')).toEqual({
			call_count: 1,
			total_time: 1,
			total_cputime: 1,
		});
		expect(reply.headers.get('x-fb-trace-id')).toMatch(/^[\w-]{23}$/);
		expect(reply.headers.get('facebook-api-version')).toBe(VERSION);
	});

	it('refuses a version it does not serve like an unversioned call', async () => {
		const reply = await graph('/debug_token', { version: 'v99.0', bearer: APP_TOKEN, query: { input_token: APP_TOKEN } });
		expect(reply.status).toBe(400);
		expect(errorOf(reply).code).toBe(2635);
		expect((await graph('/debug_token', { version: 'v24.0', bearer: APP_TOKEN, query: { input_token: APP_TOKEN } })).status).toBe(200);
	});

	it('refuses unversioned calls with code 2635', async () => {
		const reply = await graph('/debug_token', { version: null, bearer: APP_TOKEN });
		expect(reply.status).toBe(400);
		expect(errorOf(reply)).toMatchObject({ code: 2635, type: 'OAuthException' });
		expect(errorOf(reply).message).toContain('deprecated version');
	});

	it("answers other paths with Meta's unsupported-request error", async () => {
		// (/act_{id}/insights is served: ads.test.ts.)
		const reply = await graph('/act_42/campaigns', { bearer: APP_TOKEN });
		expect(reply.status).toBe(400);
		expect(errorOf(reply)).toMatchObject({
			code: 100,
			error_subcode: 33,
			type: 'GraphMethodException',
			is_transient: false,
		});
		expect(errorOf(reply).message).toMatch(
			/^Unsupported get request\. Object with ID 'act_42' does not exist, cannot be loaded due to missing permissions, or does not support this operation\./,
		);
		const post = await graph('/me/accounts', { bearer: addUser(), form: {} });
		expect(errorOf(post).message).toMatch(/^Unsupported post request\. Object with ID 'me'/);
	});
});

describe('calling token', () => {
	it('is required (2500)', async () => {
		const reply = await graph('/debug_token', { query: { input_token: 'x' } });
		expect(reply.status).toBe(400);
		expect(errorOf(reply)).toMatchObject({
			code: 2500,
			message: 'An active access token must be used to query information about the current user.',
		});
		expect(errorOf(reply).error_subcode).toBeUndefined();
	});

	it('refuses garbage and a wrong app secret with 190', async () => {
		const garbage = await graph('/debug_token', { bearer: 'EAAnotatoken', query: { input_token: 'x' } });
		expect(errorOf(garbage)).toEqual({
			message: 'Invalid OAuth access token - Cannot parse access token',
			type: 'OAuthException',
			code: 190,
			fbtrace_id: expect.any(String),
			is_transient: false,
		});
		const wrongSecret = await graph('/debug_token', {
			bearer: `${APP.id}|nope`,
			query: { input_token: 'x' },
		});
		expect(errorOf(wrongSecret)).toMatchObject({
			code: 190,
			message: 'Invalid OAuth access token signature.',
		});
	});

	it('is read from the Authorization header, the query or the form', async () => {
		const token = addUser();
		const input = { input_token: token };
		expect((await graph('/debug_token', { bearer: token, query: input })).status).toBe(200);
		expect((await graph('/debug_token', { query: { ...input, access_token: token } })).status).toBe(200);
		const viaForm = await graph('/oauth/revoke', {
			form: {
				access_token: token,
				client_id: APP.id,
				client_secret: APP.secret,
				revoke_token: addUser(),
			},
		});
		expect(viaForm.json).toEqual({ success: 'true' });
		expect(double.requests.map((entry) => entry.callingToken)).toEqual([token, token, token]);
	});

	it.each([
		['passwordChanged', 460, /The session has been invalidated because the user changed their password/],
		[
			'revoked',
			458,
			new RegExp(`^Error validating access token: The user has not authorized application ${APP.id}\\.$`),
		],
		['checkpoint', 459, /You cannot access the app till you log in/],
		['noPageRole', 492, /administrator, editor, or moderator of the page/],
		['inactive', 493, /inactive for 90 days/],
		['invalid', 467, /The session is invalid/],
		['expired', 463, /^Error validating access token: Session has expired on /],
	] as const)('a token invalidated as %s answers 190/%i', async (reason, subcode, message) => {
		const token = addUser();
		expect((await debugCall(token, token)).status).toBe(200);
		double.invalidate(token, reason);
		const reply = await debugCall(token, token);
		expect(reply.status).toBe(400);
		expect(errorOf(reply)).toMatchObject({ code: 190, error_subcode: subcode, type: 'OAuthException' });
		expect(errorOf(reply).message).toMatch(message);
	});

	it('expires by the double clock, with the date in Pacific time', async () => {
		const expiresAt = 1_692_378_000; // Friday 18 August 2023, 10:00 PDT
		const token = addUser({ issuedAt: expiresAt - SIXTY_DAYS, expiresAt });
		double.setNow(expiresAt - 1);
		expect((await debugCall(token, token)).status).toBe(200);
		double.advance(3601);
		const reply = await debugCall(token, token);
		expect(errorOf(reply)).toMatchObject({
			code: 190,
			error_subcode: 463,
			message:
				'Error validating access token: Session has expired on Friday, 18-Aug-23 10:00:00 PDT. ' +
				'The current time is Friday, 18-Aug-23 11:00:00 PDT.',
		});
	});

	it('is not killed by data access expiry', async () => {
		const token = addUser({ dataAccessExpiresAt: T0 - 1 });
		const data = await debug(token, token);
		expect(data).toMatchObject({ is_valid: true, data_access_expires_at: T0 - 1 });
	});
});

describe('debug_token', () => {
	it("describes a long-lived user token in Meta's shape", async () => {
		const token = addUser({
			issuedAt: T0 - 100,
			dataAccessExpiresAt: T0 + 90 * 86400,
			scopes: ['ads_read', 'ads_management', 'public_profile'],
			granularScopes: [{ scope: 'ads_read', target_ids: [111, 222] }, { scope: 'public_profile' }],
		});
		const reply = await debugCall(APP_TOKEN, token);
		expect(reply.status).toBe(200);
		expect(reply.json).toEqual({
			data: {
				app_id: APP.id,
				type: 'USER',
				application: APP.name,
				data_access_expires_at: T0 + 90 * 86400,
				expires_at: T0 + SIXTY_DAYS,
				is_valid: true,
				issued_at: T0 - 100,
				scopes: ['ads_read', 'ads_management', 'public_profile'],
				granular_scopes: [{ scope: 'ads_read', target_ids: [111, 222] }, { scope: 'public_profile' }],
				user_id: USER_ID,
			},
		});
	});

	it('leaves issued_at out for short-lived user tokens', async () => {
		const data = await debug(addUser({ expiresAt: T0 + 3600 }));
		expect(data.expires_at).toBe(T0 + 3600);
		expect(data).not.toHaveProperty('issued_at');
		expect(data).not.toHaveProperty('data_access_expires_at');
		expect(data).not.toHaveProperty('granular_scopes');
	});

	it('describes page, system-user and app tokens', async () => {
		const page = double.addToken({ type: 'PAGE', appId: APP.id, userId: USER_ID, profileId: '555' });
		expect(await debug(page)).toMatchObject({ type: 'PAGE', profile_id: '555', expires_at: 0, scopes: [] });
		const systemUser = double.addToken({
			type: 'SYSTEM_USER',
			appId: APP.id,
			userId: '61550000000001',
			scopes: ['ads_read'],
		});
		expect(await debug(systemUser)).toEqual({
			app_id: APP.id,
			type: 'SYSTEM_USER',
			application: APP.name,
			expires_at: 0,
			is_valid: true,
			issued_at: T0,
			scopes: ['ads_read'],
			user_id: '61550000000001',
		});
		expect(await debug(APP_TOKEN)).toEqual({
			app_id: APP.id,
			type: 'APP',
			application: APP.name,
			is_valid: true,
		});
		expect(double.addToken({ type: 'APP', appId: OTHER.id })).toBe(`${OTHER.id}|${OTHER.secret}`);
	});

	it('reports a dead input token with HTTP 200, is_valid false and data.error', async () => {
		const token = addUser();
		double.invalidate(token, 'passwordChanged');
		const data = await debug(token);
		expect(data).toMatchObject({ app_id: APP.id, type: 'USER', is_valid: false, user_id: USER_ID });
		expect(data.error).toMatchObject({ code: 190, subcode: 460 });
		expect(data.error?.message).toContain('changed their password');

		const expiring = addUser({ expiresAt: T0 + 10 });
		double.advance(10);
		expect((await debug(expiring)).error).toMatchObject({ code: 190, subcode: 463 });
	});

	it('reports an unknown input token like Meta', async () => {
		const reply = await debugCall(APP_TOKEN, 'EAAgarbage');
		expect(reply.status).toBe(200);
		expect(reply.json).toEqual({
			data: {
				error: { code: 190, message: 'Invalid OAuth access token - Cannot parse access token' },
				is_valid: false,
				scopes: [],
			},
		});
	});

	it('lets a token inspect itself or another token of its app, not of another app', async () => {
		const token = addUser();
		expect((await debug(token, token)).is_valid).toBe(true);
		expect((await debug(addUser(), token)).is_valid).toBe(true);
		const foreign = double.addToken({ type: 'USER', appId: OTHER.id, userId: '9' });
		const reply = await debugCall(token, foreign);
		expect(reply.status).toBe(400);
		expect(errorOf(reply)).toMatchObject({ code: 100, message: expect.stringContaining('did not match') });
	});

	it('needs input_token', async () => {
		const reply = await graph('/debug_token', { bearer: APP_TOKEN });
		expect(errorOf(reply)).toMatchObject({ code: 100, message: '(#100) The parameter input_token is required' });
	});
});

describe('appsecret_proof', () => {
	const strictUser = () =>
		double.addToken({ type: 'USER', appId: STRICT.id, userId: USER_ID, scopes: ['ads_read'] });
	const inspect = (token: string, query: Record<string, string> = {}) =>
		graph('/debug_token', { bearer: token, query: { input_token: token, ...query } });

	it('is required by "Require App Secret" apps, except with an app token', async () => {
		const reply = await inspect(strictUser());
		expect(reply.status).toBe(400);
		expect(errorOf(reply)).toMatchObject({
			code: 100,
			message: 'API calls from the server require an appsecret_proof argument',
		});
		expect((await inspect(`${STRICT.id}|${STRICT.secret}`)).status).toBe(200);
	});

	it('is refused when wrong, even by apps that do not require it', async () => {
		for (const token of [strictUser(), addUser()]) {
			const reply = await inspect(token, { appsecret_proof: appsecretProof('not-the-secret', token) });
			expect(errorOf(reply)).toMatchObject({
				code: 100,
				message: 'Invalid appsecret_proof provided in the API argument',
			});
		}
	});

	it('accepts the classic proof, in the query or the form', async () => {
		const token = strictUser();
		const proof = appsecretProof(STRICT.secret, token);
		expect((await inspect(token, { appsecret_proof: proof })).status).toBe(200);
		const revoke = await graph('/oauth/revoke', {
			bearer: token,
			form: {
				appsecret_proof: proof,
				client_id: STRICT.id,
				client_secret: STRICT.secret,
				revoke_token: strictUser(),
			},
		});
		expect(revoke.json).toEqual({ success: 'true' });
	});

	it('accepts a timestamped proof within 300 s of the double clock', async () => {
		const token = strictUser();
		double.advance(86400); // the double's clock, not the machine's, is what counts
		const at = (time: number) => ({
			appsecret_proof: timestampedAppsecretProof(STRICT.secret, token, time),
			appsecret_time: String(time),
		});
		expect((await inspect(token, at(double.now()))).status).toBe(200);
		expect((await inspect(token, at(double.now() - 300))).status).toBe(200);
		const tooOld = await inspect(token, at(double.now() - 301));
		expect(errorOf(tooOld)).toMatchObject({
			code: 100,
			message: 'Invalid appsecret_proof provided in the API argument',
		});
		expect((await inspect(token, at(double.now() + 301))).status).toBe(400);
		// A classic proof sent with appsecret_time is not a timestamped one.
		const mixed = await inspect(token, {
			appsecret_proof: appsecretProof(STRICT.secret, token),
			appsecret_time: String(double.now()),
		});
		expect(errorOf(mixed).code).toBe(100);
	});
});

describe('oauth/access_token', () => {
	const exchange = (input: string, extra: Record<string, string> = {}) =>
		graph('/oauth/access_token', {
			query: {
				grant_type: 'fb_exchange_token',
				client_id: APP.id,
				client_secret: APP.secret,
				fb_exchange_token: input,
				...extra,
			},
		});

	it('turns a short-lived user token into a new 60-day one', async () => {
		const short = addUser({ expiresAt: T0 + 3600, pages: [{ id: '1', name: 'One' }] });
		double.advance(600);
		const reply = await exchange(short);
		expect(reply.status).toBe(200);
		const answer = reply.json as { access_token: string; token_type: string; expires_in: number };
		expect(answer).toEqual({
			access_token: expect.stringMatching(/^EAA[A-Za-z0-9]{40}$/),
			token_type: 'bearer',
			expires_in: SIXTY_DAYS,
		});
		expect(answer.access_token).not.toBe(short);
		expect(await debug(answer.access_token)).toMatchObject({
			type: 'USER',
			user_id: USER_ID,
			expires_at: double.now() + SIXTY_DAYS,
			issued_at: double.now(),
			scopes: ['ads_read', 'public_profile'],
		});
		expect(double.token(answer.access_token)?.pages).toEqual([{ id: '1', name: 'One' }]);
		expect(double.token(short)?.expiresAt).toBe(T0 + 3600);
	});

	it('gives a long-lived token a new string with the same expiry', async () => {
		const longLived = addUser({ issuedAt: T0 - 86400 * 10, expiresAt: T0 + 86400 * 50 });
		double.advance(86400 * 49.5);
		const first = (await exchange(longLived)).json as { access_token: string; expires_in: number };
		expect(first.access_token).not.toBe(longLived);
		expect(first.expires_in).toBe(86400 / 2);
		// Still the same session half a day before expiry: exchanging again does not extend it.
		const second = (await exchange(first.access_token)).json as { expires_in: number };
		expect(second.expires_in).toBe(86400 / 2);
	});

	it('omits expires_in when the result never expires', async () => {
		const reply = await exchange(addUser({ expiresAt: 0 }));
		expect(reply.json).toEqual({ access_token: expect.any(String), token_type: 'bearer' });
	});

	it('refuses an expired or dead input with its 190 error', async () => {
		const expired = addUser({ expiresAt: T0 + 60 });
		double.advance(60);
		expect(errorOf(await exchange(expired))).toMatchObject({ code: 190, error_subcode: 463 });
		const changed = addUser();
		double.invalidate(changed, 'passwordChanged');
		expect(errorOf(await exchange(changed))).toMatchObject({ code: 190, error_subcode: 460 });
		expect(errorOf(await exchange('EAAunknown'))).toMatchObject({ code: 190 });
	});

	it('refuses a wrong client secret or client id', async () => {
		const wrongClients: Array<Record<string, string>> = [
			{ client_secret: 'wrong' },
			{ client_id: '999', client_secret: 'whatever' },
		];
		for (const client of wrongClients) {
			const reply = await exchange(addUser(), client);
			expect(reply.status).toBe(400);
			expect(errorOf(reply)).toMatchObject({ code: 1, message: 'Error validating client secret.', is_transient: false });
		}
		expect(errorOf(await exchange(double.addToken({ type: 'USER', appId: OTHER.id }))).code).toBe(100);
	});

	it('takes POST forms, and ignores the calling token the authenticator adds', async () => {
		const dead = addUser();
		double.invalidate(dead, 'revoked');
		const reply = await graph('/oauth/access_token', {
			bearer: dead,
			form: {
				grant_type: 'fb_exchange_token',
				client_id: APP.id,
				client_secret: APP.secret,
				fb_exchange_token: addUser({ expiresAt: T0 + 3600 }),
			},
		});
		expect(reply.status).toBe(200);
		expect((reply.json as { expires_in: number }).expires_in).toBe(SIXTY_DAYS);
	});

	it('hands out the app token for client_credentials', async () => {
		const reply = await graph('/oauth/access_token', {
			query: { grant_type: 'client_credentials', client_id: APP.id, client_secret: APP.secret },
		});
		expect(reply.json).toEqual({ access_token: APP_TOKEN, token_type: 'bearer' });
		const none = await graph('/oauth/access_token', {
			query: { client_id: APP.id, client_secret: APP.secret },
		});
		expect(errorOf(none)).toMatchObject({ code: 100, message: '(#100) The parameter grant_type is required' });
	});

	it('refreshes an expiring system-user token for 60 days, the old one keeping its expiry', async () => {
		const old = double.addToken({
			type: 'SYSTEM_USER',
			appId: APP.id,
			userId: '615',
			scopes: ['ads_read'],
			expiringSystemUser: true,
			issuedAt: T0 - 86400 * 50,
			expiresAt: T0 + 86400 * 10,
		});
		const withoutFlag = (await exchange(old)).json as { expires_in: number };
		expect(withoutFlag.expires_in).toBe(86400 * 10);
		const reply = await exchange(old, { set_token_expires_in_60_days: 'true' });
		const answer = reply.json as { access_token: string; expires_in: number };
		expect(answer.expires_in).toBe(SIXTY_DAYS);
		expect(await debug(answer.access_token)).toMatchObject({
			type: 'SYSTEM_USER',
			user_id: '615',
			expires_at: T0 + SIXTY_DAYS,
			is_valid: true,
		});
		expect((await debug(old)).expires_at).toBe(T0 + 86400 * 10);
		// A permanent system-user token sent through the 60-day refresh comes back expiring, as at
		// Meta (the reason the node refuses to send one); without the flag it stays permanent.
		const permanent = double.addToken({ type: 'SYSTEM_USER', appId: APP.id, userId: '616' });
		expect((await exchange(permanent)).json).not.toHaveProperty('expires_in');
		const traded = (await exchange(permanent, { set_token_expires_in_60_days: 'true' })).json as { access_token: string; expires_in: number };
		expect(traded.expires_in).toBe(SIXTY_DAYS);
		expect(double.token(traded.access_token)).toMatchObject({ expiresAt: T0 + SIXTY_DAYS, expiringSystemUser: true });
		// Missed the window: gone.
		double.advance(86400 * 10);
		expect(errorOf(await exchange(old, { set_token_expires_in_60_days: 'true' })).error_subcode).toBe(463);
	});
});

describe('POST /{system-user-id}/access_tokens', () => {
	const admin = () => addUser({ scopes: ['business_management'] });
	const generate = (caller: string, form: Record<string, string>, proof = true) =>
		graph('/61550000000009/access_tokens', {
			bearer: caller,
			form: {
				business_app: APP.id,
				scope: 'ads_read,ads_management',
				...(proof ? { appsecret_proof: appsecretProof(APP.secret, caller) } : {}),
				...form,
			},
		});

	it('always needs a proof', async () => {
		const reply = await generate(admin(), {}, false);
		expect(errorOf(reply)).toMatchObject({
			code: 100,
			message: 'API calls from the server require an appsecret_proof argument',
		});
	});

	it('makes a permanent system-user token', async () => {
		const reply = await generate(admin(), {});
		expect(reply.status).toBe(200);
		const { access_token: token } = reply.json as { access_token: string };
		expect(Object.keys(reply.json as object)).toEqual(['access_token']);
		expect(await debug(token)).toMatchObject({
			type: 'SYSTEM_USER',
			user_id: '61550000000009',
			expires_at: 0,
			scopes: ['ads_read', 'ads_management'],
		});
	});

	it('makes a 60-day token when asked, and a system user may make one', async () => {
		const caller = double.addToken({ type: 'SYSTEM_USER', appId: APP.id, userId: '61550000000001' });
		const reply = await generate(caller, { set_token_expires_in_60_days: 'true' });
		const { access_token: token } = reply.json as { access_token: string };
		expect(await debug(token)).toMatchObject({ expires_at: T0 + SIXTY_DAYS });
		expect(double.token(token)?.expiringSystemUser).toBe(true);
	});

	it('refuses page callers, tokens of another app and a missing scope', async () => {
		const page = double.addToken({ type: 'PAGE', appId: APP.id, profileId: '1' });
		const pageReply = await generate(page, {});
		expect(pageReply.status).toBe(403);
		expect(errorOf(pageReply)).toMatchObject({ code: 200 });
		expect(errorOf(await generate(admin(), { business_app: OTHER.id })).code).toBe(100);
		expect(errorOf(await generate(admin(), { scope: '' })).message).toBe(
			'(#100) The parameter scope is required',
		);
	});
});

describe('GET /me/accounts', () => {
	const pages = (count: number) =>
		Array.from({ length: count }, (_, i) => ({
			id: `10${i}`,
			name: `Page ${i}`,
			category: 'Brand',
			tasks: ['ADVERTISE', 'ANALYZE'],
		}));
	const accounts = async (token: string, query: Record<string, string> = {}) => {
		const reply = await graph('/me/accounts', { bearer: token, query });
		expect(reply.status).toBe(200);
		return reply.json as Accounts;
	};

	it('pages through with cursors; next carries the access token like Meta', async () => {
		const user = addUser({ pages: pages(5) });
		const fields = 'id,name,access_token,tasks';
		const seen: string[] = [];
		let answer = await accounts(user, { fields, limit: '2' });
		for (;;) {
			seen.push(...answer.data.map((page) => String(page.id)));
			const next = answer.paging?.next;
			if (!next) break;
			const url = new URL(next);
			expect(`${url.origin}${url.pathname}`).toBe(`${double.url}/${VERSION}/me/accounts`);
			expect(url.searchParams.get('access_token')).toBe(user);
			expect(url.searchParams.get('fields')).toBe(fields);
			expect(url.searchParams.get('after')).toBe(answer.paging?.cursors.after);
			answer = await accounts(user, { fields, limit: '2', after: url.searchParams.get('after') ?? '' });
		}
		expect(seen).toEqual(['100', '101', '102', '103', '104']);
		expect(answer.data).toHaveLength(1);
		expect(answer.paging?.cursors.before).toBe(answer.paging?.cursors.after);
	});

	it('gives each page a never-expiring page token, the same one each time', async () => {
		const user = addUser({ pages: pages(1), dataAccessExpiresAt: T0 + 100 });
		const [entry] = (await accounts(user)).data;
		expect(entry).toEqual({
			access_token: expect.stringMatching(/^EAA/),
			category: 'Brand',
			name: 'Page 0',
			id: '100',
			tasks: ['ADVERTISE', 'ANALYZE'],
		});
		expect(await debug(String(entry.access_token))).toMatchObject({
			type: 'PAGE',
			profile_id: '100',
			user_id: USER_ID,
			expires_at: 0,
			data_access_expires_at: T0 + 100,
			is_valid: true,
		});
		expect((await accounts(user)).data[0].access_token).toBe(entry.access_token);
	});

	it('gives page tokens of a short-lived user token its expiry', async () => {
		const user = addUser({ expiresAt: T0 + 3600, pages: pages(1) });
		const [entry] = (await accounts(user)).data;
		expect(double.token(String(entry.access_token))?.expiresAt).toBe(T0 + 3600);
	});

	it('returns only the fields asked for, 25 by default', async () => {
		const user = addUser({ pages: pages(30) });
		const answer = await accounts(user, { fields: 'id,name' });
		expect(answer.data).toHaveLength(25);
		expect(answer.data[0]).toEqual({ name: 'Page 0', id: '100' });
		expect(answer.paging?.next).toContain('limit=25');
		expect(await accounts(addUser())).toEqual({ data: [] });
	});

	it('refuses page and app tokens, users without a page role and bad cursors', async () => {
		const page = double.addToken({ type: 'PAGE', appId: APP.id, profileId: '1' });
		expect(errorOf(await graph('/me/accounts', { bearer: page })).code).toBe(100);
		expect(errorOf(await graph('/me/accounts', { bearer: APP_TOKEN })).code).toBe(2500);
		const user = addUser({ pages: pages(2) });
		const bad = await graph('/me/accounts', { bearer: user, query: { after: 'nope' } });
		expect(errorOf(bad).code).toBe(100);
		double.invalidate(user, 'noPageRole');
		expect(errorOf(await graph('/me/accounts', { bearer: user }))).toMatchObject({
			code: 190,
			error_subcode: 492,
		});
	});
});

describe('revocation', () => {
	it('DELETE /me/permissions de-authorises the app for that user', async () => {
		const user = addUser({ pages: [{ id: '7', name: 'Seven' }] });
		const sibling = addUser();
		const pageToken = String(
			((await graph('/me/accounts', { bearer: user })).json as Accounts).data[0].access_token,
		);
		const otherUser = addUser({ userId: '42' });
		const otherApp = double.addToken({ type: 'USER', appId: OTHER.id, userId: USER_ID });

		const reply = await graph('/me/permissions', { method: 'DELETE', bearer: user });
		expect(reply.status).toBe(200);
		expect(reply.json).toEqual({ success: true });
		for (const dead of [user, sibling, pageToken]) {
			expect((await debug(dead)).error).toEqual({
				code: 190,
				subcode: 458,
				message: `Error validating access token: The user has not authorized application ${APP.id}.`,
			});
		}
		expect((await debug(otherUser)).is_valid).toBe(true);
		expect(double.token(otherApp)?.invalid).toBeUndefined();
		const again = await graph('/me/permissions', { method: 'DELETE', bearer: user });
		expect(errorOf(again).error_subcode).toBe(458);
	});

	it('DELETE /me/permissions is for user tokens only', async () => {
		const systemUser = double.addToken({ type: 'SYSTEM_USER', appId: APP.id, userId: '5' });
		const deauthorize = (bearer: string) => graph('/me/permissions', { method: 'DELETE', bearer });
		expect(errorOf(await deauthorize(systemUser)).code).toBe(100);
		expect(errorOf(await deauthorize(APP_TOKEN)).code).toBe(2500);
	});

	it('oauth/revoke answers "true" as a string and kills the token', async () => {
		const caller = double.addToken({ type: 'SYSTEM_USER', appId: APP.id, userId: '5' });
		const target = double.addToken({ type: 'SYSTEM_USER', appId: APP.id, userId: '6' });
		const query = { client_id: APP.id, client_secret: APP.secret, revoke_token: target };
		const reply = await graph('/oauth/revoke', { query: { ...query, access_token: caller } });
		expect(reply.status).toBe(200);
		expect(reply.json).toEqual({ success: 'true' });
		expect((await debug(target)).error).toMatchObject({ code: 190, subcode: 467 });
		expect((await debug(caller)).is_valid).toBe(true);
		const wrongSecret = await graph('/oauth/revoke', {
			bearer: caller,
			query: { ...query, client_secret: 'nope' },
		});
		expect(errorOf(wrongSecret).message).toBe('Error validating client secret.');
		const unknown = await graph('/oauth/revoke', {
			bearer: caller,
			query: { ...query, revoke_token: 'EAAunknown' },
		});
		expect(errorOf(unknown).code).toBe(100);
	});
});

describe('batch', () => {
	it('answers one item per sub-request, with headers unless include_headers=false', async () => {
		const token = addUser();
		const reply = await batch([debugItem(token), debugItem('EAAgarbage')], APP_TOKEN);
		expect(reply.status).toBe(200);
		const items = reply.json as BatchItem[];
		expect(items).toHaveLength(2);
		expect(items[0].code).toBe(200);
		expect(items[0].headers).toEqual(
			expect.arrayContaining([{ name: 'content-type', value: 'application/json; charset=UTF-8' }]),
		);
		expect(JSON.parse(items[0].body)).toMatchObject({ data: { is_valid: true, user_id: USER_ID } });
		expect(JSON.parse(items[1].body)).toMatchObject({ data: { is_valid: false } });

		const bare = (await batch([debugItem(token)], APP_TOKEN, { include_headers: 'false' })).json;
		expect(bare).toEqual([{ code: 200, body: expect.any(String) }]);
	});

	it('takes 50 sub-requests and refuses 51', async () => {
		const token = addUser();
		const fifty = await batch(Array.from({ length: 50 }, () => debugItem(token)), APP_TOKEN);
		expect((fifty.json as BatchItem[]).every((item) => item.code === 200)).toBe(true);
		const fiftyOne = await batch(Array.from({ length: 51 }, () => debugItem(token)), APP_TOKEN);
		expect(fiftyOne.status).toBe(400);
		expect(errorOf(fiftyOne)).toMatchObject({
			code: 100,
			message: 'Too many requests in batch message. Maximum batch size is 50',
		});
		expect(double.requests.map((entry) => entry.batchSize)).toEqual([50, 51]);
	});

	it('needs a top-level token; sub-requests inherit it and its proof', async () => {
		const noToken = await graph('/', { form: { batch: JSON.stringify([debugItem(APP_TOKEN)]) } });
		expect(errorOf(noToken).code).toBe(2500);
		const strict = double.addToken({ type: 'USER', appId: STRICT.id, userId: USER_ID });
		const withoutProof = await batch([debugItem(strict)], strict);
		expect(errorOf(withoutProof).message).toBe('API calls from the server require an appsecret_proof argument');
		const proven = await batch([debugItem(strict)], strict, {
			appsecret_proof: appsecretProof(STRICT.secret, strict),
		});
		expect((proven.json as BatchItem[])[0].code).toBe(200);
		// An item naming its own token runs with it (here an unproven strict token: refused).
		const own = await batch(
			[{ method: 'GET', relative_url: `debug_token?input_token=x&access_token=${strict}` }],
			APP_TOKEN,
		);
		expect(JSON.parse((own.json as BatchItem[])[0].body).error.code).toBe(100);
		expect(errorOf(await graph('/', { bearer: APP_TOKEN, form: {} })).code).toBe(100);
		expect(errorOf(await graph('/', { bearer: APP_TOKEN, form: { batch: '{}' } })).code).toBe(100);
	});

	it('runs POST sub-requests with a body, and answers malformed items with 400', async () => {
		const reply = await batch(
			[
				{
					method: 'POST',
					relative_url: 'oauth/access_token',
					body: `grant_type=client_credentials&client_id=${APP.id}&client_secret=${APP.secret}`,
				},
				{ relative_url: 'debug_token' },
			],
			APP_TOKEN,
		);
		const [post, malformed] = reply.json as BatchItem[];
		expect(JSON.parse(post.body)).toEqual({ access_token: APP_TOKEN, token_type: 'bearer' });
		expect(malformed.code).toBe(400);
		expect(JSON.parse(malformed.body).error.code).toBe(100);
	});

	it('answers null for batchNull items without running them', async () => {
		double.injectFault({ fault: { type: 'batchNull', indexes: [1] } });
		const user = addUser();
		const reply = await batch(
			[debugItem(user), { method: 'DELETE', relative_url: `me/permissions?access_token=${user}` }],
			APP_TOKEN,
		);
		const items = reply.json as Array<BatchItem | null>;
		expect(items[0]?.code).toBe(200);
		expect(items[1]).toBeNull();
		expect((await debug(user)).is_valid).toBe(true);
	});

	it('answers something unusable for batchUnusable', async () => {
		double.injectFault({ fault: { type: 'batchUnusable' } });
		const reply = await batch([debugItem(APP_TOKEN)], APP_TOKEN);
		expect(reply.status).toBe(200);
		expect(Array.isArray(reply.json)).toBe(false);
	});

	it('applies faults to sub-requests by path', async () => {
		double.injectFault({ path: '/debug_token', fault: { type: 'graphError', code: 2 } });
		double.injectFault({ path: '/debug_token', fault: { type: 'reset' } }); // no socket in a batch
		const reply = await batch([debugItem(APP_TOKEN), debugItem(APP_TOKEN)], APP_TOKEN);
		const [faulted, normal] = reply.json as BatchItem[];
		expect(faulted.code).toBe(500);
		expect(JSON.parse(faulted.body).error).toMatchObject({ code: 2, is_transient: true });
		expect(normal.code).toBe(200);
		// The reset rule is still waiting for a real call.
		await expect(debugCall(APP_TOKEN, APP_TOKEN)).rejects.toThrow();
	});

	it('counts each sub-request against the quota, and logs the batch once', async () => {
		double.setQuota({ calls: 3, windowMs: 60_000 });
		const reply = await batch(Array.from({ length: 5 }, () => debugItem(APP_TOKEN)), APP_TOKEN);
		const items = reply.json as BatchItem[];
		expect(items.map((item) => item.code)).toEqual([200, 200, 200, 403, 403]);
		expect(JSON.parse(items[4].body).error).toMatchObject({
			code: 4,
			message: '(#4) Application request limit reached',
		});
		expect(double.requests).toHaveLength(1);
		expect(double.requests[0]).toMatchObject({ method: 'POST', path: '/', batchSize: 5, status: 200 });
	});

	it('partial: a refused sub-request carries its own code 4 and usage headers, even with include_headers=false', async () => {
		double.setQuota({ calls: 2, windowMs: 60_000, batches: 'partial' });
		const reply = await batch(Array.from({ length: 3 }, () => debugItem(APP_TOKEN)), APP_TOKEN, { include_headers: 'false' });
		const items = reply.json as Array<BatchItem & { headers?: Array<{ name: string; value: string }> }>;
		expect(items.map((item) => item.code)).toEqual([200, 200, 403]);
		expect(items[0].headers).toBeUndefined();
		expect(JSON.parse(items[2].body).error).toMatchObject({ code: 4 });
		const usage = items[2].headers?.find((header) => header.name === 'x-app-usage')?.value;
		expect(JSON.parse(usage ?? '{}')).toMatchObject({ call_count: 150 });
	});

	it('whole: a batch whose sub-requests do not all fit is refused as a call, each sub-request counted', async () => {
		double.setQuota({ calls: 4, windowMs: 60_000, batches: 'whole' });
		const fits = await batch(Array.from({ length: 3 }, () => debugItem(APP_TOKEN)), APP_TOKEN);
		expect((fits.json as BatchItem[]).map((item) => item.code)).toEqual([200, 200, 200]);
		const refused = await batch(Array.from({ length: 2 }, () => debugItem(APP_TOKEN)), APP_TOKEN);
		expect(refused.status).toBe(403);
		expect(errorOf(refused)).toMatchObject({ code: 4, message: '(#4) Application request limit reached', is_transient: true });
		expect(JSON.parse(refused.headers.get('x-app-usage') ?? '{}')).toMatchObject({ call_count: 125 });
		// The refused two were counted: the window is past its 4 calls, so even one more is refused.
		expect(errorOf(await debugCall(APP_TOKEN, APP_TOKEN)).code).toBe(4);
		expect(double.requests.map((request) => [request.batchSize ?? 1, request.status])).toEqual([
			[3, 200],
			[2, 403],
			[1, 403],
		]);
	});
});

describe('faults', () => {
	it('applies a rule with a token only to requests about that token, in a batch too', async () => {
		const hit = addUser();
		const spared = addUser();
		double.injectFault({ fault: { type: 'graphError', code: 2 }, token: hit, times: Infinity });
		expect((await debugCall(APP_TOKEN, spared)).status).toBe(200);
		expect(errorOf(await debugCall(APP_TOKEN, hit)).code).toBe(2);
		expect(errorOf(await graph('/me/accounts', { bearer: hit })).code).toBe(2);
		const batch = await graph('/', {
			bearer: APP_TOKEN,
			form: {
				batch: JSON.stringify([hit, spared].map((token) => ({ method: 'GET', relative_url: `debug_token?input_token=${token}` }))),
				include_headers: 'false',
			},
		});
		expect((batch.json as BatchItem[]).map((item) => item.code)).toEqual([500, 200]);
	});

	const call = () => debugCall(APP_TOKEN, APP_TOKEN);

	it('graphError answers the given error, status and headers', async () => {
		double.injectFault({
			fault: {
				type: 'graphError',
				code: 190,
				subcode: 460,
				message: 'custom',
				status: 401,
				headers: { 'WWW-Authenticate': 'OAuth "Facebook Platform" "invalid_token"' },
			},
		});
		const reply = await call();
		expect(reply.status).toBe(401);
		expect(errorOf(reply)).toMatchObject({ code: 190, error_subcode: 460, message: 'custom', is_transient: false });
		expect(reply.headers.get('www-authenticate')).toContain('invalid_token');
		expect(reply.headers.get('x-app-usage')).not.toBeNull();
	});

	it('graphError defaults status, message and transience by code', async () => {
		double.injectFault({ fault: { type: 'graphError', code: 1 } });
		double.injectFault({ fault: { type: 'graphError', code: 200 } });
		double.injectFault({ fault: { type: 'graphError', code: 368, isTransient: true } });
		const unknown = await call();
		expect(unknown.status).toBe(500);
		expect(errorOf(unknown)).toMatchObject({ code: 1, message: 'An unknown error occurred', is_transient: true });
		const permission = await call();
		expect(permission.status).toBe(403);
		expect(errorOf(permission).message).toBe('(#200) Requires business_management permission to manage the object');
		expect(errorOf(await call())).toMatchObject({ code: 368, is_transient: true });
	});

	it("graphError carries Meta's words for the user (error_user_title, error_user_msg) only when given", async () => {
		double.injectFault({
			fault: { type: 'graphError', code: 1, subcode: 2853001, isTransient: false, userTitle: 'profile is not linked', userMessage: 'link it' },
		});
		double.injectFault({ fault: { type: 'graphError', code: 3 } });
		expect(errorOf(await call())).toMatchObject({
			code: 1,
			error_subcode: 2853001,
			is_transient: false,
			error_user_title: 'profile is not linked',
			error_user_msg: 'link it',
		});
		const capability = errorOf(await call());
		expect(capability.message).toBe('(#3) Application does not have the capability to make this API call.');
		expect('error_user_title' in capability).toBe(false);
	});

	it('status answers a raw status and body', async () => {
		double.injectFault({ fault: { type: 'status', status: 503, body: 'down', contentType: 'text/plain' } });
		double.injectFault({ fault: { type: 'status', status: 504 } });
		const reply = await call();
		expect([reply.status, reply.text, reply.headers.get('content-type')]).toEqual([503, 'down', 'text/plain']);
		expect(reply.headers.get('x-app-usage')).toBeNull();
		expect((await call()).status).toBe(504);
	});

	it('html answers a proxy page with 502', async () => {
		double.injectFault({ fault: { type: 'html' } });
		const reply = await call();
		expect(reply.status).toBe(502);
		expect(reply.headers.get('content-type')).toContain('text/html');
		expect(reply.text).toContain('<html>');
	});

	it('malformedJson and emptyBody answer 200 with unusable JSON', async () => {
		double.injectFault({ fault: { type: 'malformedJson' } });
		double.injectFault({ fault: { type: 'emptyBody' } });
		const malformed = await call();
		expect(malformed.status).toBe(200);
		expect(malformed.headers.get('content-type')).toContain('application/json');
		expect(() => JSON.parse(malformed.text)).toThrow();
		const empty = await call();
		expect([empty.status, empty.text]).toEqual([200, '']);
	});

	it('delay answers late, so a client timeout fires', async () => {
		double.injectFault({ fault: { type: 'delay', ms: 150 } });
		await expect(
			graph('/debug_token', {
				bearer: APP_TOKEN,
				query: { input_token: APP_TOKEN },
				signal: AbortSignal.timeout(30),
			}),
		).rejects.toThrow();
		// Like Meta, the double still runs the call the client gave up on: wait for it to finish.
		const [abandoned] = double.requests;
		while (abandoned.status === 0) await new Promise((resolve) => setTimeout(resolve, 10));
		expect(abandoned.status).toBe(200);

		double.injectFault({ fault: { type: 'delay', ms: 60 } });
		const started = Date.now();
		expect((await call()).status).toBe(200);
		expect(Date.now() - started).toBeGreaterThanOrEqual(55);
	});

	it('reset drops the connection without an answer', async () => {
		double.injectFault({ fault: { type: 'reset' } });
		await expect(call()).rejects.toThrow();
		expect(double.requests[0].status).toBe(0);
		expect((await call()).status).toBe(200);
	});

	it('rateLimit answers code 4 with usage headers', async () => {
		double.injectFault({ fault: { type: 'rateLimit', appUsage: { call_count: 120 } } });
		const reply = await call();
		expect(reply.status).toBe(403);
		expect(errorOf(reply)).toMatchObject({
			code: 4,
			message: '(#4) Application request limit reached',
			is_transient: true,
		});
		expect(JSON.parse(reply.headers.get('x-app-usage') ?? '')).toEqual({
			call_count: 120,
			total_time: 25,
			total_cputime: 25,
		});
		expect(reply.headers.get('x-business-use-case-usage')).toBeNull();
	});

	it('rateLimit with business-use-case minutes answers 80004 and the wait', async () => {
		double.injectFault({ fault: { type: 'rateLimit', businessUseCaseMinutes: 7 } });
		double.injectFault({ fault: { type: 'rateLimit', code: 17 } });
		const reply = await call();
		expect(reply.status).toBe(400);
		expect(errorOf(reply)).toMatchObject({ code: 80004, error_subcode: 2446079 });
		expect(JSON.parse(reply.headers.get('x-business-use-case-usage') ?? '')).toEqual({
			[APP.id]: [
				{
					type: 'ads_management',
					call_count: 100,
					total_time: 25,
					total_cputime: 25,
					estimated_time_to_regain_access: 7,
				},
			],
		});
		expect(errorOf(await call())).toMatchObject({ code: 17, message: '(#17) User request limit reached' });
	});

	it('rules match in order by path and method, and count down', async () => {
		double.injectFault({ path: '/me/accounts', fault: { type: 'graphError', code: 10 } });
		double.injectFault({ method: 'post', fault: { type: 'graphError', code: 32 } });
		double.injectFault({ path: /^\/debug_/, fault: { type: 'graphError', code: 613 }, times: 2 });
		double.injectFault({ fault: { type: 'graphError', code: 1 } });
		expect(errorOf(await call()).code).toBe(613);
		expect(errorOf(await call()).code).toBe(613);
		expect(errorOf(await call()).code).toBe(1);
		expect((await call()).status).toBe(200);
		expect(errorOf(await graph('/me/accounts', { bearer: APP_TOKEN })).code).toBe(10);
		expect(errorOf(await graph('/oauth/revoke', { form: {} })).code).toBe(32);
	});

	it('times: Infinity lasts until clearFaults', async () => {
		double.injectFault({ fault: { type: 'graphError', code: 2 }, times: Infinity });
		for (let i = 0; i < 3; i++) expect(errorOf(await call()).code).toBe(2);
		double.clearFaults();
		expect((await call()).status).toBe(200);
	});
});

describe('quota, latency and the request log', () => {
	const call = () => debugCall(APP_TOKEN, APP_TOKEN);
	const usage = (reply: Reply): { call_count: number } =>
		JSON.parse(reply.headers.get('x-app-usage') ?? '');

	it('throttles past the quota with code 4 and call_count over 100', async () => {
		double.setQuota({ calls: 2, windowMs: 60_000 });
		expect(usage(await call()).call_count).toBe(50);
		expect(usage(await call()).call_count).toBe(100);
		const throttled = await call();
		expect(throttled.status).toBe(403);
		expect(errorOf(throttled)).toMatchObject({ code: 4, is_transient: true });
		expect(usage(throttled).call_count).toBe(150);
		expect(() => double.setQuota({ calls: 0, windowMs: 1 })).toThrow();
	});

	it('opens a new quota window after windowMs of real time', async () => {
		double.setQuota({ calls: 1, windowMs: 150 });
		expect((await call()).status).toBe(200);
		expect((await call()).status).toBe(403);
		await new Promise((resolve) => setTimeout(resolve, 160));
		expect((await call()).status).toBe(200);
	});

	it('opens the quota window with the first call, not when the quota is set', async () => {
		double.setQuota({ calls: 1, windowMs: 150 });
		await new Promise((resolve) => setTimeout(resolve, 120));
		expect((await call()).status).toBe(200);
		await new Promise((resolve) => setTimeout(resolve, 60));
		// 180 ms after setQuota but 60 ms into the window the first call opened.
		expect((await call()).status).toBe(403);
	});

	it('adds latency to every answer', async () => {
		double.setLatency(40);
		const started = Date.now();
		await call();
		expect(Date.now() - started).toBeGreaterThanOrEqual(35);
	});

	it('logs each request with its parameters, token, clock time, real times and status', async () => {
		double.advance(42);
		double.setLatency(30);
		const started = Date.now();
		await graph('/oauth/access_token', {
			form: { grant_type: 'client_credentials', client_id: APP.id, client_secret: 'bad' },
			query: { extra: '1' },
		});
		const token = addUser();
		await debugCall(token, token);
		const [first, second] = double.requests;
		expect(first).toEqual<LoggedRequest>({
			platform: 'facebook',
			method: 'POST',
			path: '/oauth/access_token',
			version: VERSION,
			query: { extra: '1' },
			headers: expect.objectContaining({ 'content-type': expect.stringContaining('x-www-form-urlencoded') }),
			form: { grant_type: 'client_credentials', client_id: APP.id, client_secret: 'bad' },
			callingToken: null,
			at: T0 + 42,
			receivedMs: expect.any(Number),
			answeredMs: expect.any(Number),
			status: 400,
		});
		expect(first.receivedMs).toBeGreaterThanOrEqual(started);
		expect((first.answeredMs ?? 0) - first.receivedMs).toBeGreaterThanOrEqual(25);
		double.setLatency(0);
		expect(second).toMatchObject({ path: '/debug_token', callingToken: token, status: 200 });
		expect(second.headers.authorization).toBe(`Bearer ${token}`);
		const held = double.requests;
		double.clearRequests();
		expect(held).toHaveLength(0);
	});
});

describe('test API', () => {
	it('token() returns a copy of the record; unknown tokens and apps throw', () => {
		const token = addUser({ token: 'EAAfixed' });
		expect(token).toBe('EAAfixed');
		const record = double.token(token);
		expect(record).toMatchObject({ token, type: 'USER', issuedAt: T0, expiresAt: T0 + SIXTY_DAYS });
		if (record) record.expiresAt = 1;
		expect(double.token(token)?.expiresAt).toBe(T0 + SIXTY_DAYS);
		expect(double.token('EAAnothing')).toBeUndefined();
		expect(() => double.invalidate('EAAnothing', 'revoked')).toThrow();
		expect(() => double.addToken({ type: 'USER', appId: 'no-such-app' })).toThrow(/unknown app/);
	});

	it('addApp with a new secret kills the old app token', async () => {
		const app = { id: '5555', name: 'Rotating App', secret: 'first' };
		double.addApp(app);
		expect((await debug(`${app.id}|first`, `${app.id}|first`)).is_valid).toBe(true);
		double.addApp({ ...app, secret: 'second' });
		const old = await debugCall(`${app.id}|first`, `${app.id}|first`);
		expect(errorOf(old)).toMatchObject({ code: 190, message: 'Invalid OAuth access token signature.' });
		expect((await debug(`${app.id}|second`, `${app.id}|second`)).is_valid).toBe(true);
	});

	it("invalidate('expired') moves the expiry to now", async () => {
		const token = addUser();
		double.invalidate(token, 'expired');
		expect(await debug(token)).toMatchObject({ expires_at: T0, is_valid: false });
	});
});

describe('control API', () => {
	const control = async (method: string, route: string, body?: unknown) => {
		const response = await fetch(`${double.url}/_double/${route}`, {
			method,
			headers: { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		return { status: response.status, json: (await response.json()) as Record<string, unknown> };
	};

	it('adds apps and tokens, invalidates, and is not logged', async () => {
		const app = { id: '4444', name: 'Remote App', secret: 'remote' };
		expect((await control('POST', 'apps', app)).json).toEqual(app);
		const { json } = await control('POST', 'tokens', { type: 'USER', appId: app.id, userId: '1' });
		const token = String(json.token);
		expect((await debug(token, `${app.id}|${app.secret}`)).is_valid).toBe(true);
		expect((await control('POST', 'invalidate', { token, reason: 'checkpoint' })).status).toBe(200);
		expect((await debug(token, `${app.id}|${app.secret}`)).error?.subcode).toBe(459);
		expect(double.requests.map((entry) => entry.path)).toEqual(['/debug_token', '/debug_token']);

		expect((await control('POST', 'invalidate', { token, reason: 'bored' })).status).toBe(400);
		expect((await control('POST', 'tokens', { type: 'USER', appId: 'none' })).status).toBe(400);
		expect((await control('POST', 'tokens', { type: 'ROBOT', appId: app.id })).status).toBe(400);
		expect((await control('GET', 'nothing')).status).toBe(404);
	});

	it('serves and clears the request log', async () => {
		await debugCall(APP_TOKEN, APP_TOKEN);
		const log = (await control('GET', 'requests')).json as unknown as LoggedRequest[];
		expect(log).toHaveLength(1);
		expect(log[0]).toMatchObject({ path: '/debug_token', callingToken: APP_TOKEN, status: 200 });
		await control('DELETE', 'requests');
		expect(double.requests).toHaveLength(0);
	});

	it('injects faults with regex paths and null (Infinity) times, and clears them', async () => {
		await control('POST', 'faults', {
			fault: { type: 'graphError', code: 2 },
			pathRegex: '^/debug',
			times: Infinity, // JSON.stringify sends null
		});
		await control('POST', 'faults', {
			fault: { type: 'graphError', code: 1 },
			path: { pathRegex: 'accounts$' },
		});
		const call = () => debugCall(APP_TOKEN, APP_TOKEN);
		expect(errorOf(await call()).code).toBe(2);
		expect(errorOf(await call()).code).toBe(2);
		expect(errorOf(await graph('/me/accounts', { bearer: APP_TOKEN })).code).toBe(1);
		expect((await control('DELETE', 'faults')).status).toBe(200);
		expect((await call()).status).toBe(200);
		expect((await control('POST', 'faults', { fault: { type: 'meteor' } })).status).toBe(400);
	});

	it('moves the clock, and sets latency and quota', async () => {
		expect((await control('POST', 'clock', { advance: 60 })).json).toEqual({ now: T0 + 60 });
		expect((await control('POST', 'clock', { now: T0 + 5 })).json).toEqual({ now: T0 + 5 });
		expect((await control('GET', 'clock')).json).toEqual({ now: T0 + 5 });
		expect(double.now()).toBe(T0 + 5);
		expect((await control('POST', 'clock', {})).status).toBe(400);

		await control('POST', 'latency', { ms: 40 });
		const started = Date.now();
		await debugCall(APP_TOKEN, APP_TOKEN);
		expect(Date.now() - started).toBeGreaterThanOrEqual(35);
		await control('POST', 'latency', { ms: 0 });

		await control('POST', 'quota', { calls: 1, windowMs: 60_000 });
		const call = () => debugCall(APP_TOKEN, APP_TOKEN);
		await call();
		expect(errorOf(await call()).code).toBe(4);
		await control('POST', 'quota', null);
		expect((await call()).status).toBe(200);

		await control('POST', 'quota', { calls: 1, windowMs: 60_000, batches: 'whole' });
		const two = () => batch([debugItem(APP_TOKEN), debugItem(APP_TOKEN)], APP_TOKEN);
		expect((await two()).status).toBe(403);
		expect((await control('POST', 'quota', { calls: 1, windowMs: 60_000, batches: 'some' })).status).toBe(400);
		await control('POST', 'quota', null);
	});
});

describe('cli', () => {
	it('parses --port and --seed', () => {
		expect(parseArgs([])).toEqual({ port: 0 });
		expect(parseArgs(['--port', '8123', '--seed=seed.json'])).toEqual({ port: 8123, seed: 'seed.json' });
		expect(() => parseArgs(['--port', 'x'])).toThrow(/port/);
		expect(() => parseArgs(['--seed'])).toThrow(/needs a value/);
		expect(() => parseArgs(['--verbose', '1'])).toThrow(/unknown argument/);
	});

	it('starts a seeded double and prints its URL as one JSON line', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'graph-double-'));
		try {
			const seed = join(dir, 'seed.json');
			writeFileSync(
				seed,
				JSON.stringify({
					apps: [APP],
					tokens: [{ token: 'EAAseeded', type: 'USER', appId: APP.id, userId: USER_ID }],
				}),
			);
			const lines: string[] = [];
			const remote = await startFromCli(['--seed', seed], (line) => lines.push(line));
			try {
				expect(lines).toEqual([JSON.stringify({ url: remote.url })]);
				const reply = await fetch(`${remote.url}/${VERSION}/debug_token?input_token=EAAseeded`, {
					headers: { authorization: `Bearer ${APP_TOKEN}` },
				});
				expect(((await reply.json()) as { data: DebugTokenData }).data.is_valid).toBe(true);
			} finally {
				await remote.stop();
			}
			writeFileSync(seed, JSON.stringify({ tokens: [{ type: 'USER', appId: 'missing' }] }));
			await expect(startFromCli(['--seed', seed], () => undefined)).rejects.toThrow(/unknown app/);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
