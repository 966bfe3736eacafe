/**
 * The Meta Token API credential for Instagram and Threads, in real n8n: what n8n itself does with
 * the Platform field. A loopback stand-in plays graph.instagram.com and graph.threads.net under
 * the path prefixes `/instagram` and `/threads` (as the Graph double serves them) and records every
 * request; it answers `/me` for its live tokens and Meta's OAuth error for any other.
 *
 * - the Test button (`POST /rest/credentials/test`): Instagram asks `GET /v25.0/me?fields=user_id,username`,
 *   Threads `GET /v1.0/me?fields=id,username`, the token in the header, no proof, no app token;
 * - n8n's public API accepts an Instagram credential without App ID or App Secret Proof (the
 *   platform fields hide with `hide`, never `show`, which the API would turn into required
 *   fields) and, on 2.x, a PATCH carrying `tokenRecord` (a string field, not n8n's `hidden` type,
 *   which the API refuses);
 * - the HTTP Request node with an Instagram credential sends the token to the Instagram host only,
 *   in the header, without appsecret_proof; a URL on graph.facebook.com is refused before sending.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { N8nInstance, nodeItems } from './support/n8n';
import type { Major } from './support/paths';
import { n8nRuntime, selectedMajors } from './support/paths';
import { stopAll } from './support/processes';
import { packedTarball } from './support/tarball';
import { tokenFor } from './support/tokens';
import { manualTrigger, workflow } from './support/workflowBuilder';

const IG_LIVE = `IGAA${tokenFor('platform-instagram-live').replace(/^EAA/, '')}`;
const TH_LIVE = `THAA${tokenFor('platform-threads-live').replace(/^EAA/, '')}`;
const IG_DEAD = `IGAA${tokenFor('platform-instagram-dead').replace(/^EAA/, '')}`;
const APP_SECRET = 'platform-e2e-app-secret-5d1c';
const IG_CREDENTIAL = { id: 'mtInstagram0001', name: 'Instagram account' };
const HTTP_ID = 'MetaTokenIgHttp1';
const FOREIGN_ID = 'MetaTokenIgElse1';

interface Seen {
	path: string;
	query: Record<string, string>;
	authorization?: string;
}

describe.each(selectedMajors())('Instagram and Threads credentials in real n8n %s.x', (major: Major) => {
	let server: http.Server;
	const seen: Seen[] = [];
	let n8n: N8nInstance;
	const standIn = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

	const credentialData = (platform: string, accessToken: string) => ({
		platform,
		accessToken,
		appSecret: APP_SECRET,
		baseUrl: `${standIn()}/${platform}`,
	});

	const httpRequestNode = (name: string, url: string) => ({
		id: `00000000-0000-4000-9000-${String(name.length).padStart(12, '0')}`,
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [400, 0] as [number, number],
		parameters: { url, authentication: 'predefinedCredentialType', nodeCredentialType: 'metaTokenApi', options: {} },
		credentials: { metaTokenApi: IG_CREDENTIAL },
	});

	beforeAll(async () => {
		server = http.createServer((request, response) => {
			const url = new URL(request.url ?? '/', 'http://stand-in');
			seen.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), authorization: request.headers.authorization });
			const token = (request.headers.authorization ?? '').replace(/^Bearer /, '');
			response.setHeader('content-type', 'application/json');
			if (token !== IG_LIVE && token !== TH_LIVE) {
				response.writeHead(400);
				response.end(JSON.stringify({ error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190 } }));
				return;
			}
			response.writeHead(200);
			response.end(JSON.stringify(url.pathname.startsWith('/threads') ? { id: '7', username: 'threads_user' } : { id: '9', user_id: '17841400000000009', username: 'ig_user' }));
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		n8n = await N8nInstance.create(n8nRuntime(major), packedTarball());
		await n8n.importCredentials([{ ...IG_CREDENTIAL, type: 'metaTokenApi', data: credentialData('instagram', IG_LIVE) }]);
		await n8n.importWorkflows([
			workflow(HTTP_ID, 'Instagram profile through the HTTP Request node', manualTrigger(), [[httpRequestNode('Instagram profile', `${standIn()}/instagram/v25.0/me?fields=username`)]]),
			workflow(FOREIGN_ID, 'Instagram credential sent to Facebook', manualTrigger(), [[httpRequestNode('To Facebook', 'https://graph.facebook.com/v25.0/me')]]),
		]);
		await n8n.start();
		await n8n.setupOwner();
	});

	afterAll(async () => {
		await n8n?.dispose();
		server?.closeAllConnections();
		await new Promise((resolve) => server?.close(resolve));
		await stopAll();
	});

	beforeEach(() => {
		seen.length = 0;
	});

	/** As the editor does it: the credential is saved, then tested with the values in the form. */
	const test = async (data: Record<string, unknown>) => {
		const savedResponse = await n8n.rest('POST', '/rest/credentials', { name: 'Under test', type: 'metaTokenApi', data });
		const saved = (await savedResponse.json()) as { data?: { id?: string } };
		const credentials = { id: String(saved.data?.id), name: 'Under test', type: 'metaTokenApi', data };
		const response = await n8n.rest('POST', '/rest/credentials/test', { credentials });
		const text = await response.text();
		const body = JSON.parse(text) as { data?: { status: string; message: string } };
		if (!response.ok || !body.data) throw new Error(`POST /rest/credentials/test → ${response.status} ${text.slice(0, 500)}`);
		return body.data;
	};

	it('Test on an Instagram credential asks /me for user_id and username, the token in the header only', async () => {
		const result = await test(credentialData('instagram', ` Bearer ${IG_LIVE} `));
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(seen).toEqual([{ path: '/instagram/v25.0/me', query: { fields: 'user_id,username' }, authorization: `Bearer ${IG_LIVE}` }]);
	});

	it('Test on a Threads credential asks /v1.0/me for id and username', async () => {
		const result = await test({ ...credentialData('threads', TH_LIVE), graphApiVersion: 'v25.0' });
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(seen).toEqual([{ path: '/threads/v1.0/me', query: { fields: 'id,username' }, authorization: `Bearer ${TH_LIVE}` }]);
	});

	it('Test on an Instagram credential with App ID and proof still stored sends neither app token nor proof', async () => {
		const result = await test({ ...credentialData('instagram', IG_LIVE), appId: '1234567890', proofMode: 'auto' });
		expect(result.status).toBe('OK');
		expect(seen).toEqual([{ path: '/instagram/v25.0/me', query: { fields: 'user_id,username' }, authorization: `Bearer ${IG_LIVE}` }]);
	});

	it('Test on a dead Instagram token fails without the token in the message', async () => {
		const result = await test(credentialData('instagram', IG_DEAD));
		expect(result.status).toBe('Error');
		expect(JSON.stringify(result)).not.toContain(IG_DEAD);
		expect(seen).toHaveLength(1);
	});

	it("n8n's public API accepts an Instagram credential without App ID or App Secret Proof, and a Facebook one with a token only", async () => {
		// n8n 1.x appends its own "Allowed HTTP Request Domains" pair to the credential's schema with a
		// `show` rule that requires `allowedDomains` unless the choice is given (a 1.x trait, for every
		// credential that authenticates requests): give it, as the editor does.
		const n8nOwn = major === 1 ? { allowedHttpRequestDomains: 'all' } : {};
		const apiKey = await n8n.createApiKey(major === 2 ? ['credential:create', 'credential:update', 'credential:read'] : ['credential:create'], `platform-${Date.now()}`);
		const created = await n8n.rest('POST', '/api/v1/credentials', { name: 'Instagram via API', type: 'metaTokenApi', data: { ...credentialData('instagram', IG_LIVE), ...n8nOwn } }, { 'X-N8N-API-KEY': apiKey });
		const createdText = await created.text();
		expect(`${created.status} ${createdText.slice(0, 300)}`).toMatch(/^200 /);
		// A Facebook credential with only a token (no Platform, no App ID), as before Platform existed:
		// a `show` condition on the platform fields would make the API require them here.
		const facebook = await n8n.rest('POST', '/api/v1/credentials', { name: 'Facebook via API', type: 'metaTokenApi', data: { accessToken: 'EAAfacebookOnly0123456789', ...n8nOwn } }, { 'X-N8N-API-KEY': apiKey });
		expect(`${facebook.status} ${(await facebook.text()).slice(0, 300)}`).toMatch(/^200 /);
		if (major === 2) {
			const id = String((JSON.parse(createdText) as { id?: string }).id);
			const record = JSON.stringify({ fingerprint: 'abc', issuedAt: 1_700_000_000, expiresAt: 1_705_184_000 });
			const patched = await n8n.rest('PATCH', `/api/v1/credentials/${id}`, { data: { accessToken: TH_LIVE, tokenRecord: record }, isPartialData: true }, { 'X-N8N-API-KEY': apiKey });
			expect(`${patched.status} ${(await patched.text()).slice(0, 300)}`).toMatch(/^200 /);
		}
	});

	it('the HTTP Request node with an Instagram credential: the token in the header to the Instagram host, no proof', async () => {
		const result = await n8n.execute(HTTP_ID);
		if (!result.ok) throw new Error(result.output.slice(-4000));
		expect(nodeItems(result.run, 'Instagram profile')).toEqual([{ id: '9', user_id: '17841400000000009', username: 'ig_user' }]);
		expect(seen).toEqual([{ path: '/instagram/v25.0/me', query: { fields: 'username' }, authorization: `Bearer ${IG_LIVE}` }]);
	});

	it('the HTTP Request node with an Instagram credential refuses graph.facebook.com, naming the Instagram host', async () => {
		const result = await n8n.execute(FOREIGN_ID);
		expect(result.ok).toBe(false);
		expect(result.run?.data.resultData.error?.message ?? result.output).toMatch(/signs only requests to its own Graph host http:\/\/127\.0\.0\.1:\d+; this request goes to https:\/\/graph\.facebook\.com, so nothing was sent/);
		expect(result.output).not.toContain(IG_LIVE);
		expect(seen).toEqual([]);
	});
});
