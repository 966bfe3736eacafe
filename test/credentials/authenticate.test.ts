/**
 * The credentials' `authenticate`, called the way n8n calls it: through n8n-core's real request
 * helpers in an ExecuteContext — `httpRequestWithAuthentication` (our nodes, declarative requests
 * and the credential test) and the legacy `requestWithAuthentication` (the HTTP Request node with
 * a predefined credential type) — against the Graph API double and a second local listener that
 * stands for someone else's server. A credential signs requests for its own host only, in every
 * request shape n8n hands it, and refuses everything else before sending.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject, IHttpRequestOptions, IRequestOptions } from 'n8n-workflow';

import { GraphDouble } from '../../tools/graph-double/GraphDouble';
import { executeContext, runNode, testCredential, type CredentialStore } from '../../tools/n8n-harness/n8nHarness';
import { pollOnce } from '../support/pollers';
import { MetaToken } from '../../nodes/MetaToken/MetaToken.node';
import { MetaTokenTrigger } from '../../nodes/MetaTokenTrigger/MetaTokenTrigger.node';

const APP = { id: '1234567890', name: 'Reporting App', secret: 'app-secret-auth-canary-3b7d' };
const API_KEY = 'n8n-api-key-auth-canary-77c1';

let double: GraphDouble;
let foreign: http.Server;
const foreignRequests: Array<{ url?: string; headers: http.IncomingHttpHeaders }> = [];
let token: string;

beforeAll(async () => {
	double = await GraphDouble.start();
	double.addApp(APP);
	token = double.addToken({ type: 'USER', appId: APP.id, userId: '42', scopes: ['ads_read'], expiresAt: double.now() + 30 * 86_400 });
	foreign = http.createServer((request, response) => {
		foreignRequests.push({ url: request.url, headers: request.headers });
		response.writeHead(200, { 'content-type': 'application/json' });
		response.end('{}');
	});
	await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
	await double.stop();
	foreign.closeAllConnections();
	await new Promise((resolve) => foreign.close(resolve));
});
beforeEach(() => {
	double.clearRequests();
	foreignRequests.length = 0;
});

const foreignUrl = () => `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;

function store(baseUrl: string = double.url, extra: IDataObject = {}): CredentialStore {
	return {
		metaTokenApi: { accessToken: token, appId: APP.id, appSecret: APP.secret, graphApiVersion: 'v25.0', proofMode: 'auto', baseUrl, ...extra },
		metaTokenN8nApi: { baseUrl: double.url, apiKey: API_KEY },
	};
}

/** n8n-core's request helpers in the ExecuteContext of a Meta Token node run. */
function helpers(credentials: CredentialStore = store()) {
	const { context } = executeContext(new MetaToken(), { parameters: { operation: 'exchange', saveToCredential: true }, credentials });
	return {
		http: async (type: string, options: IHttpRequestOptions) =>
			await context.helpers.httpRequestWithAuthentication.call(context, type, options),
		legacy: async (type: string, options: IRequestOptions) =>
			await context.helpers.requestWithAuthentication.call(context, type, options),
	};
}

/** What the HTTP Request node hands `requestWithAuthentication` (n8n-nodes-base HttpRequestV3 through n8n-core's legacy request helper): `uri`, no `url`, no `qs`, lower-case headers. */
function httpRequestNodeOptions(uri: string, headers: IDataObject = {}): IRequestOptions {
	return {
		headers: { accept: 'application/json,text/html,application/xhtml+xml,application/xml,text/*;q=0.9, */*;q=0.1', ...headers },
		method: 'GET',
		uri,
		gzip: true,
		rejectUnauthorized: true,
		followRedirect: false,
		resolveWithFullResponse: true,
		json: true,
		timeout: 300_000,
	} as IRequestOptions;
}

async function failure(promise: Promise<unknown>): Promise<Error & { description?: string }> {
	return (await promise.then(
		() => {
			throw new Error('expected the request to be refused');
		},
		(e: unknown) => e,
	)) as Error & { description?: string };
}

describe('Meta Token API: signs requests for its own Graph host', () => {
	it('our nodes\' shape (absolute url): token in the header, proof in the query', async () => {
		await helpers().http('metaTokenApi', { method: 'GET', url: `${double.url}/v25.0/debug_token`, qs: { input_token: token } });
		const [request] = double.requests;
		expect(request.headers.authorization).toBe(`Bearer ${token}`);
		expect(request.query).toEqual({ input_token: token, appsecret_proof: expect.stringMatching(/^[0-9a-f]{64}$/) });
	});

	it('the declarative shape (relative url, no baseURL): resolved against the credential\'s Graph root', async () => {
		await helpers().http('metaTokenApi', { method: 'GET', url: '/debug_token', qs: { input_token: token } });
		expect(double.requests.map((r) => [r.version, r.path, r.headers.authorization])).toEqual([['v25.0', '/debug_token', `Bearer ${token}`]]);
	});

	it('the HTTP Request node\'s shape (uri, no url, no qs, lower-case headers) through the legacy helper', async () => {
		const answer = (await helpers().legacy(
			'metaTokenApi',
			httpRequestNodeOptions(`${double.url}/v25.0/debug_token?input_token=${token}`),
		)) as { statusCode: number; body: { data: { is_valid: boolean } } };
		expect(answer.statusCode).toBe(200);
		expect(answer.body.data.is_valid).toBe(true);
		const [request] = double.requests;
		expect(request.headers.authorization).toBe(`Bearer ${token}`);
		expect(request.query.input_token).toBe(token);
		expect(request.query.appsecret_proof).toMatch(/^[0-9a-f]{64}$/);
		expect(request.query.access_token).toBeUndefined();
	});

	it('keeps and signs a token the HTTP Request node user set in a lower-case authorization header', async () => {
		const other = double.addToken({ type: 'USER', appId: APP.id, userId: '43', expiresAt: 0 });
		await helpers().legacy('metaTokenApi', httpRequestNodeOptions(`${double.url}/v25.0/debug_token?input_token=${other}`, { authorization: `Bearer ${other}` }));
		const [request] = double.requests;
		// One header, the user's token, and a proof the double accepted for that token.
		expect(request.headers.authorization).toBe(`Bearer ${other}`);
		expect(request.status).toBe(200);
	});
});

describe('Meta Token API: refuses every other host before sending', () => {
	it.each([
		['another local server', () => `${foreignUrl()}/v25.0/debug_token`],
		['the same port under another name (localhost ≠ 127.0.0.1)', () => `${double.url.replace('127.0.0.1', 'localhost')}/v25.0/debug_token`],
		['a protocol-relative URL', () => `//127.0.0.1:${(foreign.address() as AddressInfo).port}/steal`],
	])('%s, in both helpers, naming the hosts and nothing secret', async (_case, target) => {
		for (const send of [
			async () => await helpers().http('metaTokenApi', { method: 'GET', url: target(), qs: { input_token: token } }),
			async () => await helpers().legacy('metaTokenApi', httpRequestNodeOptions(target())),
		]) {
			const error = await failure(send());
			expect(error.message).toMatch(/^The Meta Token API credential signs only requests to its own Graph host http:\/\/127\.0\.0\.1:\d+; this request goes to .*, so nothing was sent/);
			for (const secret of [token, APP.secret]) expect(`${error.message} ${error.description} ${JSON.stringify(error)}`).not.toContain(secret);
		}
		expect(foreignRequests).toHaveLength(0);
		expect(double.requests).toHaveLength(0);
	});

	it('a credential on Meta\'s host refuses another https host without resolving it', async () => {
		const error = await failure(
			helpers(store('https://graph.facebook.com')).legacy('metaTokenApi', httpRequestNodeOptions('https://graph.example.com/v25.0/me')),
		);
		expect(error.message).toMatch(/own Graph host https:\/\/graph\.facebook\.com; this request goes to https:\/\/graph\.example\.com, so nothing was sent/);
	});

	it.each(['https://graph.example.com', 'https://graph.facebook.com.example.com', 'http://graph.facebook.com', 'https://graph.facebook.com/v25.0', 'http://10.1.2.3'])(
		'a credential whose Base URL is %s signs nothing and names the field',
		async (baseUrl) => {
			const error = await failure(helpers(store(baseUrl)).http('metaTokenApi', { method: 'GET', url: '/debug_token', qs: { input_token: token } }));
			expect(error.message).toMatch(/^Base URL may only be https:\/\/graph\.facebook\.com/);
			const result = await testCredential('metaTokenApi', store(baseUrl).metaTokenApi);
			expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/^Base URL may only be/) });
			expect(double.requests).toHaveLength(0);
			expect(foreignRequests).toHaveLength(0);
		},
	);

	it('an Inspect run and a trigger poll with such a credential fail naming the field, before any request', async () => {
		const credentials = store('https://graph.example.com');
		const run = runNode(new MetaToken(), { parameters: { operation: 'inspect' }, credentials });
		await expect(run).rejects.toMatchObject({
			name: 'NodeOperationError',
			message: expect.stringMatching(/^Base URL may only be https:\/\/graph\.facebook\.com/),
			description: 'Fix the field "Base URL" in the Meta Token API credential.',
		});
		const poll = pollOnce(new MetaTokenTrigger(), { parameters: {}, credentials });
		await expect(poll).rejects.toMatchObject({ message: expect.stringMatching(/^Base URL may only be/) });
		expect(double.requests).toHaveLength(0);
	});

	it.each(['http://localhost:1', 'http://127.8.9.10:1', 'https://[::1]:1/graph', 'https://graph.facebook.com', 'https://graph.facebook.com/'])(
		'accepts the Base URL %s',
		async (baseUrl) => {
			// Nothing listens there (or no network): the request is let through and fails on the wire.
			const error = await failure(
				helpers(store(baseUrl)).http('metaTokenApi', { method: 'GET', url: '/debug_token', qs: { input_token: token }, timeout: 2000 }),
			);
			expect(error.message).not.toMatch(/Base URL|own Graph host/);
		},
	);
});

describe('n8n API: the key goes to its own n8n only', () => {
	function n8nApi(baseUrl: string) {
		return helpers({ ...store(), metaTokenN8nApi: { baseUrl, apiKey: API_KEY } });
	}

	it('adds the key to a request for its own n8n', async () => {
		await n8nApi(`${foreignUrl()}/`).http('metaTokenN8nApi', { method: 'GET', url: `${foreignUrl()}/api/v1/credentials/x` });
		expect(foreignRequests.map((r) => [r.url, r.headers['x-n8n-api-key']])).toEqual([['/api/v1/credentials/x', API_KEY]]);
	});

	it('refuses a request for another host, in both helpers', async () => {
		for (const send of [
			async () => await n8nApi(double.url).http('metaTokenN8nApi', { method: 'GET', url: `${foreignUrl()}/api/v1/credentials/x` }),
			async () => await n8nApi(double.url).legacy('metaTokenN8nApi', httpRequestNodeOptions(`${foreignUrl()}/api/v1/credentials/x`)),
		]) {
			const error = await failure(send());
			expect(error.message).toMatch(/sends its API key only to its own n8n at http:\/\/127\.0\.0\.1:\d+; this request goes to http:\/\/127\.0\.0\.1:\d+, so nothing was sent/);
			expect(JSON.stringify(error)).not.toContain(API_KEY);
		}
		expect(foreignRequests).toHaveLength(0);
	});

	it('refuses plain http off this machine, also in its credential test', async () => {
		const error = await failure(n8nApi('http://n8n.example.com').http('metaTokenN8nApi', { method: 'GET', url: 'http://n8n.example.com/api/v1/credentials/x' }));
		expect(error.message).toMatch(/must use https \(plain http only for localhost, 127\.0\.0\.1 or \[::1\]\)/);
		expect(error.message).not.toContain(API_KEY);
		const result = await testCredential('metaTokenN8nApi', { baseUrl: 'http://n8n.example.com', apiKey: API_KEY });
		expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/must use https/) });
	});
});
