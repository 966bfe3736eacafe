/**
 * The Meta Token API credential per platform (Facebook, Instagram, Threads), called the way n8n
 * calls it: `authenticate` through n8n-core's real request helpers (`httpRequestWithAuthentication`
 * for our nodes, the legacy `requestWithAuthentication` for the HTTP Request node), the credential
 * test through n8n-core's RoutingNode, and the fields as n8n-workflow's getNodeParameters hands
 * them to a node (what n8n's CredentialsHelper does before authenticate sees them).
 *
 * A loopback stand-in plays the Instagram and Threads hosts under the path prefixes `/instagram`
 * and `/threads` (as the Graph double does): it records every request and answers `/me` for its
 * one live token, and Meta's OAuth error for any other.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { NodeHelpers } from 'n8n-workflow';
import type { IDataObject, IHttpRequestOptions, INodeProperties, IRequestOptions } from 'n8n-workflow';

import { MetaTokenApi } from '../../credentials/MetaTokenApi.credentials';
import { MetaToken } from '../../nodes/MetaToken/MetaToken.node';
import { executeContext, testCredential, type CredentialStore } from '../../tools/n8n-harness/n8nHarness';

const LIVE = 'IGAAlivetokenAbCdEf0123456789ZZ';
const THREADS_LIVE = 'THAAlivetokenAbCdEf0123456789ZZ';
const APP_SECRET = 'platform-app-secret-canary-51e0';

interface Seen {
	path: string;
	query: Record<string, string>;
	authorization?: string;
}

let server: http.Server;
const seen: Seen[] = [];

beforeAll(async () => {
	server = http.createServer((request, response) => {
		const url = new URL(request.url ?? '/', 'http://stand-in');
		seen.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), authorization: request.headers.authorization });
		const token = (request.headers.authorization ?? '').replace(/^Bearer /, '') || url.searchParams.get('access_token');
		response.setHeader('content-type', 'application/json');
		if (token !== LIVE && token !== THREADS_LIVE) {
			response.writeHead(400);
			response.end(JSON.stringify({ error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190 } }));
			return;
		}
		response.writeHead(200);
		response.end(JSON.stringify(url.pathname.startsWith('/threads') ? { id: '7', username: 'threads_user' } : { id: '9', user_id: '17841400000000001', username: 'ig_user' }));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
	server.closeAllConnections();
	await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
	seen.length = 0;
});

const standIn = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** A credential as stored: every field set, as a user switching platforms may leave them. */
function stored(platform: string | undefined, extra: IDataObject = {}): IDataObject {
	const data: IDataObject = {
		accessToken: platform === 'threads' ? THREADS_LIVE : LIVE,
		appId: '1234567890',
		appSecret: APP_SECRET,
		graphApiVersion: 'v25.0',
		proofMode: 'auto',
		baseUrl: platform === undefined || platform === 'facebook' ? standIn() : `${standIn()}/${platform}`,
		...extra,
	};
	if (platform !== undefined) data.platform = platform;
	return data;
}

/** The credential's data as n8n hands it to a node: defaults applied, fields not shown for the platform dropped. */
function asN8nReadsIt(data: IDataObject): IDataObject {
	return NodeHelpers.getNodeParameters(new MetaTokenApi().properties, data as never, true, false, null, null) as IDataObject;
}

function helpers(data: IDataObject) {
	const credentials: CredentialStore = { metaTokenApi: asN8nReadsIt(data) as never };
	const { context } = executeContext(new MetaToken(), { parameters: { operation: 'inspect' }, credentials });
	return {
		http: async (options: IHttpRequestOptions) => await context.helpers.httpRequestWithAuthentication.call(context, 'metaTokenApi', options),
		legacy: async (options: IRequestOptions) => await context.helpers.requestWithAuthentication.call(context, 'metaTokenApi', options),
	};
}

async function failure(promise: Promise<unknown>): Promise<Error> {
	return (await promise.then(
		() => {
			throw new Error('expected the request to be refused');
		},
		(e: unknown) => e,
	)) as Error;
}

describe('the fields per platform, as n8n reads them', () => {
	const properties = new MetaTokenApi().properties;

	it('Platform comes first: Facebook (default), Instagram, Threads', () => {
		expect(properties[0]).toMatchObject({ name: 'platform', type: 'options', default: 'facebook' });
		expect(properties[0].options?.map((option) => (option as { value: string }).value)).toEqual(['facebook', 'instagram', 'threads']);
	});

	it('a credential saved before Platform existed reads as Facebook with every field it had', () => {
		const read = asN8nReadsIt({ accessToken: 'EAAtoken', appId: '1', appSecret: 's', graphApiVersion: 'v24.0', proofMode: 'timestamped', baseUrl: 'https://graph.facebook.com' });
		expect(read).toMatchObject({ platform: 'facebook', accessToken: 'EAAtoken', appId: '1', appSecret: 's', graphApiVersion: 'v24.0', proofMode: 'timestamped' });
		expect(read.tokenRecord).toBeUndefined();
	});

	it('Instagram: no App ID and no App Secret Proof; the version, the secret and the token record stay', () => {
		const read = asN8nReadsIt(stored('instagram', { tokenRecord: '{"fingerprint":"x","issuedAt":1}' }));
		expect(read.appId).toBeUndefined();
		expect(read.proofMode).toBeUndefined();
		expect(read).toMatchObject({ platform: 'instagram', appSecret: APP_SECRET, graphApiVersion: 'v25.0', tokenRecord: '{"fingerprint":"x","issuedAt":1}' });
	});

	it('Threads: no App ID, App Secret Proof or Graph API Version', () => {
		const read = asN8nReadsIt(stored('threads'));
		expect([read.appId, read.proofMode, read.graphApiVersion]).toEqual([undefined, undefined, undefined]);
		expect(read.appSecret).toBe(APP_SECRET);
	});

	it('one notice per platform names its host', () => {
		const notices = (platform: string) =>
			properties
				.filter((property) => property.type === 'notice' && property.name.startsWith('allowedDomainsNotice'))
				.filter((property) => !((property.displayOptions?.hide?.platform ?? []) as string[]).includes(platform))
				.map((property) => property.displayName);
		expect(notices('facebook')).toEqual([expect.stringContaining('enter graph.facebook.com')]);
		expect(notices('instagram')).toEqual([expect.stringContaining('enter graph.instagram.com')]);
		expect(notices('threads')).toEqual([expect.stringContaining('enter graph.threads.net')]);
	});

	it("each platform's notice is the last property shown for it: n8n puts Allowed HTTP Request Domains right after", () => {
		for (const platform of ['facebook', 'instagram', 'threads']) {
			const shown = properties.filter((property) => !((property.displayOptions?.hide?.platform ?? []) as string[]).includes(platform));
			expect(shown[shown.length - 1].displayName).toContain(`enter graph.${platform}.${platform === 'threads' ? 'net' : 'com'}`);
		}
		// Facebook's keeps its name and its place as the very last property (e2e/editor-panels).
		expect(properties[properties.length - 1].name).toBe('allowedDomainsNotice');
	});

	// n8n's public API (create, and the PATCH Save to Credential sends) validates a credential's data
	// against a schema built from these properties: `hidden` fields are left out of it (so a PATCH
	// carrying one is refused as an unknown property) and each `show` condition becomes a
	// required-or-forbidden rule (toJsonSchema in packages/cli/src/public-api/v1/handlers/credentials).
	it('has no `show` condition and no hidden field, so n8n\'s public API accepts every field it stores', () => {
		const offending = (property: INodeProperties) => property.type === 'hidden' || property.displayOptions?.show !== undefined;
		expect(properties.filter(offending).map((property) => property.name)).toEqual([]);
		expect(properties.find((property) => property.name === 'tokenRecord')).toMatchObject({ type: 'string', default: '' });
	});
});

describe('Instagram and Threads: signed for their own host, token in the header, no proof', () => {
	it.each([
		['instagram', 'v25.0', LIVE],
		['threads', 'v1.0', THREADS_LIVE],
	])('%s: Bearer header, no appsecret_proof although an App Secret is set, no token in the URL', async (platform, version, token) => {
		await helpers(stored(platform)).http({ method: 'GET', url: `${standIn()}/${platform}/${version}/me`, qs: { fields: 'username', access_token: token } });
		expect(seen).toEqual([{ path: `/${platform}/${version}/me`, query: { fields: 'username' }, authorization: `Bearer ${token}` }]);
	});

	it('a relative request goes to the platform\'s root; Threads is always v1.0 whatever the stored version', async () => {
		await helpers(stored('threads', { graphApiVersion: 'v25.0' })).http({ method: 'GET', url: '/me' });
		await helpers(stored('instagram', { graphApiVersion: 'v24.0' })).http({ method: 'GET', url: '/me' });
		expect(seen.map((request) => request.path)).toEqual(['/threads/v1.0/me', '/instagram/v24.0/me']);
	});

	it('the HTTP Request node\'s shape (uri, lower-case headers) through the legacy helper', async () => {
		const answer = (await helpers(stored('instagram')).legacy({ method: 'GET', uri: `${standIn()}/instagram/v25.0/me?fields=user_id,username`, json: true, headers: { accept: 'application/json' } })) as IDataObject;
		expect(answer).toMatchObject({ username: 'ig_user' });
		expect(seen[0]).toEqual({ path: '/instagram/v25.0/me', query: { fields: 'user_id,username' }, authorization: `Bearer ${LIVE}` });
	});

	it('the token endpoints keep the access_token Meta documents in their query, only when it is the token of the header', async () => {
		const send = helpers(stored('instagram'));
		await send.http({ method: 'GET', url: `${standIn()}/instagram/refresh_access_token`, qs: { grant_type: 'ig_refresh_token', access_token: LIVE } });
		await send.http({ method: 'GET', url: `${standIn()}/instagram/access_token`, qs: { grant_type: 'ig_exchange_token', access_token: 'IGAAshortlived0123456789' } });
		await send.http({ method: 'GET', url: `${standIn()}/instagram/v25.0/me`, qs: { access_token: LIVE } });
		expect(seen.map((request) => [request.path, request.query.access_token])).toEqual([
			['/instagram/refresh_access_token', LIVE],
			// Another token than the header's: dropped, never two tokens in one request.
			['/instagram/access_token', undefined],
			// An ordinary call: the header only.
			['/instagram/v25.0/me', undefined],
		]);
	});

	it('a Facebook credential never keeps a query token, on any path', async () => {
		await helpers(stored('facebook')).http({ method: 'GET', url: `${standIn()}/refresh_access_token`, qs: { access_token: LIVE } });
		expect(seen[0].query.access_token).toBeUndefined();
		expect(seen[0].query.appsecret_proof).toMatch(/^[0-9a-f]{64}$/);
	});
});

describe('each credential refuses the other platforms\' hosts before sending', () => {
	it.each([
		// Base URL left at its default: Instagram's and Threads' own hosts.
		['instagram', 'https://graph.facebook.com/v25.0/me', 'https://graph.instagram.com'],
		['instagram', 'https://graph.threads.net/v1.0/me', 'https://graph.instagram.com'],
		['threads', 'https://graph.instagram.com/v25.0/me', 'https://graph.threads.net or https://graph.threads.com'],
		['facebook', 'https://graph.instagram.com/v25.0/me', 'https://graph.facebook.com'],
		['facebook', 'https://graph.threads.net/v1.0/me', 'https://graph.facebook.com'],
		[undefined, 'https://graph.instagram.com/v25.0/me', 'https://graph.facebook.com'],
	])('%s credential, request to %s: refused naming its own host', async (platform, target, own) => {
		const data = stored(platform, { baseUrl: 'https://graph.facebook.com' });
		for (const send of [
			async () => await helpers(data).http({ method: 'GET', url: target }),
			async () => await helpers(data).legacy({ method: 'GET', uri: target }),
		]) {
			const error = await failure(send());
			expect(error.message).toContain(`signs only requests to its own Graph host ${own}; this request goes to ${new URL(target).origin}, so nothing was sent`);
			for (const secret of [LIVE, THREADS_LIVE, APP_SECRET]) expect(JSON.stringify({ m: error.message, e: error })).not.toContain(secret);
		}
	});

	it('an Instagram credential whose Base URL names another platform\'s host signs nothing and names the field', async () => {
		const error = await failure(helpers(stored('instagram', { baseUrl: 'https://graph.threads.net' })).http({ method: 'GET', url: '/me' }));
		expect(error.message).toMatch(/^Base URL may only be https:\/\/graph\.instagram\.com \(the credential's Platform is Instagram\) or a loopback host/);
		expect(seen).toHaveLength(0);
	});
});

describe('the credential test per platform', () => {
	it('Instagram: GET /me?fields=user_id,username on its root, the token in the header, nothing else', async () => {
		const result = await testCredential('metaTokenApi', asN8nReadsIt(stored('instagram')) as never);
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(seen).toEqual([{ path: '/instagram/v25.0/me', query: { fields: 'user_id,username' }, authorization: `Bearer ${LIVE}` }]);
	});

	it('Threads: GET /v1.0/me?fields=id,username', async () => {
		const result = await testCredential('metaTokenApi', asN8nReadsIt(stored('threads')) as never);
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(seen).toEqual([{ path: '/threads/v1.0/me', query: { fields: 'id,username' }, authorization: `Bearer ${THREADS_LIVE}` }]);
	});

	it('Instagram with the App ID still stored (not read through n8n\'s fields): no app token, no input_token', async () => {
		const result = await testCredential('metaTokenApi', stored('instagram', { accessToken: ` Bearer ${LIVE} ` }) as never);
		expect(result.status).toBe('OK');
		expect(seen[0]).toEqual({ path: '/instagram/v25.0/me', query: { fields: 'user_id,username' }, authorization: `Bearer ${LIVE}` });
	});

	it('a dead Instagram token fails, and no secret is in the message', async () => {
		const result = await testCredential('metaTokenApi', asN8nReadsIt(stored('instagram', { accessToken: 'IGAAdeadtoken0123456789' })) as never);
		expect(result.status).toBe('Error');
		expect(JSON.stringify(result)).not.toMatch(/IGAAdeadtoken0123456789|platform-app-secret/);
		expect(seen).toHaveLength(1);
	});

	it('Facebook (and a credential saved without Platform) still asks debug_token, with the app token', async () => {
		for (const platform of [undefined, 'facebook']) {
			seen.length = 0;
			await testCredential('metaTokenApi', asN8nReadsIt(stored(platform)) as never);
			expect(seen).toHaveLength(1);
			expect(seen[0].path).toBe('/v25.0/debug_token');
			expect(seen[0].query.input_token).toBe(LIVE);
			expect(seen[0].authorization).toBe(`Bearer 1234567890|${APP_SECRET}`);
			expect(seen[0].query.appsecret_proof).toMatch(/^[0-9a-f]{64}$/);
		}
	});
});
