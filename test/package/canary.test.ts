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
 */
jest.mock('n8n-workflow', () => ({ ...jest.requireActual<object>('n8n-workflow'), sleep: async () => undefined }));

import { randomBytes } from 'node:crypto';
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
/** Any whole Meta token: what may only ever be in an `accessToken` field. */
const WHOLE_TOKEN = /EAA[A-Za-z0-9]{20,}/g;
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
function expectNoLeak(setup: Setup, observed: Observed, accessTokenAllowed: boolean): void {
	const secrets = [APP_SECRET, API_KEY, ...setup.canaries];
	const outputText = serialized(observed.output);
	for (const secret of secrets) expect(outputText).not.toContain(secret);
	for (const place of tokenPlaces(observed.output)) {
		expect(accessTokenAllowed && /^\d+\.accessToken$/.test(place.path) ? 'allowed' : `${place.path} holds a whole token`).toBe('allowed');
	}

	const error = observed.error as (Error & { description?: unknown }) | undefined;
	const reported = [
		error ? `${error.message}\n${String(error.description ?? '')}\n${serialized(error)}\n${inspect(error, { depth: 8 })}` : '',
		serialized(observed.hints),
		logs.text(),
	].join('\n');
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
