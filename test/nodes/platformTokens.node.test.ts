/**
 * The Meta Token node on Instagram and Threads tokens, run through n8n-core's ExecuteContext and
 * request helpers (the credential's authenticate included) against a loopback stand-in of the two
 * platforms' token endpoints, and n8n's public API stand-in for Save to Credential. What must hold:
 * Exchange and Refresh Long-Lived Token reach the platform's own endpoints with its grant (the app
 * secret only on the exchange); a refresh the credential's token record shows cannot succeed (under
 * 24 hours old, expired) is refused before sending, saying when it can be done; Meta's refusal is
 * worded; Save to Credential writes the token and its record in one PATCH, and that record then
 * guards the next run; a node whose Platform differs from its credential's sends nothing.
 *
 * The stand-in answers as Meta's pages show (developers.facebook.com/docs/instagram-platform/
 * reference/access_token and …/refresh_access_token, …/docs/threads/get-started/long-lived-tokens):
 * `{access_token, token_type: "bearer", expires_in: 5183944}`; an expired token gets Meta's 190/463.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject, INodeParameters, INodeTypeDescription } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { asAiTool } from '../support/agentTool';
import { N8nPublicApiStandIn } from '../support/n8nPublicApi';
import { runNode, type CredentialStore } from '../../tools/n8n-harness/n8nHarness';
import { MetaToken } from '../../nodes/MetaToken/MetaToken.node';
import { tokenFingerprint } from '../../nodes/policy/tokenIdentity';
import { formatTokenRecord, tokenRecordFor } from '../../nodes/policy/tokenRecord';

const APP_SECRET = 'ig-app-secret-canary-7b1e';
const API_KEY = 'n8n-api-key-platform-canary-4c2a';
const OWN = 'igCredential0001';
const DAY = 86_400;
const LIFETIME = 5_183_944;

interface SeenRequest {
	path: string;
	query: Record<string, string>;
	authorization?: string;
}

/** Instagram's and Threads' token endpoints, under `/instagram` and `/threads` of one loopback server. */
class PlatformTokenStandIn {
	readonly requests: SeenRequest[] = [];
	/** Tokens it knows: minted at (unix s), expiring at. */
	readonly tokens = new Map<string, { issuedAt: number; expiresAt: number }>();
	private minted = 0;
	private constructor(private readonly server: http.Server) {}

	static async start(): Promise<PlatformTokenStandIn> {
		const server = http.createServer();
		const standIn = new PlatformTokenStandIn(server);
		server.on('request', (request, response) => standIn.answer(request, response));
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		return standIn;
	}

	get url(): string {
		return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
	}

	async stop(): Promise<void> {
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	add(token: string, issuedAt: number, lifetime = LIFETIME): string {
		this.tokens.set(token, { issuedAt, expiresAt: issuedAt + lifetime });
		return token;
	}

	private answer(request: http.IncomingMessage, response: http.ServerResponse): void {
		const url = new URL(request.url ?? '/', this.url);
		const query = Object.fromEntries(url.searchParams);
		const authorization = request.headers.authorization;
		this.requests.push({ path: url.pathname, query, authorization });
		const [, platform, endpoint] = url.pathname.split('/');
		const prefix = platform === 'instagram' ? 'ig' : platform === 'threads' ? 'th' : '';
		// Meta reads access_token from the query; the Authorization header carries the same token.
		const token = query.access_token ?? authorization?.replace(/^Bearer /, '');
		const send = (status: number, body: unknown) => {
			response.writeHead(status, { 'content-type': 'application/json' });
			response.end(JSON.stringify(body));
		};
		const refuse = (code: number, message: string, subcode?: number) =>
			send(400, { error: { message, type: 'OAuthException', code, error_subcode: subcode, fbtrace_id: 'AbCdEf' } });
		const now = Math.floor(Date.now() / 1000);
		const known = token ? this.tokens.get(token) : undefined;
		if (endpoint === 'access_token' && query.grant_type === `${prefix}_exchange_token`) {
			if (query.client_secret !== APP_SECRET) return refuse(1, 'Error validating client secret.');
			if (!known) return refuse(190, 'Invalid OAuth access token - Cannot parse access token');
		} else if (endpoint === 'refresh_access_token' && query.grant_type === `${prefix}_refresh_token`) {
			if (!known) return refuse(190, 'Invalid OAuth access token - Cannot parse access token');
			if (now >= known.expiresAt) return refuse(190, 'Error validating access token: Session has expired.', 463);
		} else {
			return refuse(100, `Unsupported request: ${url.pathname}`);
		}
		const fresh = this.add(`${prefix.toUpperCase()}AAminted${++this.minted}x${'0'.repeat(40)}`, now);
		send(200, { access_token: fresh, token_type: 'bearer', expires_in: LIFETIME });
	}
}

const node = new MetaToken();
let meta: PlatformTokenStandIn;
let api: N8nPublicApiStandIn;

beforeAll(async () => {
	meta = await PlatformTokenStandIn.start();
	api = await N8nPublicApiStandIn.start(API_KEY);
});
afterAll(async () => {
	await meta.stop();
	await api.stop();
});
beforeEach(() => {
	meta.requests.length = 0;
	api.reset();
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

function credentials(platform: string | undefined, token: string, extra: Record<string, string> = {}): CredentialStore {
	const data: Record<string, string> = { accessToken: token, appSecret: APP_SECRET, graphApiVersion: 'v25.0', proofMode: 'auto', baseUrl: `${meta.url}/${platform ?? 'facebook'}`, ...extra };
	if (platform !== undefined) data.platform = platform;
	return { metaTokenApi: data, metaTokenN8nApi: { baseUrl: api.url, apiKey: API_KEY } };
}

async function failureOf(promise: Promise<unknown>): Promise<Error & { description?: string }> {
	return (await promise.then(
		() => {
			throw new Error('expected the run to fail');
		},
		(error: unknown) => error,
	)) as Error & { description?: string };
}

describe.each(['instagram', 'threads'] as const)('%s', (platform) => {
	const prefix = platform === 'instagram' ? 'ig' : 'th';
	const label = platform === 'instagram' ? 'Instagram' : 'Threads';
	const run = (operation: string, token: string, extra: { parameters?: IDataObject; credentials?: Record<string, string>; continueOnFail?: boolean } = {}) =>
		runNode(node, {
			parameters: { platform, operation, ...extra.parameters },
			credentials: credentials(platform, token, extra.credentials),
			credentialIds: { metaTokenApi: OWN },
			continueOnFail: extra.continueOnFail,
		});

	it(`exchanges a short-lived token with ${prefix}_exchange_token on the platform's endpoint, the secret only there`, async () => {
		const short = meta.add(`${prefix.toUpperCase()}AAshort${'1'.repeat(40)}`, nowSeconds());
		const [item] = await run('exchange', short);
		expect(meta.requests).toHaveLength(1);
		expect(meta.requests[0]).toMatchObject({ path: `/${platform}/access_token`, query: { grant_type: `${prefix}_exchange_token`, client_secret: APP_SECRET } });
		const minted = String(item.json.accessToken);
		expect(meta.tokens.has(minted)).toBe(true);
		expect(item.json).toEqual({
			accessToken: minted,
			tokenType: 'bearer',
			expiresIn: LIFETIME,
			expiresAt: expect.any(String),
			tokenFingerprint: tokenFingerprint(minted),
			tokenHint: `${minted.slice(0, 6)}…${minted.slice(-4)}`,
		});
		expect(JSON.stringify(item.json)).not.toContain(APP_SECRET);
	});

	it(`refreshes with ${prefix}_refresh_token and no secret when nothing is recorded, and saves the token with its record`, async () => {
		const old = meta.add(`${prefix.toUpperCase()}AAlong${'2'.repeat(40)}`, nowSeconds() - 10 * DAY);
		api.store({ id: OWN, name: `${label} token`, type: 'metaTokenApi', data: { accessToken: old, appSecret: APP_SECRET, platform } });
		const before = nowSeconds();
		const [item] = await run('refreshLongLivedToken', old, { parameters: { saveToCredential: true } });
		expect(meta.requests.map(({ path, query }) => [path, query.grant_type, 'client_secret' in query])).toEqual([[`/${platform}/refresh_access_token`, `${prefix}_refresh_token`, false]]);
		const stored = api.credentials.get(OWN)?.data ?? {};
		const saved = String(stored.accessToken);
		expect(meta.tokens.has(saved)).toBe(true);
		expect(item.json).toMatchObject({ tokenHint: `${saved.slice(0, 6)}…${saved.slice(-4)}`, savedToCredentialId: OWN, expiresIn: LIFETIME });
		expect(item.json.accessToken).toBeUndefined();
		const record = tokenRecordFor(saved, stored.tokenRecord);
		expect(record?.issuedAt).toBeGreaterThanOrEqual(before);
		expect(record!.expiresAt! - record!.issuedAt).toBe(LIFETIME);
		// The rest of the credential stays as it was.
		expect(stored).toEqual({ accessToken: saved, appSecret: APP_SECRET, platform, tokenRecord: expect.any(String) });

		// The next run with the saved credential knows the token is minutes old: nothing is sent.
		meta.requests.length = 0;
		const error = await failureOf(run('refreshLongLivedToken', saved, { credentials: { tokenRecord: String(stored.tokenRecord) } }));
		expect(error.message).toMatch(new RegExp(`This ${label} token was minted less than 24 hours ago.*it can be refreshed from \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC \\(in 2[34] hours\\)\\. Nothing was sent\\.`));
		expect(meta.requests).toHaveLength(0);
	});

	it(`saves a ${label} token into a target credential still set to Facebook as a ${label} credential, so it is never signed for graph.facebook.com`, async () => {
		const old = meta.add(`${prefix.toUpperCase()}AAlong${'4'.repeat(40)}`, nowSeconds() - 10 * DAY);
		api.store({ id: OWN, name: 'Was a Facebook credential', type: 'metaTokenApi', data: { accessToken: 'EAAold0000000000', appId: '1234' } });
		await run('refreshLongLivedToken', old, { parameters: { saveToCredential: true } });
		expect(api.credentials.get(OWN)?.data).toMatchObject({ platform, appId: '1234' });
	});

	it.each(['facebookGraphApi', 'facebookGraphAppApi', 'whatsAppApi'])(
		`refuses, before minting, to mirror a ${label} token into a %s credential (its nodes send only to graph.facebook.com)`,
		async (type) => {
			const old = meta.add(`${prefix.toUpperCase()}AAlong${'5'.repeat(40)}`, nowSeconds() - 10 * DAY);
			api.store({ id: OWN, name: `${label} token`, type: 'metaTokenApi', data: { accessToken: old, platform } });
			api.store({ id: 'FbGraph00000001', name: 'Facebook', type, data: { accessToken: 'EAAfacebook000000' } });
			const error = await failureOf(run('refreshLongLivedToken', old, { parameters: { saveToCredential: true, mirrorCredentialIds: 'FbGraph00000001' } }));
			expect(error.message).toContain(`only to graph.facebook.com: a ${label} token does not work there`);
			expect(meta.requests).toHaveLength(0);
			expect(api.credentials.get('FbGraph00000001')?.data.accessToken).toBe('EAAfacebook000000');
		},
	);

	it('refuses before sending a token its record shows expired, saying what to do; other items go on under Continue On Fail', async () => {
		const dead = `${prefix.toUpperCase()}AAdead${'3'.repeat(40)}`;
		const record = formatTokenRecord({ fingerprint: tokenFingerprint(dead), issuedAt: nowSeconds() - 70 * DAY, expiresAt: nowSeconds() - 10 * DAY });
		const [item] = await run('refreshLongLivedToken', dead, { credentials: { tokenRecord: record }, continueOnFail: true });
		expect(item.json.error).toMatchObject({ class: 'input', reason: 'expired', message: expect.stringMatching(/expired at .* UTC, and Meta refreshes only tokens that have not expired\. Nothing was sent\./) });
		expect(meta.requests).toHaveLength(0);
	});

	it("ignores a record of another token, sends, and words Meta's refusal of an expired one", async () => {
		const dead = meta.add(`${prefix.toUpperCase()}AAgone${'4'.repeat(40)}`, nowSeconds() - 70 * DAY);
		const otherRecord = formatTokenRecord({ fingerprint: tokenFingerprint('someone-else'), issuedAt: nowSeconds() });
		const error = await failureOf(run('refreshLongLivedToken', dead, { credentials: { tokenRecord: otherRecord } }));
		expect(meta.requests).toHaveLength(1);
		expect(error.message).toMatch(new RegExp(`Meta refused to refresh this ${label} token: it has expired, and only unexpired tokens can be refreshed\\.`));
		expect(error.description).toMatch(/Exchange for Long-Lived Token/);
		expect(`${error.message} ${error.description}`).not.toContain(dead);
	});

	it("fails before any call when the credential is Facebook's (no Platform), naming both", async () => {
		const token = meta.add(`${prefix.toUpperCase()}AAlong${'5'.repeat(40)}`, nowSeconds() - 10 * DAY);
		const error = await failureOf(
			runNode(node, { parameters: { platform, operation: 'refreshLongLivedToken' }, credentials: credentials(undefined, token), credentialIds: { metaTokenApi: OWN } }),
		);
		expect(error.message).toBe(`This node's Platform is ${label}, but its Meta Token API credential is for Facebook. Nothing was sent.`);
		expect(error.description).toMatch(new RegExp(`Set the node's Platform to Facebook, or choose a Meta Token API credential whose Platform is ${label}\\.`));
		expect(meta.requests).toHaveLength(0);
	});

	it(`fails before any call when a workflow without Platform (Facebook) runs on ${label} credentials`, async () => {
		const token = meta.add(`${prefix.toUpperCase()}AAlong${'6'.repeat(40)}`, nowSeconds() - 10 * DAY);
		const error = await failureOf(
			runNode(node, { parameters: { operation: 'exchange' }, credentials: credentials(platform, token), credentialIds: { metaTokenApi: OWN } }),
		);
		expect(error.message).toBe(`This node's Platform is Facebook, but its Meta Token API credential is for ${label}. Nothing was sent.`);
		expect(meta.requests).toHaveLength(0);
	});

	it("refuses Facebook's operations set by JSON, before any call", async () => {
		const token = meta.add(`${prefix.toUpperCase()}AAlong${'7'.repeat(40)}`, nowSeconds() - 10 * DAY);
		const error = await failureOf(run('getPageTokens', token));
		expect(error.message).toBe(`"Get Page Tokens" is not an operation for ${label} tokens. Nothing was sent.`);
		expect(meta.requests).toHaveLength(0);
	});
});

describe('as an agent\'s tool (an ExecuteContext of metaTokenTool)', () => {
	const tool = asAiTool(node);
	const runTool = (parameters: IDataObject, token: string) =>
		runNode(tool, {
			parameters: { platform: 'instagram', operation: 'refreshLongLivedToken', ...parameters },
			credentials: credentials('instagram', token),
			credentialIds: { metaTokenApi: OWN },
			items: [{ chatInput: 'keep it alive', toolCallId: 'call_1' }],
		});

	it('refreshes only when allowed and saving, and hands the agent no token', async () => {
		const token = meta.add(`IGAAtool${'8'.repeat(40)}`, nowSeconds() - 10 * DAY);
		api.store({ id: OWN, name: 'Agent token', type: 'metaTokenApi', data: { platform: 'instagram' } });
		expect((await failureOf(runTool({}, token))).message).toMatch(/only inspects tokens; "refreshLongLivedToken" needs the tool setting "Allow All Operations"/);
		expect((await failureOf(runTool({ allowAllOperations: true }, token))).message).toMatch(/must save the new token into a credential.*Nothing was minted\./);
		expect(meta.requests).toHaveLength(0);
		const [item] = await runTool({ allowAllOperations: true, saveToCredential: true, includeTokenInOutput: true }, token);
		const saved = String(api.credentials.get(OWN)?.data.accessToken);
		expect(meta.tokens.has(saved)).toBe(true);
		expect(item.json).toMatchObject({ savedToCredentialId: OWN, tokenHint: `${saved.slice(0, 6)}…${saved.slice(-4)}` });
		expect(JSON.stringify(item.json)).not.toContain(saved);
	});
});

describe('what the editor offers per Platform', () => {
	const tool = asAiTool(node);
	function offered(description: INodeTypeDescription, values: INodeParameters): string[] {
		const typeVersion = { typeVersion: 1 };
		const resolved = NodeHelpers.getNodeParameters(description.properties, values, true, false, typeVersion, description) ?? {};
		return description.properties
			.filter((property) => property.name === 'operation' && NodeHelpers.displayParameter(resolved, property, typeVersion, description))
			.flatMap((property) => (property.options ?? []).map((option) => (option as { value: string }).value));
	}

	it.each(['instagram', 'threads'])('%s: Inspect, Exchange, Refresh Long-Lived Token and Check for Alerts; as a tool only Inspect unless allowed', (platform) => {
		const four = ['checkAlerts', 'exchange', 'inspect', 'refreshLongLivedToken'];
		expect(offered(node.description, { platform })).toEqual(four);
		expect(offered(tool.description, { platform })).toEqual(['inspect']);
		expect(offered(tool.description, { platform, allowAllOperations: true })).toEqual(four);
	});

	it('a saved workflow without Platform gets the Facebook list it always had', () => {
		expect(offered(node.description, {})).toEqual(['checkAlerts', 'exchange', 'generateSystemUserToken', 'getPageTokens', 'inspect', 'refreshSystemUserToken', 'revoke']);
	});
});
