/**
 * The Meta Token node as an AI agent's tool, run the two ways n8n runs tools (test/support/
 * agentTool.ts): as a LangChain tool built by n8n-core's createNodeAsTool (what older agents and
 * `getInputConnectionData('ai_tool')` use; the model receives the returned string), and as an
 * ordinary ExecuteContext run of the tool variant (AI Agent v3's engine requests). As a tool it
 * inspects only unless "Allow All Operations" is on, refuses the rest also when set by JSON, and
 * never hands over a whole token.
 */
import type { IDataObject, INodeParameters, INodeProperties, INodeTypeDescription } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import type { GraphDouble } from '../../tools/graph-double/GraphDouble';
import { asAiTool, invokeAsLangChainTool } from '../support/agentTool';
import { captureN8nLogs } from '../support/n8nLogs';
import type { N8nPublicApiStandIn } from '../support/n8nPublicApi';
import { useGraphDoubleAndN8nApi } from './support/graphAndN8nApi';
import { runNode, type CredentialStore } from '../../tools/n8n-harness/n8nHarness';
import { MetaToken } from '../../nodes/MetaToken/MetaToken.node';

const APP = { id: '1234567890', name: 'Reporting App', secret: 'app-secret-tool-canary-0a6f' };
const API_KEY = 'n8n-api-key-tool-canary-c3d9';
const DAY = 86_400;
const OWN = 'agent-credential-1';

// The save that fails after minting logs a warning by design: captured here, and asserted, so that
// a passing run prints nothing.
const logs = captureN8nLogs();
const regular = new MetaToken();
const tool = asAiTool(regular);
const servers = useGraphDoubleAndN8nApi(APP, API_KEY);
let double: GraphDouble;
let api: N8nPublicApiStandIn;

beforeEach(() => {
	({ double, api } = servers);
	logs.clear();
	api.store({ id: OWN, name: 'Agent token', type: 'metaTokenApi', data: {} });
});

function credentials(token: string): CredentialStore {
	return {
		metaTokenApi: { accessToken: token, appId: APP.id, appSecret: APP.secret, graphApiVersion: 'v25.0', proofMode: 'auto', baseUrl: double.url },
		metaTokenN8nApi: { baseUrl: api.url, apiKey: API_KEY },
	};
}

function userToken(extra: IDataObject = {}): string {
	return double.addToken({ type: 'USER', appId: APP.id, userId: '42', scopes: ['ads_read'], expiresAt: double.now() + 20 * DAY + 60, ...extra });
}

/** The operations the editor offers for these parameter values (n8n's own displayOptions logic). */
function offeredOperations(description: INodeTypeDescription, values: INodeParameters): string[] {
	const node = { typeVersion: 1 };
	const resolved = NodeHelpers.getNodeParameters(description.properties, values, true, false, node, description) ?? {};
	return description.properties
		.filter((property) => property.name === 'operation' && NodeHelpers.displayParameter(resolved, property, node, description))
		.flatMap((property) => (property.options ?? []).map((option) => (option as { value: string }).value));
}

function displayed(description: INodeTypeDescription, values: INodeParameters, name: string): boolean {
	const node = { typeVersion: 1 };
	const resolved = NodeHelpers.getNodeParameters(description.properties, values, true, false, node, description) ?? {};
	return description.properties.some((property) => property.name === name && NodeHelpers.displayParameter(resolved, property, node, description));
}

/** The parameters of that name the editor shows for these values. */
function shown(description: INodeTypeDescription, values: INodeParameters, name: string): INodeProperties[] {
	const node = { typeVersion: 1 };
	const resolved = NodeHelpers.getNodeParameters(description.properties, values, true, false, node, description) ?? {};
	return description.properties.filter((property) => property.name === name && NodeHelpers.displayParameter(resolved, property, node, description));
}

const ALL = ['checkAlerts', 'exchange', 'generateSystemUserToken', 'getPageTokens', 'inspect', 'refreshSystemUserToken', 'revoke'];

describe('what the editor offers', () => {
	it('registers as metaTokenTool and offers only Inspect', () => {
		expect(tool.description.name).toBe('metaTokenTool');
		expect(offeredOperations(tool.description, {})).toEqual(['inspect']);
		expect(displayed(tool.description, {}, 'allowAllOperations')).toBe(true);
	});

	it('offers everything with the tool-only setting, but never Include Token in Output', () => {
		expect(offeredOperations(tool.description, { allowAllOperations: true })).toEqual(ALL);
		expect(displayed(tool.description, { allowAllOperations: true, operation: 'exchange', saveToCredential: true }, 'includeTokenInOutput')).toBe(false);
	});

	it.each(['instagram', 'threads'])('on %s, offers only Inspect, and its setting names what that platform offers', (platform) => {
		expect(offeredOperations(tool.description, { platform })).toEqual(['inspect']);
		expect(offeredOperations(tool.description, { platform, allowAllOperations: true })).toEqual(['checkAlerts', 'exchange', 'inspect', 'refreshLongLivedToken']);
		const [setting, ...more] = shown(tool.description, { platform }, 'allowAllOperations');
		expect(more).toEqual([]);
		expect(setting.description).toMatch(/^Whether the agent may also exchange and refresh tokens and check them for alerts\. Off, this tool only inspects\./);
		expect(setting.description).not.toMatch(/Page tokens|generate|revoke/);
		// Facebook's, as it was.
		const [facebook] = shown(tool.description, {}, 'allowAllOperations');
		expect(facebook.description).toMatch(/^Whether the agent may also exchange, refresh, generate and revoke tokens and list Page tokens\./);
	});

	it('leaves the node itself as it was: every operation, no tool setting', () => {
		expect(offeredOperations(regular.description, {})).toEqual(ALL);
		expect(displayed(regular.description, {}, 'allowAllOperations')).toBe(false);
		expect(displayed(regular.description, { operation: 'exchange', saveToCredential: true }, 'includeTokenInOutput')).toBe(true);
	});
});

describe('as a LangChain tool (n8n-core createNodeAsTool)', () => {
	it('inspects the token the model passes: status, expiry, scopes and hint, never the token', async () => {
		const token = userToken();
		const { name, result } = await invokeAsLangChainTool(
			tool,
			{
				parameters: { operation: 'inspect', tokenSource: 'input', token: "={{ $fromAI('token', 'The Meta access token to inspect', 'string') }}" },
				credentials: credentials('unused-credential-token'),
			},
			{ token },
		);
		expect(name).toBe('Node_Under_Test');
		const [record] = JSON.parse(result) as IDataObject[];
		expect(record).toMatchObject({ isValid: true, status: 'valid', daysLeft: 20, scopes: ['ads_read'], tokenHint: `${token.slice(0, 6)}…${token.slice(-4)}` });
		expect(result).not.toContain(token);
		expect(result).not.toContain(APP.secret);
	});

	it('refuses revoke set by JSON without the setting, before any Graph call', async () => {
		const token = userToken();
		const invocation = invokeAsLangChainTool(tool, { parameters: { operation: 'revoke' }, credentials: credentials(token) }, {});
		await expect(invocation).rejects.toThrow(/As an AI agent's tool this node only inspects tokens; "revoke" needs the tool setting "Allow All Operations"/);
		expect(double.requests).toHaveLength(0);
		expect(double.token(token)?.invalid).toBeUndefined();
	});

	it('with the setting, lists Page tokens as hints only', async () => {
		const token = userToken({ expiresAt: 0, pages: [{ id: '555', name: 'Acme Shoes', category: 'Brand', tasks: ['ADVERTISE'] }] });
		const { result } = await invokeAsLangChainTool(
			tool,
			{ parameters: { allowAllOperations: true, operation: 'getPageTokens' }, credentials: credentials(token) },
			{},
		);
		const [page] = JSON.parse(result) as IDataObject[];
		expect(page).toEqual({ pageId: '555', name: 'Acme Shoes', category: 'Brand', tasks: ['ADVERTISE'], tokenHint: expect.stringMatching(/^EAA.{3}….{4}$/) });
		expect(result).not.toMatch(/EAA[A-Za-z0-9]{20,}/);
	});
});

describe('as an engine-request tool run (AI Agent v3: an ExecuteContext of metaTokenTool)', () => {
	const run = async (parameters: IDataObject, token: string, extra: IDataObject = {}) =>
		await runNode(tool, { parameters, credentials: credentials(token), credentialIds: { metaTokenApi: OWN }, items: [{ chatInput: 'renew it', toolCallId: 'call_1', ...extra }] });

	it('inspects', async () => {
		const token = userToken();
		const [record] = (await run({ operation: 'inspect' }, token)).map((item) => item.json);
		expect(record.status).toBe('valid');
		expect(JSON.stringify(record)).not.toContain(token);
	});

	// __CUSTOM_API_CALL__: the entry n8n itself appends to every operation list it loads (e2e/tool-mode).
	// checkAlerts records alert history (an agent calling it would use up the alerts), so it is not read-only.
	it.each(['exchange', 'refreshSystemUserToken', 'generateSystemUserToken', 'getPageTokens', 'revoke', 'checkAlerts', '__CUSTOM_API_CALL__'])(
		'refuses %s without the setting, before any call',
		async (operation) => {
			// (n8n's own __CUSTOM_API_CALL__ is no operation of this node at all.)
			await expect(run({ operation, saveToCredential: true }, userToken())).rejects.toThrow(/only inspects tokens|is not supported/);
			expect(double.requests).toHaveLength(0);
			expect(api.requests).toHaveLength(0);
		},
	);

	it('with the setting, refuses to mint a token it would have to hand to the agent', async () => {
		const token = userToken({ expiresAt: double.now() + 3600 });
		await expect(run({ allowAllOperations: true, operation: 'exchange' }, token)).rejects.toThrow(
			/"exchange" must save the new token into a credential \(turn on "Save to Credential"\).*Nothing was minted/,
		);
		expect(double.requests).toHaveLength(0);
	});

	it('with the setting and Save to Credential, saves and reports only hint and fingerprint — also when JSON asks for the token', async () => {
		const token = userToken({ expiresAt: double.now() + 3600 });
		const [result] = (
			await run({ allowAllOperations: true, operation: 'exchange', saveToCredential: true, includeTokenInOutput: true }, token)
		).map((item) => item.json);
		const saved = String(api.credentials.get(OWN)?.data.accessToken);
		expect(double.token(saved)?.type).toBe('USER');
		expect(result).toMatchObject({ savedToCredentialId: OWN, tokenHint: `${saved.slice(0, 6)}…${saved.slice(-4)}` });
		expect(result.accessToken).toBeUndefined();
		expect(JSON.stringify(result)).not.toContain(saved);
	});

	it('when that save fails after minting, the agent still gets no token, and is told so', async () => {
		api.fail('PATCH', { status: 403 }, 1);
		const token = userToken({ expiresAt: double.now() + 3600 });
		const [result] = (await run({ allowAllOperations: true, operation: 'exchange', saveToCredential: true }, token)).map((item) => item.json);
		expect(result.accessToken).toBeUndefined();
		expect((result.error as IDataObject).message).toMatch(/not handed to the agent, so it is gone; the token it was made from still works/);
		expect(JSON.stringify(result)).not.toMatch(/EAA[A-Za-z0-9]{20,}/);
		expect(logs.lines.filter((line) => line.level !== 'debug').map(({ level, message }) => [level, message])).toEqual([
			['warn', expect.stringMatching(/^Meta Token: The new token EAA.{3}….{4} was minted but not saved into credential agent-credential-1: n8n refused the API key \(403\)/)],
		]);
		expect(logs.text()).not.toMatch(/EAA[A-Za-z0-9]{20,}/);
	});
});
