/**
 * The Meta Token node as an AI agent's tool in real n8n: the editor's node types list the tool
 * variant `n8n-nodes-meta-token.metaTokenTool` offering Inspect only, and workflows run it the
 * way an agent does, without an LLM — n8n's own Tool Executor node (`toolExecutor`, "execute
 * tools without an AI Agent") takes the tool from its `ai_tool` input through n8n-core's
 * getInputConnectionData/createNodeAsTool and invokes it with the arguments a model would pass.
 * Its output is what a model would receive: inspect records, never a whole token; revoke set in
 * the tool's JSON is refused before any Graph call; Page tokens come as hints only.
 */
import type { INodeTypeDescription } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { GraphDoubleProcess } from './support/graphDoubleProcess';
import type { RunResult, Workflow, WorkflowNode } from './support/n8n';
import { N8nInstance } from './support/n8n';
import type { Major } from './support/paths';
import { n8nRuntime, selectedMajors } from './support/paths';
import { stopAll } from './support/processes';
import { packedTarball } from './support/tarball';
import { DAY, REPORTING_APP, metaCredential, nowSeconds, tokenFor } from './support/tokens';
import { manualTrigger } from './support/workflowBuilder';

const T = nowSeconds();
const live = tokenFor('tool-live');
const victim = tokenFor('tool-victim');
const pagesUser = tokenFor('tool-pages-user');
const CREDENTIALS = {
	live: { id: 'mtToolLive000001', name: 'Tool: live token' },
	victim: { id: 'mtToolVictim0001', name: 'Tool: token an agent must not revoke' },
	pages: { id: 'mtToolPages00001', name: 'Tool: user with Pages' },
};
const WHOLE_TOKEN = /EAA[A-Za-z0-9]{20,}/g;
const TOOL_TYPE = 'n8n-nodes-meta-token.metaTokenTool';

const user = (token: string, userId: string, extra = {}) => ({
	token,
	type: 'USER' as const,
	appId: REPORTING_APP.id,
	userId,
	scopes: ['ads_read', 'pages_show_list'],
	expiresAt: T + 20 * DAY + 3600,
	dataAccessExpiresAt: T + 80 * DAY,
	...extra,
});

/** Start → Tool Executor, with the Meta Token tool on its ai_tool input, called with `args`. */
function toolWorkflow(
	major: Major,
	id: string,
	toolParameters: Record<string, unknown>,
	credential: { id: string; name: string },
	args: Record<string, unknown>,
): Workflow {
	const tool: WorkflowNode = {
		id: `${id}-tool`,
		name: 'Meta token tool',
		type: TOOL_TYPE,
		typeVersion: 1,
		position: [300, 200],
		parameters: toolParameters,
		credentials: { metaTokenApi: credential },
	};
	const executor: WorkflowNode = {
		id: `${id}-executor`,
		name: 'Run tool',
		type: '@n8n/n8n-nodes-langchain.toolExecutor',
		typeVersion: 1,
		position: [300, 0],
		// 2.x: the arguments per tool, under the tool's name (its node name with [^a-zA-Z0-9_-] as
		// '_', n8n's nodeNameToToolName); 1.x: the arguments themselves.
		parameters: { query: JSON.stringify(major === 2 ? { Meta_token_tool: args } : args), toolName: '', node: '' },
	};
	const start = manualTrigger();
	return {
		id,
		name: `Meta Token tool: ${id}`,
		nodes: [start, executor, tool],
		connections: {
			[start.name]: { main: [[{ node: executor.name, type: 'main', index: 0 }]] },
			[tool.name]: { ai_tool: [[{ node: executor.name, type: 'ai_tool', index: 0 }]] },
		},
		active: false,
		settings: { executionOrder: 'v1' },
	};
}

/** What the model would have received: the Tool Executor's output (a JSON string per call). */
function toolAnswer(run: RunResult | undefined): unknown[] {
	const items = run?.data.resultData.runData['Run tool']?.[0]?.data?.main[0] ?? [];
	return items.map(({ json }) => (typeof json === 'string' ? JSON.parse(json) : json));
}

/** Everything the tool node itself put out (n8n logs a tool's answer on its ai_tool output). */
function toolNodeOutput(run: RunResult | undefined): string {
	return JSON.stringify(run?.data.resultData.runData['Meta token tool'] ?? []);
}

describe.each(selectedMajors())('The Meta Token tool in real n8n %s.x', (major: Major) => {
	let double: GraphDoubleProcess;
	let n8n: N8nInstance;

	beforeAll(async () => {
		double = await GraphDoubleProcess.start({
			apps: [REPORTING_APP],
			tokens: [
				user(live, '31'),
				user(victim, '32'),
				user(pagesUser, '33', { expiresAt: 0, pages: [{ id: '5551', name: 'Acme Shoes', category: 'Retail', tasks: ['ADVERTISE'] }] }),
			],
		});
		n8n = await N8nInstance.create(n8nRuntime(major), packedTarball());
		await n8n.importCredentials([
			metaCredential(CREDENTIALS.live.id, CREDENTIALS.live.name, 'EAAunusedcredentialtoken000000000000000', double.url),
			metaCredential(CREDENTIALS.victim.id, CREDENTIALS.victim.name, victim, double.url),
			metaCredential(CREDENTIALS.pages.id, CREDENTIALS.pages.name, pagesUser, double.url),
		]);
		await n8n.importWorkflows([
			toolWorkflow(
				major,
				'MetaTokenTool001',
				{ operation: 'inspect', tokenSource: 'input', token: "={{ $fromAI('token', 'The Meta access token to inspect', 'string') }}" },
				CREDENTIALS.live,
				{ token: live },
			),
			// Set in the workflow's JSON, past what the editor offers a tool.
			toolWorkflow(major, 'MetaTokenTool002', { operation: 'revoke' }, CREDENTIALS.victim, {}),
			toolWorkflow(major, 'MetaTokenTool003', { allowAllOperations: true, operation: 'getPageTokens' }, CREDENTIALS.pages, {}),
		]);
		await n8n.start();
		await n8n.setupOwner();
	});

	afterAll(async () => {
		await n8n?.dispose();
		await double?.stop();
		await stopAll();
	});

	beforeEach(async () => await double.clearRequests());

	it('lists the tool variant in the editor\'s node types, offering Inspect only', async () => {
		const response = await n8n.rest('GET', '/types/nodes.json');
		expect(response.status).toBe(200);
		const types = (await response.json()) as INodeTypeDescription[];
		const tool = types.find((type) => type.name === TOOL_TYPE);
		expect(tool?.displayName).toBe('Meta Token Tool');
		if (!tool) return;
		const offered = (values: Record<string, unknown>) => {
			const resolved = NodeHelpers.getNodeParameters(tool.properties, values as never, true, false, { typeVersion: 1 }, tool) ?? {};
			return tool.properties
				.filter((property) => property.name === 'operation' && NodeHelpers.displayParameter(resolved, property, { typeVersion: 1 }, tool))
				.flatMap((property) => (property.options ?? []).map((option) => (option as { value: string }).value));
		};
		// n8n appends "Custom API Call" (__CUSTOM_API_CALL__, a pointer to the HTTP Request node) to
		// every operation list of a node whose credential can sign requests; the tool refuses it.
		expect(offered({})).toEqual(['inspect', '__CUSTOM_API_CALL__']);
		expect(offered({ allowAllOperations: true })).toEqual([
			'checkAlerts',
			'exchange',
			'generateSystemUserToken',
			'getPageTokens',
			'inspect',
			'refreshSystemUserToken',
			'revoke',
			'__CUSTOM_API_CALL__',
		]);
	});

	it('inspects the token the "model" passes: status and expiry, never the token', async () => {
		const result = await n8n.execute('MetaTokenTool001');
		if (!result.ok) throw new Error(result.output.slice(-4000));
		const [answer] = toolAnswer(result.run) as Array<Array<Record<string, unknown>>>;
		expect(answer).toEqual([expect.objectContaining({ isValid: true, status: 'valid', daysLeft: 20, tokenHint: `${live.slice(0, 6)}…${live.slice(-4)}` })]);
		expect(JSON.stringify(answer)).not.toContain(live);
		expect(toolNodeOutput(result.run)).toContain('"status":"valid"');
		expect(toolNodeOutput(result.run).match(new RegExp(`"(?!token)[a-zA-Z]+":"${live}"`, 'g')) ?? []).toEqual([]);
		expect((await double.requests()).map((r) => r.path)).toEqual(['/debug_token']);
	});

	it('refuses revoke set in the tool\'s JSON, before any Graph call', async () => {
		const result = await n8n.execute('MetaTokenTool002');
		expect(result.ok).toBe(false);
		expect(result.output).toContain('As an AI agent\'s tool this node only inspects tokens; "revoke" needs the tool setting "Allow All Operations"');
		expect(await double.requests()).toHaveLength(0);
	});

	it('with "Allow All Operations", lists Page tokens as hints only', async () => {
		const result = await n8n.execute('MetaTokenTool003');
		if (!result.ok) throw new Error(result.output.slice(-4000));
		const [answer] = toolAnswer(result.run) as Array<Array<Record<string, unknown>>>;
		expect(answer).toEqual([{ pageId: '5551', name: 'Acme Shoes', category: 'Retail', tasks: ['ADVERTISE'], tokenHint: expect.stringMatching(/^EAA.{3}….{4}$/) }]);
		expect(JSON.stringify(answer).match(WHOLE_TOKEN) ?? []).toEqual([]);
		expect(toolNodeOutput(result.run).match(WHOLE_TOKEN) ?? []).toEqual([]);
		expect((await double.requests()).map((r) => r.path)).toEqual(['/me/accounts']);
	});
});
