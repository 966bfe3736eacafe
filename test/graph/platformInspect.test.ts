/**
 * Inspecting Instagram and Threads tokens (nodes/graph/platformInspect.ts) through the client, with
 * answers shaped as Meta's pages show them:
 * - Instagram API with Instagram Login, `GET /me?fields=user_id,username`
 *   (developers.facebook.com/docs/instagram-platform/instagram-api-with-instagram-login/get-started):
 *   `{"user_id":"…","username":"…","id":"…"}`;
 * - Threads `GET /v1.0/debug_token` (developers.facebook.com/docs/threads/troubleshooting/debug-access-token):
 *   `{"data":{"type":"USER","application":…,"expires_at":…,"is_valid":true,"scopes":[…],"user_id":…}}`;
 * - an invalid or expired token: the OAuth error envelope, code 190 (subcode 463 for an expired one).
 */
import type { MetaPlatform } from '../../nodes/meta/platform';
import { GraphError } from '../../nodes/graph/GraphError';
import { FakeTransport, graphError, harness, json, networkError } from './fakes';

const IG_TOKEN = 'IGAAinstagramLongLivedToken0123456789';
const TH_TOKEN = 'THAAthreadsLongLivedToken0123456789';

function client(platform: MetaPlatform, fake: FakeTransport, baseUrl: string, version: string) {
	// Instagram and Threads credentials carry no App ID: there is no app token on these hosts.
	return harness(fake, { platform, baseUrl, version, appId: undefined, appSecret: 'ig-app-secret-0123' });
}

describe('Instagram: GET /{version}/me?fields=user_id,username, the token as Bearer', () => {
	const ig = (fake: FakeTransport) => client('instagram', fake, 'https://graph.instagram.com', 'v25.0');

	it('a token Meta answers for is valid; its user and username are known, its expiry and scopes are not', async () => {
		const fake = new FakeTransport().reply(json({ user_id: '17841400000000001', username: 'acme.shoes', id: '9001' }));
		const { client: c } = ig(fake);
		await expect(c.inspectToken(IG_TOKEN)).resolves.toEqual({
			ok: true,
			data: { is_valid: true, user_id: '17841400000000001', username: 'acme.shoes' },
		});
		expect(fake.requests).toHaveLength(1);
		const [request] = fake.requests;
		expect(request.method).toBe('GET');
		expect(request.url).toBe('https://graph.instagram.com/v25.0/me');
		expect(request.qs).toEqual({ fields: 'user_id,username' });
		expect(request.headers.Authorization).toBe(`Bearer ${IG_TOKEN}`);
		// No appsecret_proof, no app token: Meta documents neither for this host.
		expect(JSON.stringify(request)).not.toContain('ig-app-secret-0123');
	});

	it('an auth refusal is the token\'s own verdict (it was the caller), classified by code', async () => {
		const fake = new FakeTransport().reply(
			graphError(190, { subcode: 463, message: 'Error validating access token: Session has expired on Friday, 06-Feb-26.' }),
		);
		const inspection = await ig(fake).client.inspectToken(IG_TOKEN);
		expect(inspection.ok).toBe(false);
		if (inspection.ok) return;
		expect(inspection.selfInspected).toBe(true);
		expect(inspection.error).toBeInstanceOf(GraphError);
		expect(inspection.error).toMatchObject({ errorClass: 'auth', reason: 'expired' });
		// Never retried: a refused token stays refused.
		expect(fake.requests).toHaveLength(1);
	});

	it('an outage is a failed check (network), never an auth verdict; the token never leaks', async () => {
		const fake = new FakeTransport().reply(networkError('ECONNRESET'));
		const inspection = await ig(fake).client.inspectToken(IG_TOKEN);
		expect(inspection.ok).toBe(false);
		if (inspection.ok) return;
		expect((inspection.error as GraphError).errorClass).toBe('network');
		// Idempotent: retried up to the default attempts.
		expect(fake.requests).toHaveLength(4);
		expect(JSON.stringify(inspection.error)).not.toContain(IG_TOKEN);
	});

	it('an answer naming no user is a bad answer, not a valid token', async () => {
		const fake = new FakeTransport().reply(json({ username: 'acme.shoes' }));
		const inspection = await ig(fake).client.inspectToken(IG_TOKEN);
		expect(inspection.ok).toBe(false);
		if (inspection.ok) return;
		expect((inspection.error as GraphError).errorClass).toBe('badResponse');
	});

	it('never batches: each token is one call of its own, even with an App ID in the credential', async () => {
		const fake = new FakeTransport((request) => json({ user_id: request.headers.Authorization.slice(-4), username: 'x' }));
		const { client: c } = harness(fake, { platform: 'instagram', baseUrl: 'https://graph.instagram.com', version: 'v25.0' });
		await Promise.all([c.inspectToken(`${IG_TOKEN}AAAA`), c.inspectToken(`${IG_TOKEN}BBBB`)]);
		expect(fake.requests.map((request) => request.url)).toEqual([
			'https://graph.instagram.com/v25.0/me',
			'https://graph.instagram.com/v25.0/me',
		]);
		expect(fake.requests.every((request) => request.form === undefined)).toBe(true);
	});
});

describe('Threads: GET /v1.0/debug_token with the token itself, /me when refused for a non-tester', () => {
	const th = (fake: FakeTransport) => client('threads', fake, 'https://graph.threads.net', 'v1.0');
	const debugAnswer = {
		data: {
			type: 'USER',
			application: 'Acme Threads',
			data_access_expires_at: 1_790_000_000,
			expires_at: 1_785_000_000,
			is_valid: true,
			issued_at: 1_780_000_000,
			scopes: ['threads_basic', 'threads_content_publish'],
			user_id: '26000000000000001',
		},
	};

	it('debug_token answers: validity, expiry and scopes from Meta, in one call', async () => {
		const fake = new FakeTransport().reply(json(debugAnswer));
		await expect(th(fake).client.inspectToken(TH_TOKEN)).resolves.toEqual({ ok: true, data: debugAnswer.data });
		expect(fake.requests).toHaveLength(1);
		const [request] = fake.requests;
		expect(request.url).toBe('https://graph.threads.net/v1.0/debug_token');
		expect(request.qs).toEqual({ input_token: TH_TOKEN });
		expect(request.headers.Authorization).toBe(`Bearer ${TH_TOKEN}`);
	});

	it('debug_token refused for a non-tester (permission): /me?fields=id,username says whether it works', async () => {
		const fake = new FakeTransport().reply(
			graphError(10, { message: '(#10) Application does not have permission for this action', status: 403 }),
			json({ id: '26000000000000001', username: 'acme' }),
		);
		await expect(th(fake).client.inspectToken(TH_TOKEN)).resolves.toEqual({
			ok: true,
			data: { is_valid: true, user_id: '26000000000000001', username: 'acme' },
		});
		expect(fake.requests.map((request) => [request.url, request.qs])).toEqual([
			['https://graph.threads.net/v1.0/debug_token', { input_token: TH_TOKEN }],
			['https://graph.threads.net/v1.0/me', { fields: 'id,username' }],
		]);
	});

	it('an auth refusal of debug_token is the token\'s death: no second call', async () => {
		const fake = new FakeTransport().reply(graphError(190, { message: 'Invalid OAuth access token.' }));
		const inspection = await th(fake).client.inspectToken(TH_TOKEN);
		expect(inspection).toMatchObject({ ok: false, selfInspected: true });
		expect(fake.requests).toHaveLength(1);
	});

	it('a transient error of debug_token is a failed check, never a fallback that could call it valid or dead', async () => {
		const fake = new FakeTransport().reply(graphError(2, { message: 'Service temporarily unavailable', status: 500 }));
		const inspection = await th(fake).client.inspectToken(TH_TOKEN);
		expect(inspection.ok).toBe(false);
		if (inspection.ok) return;
		expect((inspection.error as GraphError).errorClass).toBe('transient');
		expect(fake.requests.every((request) => request.url.endsWith('/debug_token'))).toBe(true);
	});
});

describe('Facebook is unchanged', () => {
	it('inspects with the app token through debug_token, as before', async () => {
		const fake = new FakeTransport().reply(json({ data: { is_valid: true, type: 'USER' } }));
		const { client: c } = harness(fake);
		await c.inspectToken('EAAinputTokenValue');
		expect(fake.requests[0].url).toBe('https://graph.facebook.com/v25.0/debug_token');
		expect(c.platform).toBe('facebook');
	});
});
