/**
 * Instagram's and Threads' token endpoints through the Graph client: exchange (ig_exchange_token /
 * th_exchange_token, with the app secret) and refresh (ig_refresh_token / th_refresh_token, no
 * secret), unversioned on the platform's own host, as Meta's pages show them
 * (developers.facebook.com/docs/instagram-platform/reference/access_token, …/reference/refresh_access_token,
 * …/docs/threads/get-started/long-lived-tokens): answers `{access_token, token_type: "bearer",
 * expires_in: 5183944}`. Both mint, so neither is sent again once it may have reached Meta.
 */
import { APP_SECRET, failure, FakeTransport, graphError, harness, json, networkError, raw } from './fakes';
import type { GraphClientOptions } from '../../nodes/graph/GraphClient';
import type { MetaPlatform } from '../../nodes/meta/platform';

const HOSTS: Record<'instagram' | 'threads', string> = {
	instagram: 'https://graph.instagram.com',
	threads: 'https://graph.threads.net',
};
const META_ANSWER = { access_token: 'IGQWlongLivedNewToken0001', token_type: 'bearer', expires_in: 5183944 };
const SHORT = 'IGQWshortLivedToken0001';
const LONG = 'IGQWlongLivedToken0001';

function platformHarness(platform: 'instagram' | 'threads', fake: FakeTransport, options: Partial<GraphClientOptions> = {}) {
	// Instagram and Threads apps have no App ID field in play: only their App Secret.
	return harness(fake, { baseUrl: HOSTS[platform], appId: undefined, platform, ...options });
}

describe.each(['instagram', 'threads'] as const)('%s tokens', (platform) => {
	const prefix = platform === 'instagram' ? 'ig' : 'th';

	it(`exchanges with ${prefix}_exchange_token and the app secret, on the platform's host, unversioned`, async () => {
		const { client, fake } = platformHarness(platform, new FakeTransport().reply(json(META_ANSWER)));
		await expect(client.exchangeToken(SHORT)).resolves.toEqual(META_ANSWER);
		expect(fake.requests).toHaveLength(1);
		expect(fake.requests[0]).toMatchObject({
			method: 'GET',
			url: `${HOSTS[platform]}/access_token`,
			qs: { grant_type: `${prefix}_exchange_token`, client_secret: APP_SECRET, access_token: SHORT },
			headers: { Authorization: `Bearer ${SHORT}` },
		});
		expect(Object.keys(fake.requests[0].qs).sort()).toEqual(['access_token', 'client_secret', 'grant_type']);
	});

	it(`refreshes with ${prefix}_refresh_token and no secret at all`, async () => {
		const { client, fake } = platformHarness(platform, new FakeTransport().reply(json(META_ANSWER)));
		await expect(client.refreshLongLivedToken(LONG)).resolves.toEqual(META_ANSWER);
		expect(fake.requests[0]).toMatchObject({
			method: 'GET',
			url: `${HOSTS[platform]}/refresh_access_token`,
			qs: { grant_type: `${prefix}_refresh_token`, access_token: LONG },
			headers: { Authorization: `Bearer ${LONG}` },
		});
		expect(JSON.stringify(fake.requests[0])).not.toContain(APP_SECRET);
	});

	it('logs the calls with the token and the secret redacted', async () => {
		const { client, log } = platformHarness(platform, new FakeTransport().reply(json(META_ANSWER)));
		await client.exchangeToken(SHORT);
		await client.refreshLongLivedToken(LONG);
		expect(log.map((entry) => entry.url)).toHaveLength(2);
		for (const { url } of log) {
			expect(url).not.toContain(SHORT);
			expect(url).not.toContain(LONG);
			expect(url).not.toContain(APP_SECRET);
		}
	});

	it('takes a loopback double (path prefix included) as the host', async () => {
		const { client, fake } = platformHarness(platform, new FakeTransport().reply(json(META_ANSWER)), {
			baseUrl: `http://127.0.0.1:4567/${platform}`,
		});
		await client.refreshLongLivedToken(LONG);
		expect(fake.requests[0].url).toBe(`http://127.0.0.1:4567/${platform}/refresh_access_token`);
	});

	it('speaks to its own platform\'s host when given no Base URL, never to Facebook\'s', async () => {
		const { client, fake } = platformHarness(platform, new FakeTransport().reply(json(META_ANSWER), json(META_ANSWER), json({ user_id: '1' })), { baseUrl: undefined });
		await client.exchangeToken(SHORT);
		await client.refreshLongLivedToken(LONG);
		await client.inspectToken(LONG);
		const origin = platform === 'instagram' ? 'https://graph.instagram.com' : 'https://graph.threads.net';
		expect(fake.requests.map((request) => new URL(request.url).origin)).toEqual([origin, origin, origin]);
	});

	it.each(['https://graph.facebook.com', platform === 'instagram' ? HOSTS.threads : HOSTS.instagram])(
		'sends neither token nor secret to another Meta family host (%s)',
		async (baseUrl) => {
			const { client, fake } = platformHarness(platform, new FakeTransport().reply(json(META_ANSWER)), { baseUrl });
			for (const attempt of [client.exchangeToken(SHORT), client.refreshLongLivedToken(LONG)]) {
				const error = await failure(attempt);
				expect(error.message).toMatch(/nothing was sent/);
				expect(error.neverReachedMeta).toBe(true);
			}
			expect(fake.requests).toHaveLength(0);
		},
	);

	it('refuses Facebook-only calls before sending (system users, Pages, revoking, batches)', async () => {
		const { client, fake } = platformHarness(platform, new FakeTransport());
		for (const attempt of [
			client.getPageAccounts(),
			client.revokeUserToken(LONG),
			client.revokeSystemUserToken(LONG),
			client.refreshSystemUserToken(LONG),
			client.generateSystemUserToken({ systemUserId: '1', scopes: ['ads_read'], expiring: true }),
		]) {
			const error = await failure(attempt);
			expect(error.message).toMatch(/Only Facebook tokens can .*nothing was sent/);
			expect(error.message).not.toContain(LONG);
		}
		expect(() => client.debugTokenRun()).toThrow(/Only Facebook tokens can inspect tokens in Graph batches/);
		expect(fake.requests).toHaveLength(0);
	});

	it('refuses to exchange without the App Secret, naming it, before sending', async () => {
		const { client, fake } = platformHarness(platform, new FakeTransport(), { appSecret: undefined });
		const error = await failure(client.exchangeToken(SHORT));
		expect(error.message).toContain("'App Secret'");
		expect(error.message).not.toContain('App ID');
		expect(fake.requests).toHaveLength(0);
	});

	it.each([
		['a timeout', networkError('ETIMEDOUT')],
		['a reset connection', networkError('ECONNRESET')],
		['a 500', graphError(2, { message: 'An unexpected error has occurred. Please retry your request later.', status: 500 })],
		['a garbled answer', raw(502, '<html>Bad Gateway</html>')],
	])('never sends a refresh or an exchange again after %s: a token may have been minted', async (_case, reply) => {
		for (const call of ['refresh', 'exchange'] as const) {
			const { client, fake } = platformHarness(platform, new FakeTransport().reply(reply, json(META_ANSWER)));
			const error = await failure(call === 'refresh' ? client.refreshLongLivedToken(LONG) : client.exchangeToken(SHORT));
			expect(fake.requests).toHaveLength(1);
			expect(error.mayHaveMinted).toBe(true);
			expect(error.message).toMatch(/A new token may have been created anyway/);
		}
	});

	it('sends again a refresh that surely never reached Meta (connection refused)', async () => {
		const { client, fake } = platformHarness(platform, new FakeTransport().reply(networkError('ECONNREFUSED'), json(META_ANSWER)));
		await expect(client.refreshLongLivedToken(LONG)).resolves.toEqual(META_ANSWER);
		expect(fake.requests).toHaveLength(2);
	});

	describe("Meta's refusal of a refresh, worded", () => {
		it('an expired token (190/463): no refresh revives it, and how to get a new one', async () => {
			const { client, fake } = platformHarness(
				platform,
				new FakeTransport().reply(
					graphError(190, { subcode: 463, message: 'Error validating access token: Session has expired on Tuesday, 01-Dec-26 09:30:15 PST.' }),
				),
			);
			const error = await failure(client.refreshLongLivedToken(LONG));
			expect(fake.requests).toHaveLength(1);
			expect(error.reason).toBe('expired');
			expect(error.summary).toMatch(/Meta refused to refresh this (Instagram|Threads) token: it has expired, and only unexpired tokens can be refreshed\./);
			expect(error.description).toMatch(/Get a new .* token .*Exchange for Long-Lived Token/);
		});

		it('a token under 24 hours old: run again once it is a day old', async () => {
			const { client } = platformHarness(
				platform,
				new FakeTransport().reply(graphError(190, { message: 'The access token must be at least 24 hours old to be refreshed.' })),
			);
			const error = await failure(client.refreshLongLivedToken(LONG));
			expect(error.summary).toMatch(/it is less than 24 hours old\. The token itself still works\./);
			expect(error.description).toMatch(/once the token is a day old/);
		});

		it('any other refusal of the token names every cause Meta documents and what to do', async () => {
			const { client } = platformHarness(platform, new FakeTransport().reply(graphError(190, { message: 'Invalid OAuth access token - Cannot parse access token' })));
			const error = await failure(client.refreshLongLivedToken(LONG));
			expect(error.errorClass).toBe('auth');
			expect(error.summary).toMatch(/^Meta refused to refresh this (Instagram|Threads) token\. /);
			expect(error.description).toMatch(/at least 24 hours old, has not expired and carries (instagram_business_basic|threads_basic)/);
			expect(error.message).not.toContain(LONG);
		});

		it.each(['refresh', 'exchange'] as const)(
			'the endpoints\' generic code 100 refusal ("Unsupported request - method type: get", as users pasted it) is worded on %s: what Meta takes and what to do',
			async (call) => {
				const { client, fake } = platformHarness(
					platform,
					new FakeTransport().reply(graphError(100, { message: 'Unsupported request - method type: get', status: 400 })),
				);
				const error = await failure(call === 'refresh' ? client.refreshLongLivedToken(LONG) : client.exchangeToken(SHORT));
				expect(fake.requests).toHaveLength(1);
				expect(error.summary).toMatch(call === 'refresh' ? /^Meta refused to refresh this (Instagram|Threads) token\. / : /^Meta refused to exchange this (Instagram|Threads) token\. /);
				expect(error.description).toMatch(call === 'refresh' ? /at least 24 hours old, has not expired/ : /short-lived .* Refresh Long-Lived Token instead/);
				expect(error.description).toMatch(/tester/);
			},
		);

		it('a missing parameter stays the classifier\'s bad request', async () => {
			const { client } = platformHarness(platform, new FakeTransport().reply(graphError(100, { message: 'The parameter grant_type is required', status: 400 })));
			const error = await failure(client.refreshLongLivedToken(LONG));
			expect(error.summary).not.toMatch(/Meta refused to refresh/);
		});

		it('a wrong App Secret on exchange stays the classifier\'s (code 1), secret-free', async () => {
			const { client } = platformHarness(platform, new FakeTransport().reply(graphError(1, { message: 'Error validating client secret.' })));
			const error = await failure(client.exchangeToken(SHORT));
			expect(error.message).not.toContain(APP_SECRET);
			expect(error.mayHaveMinted).toBe(false);
		});
	});
});

describe('Facebook, unchanged', () => {
	it.each<[MetaPlatform | undefined]>([[undefined], ['facebook']])('exchanges with fb_exchange_token on the versioned root (platform %s)', async (platform) => {
		const { client, fake } = harness(new FakeTransport().reply(json({ access_token: 'EAAlong', expires_in: 5183944 })), { platform });
		await client.exchangeToken('EAAshort');
		expect(fake.requests[0].url).toBe('https://graph.facebook.com/v25.0/oauth/access_token');
		expect(fake.requests[0].qs.grant_type).toBe('fb_exchange_token');
	});

	it('has no refresh of long-lived user tokens: refused before sending', async () => {
		const { client, fake } = harness(new FakeTransport());
		const error = await failure(client.refreshLongLivedToken('EAAlong'));
		expect(error.message).toMatch(/Facebook user tokens cannot be refreshed by API, so nothing was sent/);
		expect(fake.requests).toHaveLength(0);
	});
});
