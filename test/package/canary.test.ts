/**
 * The canary sweep: unique token, app-secret and n8n-API-key strings through every operation of
 * the node (and the trigger's poll and the credential test), every fault the Graph API double
 * offers, with and without Continue On Fail, and the new options (Save to Credential with and
 * without Include Token in Output, its failures, tool mode; Also Update Credentials, its writes
 * failing and n8n's answers echoing what was sent) — run through n8n-core's contexts and request
 * helpers. None of the canaries may appear in any output item, thrown error
 * (message, description, its JSON and inspection), execution hint, n8n log line (captured) or URL
 * the double recorded; the API key goes nowhere but n8n's own API in its header. Whole Meta
 * tokens minted or listed by Meta appear only in an `accessToken` field, and only where the user
 * asked for them.
 *
 * On the double's URLs: Meta's own wire takes some secrets in the query string (`input_token`
 * of debug_token, `fb_exchange_token` and `client_secret` of oauth/access_token, `client_secret`
 * and `revoke_token` of oauth/revoke); those parameters, and nothing else, may carry them.
 *
 * n8n's `sleep` is made instant here so that retries and rate-limit pauses (seconds to minutes)
 * run through in milliseconds; what is sent, retried and reported is unchanged.
 *
 * Instagram and Threads credentials are swept too (the last section), against a loopback stand-in
 * for their hosts that answers every path and can echo the token and the app secret back.
 */
jest.mock('n8n-workflow', () => ({ ...jest.requireActual<object>('n8n-workflow'), sleep: async () => undefined }));

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';

import type { IDataObject, INodeType } from 'n8n-workflow';

import type { Fault, FaultRule } from '../../tools/graph-double/GraphDouble';
import { GraphDouble } from '../../tools/graph-double/GraphDouble';
import { asAiTool } from '../support/agentTool';
import { captureN8nLogs } from '../support/n8nLogs';
import { N8nPublicApiStandIn } from '../support/n8nPublicApi';
import { runNodeWithHints, testCredential, type CredentialStore } from '../../tools/n8n-harness/n8nHarness';
import { pollOnce } from '../support/pollers';
import { MetaToken } from '../../nodes/MetaToken/MetaToken.node';
import { MetaTokenTrigger } from '../../nodes/MetaTokenTrigger/MetaTokenTrigger.node';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const random = (length: number) => [...randomBytes(length)].map((byte) => ALPHANUMERIC[byte % ALPHANUMERIC.length]).join('');

const APP_ID = '4455667788';
const APP_SECRET = `appsecretCANARY${random(17)}`;
const API_KEY = `n8napikeyCANARY${random(24)}`;
const OWN = 'canary-credential';
const DAY = 86_400;
/** Any whole Meta token, of any platform: what may only ever be in an `accessToken` field. */
const WHOLE_TOKEN = /EAA[A-Za-z0-9]{20,}|(?:IG|TH)(?:AA|QV)[A-Za-z0-9_-]{20,}/g;
/** The query parameters Meta's API takes secrets in. */
const SECRET_QUERY_PARAMETERS = new Set(['input_token', 'fb_exchange_token', 'client_secret', 'revoke_token']);

const logs = captureN8nLogs();
const metaToken = new MetaToken();
const metaTokenTool = asAiTool(metaToken);
const trigger = new MetaTokenTrigger();
let double: GraphDouble;
let api: N8nPublicApiStandIn;

beforeAll(async () => {
	double = await GraphDouble.start();
	double.addApp({ id: APP_ID, name: 'Canary App', secret: APP_SECRET });
	api = await N8nPublicApiStandIn.start(API_KEY);
});
afterAll(async () => {
	await double.stop();
	await api.stop();
});

/** A token-shaped canary, registered with the double; unique per scenario. */
function canary(spec: Partial<Parameters<GraphDouble['addToken']>[0]> = {}): string {
	return double.addToken({
		token: `EAACANARY${random(34)}`,
		type: 'USER',
		appId: APP_ID,
		userId: '10215241773831025',
		scopes: ['ads_read', 'business_management'],
		expiresAt: double.now() + 3 * DAY,
		...spec,
	});
}

type Operation = 'inspect' | 'inspectSelf' | 'exchange' | 'refreshSystemUserToken' | 'generateSystemUserToken' | 'getPageTokens' | 'revoke' | 'poll';

interface Setup {
	node: INodeType | 'trigger';
	parameters: IDataObject;
	items: IDataObject[];
	credentialToken: string;
	appSecret: string;
	canaries: string[];
}

function setUp(operation: Operation): Setup {
	const own = canary({ pages: [{ id: '777', name: 'Canary Page', tasks: ['ADVERTISE'] }] });
	const base = { node: metaToken as INodeType | 'trigger', items: [{}], credentialToken: own, appSecret: APP_SECRET };
	switch (operation) {
		case 'inspect': {
			const second = canary();
			return { ...base, parameters: { operation, tokenSource: 'input', token: '={{ $json.token }}' }, items: [{ token: own }, { token: second }], canaries: [own, second] };
		}
		case 'inspectSelf':
			return { ...base, parameters: { operation: 'inspect' }, appSecret: '', canaries: [own] };
		case 'refreshSystemUserToken': {
			const su = canary({ type: 'SYSTEM_USER', userId: '61550000000001', expiringSystemUser: true });
			return { ...base, parameters: { operation }, credentialToken: su, canaries: [su, own] };
		}
		case 'generateSystemUserToken':
			return { ...base, parameters: { operation, systemUserId: '61550000000002', scopes: 'ads_read', expiring: true }, canaries: [own] };
		case 'poll':
			return { ...base, node: 'trigger', parameters: {}, canaries: [own] };
		default:
			return { ...base, parameters: { operation }, canaries: [own] };
	}
}

function credentials(setup: Setup, n8nApiBaseUrl = api.url): CredentialStore {
	return {
		metaTokenApi: { accessToken: setup.credentialToken, appId: APP_ID, appSecret: setup.appSecret, graphApiVersion: 'v25.0', proofMode: 'auto', baseUrl: double.url },
		metaTokenN8nApi: { baseUrl: n8nApiBaseUrl, apiKey: API_KEY },
	};
}

/** JSON of anything, cycles cut: what a serialized error or execution would hold. */
function serialized(value: unknown): string {
	const seen = new WeakSet<object>();
	return JSON.stringify(value, (_key, item: unknown) => {
		if (typeof item === 'object' && item !== null) {
			if (seen.has(item)) return '[cycle]';
			seen.add(item);
		}
		return item;
	});
}

interface Observed {
	output: IDataObject[];
	error?: unknown;
	hints: unknown[];
}

async function observe(setup: Setup, continueOnFail: boolean, n8nApiBaseUrl?: string, asTool = false): Promise<Observed> {
	const store = credentials(setup, n8nApiBaseUrl);
	try {
		if (setup.node === 'trigger') {
			const result = await pollOnce(trigger, { parameters: setup.parameters, credentials: store });
			return { output: (result ?? []).flat().map((item) => item.json), hints: [] };
		}
		const nodeType = asTool ? metaTokenTool : setup.node;
		const { output, hints } = await runNodeWithHints(nodeType, {
			parameters: setup.parameters,
			items: setup.items,
			credentials: store,
			credentialIds: { metaTokenApi: OWN },
			continueOnFail,
		});
		return { output: output.map((item) => item.json), hints };
	} catch (error) {
		return { output: [], error, hints: [] };
	}
}

/** Walks an output item: every string with a whole token must be an allowed `accessToken`. */
function tokenPlaces(value: unknown, path: string[] = []): Array<{ path: string; value: string }> {
	if (typeof value === 'string') return value.match(WHOLE_TOKEN) ? [{ path: path.join('.'), value }] : [];
	if (Array.isArray(value)) return value.flatMap((item, index) => tokenPlaces(item, [...path, String(index)]));
	if (typeof value === 'object' && value !== null) return Object.entries(value).flatMap(([key, item]) => tokenPlaces(item, [...path, key]));
	return [];
}

/**
 * The assertions of the sweep. `accessTokenAllowed`: the run's output may hand over a whole token
 * (minted or a Page's) in `accessToken` — never one of the canaries, which are inputs.
 */
/** Everything a run reported besides its output: the error in every form n8n shows it, hints, logs. */
function reportedText(observed: Observed): string {
	const error = observed.error as (Error & { description?: unknown }) | undefined;
	return [
		error ? `${error.message}\n${String(error.description ?? '')}\n${serialized(error)}\n${inspect(error, { depth: 8 })}` : '',
		serialized(observed.hints),
		logs.text(),
	].join('\n');
}

function expectNoLeak(setup: Setup, observed: Observed, accessTokenAllowed: boolean): void {
	const secrets = [APP_SECRET, API_KEY, ...setup.canaries];
	const outputText = serialized(observed.output);
	for (const secret of secrets) expect(outputText).not.toContain(secret);
	for (const place of tokenPlaces(observed.output)) {
		expect(accessTokenAllowed && /^\d+\.accessToken$/.test(place.path) ? 'allowed' : `${place.path} holds a whole token`).toBe('allowed');
	}

	const reported = reportedText(observed);
	for (const secret of secrets) expect(reported).not.toContain(secret);
	expect(reported.match(WHOLE_TOKEN) ?? []).toEqual([]);

	for (const request of double.requests) {
		for (const secret of [...secrets, ...double.requests.map(() => API_KEY)]) expect(request.path).not.toContain(secret);
		for (const [name, value] of Object.entries(request.query)) {
			if (secrets.some((secret) => value.includes(secret))) expect(`${name} carries a secret`).toBe(SECRET_QUERY_PARAMETERS.has(name) ? `${name} carries a secret` : 'a parameter Meta takes secrets in');
		}
		expect(serialized(request)).not.toContain(API_KEY);
	}
	for (const request of api.requests) {
		expect(serialized({ ...request, apiKey: undefined })).not.toContain(API_KEY);
		for (const secret of [APP_SECRET, ...setup.canaries]) expect(serialized(request)).not.toContain(secret);
	}
}

function reset(): void {
	double.clearFaults();
	double.clearRequests();
	api.reset();
	api.store({ id: OWN, name: 'Canary', type: 'metaTokenApi', data: {} });
	logs.clear();
}

const OPERATIONS: Operation[] = ['inspect', 'inspectSelf', 'exchange', 'refreshSystemUserToken', 'generateSystemUserToken', 'getPageTokens', 'revoke', 'poll'];

/** Every fault the double offers; some echo a canary back, as a careless server might. */
const FAULTS: Array<[string, (token: string) => Fault | undefined]> = [
	['no fault', () => undefined],
	['190/460 password changed', () => ({ type: 'graphError', code: 190, subcode: 460 })],
	['190 echoing the token', (token) => ({ type: 'graphError', code: 190, message: `Malformed access token ${token}` })],
	['permission 200', () => ({ type: 'graphError', code: 200, message: '(#200) Requires business_management permission' })],
	['proof required 100', () => ({ type: 'graphError', code: 100, message: 'API calls from the server require an appsecret_proof argument' })],
	['policy 368', () => ({ type: 'graphError', code: 368 })],
	['transient 2', () => ({ type: 'graphError', code: 2 })],
	['rate limit 4', () => ({ type: 'rateLimit', code: 4 })],
	['business use case 80004', () => ({ type: 'rateLimit', businessUseCaseMinutes: 1 })],
	['raw 400 echoing token and secret', (token) => ({ type: 'status', status: 400, body: `bad request for ${token} with ${APP_SECRET}` })],
	['html 502', () => ({ type: 'html' })],
	['malformed JSON', () => ({ type: 'malformedJson' })],
	['empty body', () => ({ type: 'emptyBody' })],
	['delay', () => ({ type: 'delay', ms: 20 })],
	['connection reset', () => ({ type: 'reset' })],
	['batch item null', () => ({ type: 'batchNull', indexes: [0] })],
	['batch unusable', () => ({ type: 'batchUnusable' })],
];

/** Only exchange, refresh, generate and Page tokens may hand over a whole token, and only a Meta-made one. */
const HANDS_OVER = new Set<Operation>(['exchange', 'refreshSystemUserToken', 'generateSystemUserToken', 'getPageTokens']);

describe.each([false, true])('Continue On Fail %s', (continueOnFail) => {
	describe.each(OPERATIONS)('%s', (operation) => {
		it.each(FAULTS)('%s', async (_name, fault) => {
			reset();
			const setup = setUp(operation);
			const made = fault(setup.canaries[0]);
			if (made) double.injectFault({ fault: made, times: Infinity } as FaultRule);
			const observed = await observe(setup, continueOnFail);
			expectNoLeak(setup, observed, HANDS_OVER.has(operation));
			if (!made) expect(observed.error).toBeUndefined();
			// The sweep reads n8n's log for real: every Graph call left a (redacted) line there.
			if (double.requests.length > 0) expect(logs.lines.filter((line) => line.message === 'Meta Graph API request').length).toBeGreaterThanOrEqual(double.requests.length);
		});
	});
});

/** One further credential of each type Also Update Credentials writes into. */
const MIRRORS = [
	{ id: 'cnyFacebook0001', type: 'facebookGraphApi', data: { accessToken: 'old' } },
	{ id: 'cnyFacebookApp1', type: 'facebookGraphAppApi', data: { accessToken: 'old', appSecret: 'kept' } },
	{ id: 'cnyWhatsApp0001', type: 'whatsAppApi', data: { accessToken: 'old', businessAccountId: '1' } },
	{ id: 'cnyHeaderAuth01', type: 'httpHeaderAuth', data: { name: 'Authorization', value: 'Bearer old' } },
	{ id: 'cnyQueryAuth001', type: 'httpQueryAuth', data: { name: 'access_token', value: 'old' } },
	{ id: 'cnyBearerAuth01', type: 'httpBearerAuth', data: { token: 'old' } },
];
const MIRROR_IDS = MIRRORS.map((mirror) => mirror.id).join(',');
const storeMirrors = () => MIRRORS.forEach((mirror) => api.store({ ...mirror, name: mirror.type }));

describe('the new options', () => {
	const MINTING: Operation[] = ['exchange', 'refreshSystemUserToken', 'generateSystemUserToken'];
	// Every row has all five cells: jest passes a `done` callback to a test with more parameters than cells.
	type Case = [string, IDataObject, () => void, boolean, string | undefined];
	const CASES: Case[] = [
		['saved, token left out', {}, () => undefined, false, undefined],
		['saved, Include Token in Output', { includeTokenInOutput: true }, () => undefined, true, undefined],
		['save fails after minting (500)', {}, () => api.fail('PATCH', { status: 500 }, 10), true, undefined],
		['save fails after minting (reset)', {}, () => api.fail('PATCH', { reset: true }, 10), true, undefined],
		['save refused (403)', {}, () => (api.scopes = ['credential:read']), true, undefined],
		['target of another type', {}, () => api.store({ id: OWN, name: 'x', type: 'slackApi', data: {} }), false, undefined],
		['unknown target', { credentialId: 'nope' }, () => undefined, false, undefined],
		['n8n 1.x', {}, () => (api.major = 1), false, undefined],
		['API key without scopes', {}, () => (api.scopes = []), false, undefined],
		['n8n API over plain http off this machine', {}, () => undefined, false, 'http://n8n.example.com'],
		['saved into every further credential', { mirrorCredentialIds: MIRROR_IDS }, storeMirrors, false, undefined],
		['saved into every further credential, Include Token in Output', { mirrorCredentialIds: MIRROR_IDS, includeTokenInOutput: true }, storeMirrors, true, undefined],
		[
			'a further write fails, n8n echoing the body (500)',
			{ mirrorCredentialIds: MIRROR_IDS },
			() => {
				storeMirrors();
				api.fail('PATCH', { status: 500, echo: true }, 10, `/api/v1/credentials/${MIRRORS[3].id}`);
			},
			true,
			undefined,
		],
		[
			'every further write refused, n8n echoing the body (400)',
			{ mirrorCredentialIds: MIRROR_IDS },
			() => {
				storeMirrors();
				for (const mirror of MIRRORS) api.fail('PATCH', { status: 400, echo: true }, 1, `/api/v1/credentials/${mirror.id}`);
			},
			true,
			undefined,
		],
		['a further write cut off (reset)', { mirrorCredentialIds: MIRROR_IDS }, () => (storeMirrors(), api.fail('PATCH', { reset: true }, 30)), true, undefined],
		['a further lookup fails, n8n echoing (500)', { mirrorCredentialIds: MIRROR_IDS }, () => (storeMirrors(), api.fail('GET', { status: 500, echo: true }, 1, `/api/v1/credentials/${MIRRORS[5].id}`)), false, undefined],
		['a further credential of a refused type (OAuth2)', { mirrorCredentialIds: `${MIRRORS[0].id},cnyOauth2000001` }, () => (storeMirrors(), api.store({ id: 'cnyOauth2000001', name: 'x', type: 'facebookGraphApiOAuth2Api', data: {} })), false, undefined],
		['an unknown further credential', { mirrorCredentialIds: 'cnyMissing00001' }, () => undefined, false, undefined],
		['further credentials on n8n 1.x', { mirrorCredentialIds: MIRROR_IDS }, () => (storeMirrors(), (api.major = 1)), false, undefined],
	];
	describe.each(MINTING)('%s', (operation) => {
		it.each(CASES)('%s', async (_name, parameters, arrange, accessTokenAllowed, n8nApiBaseUrl) => {
			for (const continueOnFail of [false, true]) {
				reset();
				arrange();
				const setup = setUp(operation);
				setup.parameters = { ...setup.parameters, saveToCredential: true, ...parameters };
				const observed = await observe(setup, continueOnFail, n8nApiBaseUrl);
				expectNoLeak(setup, observed, accessTokenAllowed);
			}
		});

		it('a token given as a further credential ID', async () => {
			for (const continueOnFail of [false, true]) {
				reset();
				storeMirrors();
				const setup = setUp(operation);
				// Through an expression, e.g. a sheet column that holds a token by mistake (a value typed
				// into the parameter itself is in the workflow, and in n8n's error's copy of the node).
				setup.items = [{ mirrors: `${MIRRORS[0].id}, ${setup.canaries[0]}` }];
				setup.parameters = { ...setup.parameters, saveToCredential: true, mirrorCredentialIds: '={{ $json.mirrors }}' };
				expectNoLeak(setup, await observe(setup, continueOnFail), false);
				expect(api.requests).toHaveLength(0);
			}
		});

		it('several items into one further credential', async () => {
			reset();
			storeMirrors();
			api.store({ id: 'cnyOther0000001', name: 'Other', type: 'metaTokenApi', data: {} });
			const setup = setUp(operation);
			setup.items = [{ credential: OWN }, { credential: 'cnyOther0000001' }];
			setup.parameters = { ...setup.parameters, saveToCredential: true, credentialId: '={{ $json.credential }}', mirrorCredentialIds: MIRRORS[4].id };
			expectNoLeak(setup, await observe(setup, false), false);
			expect(double.requests).toHaveLength(0);
		});

		it('several items into one credential', async () => {
			reset();
			const setup = setUp(operation);
			setup.items = [{}, {}];
			setup.parameters = { ...setup.parameters, saveToCredential: true };
			expectNoLeak(setup, await observe(setup, false), false);
			expect(double.requests).toHaveLength(0);
		});

		it.each([
			['saved', () => undefined],
			['save fails after minting', () => api.fail('PATCH', { status: 500 }, 10)],
		])('as an agent tool with every operation allowed: %s', async (_name, arrange) => {
			reset();
			arrange();
			const setup = setUp(operation);
			setup.parameters = { ...setup.parameters, allowAllOperations: true, saveToCredential: true, includeTokenInOutput: true };
			expectNoLeak(setup, await observe(setup, false, undefined, true), false);
		});
	});

	it.each(OPERATIONS.filter((operation) => operation !== 'poll'))('%s as an agent tool', async (operation) => {
		reset();
		const setup = setUp(operation);
		setup.parameters = { ...setup.parameters, allowAllOperations: true };
		expectNoLeak(setup, await observe(setup, true, undefined, true), false);
	});
});

describe('the credential test', () => {
	it.each(FAULTS)('%s', async (_name, fault) => {
		reset();
		const setup = setUp('inspect');
		const made = fault(setup.canaries[0]);
		if (made) double.injectFault({ fault: made, times: Infinity } as FaultRule);
		const result = await testCredential('metaTokenApi', credentials(setup).metaTokenApi);
		expectNoLeak(setup, { output: [result as unknown as IDataObject], hints: [] }, false);
	});
});

/**
 * Instagram and Threads: every operation the node offers for the platform (and the trigger's poll
 * and the credential test) against a stand-in for graph.instagram.com / graph.threads.net (under
 * `/instagram`, `/threads` of a loopback URL, as the Graph double serves them). It answers any
 * path — `/me`, `debug_token`, the token endpoints (a newly minted token) — or fails as Meta and
 * careless servers do, echoing the canary token and the app secret. Meta documents the token
 * endpoints' parameters in the query string, so there (`/access_token`, `/refresh_access_token`)
 * and only there may `access_token` and `client_secret` carry a canary.
 */
describe('Instagram and Threads credentials', () => {
	type PlatformFault = [string, (token: string) => ((response: http.ServerResponse) => void) | undefined];
	const json = (status: number, body: unknown) => (response: http.ServerResponse) => {
		response.writeHead(status, { 'content-type': 'application/json' });
		response.end(JSON.stringify(body));
	};
	const PLATFORM_FAULTS: PlatformFault[] = [
		['no fault', () => undefined],
		['190 echoing the token', (token) => json(400, { error: { message: `Invalid OAuth access token - Cannot parse access token ${token}`, type: 'OAuthException', code: 190 } })],
		['expired, echoing the token', (token) => json(400, { error: { message: `Error validating access token: Session has expired. Token: ${token}`, type: 'OAuthException', code: 190, error_subcode: 463 } })],
		['wrong secret, echoing it', () => json(400, { error: { message: `Error validating client secret ${APP_SECRET}.`, type: 'OAuthException', code: 1 } })],
		['raw 400 echoing token and secret', (token) => (response) => {
			response.writeHead(400, { 'content-type': 'text/plain' });
			response.end(`bad request for ${token} with ${APP_SECRET}`);
		}],
		['a cut answer echoing the token', (token) => (response) => {
			response.writeHead(200, { 'content-type': 'application/json' });
			response.end(`{"access_token":"${token}`);
		}],
		['html 502', () => (response) => {
			response.writeHead(502, { 'content-type': 'text/html' });
			response.end('<html><body>Bad Gateway</body></html>');
		}],
		['connection reset', () => (response) => response.socket?.destroy()],
	];

	interface StandInRequest {
		path: string;
		query: Record<string, string>;
	}
	let server: http.Server;
	const requests: StandInRequest[] = [];
	let failWith: ((response: http.ServerResponse) => void) | undefined;
	let minted: string[] = [];

	beforeAll(async () => {
		server = http.createServer((request, response) => {
			const url = new URL(request.url ?? '/', 'http://stand-in');
			requests.push({ path: url.pathname, query: Object.fromEntries(url.searchParams) });
			if (failWith) return failWith(response);
			const prefix = url.pathname.startsWith('/threads') ? 'THAA' : 'IGAA';
			if (/\/(refresh_)?access_token$/.test(url.pathname)) {
				const token = `${prefix}MINTED${random(40)}`;
				minted.push(token);
				return json(200, { access_token: token, token_type: 'bearer', expires_in: 5_183_944 })(response);
			}
			if (url.pathname.endsWith('/debug_token')) {
				const now = Math.floor(Date.now() / 1000);
				return json(200, { data: { type: 'USER', app_id: APP_ID, application: 'Canary App', is_valid: true, user_id: '7', scopes: ['threads_basic'], expires_at: now + 30 * DAY, issued_at: now - DAY } })(response);
			}
			return json(200, { id: '7', user_id: '17841400000000007', username: 'canary_account' })(response);
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	});
	afterAll(async () => {
		server.closeAllConnections();
		await new Promise((resolve) => server.close(resolve));
	});

	const standIn = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

	/** The operations the node offers for a platform (those with a displayOptions.show.platform list naming it). */
	function operationsFor(platform: string): string[] {
		const lists = metaToken.description.properties.filter(
			(property) => property.name === 'operation' && ((property.displayOptions?.show?.platform ?? []) as string[]).includes(platform),
		);
		const offered = lists.flatMap((property) => (property.options ?? []).map((option) => String((option as { value: unknown }).value)));
		// Operations that need more than the credential (watch lists) are swept elsewhere.
		return offered.filter((operation) => operation !== 'checkAlerts');
	}

	const TOKEN_PATHS = /\/(refresh_)?access_token$/;

	function expectNoPlatformLeak(observed: Observed, secrets: string[], handsOver: boolean): void {
		const outputText = serialized(observed.output);
		for (const secret of secrets) expect(outputText).not.toContain(secret);
		for (const place of tokenPlaces(observed.output)) {
			const allowed = handsOver && /^\d+\.accessToken$/.test(place.path) && minted.includes(place.value);
			expect(allowed ? 'allowed' : `${place.path} holds a whole token`).toBe('allowed');
		}
		const reported = reportedText(observed);
		for (const secret of secrets) expect(reported).not.toContain(secret);
		expect(reported.match(WHOLE_TOKEN) ?? []).toEqual([]);
		for (const request of requests) {
			for (const secret of secrets) expect(request.path).not.toContain(secret);
			for (const [name, value] of Object.entries(request.query)) {
				if (!secrets.some((secret) => value.includes(secret))) continue;
				// Threads documents its debug_token as `GET /v1.0/debug_token?input_token=…`.
				const documented =
					(TOKEN_PATHS.test(request.path) && (name === 'access_token' || name === 'client_secret')) ||
					(request.path.startsWith('/threads/') && request.path.endsWith('/debug_token') && name === 'input_token');
				expect(documented ? 'documented' : `${name} on ${request.path} carries a secret`).toBe('documented');
			}
		}
	}

	function platformCredentials(platform: string, token: string): CredentialStore {
		// As n8n hands them over for these platforms: no App ID, no App Secret Proof (hidden there).
		return {
			metaTokenApi: { platform, accessToken: token, appSecret: APP_SECRET, graphApiVersion: 'v25.0', baseUrl: `${standIn()}/${platform}` },
			metaTokenN8nApi: { baseUrl: api.url, apiKey: API_KEY },
		};
	}

	function platformCanary(platform: string): string {
		return `${platform === 'threads' ? 'THAA' : 'IGAA'}CANARY${random(40)}`;
	}

	describe.each(['instagram', 'threads'])('%s', (platform) => {
		// A node that offers no operations per platform runs Facebook's calls whatever the
		// credential; its nodes join the sweep once it knows the platform (and so does the
		// trigger, which comes with it).
		const operations = operationsFor(platform);
		const cases = [...operations, ...(operations.length > 0 ? ['poll'] : []), 'credential test'];
		describe.each(cases)('%s', (operation) => {
			it.each(PLATFORM_FAULTS)('%s', async (_name, fault) => {
				for (const continueOnFail of operation === 'poll' || operation === 'credential test' ? [false] : [false, true]) {
					reset();
					requests.length = 0;
					minted = [];
					const token = platformCanary(platform);
					failWith = fault(token);
					const store = platformCredentials(platform, token);
					let observed: Observed;
					try {
						if (operation === 'credential test') {
							const result = await testCredential('metaTokenApi', store.metaTokenApi);
							observed = { output: [result as unknown as IDataObject], hints: [] };
						} else if (operation === 'poll') {
							const result = await pollOnce(trigger, { parameters: {}, credentials: store });
							observed = { output: (result ?? []).flat().map((item) => item.json), hints: [] };
						} else {
							const run = await runNodeWithHints(metaToken, {
								parameters: { platform, operation, saveToCredential: false },
								items: [{}],
								credentials: store,
								credentialIds: { metaTokenApi: OWN },
								continueOnFail,
							});
							observed = { output: run.output.map((item) => item.json), hints: run.hints };
						}
					} catch (error) {
						observed = { output: [], error, hints: [] };
					}
					expectNoPlatformLeak(observed, [token, APP_SECRET, API_KEY], operation === 'exchange' || operation === 'refreshLongLivedToken');
				}
			});
		});
	});
});
