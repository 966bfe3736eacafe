/**
 * The double's graph.instagram.com (`/instagram`) and graph.threads.net (`/threads`). Each test
 * names the Meta page (or the public real answer) its expectation follows; where neither says,
 * tools/graph-double/README.md marks the double's choice as an assumption.
 */
import {
	type DoubleApp,
	GraphDouble,
	instagramToken,
	LONG_LIVED_SECONDS,
	SHORT_LIVED_SECONDS,
	threadsToken,
} from '../../../tools/graph-double/GraphDouble';

/** The reference's example issued_at: a fixed clock keeps expiry arithmetic exact. */
const T0 = 1_788_393_600;
const DAY = 86_400;
/** `expires_in` in every example of Meta's Instagram and Threads token pages. */
const META_EXPIRES_IN = 5_183_944;

const IG_APP: DoubleApp = { id: '990000000000001', name: 'IG Poster', secret: 'ig-app-secret' };
const TH_APP: DoubleApp = { id: '990000000000002', name: 'Threads API Test App', secret: 'th-app-secret' };
const OTHER_TH_APP: DoubleApp = { id: '990000000000003', name: 'Other Threads App', secret: 'other-secret' };
const FB_APP: DoubleApp = { id: '1234567890', name: 'Reporting App', secret: 'app-secret' };

interface ErrorJson {
	message: string;
	type: string;
	code: number;
	error_subcode?: number;
	fbtrace_id: string;
}

interface Reply {
	status: number;
	json: Record<string, unknown>;
}

let double: GraphDouble;

async function get(base: string, path: string, query: Record<string, string> = {}, bearer?: string): Promise<Reply> {
	const url = new URL(`${base}${path}`);
	for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
	const response = await fetch(url, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
	return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const errorOf = (reply: Reply): ErrorJson => reply.json.error as ErrorJson;

const igExchange = (token: string, secret = IG_APP.secret) =>
	get(double.instagramUrl, '/access_token', { grant_type: 'ig_exchange_token', client_secret: secret, access_token: token });
const igRefresh = (token: string) =>
	get(double.instagramUrl, '/refresh_access_token', { grant_type: 'ig_refresh_token', access_token: token });
const thExchange = (token: string, secret = TH_APP.secret) =>
	get(double.threadsUrl, '/access_token', { grant_type: 'th_exchange_token', client_secret: secret, access_token: token });
const thRefresh = (token: string) =>
	get(double.threadsUrl, '/refresh_access_token', { grant_type: 'th_refresh_token', access_token: token });

/** What graph.instagram.com answered users at its token endpoints for a token it would not serve. */
function expectRefusal(reply: Reply, type: string): void {
	expect(reply.status).toBe(400);
	expect(errorOf(reply)).toMatchObject({ code: 100, type, message: 'Unsupported request - method type: get' });
}

function expectUnparsable(reply: Reply): void {
	expect(reply.status).toBe(400);
	expect(errorOf(reply)).toMatchObject({
		code: 190,
		type: 'OAuthException',
		message: 'Invalid OAuth access token - Cannot parse access token',
	});
}

beforeAll(async () => {
	double = await GraphDouble.start({ now: T0 });
	for (const app of [IG_APP, TH_APP, OTHER_TH_APP, FB_APP]) double.addApp(app);
});

afterAll(async () => {
	await double.stop();
});

beforeEach(() => {
	double.setNow(T0);
	double.clearFaults();
	double.clearRequests();
});

describe('hosts and token shapes', () => {
	it('serves Instagram under /instagram and Threads under /threads of its URL', () => {
		expect(double.instagramUrl).toBe(`${double.url}/instagram`);
		expect(double.threadsUrl).toBe(`${double.url}/threads`);
	});

	it('mints IGAA… and THAA… tokens of letters and digits, as Meta issues them (public setup notes show THAA…/IGAA…)', () => {
		const ig = double.addToken(instagramToken({ appId: IG_APP.id }));
		const th = double.addToken(threadsToken({ appId: TH_APP.id }));
		expect(ig).toMatch(/^IGAA[A-Za-z0-9]{100,}$/);
		expect(th).toMatch(/^THAA[A-Za-z0-9]{100,}$/);
		expect(double.token(ig)).toMatchObject({ platform: 'instagram', type: 'USER', appId: IG_APP.id });
	});

	it('mints with a chosen issue time and lifetime: 1 h short-lived, 60 d long-lived by default (Meta\'s lifetimes)', () => {
		const short = double.addToken(instagramToken({ appId: IG_APP.id, kind: 'short', issuedAt: T0 - 600 }));
		const long = double.addToken(threadsToken({ appId: TH_APP.id }));
		const custom = double.addToken(instagramToken({ appId: IG_APP.id, issuedAt: T0 - 10 * DAY, lifetime: 12 * DAY }));
		expect(double.token(short)).toMatchObject({ issuedAt: T0 - 600, expiresAt: T0 - 600 + SHORT_LIVED_SECONDS });
		expect(double.token(long)).toMatchObject({ issuedAt: T0, expiresAt: T0 + LONG_LIVED_SECONDS });
		expect(double.token(custom)).toMatchObject({ issuedAt: T0 - 10 * DAY, expiresAt: T0 + 2 * DAY });
	});

	it('keeps each host\'s tokens to itself: an Instagram-Login token on graph.facebook.com "Cannot parse access token" (TiagoGrosso/instagram-graph-api-lib#462)', async () => {
		const ig = double.addToken(instagramToken({ appId: IG_APP.id }));
		const fb = double.addToken({ type: 'USER', appId: FB_APP.id, userId: '1', expiresAt: T0 + DAY });
		expectUnparsable(await get(double.url, '/v25.0/debug_token', { input_token: fb }, ig));
		expectUnparsable(await get(double.instagramUrl, '/v25.0/me', {}, fb));
		expectUnparsable(await get(double.threadsUrl, '/v1.0/me', {}, ig));
	});

	it('logs the host with the unprefixed, unversioned path', async () => {
		const ig = double.addToken(instagramToken({ appId: IG_APP.id }));
		await get(double.instagramUrl, '/v25.0/me', { fields: 'user_id,username' }, ig);
		await igRefresh(ig);
		expect(double.requests.map((r) => [r.platform, r.path, r.version])).toEqual([
			['instagram', '/me', 'v25.0'],
			['instagram', '/refresh_access_token', null],
		]);
	});

	it('applies faults by host, and by the token an Instagram token endpoint carries in access_token', async () => {
		const ig = double.addToken(instagramToken({ appId: IG_APP.id, issuedAt: T0 - 2 * DAY }));
		const th = double.addToken(threadsToken({ appId: TH_APP.id, issuedAt: T0 - 2 * DAY }));
		double.injectFault({ platform: 'threads', fault: { type: 'graphError', code: 2 }, times: Infinity });
		expect((await igRefresh(ig)).status).toBe(200);
		expect(errorOf(await thRefresh(th)).code).toBe(2);
		double.clearFaults();
		const other = double.addToken(instagramToken({ appId: IG_APP.id, issuedAt: T0 - 2 * DAY }));
		double.injectFault({ token: other, fault: { type: 'graphError', code: 1 } });
		expect((await igRefresh(ig)).status).toBe(200);
		expect(errorOf(await igRefresh(other)).code).toBe(1);
	});

	it('has no batch endpoint on Instagram or Threads', async () => {
		const ig = double.addToken(instagramToken({ appId: IG_APP.id }));
		const response = await fetch(`${double.instagramUrl}/v25.0/`, {
			method: 'POST',
			headers: { authorization: `Bearer ${ig}` },
			body: new URLSearchParams({ batch: '[]' }),
		});
		expect(response.status).toBe(400);
		expect(((await response.json()) as { error: ErrorJson }).error).toMatchObject({ code: 2500, type: 'IGApiException' });
	});
});

describe('Instagram: GET /access_token (ig_exchange_token) — developers.facebook.com/docs/instagram-platform/reference/access_token', () => {
	it('turns a short-lived token into a new long-lived one, expires_in 5183944 as in Meta\'s example', async () => {
		const short = double.addToken(instagramToken({ appId: IG_APP.id, kind: 'short', username: 'shop' }));
		const reply = await igExchange(short);
		expect(reply.status).toBe(200);
		expect(reply.json).toEqual({ access_token: expect.stringMatching(/^IGAA/), token_type: 'bearer', expires_in: META_EXPIRES_IN });
		const long = reply.json.access_token as string;
		expect(long).not.toBe(short);
		expect(double.token(long)).toMatchObject({ platform: 'instagram', issuedAt: T0, expiresAt: T0 + META_EXPIRES_IN, username: 'shop' });
		expect((await get(double.instagramUrl, '/v25.0/me', { fields: 'username' }, long)).json).toMatchObject({ username: 'shop' });
	});

	it('refuses a wrong client secret with code 1 "Error validating client secret." (graph.facebook.com\'s real answer, php-graph-sdk#538; none from this host on record)', async () => {
		const short = double.addToken(instagramToken({ appId: IG_APP.id, kind: 'short' }));
		const reply = await igExchange(short, 'not-the-secret');
		expect(reply.status).toBe(400);
		expect(errorOf(reply)).toMatchObject({ code: 1, type: 'OAuthException', message: 'Error validating client secret.' });
	});

	it('refuses an expired short-lived token (the guide: expired short-lived tokens cannot be exchanged) with the expiry error', async () => {
		const short = double.addToken(instagramToken({ appId: IG_APP.id, kind: 'short', issuedAt: T0 - 2 * 3600 }));
		const reply = await igExchange(short);
		expect(errorOf(reply)).toMatchObject({ code: 190, error_subcode: 0 });
		expect(errorOf(reply).message).toMatch(/^Error validating access token: Session has expired on /);
	});

	it('refuses a long-lived token with the endpoint\'s refusal (assumption: the refusal users got from this endpoint, chatwoot#14932)', async () => {
		const long = double.addToken(instagramToken({ appId: IG_APP.id }));
		expectRefusal(await igExchange(long), 'IGApiException');
	});

	it('refuses a garbage token as unparsable, and names a missing parameter', async () => {
		expectUnparsable(await igExchange('IGAAgarbage'));
		const short = double.addToken(instagramToken({ appId: IG_APP.id, kind: 'short' }));
		const reply = await get(double.instagramUrl, '/access_token', { grant_type: 'ig_exchange_token', access_token: short });
		expect(errorOf(reply)).toMatchObject({ code: 100, type: 'IGApiException', message: '(#100) The parameter client_secret is required' });
	});
});

describe('Instagram: GET /refresh_access_token (ig_refresh_token) — developers.facebook.com/docs/instagram-platform/reference/refresh_access_token', () => {
	it('refreshes a long-lived token at least 24 hours old: a new string valid 60 days from the refresh', async () => {
		const long = double.addToken(instagramToken({ appId: IG_APP.id, issuedAt: T0 - 50 * DAY }));
		const reply = await igRefresh(long);
		expect(reply.status).toBe(200);
		expect(reply.json).toEqual({ access_token: expect.stringMatching(/^IGAA/), token_type: 'bearer', expires_in: META_EXPIRES_IN });
		const renewed = reply.json.access_token as string;
		expect(renewed).not.toBe(long);
		expect(double.token(renewed)).toMatchObject({ issuedAt: T0, expiresAt: T0 + META_EXPIRES_IN });
	});

	it('refuses a token under 24 hours old — the refreshed one too, until a day has passed (assumption for the answer)', async () => {
		const young = double.addToken(instagramToken({ appId: IG_APP.id, issuedAt: T0 - DAY + 60 }));
		expectRefusal(await igRefresh(young), 'IGApiException');
		double.advance(60);
		const renewed = (await igRefresh(young)).json.access_token as string;
		expectRefusal(await igRefresh(renewed), 'IGApiException');
		double.advance(DAY);
		expect((await igRefresh(renewed)).status).toBe(200);
	});

	it('refuses an expired token with 190, subcode 0, "Session has expired on … PST" (Msameim181/n8n-nodes-instagram-integrations#8)', async () => {
		const long = double.addToken(instagramToken({ appId: IG_APP.id, issuedAt: T0 - 61 * DAY }));
		const reply = await igRefresh(long);
		expect(reply.status).toBe(400);
		expect(errorOf(reply)).toMatchObject({ code: 190, error_subcode: 0, type: 'OAuthException' });
		expect(errorOf(reply).message).toMatch(
			/^Error validating access token: Session has expired on \w+day, \d\d-\w{3}-\d\d \d\d:\d\d:\d\d P[SD]T\. The current time is /,
		);
	});

	it('refuses a short-lived token (the page wants a long-lived one; assumption for the answer)', async () => {
		const short = double.addToken(instagramToken({ appId: IG_APP.id, kind: 'short' }));
		expectRefusal(await igRefresh(short), 'IGApiException');
	});

	it('refuses a garbage token as unparsable', async () => {
		expectUnparsable(await igRefresh('not-a-token'));
	});
});

describe('Instagram: GET /{version}/me — developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/get-started', () => {
	it('answers user_id and username with the token in the Authorization header or the query', async () => {
		const ig = double.addToken(instagramToken({ appId: IG_APP.id, userId: '17841405822304914', username: 'acme' }));
		const byHeader = await get(double.instagramUrl, '/v25.0/me', { fields: 'user_id,username' }, ig);
		const byQuery = await get(double.instagramUrl, '/v25.0/me', { fields: 'user_id,username', access_token: ig });
		for (const reply of [byHeader, byQuery]) {
			expect(reply.status).toBe(200);
			expect(reply.json).toEqual({ user_id: '17841405822304914', username: 'acme', id: '17841405822304914' });
		}
	});

	it('answers an expired token with 190/0 once the double\'s clock passes its expiry', async () => {
		const ig = double.addToken(instagramToken({ appId: IG_APP.id, kind: 'short' }));
		expect((await get(double.instagramUrl, '/v25.0/me', {}, ig)).status).toBe(200);
		double.advance(SHORT_LIVED_SECONDS);
		const reply = await get(double.instagramUrl, '/v25.0/me', {}, ig);
		expect(reply.status).toBe(400);
		expect(errorOf(reply)).toMatchObject({ code: 190, error_subcode: 0, type: 'OAuthException' });
	});

	it('answers a garbage token with "Cannot parse access token"', async () => {
		expectUnparsable(await get(double.instagramUrl, '/v25.0/me', { fields: 'user_id' }, 'IGAAgarbage'));
	});

	it('answers an unknown path with IGApiException 2500 "Unknown path components" (restfb#1558), and has no debug_token', async () => {
		const ig = double.addToken(instagramToken({ appId: IG_APP.id }));
		const reply = await get(double.instagramUrl, '/v25.0/debug_token', { input_token: ig }, ig);
		expect(reply.status).toBe(400);
		expect(errorOf(reply)).toMatchObject({ code: 2500, type: 'IGApiException', message: 'Unknown path components: /debug_token' });
	});
});

describe('Threads: long-lived tokens — developers.facebook.com/docs/threads/get-started/long-lived-tokens', () => {
	it('exchanges a short-lived token (th_exchange_token): expires_in 5183944 as in Meta\'s example', async () => {
		const short = double.addToken(threadsToken({ appId: TH_APP.id, kind: 'short' }));
		const reply = await thExchange(short);
		expect(reply.status).toBe(200);
		expect(reply.json).toEqual({ access_token: expect.stringMatching(/^THAA/), token_type: 'bearer', expires_in: 5183944 });
	});

	it('refuses a wrong client secret (code 1), a long-lived token, and an instagram grant', async () => {
		const short = double.addToken(threadsToken({ appId: TH_APP.id, kind: 'short' }));
		expect(errorOf(await thExchange(short, 'wrong'))).toMatchObject({ code: 1, message: 'Error validating client secret.' });
		const long = double.addToken(threadsToken({ appId: TH_APP.id }));
		expectRefusal(await thExchange(long), 'OAuthException');
		const wrongGrant = await get(double.threadsUrl, '/access_token', {
			grant_type: 'ig_exchange_token',
			client_secret: TH_APP.secret,
			access_token: short,
		});
		expect(errorOf(wrongGrant)).toMatchObject({ code: 100, message: '(#100) Unsupported grant_type: ig_exchange_token' });
	});

	it('refreshes (th_refresh_token) only a long-lived token at least 24 hours old and unexpired', async () => {
		const old = double.addToken(threadsToken({ appId: TH_APP.id, issuedAt: T0 - 2 * DAY }));
		const reply = await thRefresh(old);
		expect(reply.json).toEqual({ access_token: expect.stringMatching(/^THAA/), token_type: 'bearer', expires_in: META_EXPIRES_IN });
		const young = double.addToken(threadsToken({ appId: TH_APP.id, issuedAt: T0 - 3600 }));
		expectRefusal(await thRefresh(young), 'OAuthException');
		const expired = double.addToken(threadsToken({ appId: TH_APP.id, issuedAt: T0 - 70 * DAY }));
		expect(errorOf(await thRefresh(expired))).toMatchObject({ code: 190, error_subcode: 463 });
		expectUnparsable(await thRefresh('THAAgarbage'));
	});

	it('answers GET /v1.0/me?fields=id,username, and not under another version', async () => {
		const th = double.addToken(threadsToken({ appId: TH_APP.id, userId: '7', username: 'threader' }));
		expect((await get(double.threadsUrl, '/v1.0/me', { fields: 'id,username' }, th)).json).toEqual({ id: '7', username: 'threader' });
		const wrongVersion = await get(double.threadsUrl, '/v25.0/me', {}, th);
		expect(errorOf(wrongVersion)).toMatchObject({ code: 2500, message: 'Unknown path components: /v25.0/me' });
	});
});

describe('Threads: GET /v1.0/debug_token — developers.facebook.com/docs/threads/troubleshooting/debug-access-token', () => {
	it('answers the fields of Meta\'s example, in its order, the token itself as the caller', async () => {
		const th = double.addToken(
			threadsToken({ appId: TH_APP.id, userId: '7', issuedAt: T0 - DAY, dataAccessExpiresAt: T0 + 80 * DAY, scopes: ['threads_basic', 'threads_content_publish'] }),
		);
		const reply = await get(double.threadsUrl, '/v1.0/debug_token', { input_token: th }, th);
		expect(reply.status).toBe(200);
		const data = reply.json.data as Record<string, unknown>;
		expect(Object.keys(data)).toEqual(['type', 'application', 'data_access_expires_at', 'expires_at', 'is_valid', 'issued_at', 'scopes', 'user_id']);
		expect(data).toEqual({
			type: 'USER',
			application: TH_APP.name,
			data_access_expires_at: T0 + 80 * DAY,
			expires_at: T0 - DAY + LONG_LIVED_SECONDS,
			is_valid: true,
			issued_at: T0 - DAY,
			scopes: ['threads_basic', 'threads_content_publish'],
			user_id: '7',
		});
	});

	it('takes the caller from the query too, and reports an expired or unknown input as is_valid false (HTTP 200, like graph.facebook.com)', async () => {
		const caller = double.addToken(threadsToken({ appId: TH_APP.id }));
		const dying = double.addToken(threadsToken({ appId: TH_APP.id, kind: 'short' }));
		double.advance(2 * SHORT_LIVED_SECONDS);
		const expired = await get(double.threadsUrl, '/v1.0/debug_token', { input_token: dying, access_token: caller });
		expect(expired.status).toBe(200);
		expect(expired.json.data).toMatchObject({ is_valid: false, error: { code: 190, subcode: 463 } });
		const unknown = await get(double.threadsUrl, '/v1.0/debug_token', { input_token: 'THAAnope', access_token: caller });
		expect(unknown.json.data).toMatchObject({ is_valid: false, error: { code: 190 } });
	});

	it('refuses an input token of another app, and a dead caller', async () => {
		const caller = double.addToken(threadsToken({ appId: TH_APP.id, kind: 'short' }));
		const foreign = double.addToken(threadsToken({ appId: OTHER_TH_APP.id }));
		expect(errorOf(await get(double.threadsUrl, '/v1.0/debug_token', { input_token: foreign }, caller)).code).toBe(100);
		double.advance(SHORT_LIVED_SECONDS);
		expect(errorOf(await get(double.threadsUrl, '/v1.0/debug_token', { input_token: foreign }, caller)).code).toBe(190);
	});
});

describe('control API', () => {
	it('mints Instagram and Threads tokens from the same specs (POST /_double/tokens), and names a wrong platform', async () => {
		const post = (body: unknown) =>
			fetch(`${double.url}/_double/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
		const minted = (await (await post(instagramToken({ appId: IG_APP.id, kind: 'short', issuedAt: T0 }))).json()) as { token: string };
		expect(minted.token).toMatch(/^IGAA/);
		expect(double.token(minted.token)).toMatchObject({ platform: 'instagram', expiresAt: T0 + SHORT_LIVED_SECONDS });
		const bad = await post({ platform: 'tiktok', type: 'USER', appId: IG_APP.id });
		expect(bad.status).toBe(400);
		expect(await bad.text()).toContain('token spec.platform must be one of facebook, instagram, threads');
	});
});
