/**
 * Save to Credential through n8n-core's ExecuteContext and request helpers: the Meta Token node
 * mints against the Graph API double and writes into a stand-in of n8n's public API (its type
 * lookup and PATCH, test/support/n8nPublicApi.ts). What must hold: a save that cannot work is
 * refused before anything is minted (another credential type, several items into one credential,
 * an n8n without the endpoints, an API key sent in clear); a save that fails after minting keeps
 * the token in the output and says so loudly; a saved token stays out of the output unless asked;
 * the API key is in no message. With Also Update Credentials, every further credential is
 * confirmed before the mint, each gets only its token field, and one failing write leaves the
 * others written and the token in the item.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { GraphDouble } from '../../tools/graph-double/GraphDouble';
import { captureN8nLogs } from '../support/n8nLogs';
import type { N8nPublicApiStandIn } from '../support/n8nPublicApi';
import { useGraphDoubleAndN8nApi } from './support/graphAndN8nApi';
import { runNode, runNodeWithHints, type CredentialStore, type NodeRunOptions } from '../../tools/n8n-harness/n8nHarness';
import { MetaToken } from '../../nodes/MetaToken/MetaToken.node';
import { tokenFingerprint } from '../../nodes/policy/tokenIdentity';
import { tokenRecordFor } from '../../nodes/policy/tokenRecord';

const APP = { id: '1234567890', name: 'Reporting App', secret: 'app-secret-save-canary-51c0' };
const API_KEY = 'n8n-api-key-save-canary-9d2e41';
const DAY = 86_400;
const OWN = 'own-credential-7';

const logs = captureN8nLogs();
const node = new MetaToken();
const servers = useGraphDoubleAndN8nApi(APP, API_KEY);
let double: GraphDouble;
let api: N8nPublicApiStandIn;

beforeEach(() => {
	({ double, api } = servers);
	logs.clear();
	api.store({ id: OWN, name: 'Reporting system user', type: 'metaTokenApi', data: { accessToken: 'old', appSecret: APP.secret } });
});

function expiringSystemUserToken(): string {
	return double.addToken({ type: 'SYSTEM_USER', appId: APP.id, userId: '61550000000004', expiringSystemUser: true, expiresAt: double.now() + 5 * DAY });
}

function credentials(token: string, n8nApi: IDataObject = {}): CredentialStore {
	return {
		metaTokenApi: { accessToken: token, appId: APP.id, appSecret: APP.secret, graphApiVersion: 'v25.0', proofMode: 'auto', baseUrl: double.url },
		metaTokenN8nApi: { baseUrl: `${api.url}/`, apiKey: API_KEY, ...n8nApi },
	};
}

function refresh(token: string, parameters: IDataObject = {}, extra: Partial<NodeRunOptions> = {}): NodeRunOptions {
	return {
		parameters: { operation: 'refreshSystemUserToken', saveToCredential: true, ...parameters },
		credentials: credentials(token),
		credentialIds: { metaTokenApi: OWN },
		...extra,
	};
}

const mintCalls = () => double.requests.filter((r) => r.path === '/oauth/access_token' || r.path.endsWith('/access_tokens'));
const apiCalls = () => api.requests.map((r) => `${r.method} ${r.path}`);
const errorOf = (item: INodeExecutionData) => item.json.error as IDataObject;

/** Everything a user, an operator or a log reader could see of a run. */
async function failureText(promise: Promise<unknown>): Promise<string> {
	const error = (await promise.then(
		() => {
			throw new Error('expected the run to fail');
		},
		(e: unknown) => e,
	)) as Error & { description?: string };
	return [error.message, error.description, JSON.stringify(error), logs.text()].join('\n');
}

describe('a save that works', () => {
	it('checks the target type, writes the refreshed token and its record, and leaves the token out of the output', async () => {
		const token = expiringSystemUserToken();
		const before = Date.now();
		const [result] = (await runNode(node, refresh(token))).map((item) => item.json);
		const saved = String(api.credentials.get(OWN)?.data.accessToken);
		expect(double.token(saved)?.type).toBe('SYSTEM_USER');
		expect(result).toEqual({
			tokenType: 'bearer',
			expiresIn: 60 * DAY,
			expiresAt: expect.any(String),
			tokenFingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
			tokenHint: `${saved.slice(0, 6)}…${saved.slice(-4)}`,
			savedToCredentialId: OWN,
			savedTo: [{ credentialId: OWN, type: 'metaTokenApi', ok: true }],
		});
		expect(api.requests.map((r) => [r.method, r.path, r.apiKey])).toEqual([
			['GET', `/api/v1/credentials/${OWN}`, API_KEY],
			['PATCH', `/api/v1/credentials/${OWN}`, API_KEY],
		]);
		// The token and its record (what this mint taught: when, and Meta's expires_in) in one PATCH.
		expect(api.requests[1].body).toEqual({ data: { accessToken: saved, platform: 'facebook', tokenRecord: expect.any(String) }, isPartialData: true });
		const record = tokenRecordFor(saved, api.credentials.get(OWN)?.data.tokenRecord);
		expect(record).toEqual({ fingerprint: tokenFingerprint(saved), issuedAt: expect.any(Number), expiresAt: expect.any(Number) });
		expect(record!.issuedAt).toBeGreaterThanOrEqual(Math.floor(before / 1000));
		expect(record!.issuedAt).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
		expect(record!.expiresAt! - record!.issuedAt).toBe(60 * DAY);
		// The other fields stay as they were (the PATCH merges), and no Platform appears in a credential saved without one.
		expect(api.credentials.get(OWN)?.data).toEqual({ accessToken: saved, appSecret: APP.secret, platform: 'facebook', tokenRecord: expect.any(String) });
		expect(JSON.stringify(result)).not.toContain(saved);
	});

	it('hands the saved token over too with Include Token in Output', async () => {
		const token = expiringSystemUserToken();
		const [result] = (await runNode(node, refresh(token, { includeTokenInOutput: true }))).map((item) => item.json);
		expect(result.accessToken).toBe(api.credentials.get(OWN)?.data.accessToken);
		expect(result.savedToCredentialId).toBe(OWN);
	});

	it('keeps accessToken without Save to Credential, whatever Include Token in Output says', async () => {
		const token = expiringSystemUserToken();
		const [result] = (
			await runNode(node, refresh(token, { saveToCredential: false, includeTokenInOutput: false }))
		).map((item) => item.json);
		expect(double.token(String(result.accessToken))?.type).toBe('SYSTEM_USER');
		expect(api.requests).toHaveLength(0);
	});

	it('updates the credential ID given instead, after checking its type', async () => {
		api.store({ id: 'other-9', name: 'Client B', type: 'metaTokenApi', data: {} });
		const shortLived = double.addToken({ type: 'USER', appId: APP.id, userId: '42', expiresAt: double.now() + 3600 });
		const [result] = (
			await runNode(node, refresh(shortLived, { operation: 'exchange', credentialId: 'other-9' }))
		).map((item) => item.json);
		expect(result.savedToCredentialId).toBe('other-9');
		expect(apiCalls()).toEqual(['GET /api/v1/credentials/other-9', 'PATCH /api/v1/credentials/other-9']);
		expect(double.token(String(api.credentials.get('other-9')?.data.accessToken))?.type).toBe('USER');
	});

	it('refuses a Credential ID to Update that is no credential ID, without repeating it and before asking n8n', async () => {
		const pasted = expiringSystemUserToken();
		const text = await failureText(runNode(node, refresh(expiringSystemUserToken(), { credentialId: pasted })));
		expect(text).toMatch(/"Credential ID to Update" is not a credential ID.*Nothing was minted/);
		expect(text).not.toContain(pasted);
		expect(api.requests).toHaveLength(0);
		expect(mintCalls()).toHaveLength(0);
	});

	it('saves several items that each name their own credential', async () => {
		api.store({ id: 'client-a', name: 'A', type: 'metaTokenApi', data: {} });
		api.store({ id: 'client-b', name: 'B', type: 'metaTokenApi', data: {} });
		const a = expiringSystemUserToken();
		const b = expiringSystemUserToken();
		const output = await runNode(
			node,
			refresh('unused', { tokenSource: 'input', token: '={{ $json.token }}', credentialId: '={{ $json.credential }}' }, {
				items: [
					{ token: a, credential: 'client-a' },
					{ token: b, credential: 'client-b' },
				],
			}),
		);
		expect(output.map((item) => item.json.savedToCredentialId)).toEqual(['client-a', 'client-b']);
		expect(mintCalls()).toHaveLength(2);
		expect(api.credentials.get('client-a')?.data.accessToken).not.toBe(api.credentials.get('client-b')?.data.accessToken);
	});
});

describe('a save that cannot work mints nothing', () => {
	it('refuses a credential of another type, naming it', async () => {
		api.store({ id: 'slack-1', name: 'Slack', type: 'slackApi', data: { accessToken: 'xoxb-keep' } });
		const token = expiringSystemUserToken();
		const text = await failureText(runNode(node, refresh(token, { credentialId: 'slack-1' })));
		expect(text).toMatch(/Credential slack-1 is a "slackApi" credential, not a Meta Token API credential.*Nothing was minted/);
		expect(text).not.toContain(API_KEY);
		expect(mintCalls()).toHaveLength(0);
		expect(apiCalls()).toEqual(['GET /api/v1/credentials/slack-1']);
		expect(api.credentials.get('slack-1')?.data.accessToken).toBe('xoxb-keep');
	});

	it('refuses a run in which several items would save into the same credential, and says to send one item', async () => {
		const output = runNode(
			node,
			refresh('unused', { tokenSource: 'input', token: '={{ $json.token }}' }, {
				items: [{ token: expiringSystemUserToken() }, { token: expiringSystemUserToken() }],
			}),
		);
		const text = await failureText(output);
		expect(text).toMatch(/2 input items would save a new token into the same credential own-credential-7.*Send one item/);
		expect(mintCalls()).toHaveLength(0);
		expect(api.requests).toHaveLength(0);
	});

	it('under Continue On Fail, refuses every item of such a run as an error item', async () => {
		const output = await runNode(
			node,
			refresh('unused', { tokenSource: 'input', token: '={{ $json.token }}', credentialId: '={{ $json.credential }}' }, {
				items: [
					{ token: expiringSystemUserToken(), credential: 'same' },
					{ token: expiringSystemUserToken(), credential: 'other' },
					{ token: expiringSystemUserToken(), credential: 'same' },
				],
				continueOnFail: true,
			}),
		);
		expect(output.map((item) => errorOf(item).reason)).toEqual(['sameCredentialTwice', 'sameCredentialTwice', 'sameCredentialTwice']);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output.every((item) => item.json.accessToken === undefined)).toBe(true);
		expect(mintCalls()).toHaveLength(0);
	});

	it('says plainly that n8n 1.x has no credential endpoints', async () => {
		api.major = 1;
		const text = await failureText(runNode(node, refresh(expiringSystemUserToken())));
		expect(text).toMatch(/n8n answered 405 to GET \/api\/v1\/credentials\/own-credential-7: this n8n instance has no credential lookup or update endpoint \(n8n 1\.x lacks them/);
		expect(mintCalls()).toHaveLength(0);
	});

	it.each([
		['an unknown credential ID', () => api.credentials.delete(OWN), /404.*no credential has ID own-credential-7/],
		['an API key without credential:read', () => (api.scopes = ['credential:update']), /refused the API key \(403\).*credential:read and credential:update/],
		['a wrong API key', () => undefined, /refused the API key \(401\)/],
	])('refuses %s, without the key in the message', async (_case, arrange, message) => {
		arrange();
		const token = expiringSystemUserToken();
		const options = refresh(token);
		if (_case === 'a wrong API key') (options.credentials.metaTokenN8nApi as IDataObject).apiKey = `${API_KEY}-wrong`;
		const text = await failureText(runNode(node, options));
		expect(text).toMatch(message);
		expect(text).toMatch(/Nothing was minted/);
		expect(text).not.toContain(API_KEY);
		expect(mintCalls()).toHaveLength(0);
	});

	it.each(['http://n8n.example.com', 'http://10.0.0.5:5678', 'ftp://127.0.0.1'])(
		'refuses an n8n API Base URL %s that would send the key in clear, before any request',
		async (baseUrl) => {
			const options = refresh(expiringSystemUserToken());
			(options.credentials.metaTokenN8nApi as IDataObject).baseUrl = baseUrl;
			const text = await failureText(runNode(node, options));
			expect(text).toMatch(/Base URL/);
			expect(text).not.toContain(API_KEY);
			expect(mintCalls()).toHaveLength(0);
			expect(api.requests).toHaveLength(0);
		},
	);

	it('refuses under Continue On Fail as an error item, and mints nothing', async () => {
		api.store({ id: OWN, name: 'Not Meta', type: 'httpHeaderAuth', data: {} });
		const [item] = await runNode(node, refresh(expiringSystemUserToken(), {}, { continueOnFail: true }));
		expect(item.json).toEqual({ error: { class: 'saveToCredential', reason: 'notMetaCredential', message: expect.stringMatching(/"httpHeaderAuth"/) } });
		expect(mintCalls()).toHaveLength(0);
	});
});

describe('a save that fails after minting keeps the token', () => {
	it('retries a failing PATCH briefly, then puts the token out with the error, a danger hint and a warning — without stopping', async () => {
		api.fail('PATCH', { status: 500 }, 3);
		const token = expiringSystemUserToken();
		const { output, hints } = await runNodeWithHints(node, refresh(token));
		const [item] = output;
		const minted = String(item.json.accessToken);
		expect(double.token(minted)?.type).toBe('SYSTEM_USER');
		expect(item.json).toMatchObject({ savedToCredentialId: null, error: { class: 'saveToCredential', reason: 'failed' } });
		expect(errorOf(item).message).toMatch(/was minted but not saved into credential own-credential-7: n8n answered 500.*kept in this item's accessToken field/);
		expect(apiCalls()).toEqual(['GET', 'PATCH', 'PATCH', 'PATCH'].map((method) => `${method} /api/v1/credentials/${OWN}`));
		expect(hints).toEqual([{ type: 'danger', location: 'outputPane', message: expect.stringMatching(/^Item 0: The new token EAA.*not saved/) }]);
		expect(logs.lines.filter((line) => line.level === 'warn').map((line) => line.message)).toEqual([expect.stringMatching(/not saved into credential/)]);
		// The only whole copy is accessToken: not the error, the hint or the log.
		for (const text of [JSON.stringify(item.json.error), JSON.stringify(hints), logs.text()]) {
			expect(text).not.toContain(minted);
			expect(text).not.toContain(API_KEY);
		}
		expect(api.credentials.get(OWN)?.data.accessToken).toBe('old');
	});

	it('saves on the second try when the first PATCH hits a passing failure', async () => {
		api.fail('PATCH', { reset: true }, 1);
		const [item] = await runNode(node, refresh(expiringSystemUserToken()));
		expect(item.json.savedToCredentialId).toBe(OWN);
		expect(apiCalls().filter((call) => call.startsWith('PATCH'))).toHaveLength(2);
		expect(double.token(String(api.credentials.get(OWN)?.data.accessToken))?.type).toBe('SYSTEM_USER');
	});

	it('does not retry a refusal, and still keeps the token', async () => {
		api.scopes = ['credential:read'];
		const [item] = await runNode(node, refresh(expiringSystemUserToken(), { includeTokenInOutput: false }));
		expect(errorOf(item)).toMatchObject({ reason: 'unauthorized', message: expect.stringMatching(/refused the API key \(403\)/) });
		expect(double.token(String(item.json.accessToken))?.type).toBe('SYSTEM_USER');
		expect(apiCalls().filter((call) => call.startsWith('PATCH'))).toHaveLength(1);
	});
});

describe('Also Update Credentials', () => {
	/** One credential of each type written besides the Meta Token API one, with known other fields. */
	const MIRRORS = [
		{ id: 'fbGraph0000001', type: 'facebookGraphApi', data: { accessToken: 'old-fb', allowedHttpRequestDomains: 'domains', allowedDomains: 'graph.facebook.com' } },
		{ id: 'fbGraphApp00001', type: 'facebookGraphAppApi', data: { accessToken: 'old-fbapp', appSecret: 'fb-app-secret-kept' } },
		{ id: 'whatsApp000001', type: 'whatsAppApi', data: { accessToken: 'old-wa', businessAccountId: '1029384756' } },
		{ id: 'headerAuth00001', type: 'httpHeaderAuth', data: { name: 'Authorization', value: 'Bearer old-header', allowedHttpRequestDomains: 'domains', allowedDomains: 'graph.facebook.com' } },
		{ id: 'queryAuth000001', type: 'httpQueryAuth', data: { name: 'access_token', value: 'old-query' } },
		{ id: 'bearerAuth00001', type: 'httpBearerAuth', data: { token: 'old-bearer', allowedHttpRequestDomains: 'none' } },
		{ id: 'secondMeta00001', type: 'metaTokenApi', data: { accessToken: 'old-meta', appId: APP.id, appSecret: APP.secret } },
	];
	/** What each type's write must carry: the token field alone, in its form. */
	const WRITE: Record<string, (token: string) => Record<string, string>> = {
		facebookGraphApi: (token) => ({ accessToken: token }),
		facebookGraphAppApi: (token) => ({ accessToken: token }),
		whatsAppApi: (token) => ({ accessToken: token }),
		httpHeaderAuth: (token) => ({ value: `Bearer ${token}` }),
		httpQueryAuth: (token) => ({ value: token }),
		httpBearerAuth: (token) => ({ token }),
		// A Meta Token API credential has a field for the token's record, written with the token.
		metaTokenApi: (token) => ({ accessToken: token, platform: 'facebook', tokenRecord: expect.stringContaining(`"fingerprint":"${tokenFingerprint(token)}"`) }),
	};
	const storeMirrors = () => MIRRORS.forEach((mirror) => api.store({ ...mirror, name: mirror.type }));
	const patches = () => api.requests.filter((r) => r.method === 'PATCH');

	it.each(MIRRORS)('writes only the token field of a $type credential and keeps its other fields', async (mirror) => {
		storeMirrors();
		const [item] = (await runNode(node, refresh(expiringSystemUserToken(), { mirrorCredentialIds: mirror.id }))).map((i) => i.json);
		const minted = String(api.credentials.get(OWN)?.data.accessToken);
		expect(double.token(minted)?.type).toBe('SYSTEM_USER');
		expect(apiCalls()).toEqual([
			`GET /api/v1/credentials/${OWN}`,
			`GET /api/v1/credentials/${mirror.id}`,
			`PATCH /api/v1/credentials/${OWN}`,
			`PATCH /api/v1/credentials/${mirror.id}`,
		]);
		expect(patches()[1].body).toEqual({ data: WRITE[mirror.type](minted), isPartialData: true });
		expect(api.credentials.get(mirror.id)?.data).toEqual({ ...mirror.data, ...WRITE[mirror.type](minted) });
		expect(item.savedTo).toEqual([
			{ credentialId: OWN, type: 'metaTokenApi', ok: true },
			{ credentialId: mirror.id, type: mirror.type, ok: true },
		]);
		expect(item.savedToCredentialId).toBe(OWN);
		expect(JSON.stringify(item)).not.toContain(minted);
	});

	it('writes one exchanged token into every type in the same run, the Meta Token API credential first', async () => {
		storeMirrors();
		const shortLived = double.addToken({ type: 'USER', appId: APP.id, userId: '42', expiresAt: double.now() + 3600 });
		const ids = MIRRORS.map((mirror) => mirror.id);
		const [item] = (
			await runNode(node, refresh(shortLived, { operation: 'exchange', mirrorCredentialIds: ` ${ids.join(',\n')} , ${OWN}, ${ids[0]}` }))
		).map((i) => i.json);
		const minted = String(api.credentials.get(OWN)?.data.accessToken);
		expect(double.token(minted)?.type).toBe('USER');
		expect(mintCalls()).toHaveLength(1);
		// Every lookup before any write; each credential once, though the list names two of them twice.
		expect(apiCalls()).toEqual([OWN, ...ids].map((id) => `GET /api/v1/credentials/${id}`).concat([OWN, ...ids].map((id) => `PATCH /api/v1/credentials/${id}`)));
		for (const mirror of MIRRORS) expect(api.credentials.get(mirror.id)?.data).toEqual({ ...mirror.data, ...WRITE[mirror.type](minted) });
		expect(item.savedTo).toEqual([{ credentialId: OWN, type: 'metaTokenApi', ok: true }, ...MIRRORS.map((m) => ({ credentialId: m.id, type: m.type, ok: true }))]);
		expect(item.accessToken).toBeUndefined();
	});

	it.each([
		['another type', { id: 'slack0000000001', type: 'slackApi' }, /Credential slack0000000001 in "Also Update Credentials" is a "slackApi" credential: this node writes only into Meta Token API, Facebook Graph API, .* and Bearer Auth credentials\. Nothing was minted\./],
		['an OAuth2 credential for Meta', { id: 'fbOauth00000001', type: 'facebookGraphApiOAuth2Api' }, /Credential fbOauth00000001 .* "facebookGraphApiOAuth2Api" credential: n8n keeps an OAuth2 credential's token itself .*Nothing was minted\./],
		['a generic OAuth2 credential', { id: 'oauth2000000001', type: 'oAuth2Api' }, /"oAuth2Api" credential: n8n keeps an OAuth2/],
		['a credential n8n manages', { id: 'managed00000001', type: 'httpHeaderAuth', isManaged: true }, /Credential managed00000001 is managed by n8n itself.*Nothing was minted\./],
	])('refuses %s before minting, naming it, and writes nothing — not even the Meta Token API credential', async (_case, bad, message) => {
		storeMirrors();
		api.store({ ...bad, name: 'x', data: { value: 'keep' } });
		const text = await failureText(runNode(node, refresh(expiringSystemUserToken(), { mirrorCredentialIds: `${MIRRORS[0].id}, ${bad.id}` })));
		expect(text).toMatch(message);
		expect(mintCalls()).toHaveLength(0);
		expect(patches()).toHaveLength(0);
		expect(api.credentials.get(OWN)?.data.accessToken).toBe('old');
	});

	it('refuses an unknown ID in the list before minting', async () => {
		storeMirrors();
		const [item] = await runNode(node, refresh(expiringSystemUserToken(), { mirrorCredentialIds: `${MIRRORS[1].id},missing0000001` }, { continueOnFail: true }));
		expect(errorOf(item)).toMatchObject({ reason: 'notFound', message: expect.stringMatching(/no credential has ID missing0000001.*Nothing was minted/) });
		expect(mintCalls()).toHaveLength(0);
		expect(patches()).toHaveLength(0);
	});

	it('refuses an entry that is no credential ID, without repeating it and before asking n8n', async () => {
		const pasted = expiringSystemUserToken();
		const text = await failureText(runNode(node, refresh(expiringSystemUserToken(), { mirrorCredentialIds: `${MIRRORS[0].id}, ${pasted}` })));
		expect(text).toMatch(/Also Update Credentials: entry 2 is not a credential ID.*Nothing was minted/);
		expect(text).not.toContain(pasted);
		expect(api.requests).toHaveLength(0);
		expect(mintCalls()).toHaveLength(0);
	});

	it('refuses a run in which two items would write into the same further credential', async () => {
		storeMirrors();
		api.store({ id: 'client-a', name: 'A', type: 'metaTokenApi', data: {} });
		api.store({ id: 'client-b', name: 'B', type: 'metaTokenApi', data: {} });
		const text = await failureText(
			runNode(
				node,
				refresh('unused', { tokenSource: 'input', token: '={{ $json.token }}', credentialId: '={{ $json.credential }}', mirrorCredentialIds: MIRRORS[3].id }, {
					items: [
						{ token: expiringSystemUserToken(), credential: 'client-a' },
						{ token: expiringSystemUserToken(), credential: 'client-b' },
					],
				}),
			),
		);
		expect(text).toMatch(/2 input items would save a new token into the same credential headerAuth00001/);
		expect(mintCalls()).toHaveLength(0);
		expect(api.requests).toHaveLength(0);
	});

	it('on n8n 1.x says before minting that the public API cannot update credentials', async () => {
		api.major = 1;
		const text = await failureText(runNode(node, refresh(expiringSystemUserToken(), { mirrorCredentialIds: MIRRORS.map((m) => m.id).join(',') })));
		expect(text).toMatch(/no credential lookup or update endpoint \(n8n 1\.x lacks them.*Nothing was minted/);
		expect(mintCalls()).toHaveLength(0);
	});

	it('when one write fails after minting, writes the others, keeps the token in the item and names the credential still holding the old one', async () => {
		storeMirrors();
		const failing = MIRRORS[3];
		api.fail('PATCH', { status: 500 }, 3, `/api/v1/credentials/${failing.id}`);
		const { output, hints } = await runNodeWithHints(node, refresh(expiringSystemUserToken(), { mirrorCredentialIds: MIRRORS.map((m) => m.id).join(',') }));
		const [item] = output;
		const minted = String(item.json.accessToken);
		expect(double.token(minted)?.type).toBe('SYSTEM_USER');
		expect(api.credentials.get(OWN)?.data.accessToken).toBe(minted);
		for (const mirror of MIRRORS.filter((m) => m !== failing)) expect(api.credentials.get(mirror.id)?.data).toEqual({ ...mirror.data, ...WRITE[mirror.type](minted) });
		expect(api.credentials.get(failing.id)?.data).toEqual(failing.data);
		expect(item.json.savedToCredentialId).toBe(OWN);
		expect(item.json.savedTo).toEqual([
			{ credentialId: OWN, type: 'metaTokenApi', ok: true },
			...MIRRORS.map((m) =>
				m === failing
					? { credentialId: m.id, type: m.type, ok: false, error: `n8n answered 500 when saving the new token into credential ${m.id}.` }
					: { credentialId: m.id, type: m.type, ok: true },
			),
		]);
		expect(errorOf(item)).toMatchObject({ class: 'saveToCredential', reason: 'failed' });
		expect(errorOf(item).message).toMatch(
			new RegExp(`was minted but not saved into credential ${failing.id}: n8n answered 500.*It was saved into credentials ${OWN}, .*Credential ${failing.id} still holds the token it held before\\. It is kept in this item's accessToken field`),
		);
		expect(hints).toEqual([{ type: 'danger', location: 'outputPane', message: expect.stringMatching(/^Item 0: The new token EAA.*not saved/) }]);
		for (const text of [JSON.stringify(item.json.error), JSON.stringify(item.json.savedTo), JSON.stringify(hints), logs.text()]) expect(text).not.toContain(minted);
	});

	it('when the Meta Token API credential fails but the others are written, says so: savedToCredentialId is null', async () => {
		storeMirrors();
		api.fail('PATCH', { status: 403 }, 1, `/api/v1/credentials/${OWN}`);
		const [item] = await runNode(node, refresh(expiringSystemUserToken(), { mirrorCredentialIds: `${MIRRORS[0].id},${MIRRORS[4].id}` }));
		const minted = String(item.json.accessToken);
		expect(item.json.savedToCredentialId).toBeNull();
		expect((item.json.savedTo as IDataObject[]).map((entry) => entry.ok)).toEqual([false, true, true]);
		expect(api.credentials.get(MIRRORS[4].id)?.data.value).toBe(minted);
		expect(errorOf(item).message).toMatch(new RegExp(`not saved into credential ${OWN}: n8n refused the API key \\(403\\).*It was saved into credentials ${MIRRORS[0].id} and ${MIRRORS[4].id}\\. Credential ${OWN} still holds`));
	});
});
