/**
 * Check for Alerts' "Read History Through Public API" (`readHistoryThroughN8nApi`), through
 * n8n-core's ExecuteContext against the Graph double and a stand-in for n8n's public API
 * (test/support/n8nPublicApi.ts), both over real HTTP. A worker run is modelled as n8n 2.41.1's
 * queue mode runs one: it starts with no static data (workflow-runner.js, job-processor.js), and
 * after a non-manual run whose static data changed it writes the whole of it over the workflow's
 * column — here the stand-in's stored workflow, which the API then answers with. Also: when the
 * n8n API credential is shown and resolvable, for every operation.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { MetaToken } from '../../nodes/MetaToken/MetaToken.node';
import type { GraphDouble } from '../../tools/graph-double/GraphDouble';
import type { N8nPublicApiStandIn } from '../support/n8nPublicApi';
import { useGraphDoubleAndN8nApi } from './support/graphAndN8nApi';
import type { CredentialStore, NodeRunOptions } from '../../tools/n8n-harness/n8nHarness';
import { executeContext, runNode, runNodeWithHints } from '../../tools/n8n-harness/n8nHarness';

const APP = { id: '1234567890', name: 'Reporting App', secret: 'history-app-secret-canary-77d1' };
const API_KEY = 'n8n-api-key-history-canary-5e02';
const DAY = 86_400;
// What the harness names the workflow and the node (tools/n8n-harness/n8nHarness.ts).
const WORKFLOW_ID = 'workflow-under-test';
const NODE_KEY = 'node:Node Under Test';
const node = new MetaToken();
/** The operations that mint a token, where Save to Credential (and so the n8n API credential) is offered. */
const MINTING_OPERATIONS = ['exchange', 'refreshSystemUserToken', 'generateSystemUserToken'];

const servers = useGraphDoubleAndN8nApi(APP, API_KEY);
let double: GraphDouble;
let api: N8nPublicApiStandIn;

beforeEach(() => {
	({ double, api } = servers);
	api.scopes = ['workflow:read'];
	api.workflows.set(WORKFLOW_ID, { staticData: null });
});

function credentials(n8nApi: IDataObject = {}): CredentialStore {
	return {
		metaTokenApi: { accessToken: 'unused', appId: APP.id, appSecret: APP.secret, baseUrl: double.url },
		metaTokenN8nApi: { baseUrl: api.url, apiKey: API_KEY, ...n8nApi },
	};
}

function user(expiresInSeconds: number): string {
	const now = double.now();
	return double.addToken({ type: 'USER', appId: APP.id, userId: '42', scopes: ['ads_read'], issuedAt: now - 10 * DAY, expiresAt: now + expiresInSeconds, dataAccessExpiresAt: now + 80 * DAY });
}

const PARAMETERS = { operation: 'checkAlerts', tokenSource: 'input', token: '={{ $json.token }}', tokenName: '={{ $json.client }}' };

interface Run {
	items: IDataObject[];
	readHistory?: boolean;
	mode?: NodeRunOptions['mode'];
	credentials?: CredentialStore;
}

/** The workflow's static data as n8n's database holds it (what the API answers with). */
const column = () => api.workflows.get(WORKFLOW_ID)?.staticData ?? null;

function options(run: Run, staticData: IDataObject): NodeRunOptions {
	return {
		parameters: { ...PARAMETERS, readHistoryThroughN8nApi: run.readHistory ?? true },
		credentials: run.credentials ?? credentials(),
		items: run.items,
		staticData,
		mode: run.mode ?? 'trigger',
	};
}

/** One execution on a queue-mode worker: no static data in; if it changed, all of it over the column. */
async function onWorker(run: Run): Promise<INodeExecutionData[]> {
	const workerStaticData: IDataObject = {};
	try {
		return await runNode(node, options(run, workerStaticData));
	} finally {
		if (Object.keys(workerStaticData).length > 0) api.workflows.set(WORKFLOW_ID, { staticData: workerStaticData });
	}
}

const events = (output: INodeExecutionData[]) => output.map((item) => `${String(item.json.tokenName)}: ${String(item.json.event)}`);
const workflowReads = () => api.requests.filter((r) => r.path === `/api/v1/workflows/${WORKFLOW_ID}`);

describe('queue-mode worker runs', () => {
	it('with the option on: each alert once, the renewal once, the history read back through the API', async () => {
		const acme = user(5 * DAY + 3600);
		const items = [{ client: 'Acme Shoes', token: acme }, { client: 'Bistro Nine', token: user(50 * DAY) }];
		expect(events(await onWorker({ items }))).toEqual(['Acme Shoes: expiring']);
		const saved = JSON.stringify(column());
		expect(saved).toContain('"Acme Shoes"');
		expect(events(await onWorker({ items }))).toEqual([]);
		expect(events(await onWorker({ items: [...items].reverse() }))).toEqual([]);
		items[0] = { client: 'Acme Shoes', token: user(60 * DAY) };
		expect(events(await onWorker({ items }))).toEqual(['Acme Shoes: renewed']);
		expect(events(await onWorker({ items }))).toEqual([]);

		// One read per run, with the key, for the static data alone; nothing of a Meta token sent or kept.
		expect(workflowReads()).toHaveLength(5);
		for (const request of api.requests) {
			expect(request).toMatchObject({ method: 'GET', query: 'excludePinnedData=true', apiKey: API_KEY, body: undefined });
		}
		const tokens = [acme, items[0].token, items[1].token];
		for (const token of tokens) {
			expect(JSON.stringify(column())).not.toContain(token);
			expect(JSON.stringify(api.requests)).not.toContain(token);
		}
		// The key went to n8n only.
		expect(JSON.stringify(double.requests)).not.toContain(API_KEY);
	});

	it('with the option off (the default): every worker run repeats every alert', async () => {
		const items = [{ client: 'Acme Shoes', token: user(5 * DAY + 3600) }];
		expect(events(await onWorker({ items, readHistory: false }))).toEqual(['Acme Shoes: expiring']);
		expect(JSON.stringify(column())).toContain('"Acme Shoes"');
		expect(events(await onWorker({ items, readHistory: false }))).toEqual(['Acme Shoes: expiring']);
		expect(api.requests).toEqual([]);
	});

	it('reads nothing through the API when the run was given its static data (regular mode)', async () => {
		const items = [{ client: 'Acme Shoes', token: user(5 * DAY + 3600) }];
		const staticData: IDataObject = {};
		// The first run ever: nothing saved yet, so it asks; n8n has none either.
		expect(events(await runNode(node, options({ items }, staticData)))).toEqual(['Acme Shoes: expiring']);
		expect(workflowReads()).toHaveLength(1);
		expect(events(await runNode(node, options({ items }, staticData)))).toEqual([]);
		expect(events(await runNode(node, options({ items }, staticData)))).toEqual([]);
		expect(workflowReads()).toHaveLength(1);
		expect(Object.keys((staticData[NODE_KEY] as IDataObject).watchList as IDataObject)).toEqual(['v', 'apps', 'named', 'unnamed']);
	});

	it('a manual run reads the history, shows only news, and changes nothing', async () => {
		const items = [{ client: 'Acme Shoes', token: user(5 * DAY + 3600) }];
		await onWorker({ items });
		const before = JSON.stringify(column());
		const staticData: IDataObject = {};
		const { output, hints } = await runNodeWithHints(node, options({ items, mode: 'manual' }, staticData));
		expect(events(output)).toEqual([]);
		expect(hints.map((hint) => hint.message)).toEqual([expect.stringMatching(/^Manual run: nothing was recorded/)]);
		expect(staticData).toEqual({});
		expect(JSON.stringify(column())).toBe(before);
		// A manual run with news shows it, and still records nothing.
		const bistro = [{ client: 'Bistro Nine', token: user(2 * DAY) }];
		expect(events(await runNode(node, options({ items: bistro, mode: 'manual' }, {})))).toEqual(['Bistro Nine: expiring']);
		expect(JSON.stringify(column())).toBe(before);
	});
});

describe('a history that cannot be read fails the run before any Graph call and sends nothing', () => {
	const cases: Array<[string, () => unknown, RegExp]> = [
		['unreachable', () => api.fail('GET', { reset: true }), /^Could not reach n8n at http:\/\/127\.0\.0\.1:\d+ to read this workflow's alert history: check the n8n API credential's Base URL/],
		['a wrong API key (401)', () => undefined, /^n8n refused the API key \(401\) when reading this workflow's alert history: create an API key with the scope workflow:read/],
		['a key without workflow:read (403)', () => (api.scopes = ['credential:read']), /^n8n refused the API key \(403\)/],
		['an unknown workflow (404)', () => api.workflows.clear(), /^n8n at http:\/\/127\.0\.0\.1:\d+ answered 404 to GET \/api\/v1\/workflows\/workflow-under-test: it has no workflow workflow-under-test, or the API key's user may not see it/],
		['n8n failing (500)', () => api.fail('GET', { status: 500 }), /^n8n at http:\/\/127\.0\.0\.1:\d+ answered 500 to GET \/api\/v1\/workflows\/workflow-under-test without the workflow's static data\./],
	];

	it.each(cases)('%s', async (name, arrange, message) => {
		const items = [{ client: 'Acme Shoes', token: user(5 * DAY + 3600) }];
		await onWorker({ items });
		arrange();
		const before = JSON.stringify(column());
		double.clearRequests();
		const run = { items, credentials: name.startsWith('a wrong') ? credentials({ apiKey: `${API_KEY}-wrong` }) : credentials() };
		const error = (await onWorker(run).then(
			() => undefined,
			(thrown: unknown) => thrown,
		)) as Error & { description?: string };
		expect(error?.message).toMatch(message);
		expect(error.message).toMatch(/No alerts were sent, so none are repeated; they come once the history can be read\.$/);
		expect(double.requests).toEqual([]);
		expect(JSON.stringify(column())).toBe(before);
		expect(JSON.stringify(error)).not.toContain(API_KEY);
	});

	it('without an n8n API credential, or with one whose Base URL would send the key in clear', async () => {
		const items = [{ client: 'Acme Shoes', token: user(5 * DAY + 3600) }];
		const { metaTokenApi } = credentials();
		await expect(onWorker({ items, credentials: { metaTokenApi } })).rejects.toThrow(
			/^Reading the history through the n8n API needs an n8n API credential: select one in this node\. No alerts were sent/,
		);
		await expect(onWorker({ items, credentials: credentials({ baseUrl: 'http://n8n.example.com' }) })).rejects.toThrow(/must use https/);
		expect(api.requests).toEqual([]);
		expect(double.requests).toEqual([]);
	});
});

describe('the n8n API credential', () => {
	const operations = ['checkAlerts', 'exchange', 'generateSystemUserToken', 'getPageTokens', 'inspect', 'refreshSystemUserToken', 'revoke'];
	const variants: INodeParameters[] = [{}, { saveToCredential: false }, { saveToCredential: true }, { readHistoryThroughN8nApi: false }, { readHistoryThroughN8nApi: true }, { saveToCredential: true, readHistoryThroughN8nApi: true }];

	it('is required, one entry for its type', () => {
		expect(node.description.credentials?.filter((c) => c.name === 'metaTokenN8nApi')).toEqual([expect.objectContaining({ required: true })]);
		expect(operations).toEqual(
			(node.description.properties.find((p) => p.name === 'operation')?.options ?? []).map((o) => (o as { value: string }).value).sort(),
		);
	});

	// n8n-core's getCredentials checks the credential's displayOptions against the node's parameters
	// as the Workflow resolved them (defaults in, parameters not shown out): what a run can use.
	it.each(operations)('%s: shown exactly when Save to Credential (minting) or Read History (Check for Alerts) is on', async (operation) => {
		for (const variant of variants) {
			const parameters = { operation, ...variant };
			const { context } = executeContext(node, { parameters, credentials: credentials() });
			const shown = await context.getCredentials('metaTokenN8nApi', 0).then(
				() => true,
				(error: Error) => {
					expect(error.message).toBe('Credentials not found');
					return false;
				},
			);
			const expected =
				(MINTING_OPERATIONS.includes(operation) && variant.saveToCredential === true) ||
				(operation === 'checkAlerts' && variant.readHistoryThroughN8nApi === true);
			expect({ parameters, shown }).toEqual({ parameters, shown: expected });
		}
	});
});
