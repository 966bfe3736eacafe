/**
 * Runs our nodes through n8n's own machinery: n8n-core's ExecuteContext / PollContext and its
 * request helpers (`httpRequestWithAuthentication` → our credential's `authenticate` → axios),
 * against real HTTP servers. Only the credential store is ours: n8n's CLI keeps credentials
 * encrypted in its database; here they are plain objects handed to n8n-core the same way.
 * Poll triggers run through pollers.ts, which saves static data exactly as each n8n poller does.
 */
import { ExecuteContext, RoutingNode } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	INodeCredentialTestResult,
	ICredentialsHelper,
	ICredentialType,
	IDataObject,
	IExecuteData,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IRunExecutionData,
	IWorkflowExecuteAdditionalData,
	NodeExecutionHint,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { MetaTokenApi } from '../../credentials/MetaTokenApi.credentials';
import { MetaTokenN8nApi } from '../../credentials/MetaTokenN8nApi.credentials';

const credentialTypes: Record<string, ICredentialType> = {
	metaTokenApi: new MetaTokenApi(),
	metaTokenN8nApi: new MetaTokenN8nApi(),
};

export type CredentialStore = Record<string, ICredentialDataDecryptedObject>;

/** What n8n's CLI does in CredentialsHelper.authenticate, for the two auth forms our credentials use. */
async function authenticate(
	credentials: ICredentialDataDecryptedObject,
	typeName: string,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const type = credentialTypes[typeName];
	const auth = type?.authenticate;
	if (typeof auth === 'function') return await auth(credentials, requestOptions);
	if (auth && auth.type === 'generic') {
		const resolve = (value: unknown) =>
			String(value).replace(/^=\{\{\s*\$credentials\.(\w+)\s*\}\}$/, (_, name: string) =>
				String(credentials[name] ?? ''),
			);
		const headers = { ...(requestOptions.headers ?? {}) };
		for (const [name, value] of Object.entries(auth.properties.headers ?? {})) headers[name] = resolve(value);
		return { ...requestOptions, headers };
	}
	return requestOptions;
}

function credentialsHelper(store: CredentialStore): ICredentialsHelper {
	return {
		getParentTypes: () => [],
		authenticate: async (
			credentials: ICredentialDataDecryptedObject,
			typeName: string,
			requestOptions: IHttpRequestOptions,
		) => await authenticate(credentials, typeName, requestOptions),
		preAuthentication: async () => undefined,
		getCredentials: async () => {
			throw new Error('not used');
		},
		getDecrypted: async (_additionalData: unknown, nodeCredentials: { id: string }, type: string) => {
			const data = store[`${type}:${nodeCredentials.id}`] ?? store[type];
			if (!data) throw new Error(`no ${type} credential in the test store`);
			return { ...data };
		},
		updateCredentials: async () => undefined,
		updateCredentialsOauthTokenData: async () => undefined,
		getCredentialsProperties: (type: string) => credentialTypes[type]?.properties ?? [],
	} as unknown as ICredentialsHelper;
}

function nodeTypesOf(nodeType: INodeType, typeName: string): INodeTypes {
	return {
		getByName: (name: string) => {
			if (name !== typeName) throw new Error(`unknown node type ${name}`);
			return nodeType;
		},
		getByNameAndVersion: (name: string) => {
			if (name !== typeName) throw new Error(`unknown node type ${name}`);
			return nodeType;
		},
		getKnownTypes: () => ({}),
	} as unknown as INodeTypes;
}

export interface NodeRunOptions {
	parameters: IDataObject;
	credentials: CredentialStore;
	items?: IDataObject[];
	continueOnFail?: boolean;
	/** The node's "Retry On Fail" setting. */
	retryOnFail?: boolean;
	/** Ids the node's credential references carry (what "this node's own credential" resolves to). */
	credentialIds?: Record<string, string>;
	mode?: WorkflowExecuteMode;
	staticData?: IDataObject;
	/** Receives the execution hints the node added (`addExecutionHints`), as n8n shows them. */
	hints?: NodeExecutionHint[];
}

export function buildNode(
	nodeType: INodeType,
	options: Pick<NodeRunOptions, 'parameters' | 'credentialIds' | 'continueOnFail' | 'retryOnFail'>,
): INode {
	const ids = options.credentialIds ?? {};
	const credentials: INode['credentials'] = {};
	for (const description of nodeType.description.credentials ?? []) {
		credentials[description.name] = {
			id: ids[description.name] ?? `${description.name}-id`,
			name: `${description.name} credential`,
		};
	}
	return {
		id: 'node-under-test',
		name: 'Node Under Test',
		type: `n8n-nodes-meta-token.${nodeType.description.name}`,
		typeVersion: 1,
		position: [0, 0],
		parameters: options.parameters as INode['parameters'],
		credentials,
		continueOnFail: options.continueOnFail ?? false,
		retryOnFail: options.retryOnFail ?? false,
	};
}

export function workflowOf(nodeType: INodeType, node: INode, staticData?: IDataObject): Workflow {
	return new Workflow({
		id: 'workflow-under-test',
		name: 'Workflow under test',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: nodeTypesOf(nodeType, node.type),
		staticData,
	});
}

export function additionalDataOf(store: CredentialStore): IWorkflowExecuteAdditionalData {
	return {
		credentialsHelper: credentialsHelper(store),
		executionId: 'test-execution',
		restApiUrl: 'http://127.0.0.1:0/rest',
		instanceBaseUrl: 'http://127.0.0.1:0/',
		webhookBaseUrl: 'http://127.0.0.1:0/webhook',
		webhookWaitingBaseUrl: 'http://127.0.0.1:0/webhook-waiting',
		webhookTestBaseUrl: 'http://127.0.0.1:0/webhook-test',
		formWaitingBaseUrl: 'http://127.0.0.1:0/form-waiting',
		variables: {},
		currentNodeExecutionIndex: 0,
	} as unknown as IWorkflowExecuteAdditionalData;
}

/**
 * An ExecuteContext for one run of `nodeType` (its credentials from `options`), built as
 * WorkflowExecute builds it: for running `execute`, or for calling n8n's request helpers directly.
 * `staticData`, when given, is the workflow's static data as loaded from n8n's database (JSON).
 */
export function executeContext(
	nodeType: INodeType,
	options: NodeRunOptions,
	loadedStaticData?: IDataObject,
): { context: ExecuteContext; workflow: Workflow } {
	const node = buildNode(nodeType, options);
	const workflow = workflowOf(nodeType, node, loadedStaticData);
	// The Workflow resolved the node's parameters against its description (defaults in, options
	// not displayed out), as n8n does when it loads a workflow.
	const resolvedNode = workflow.getNode(node.name) ?? node;
	const items: INodeExecutionData[] = (options.items ?? [{}]).map((json) => ({ json }));
	const runExecutionData = {
		resultData: { runData: {} },
		executionData: { contextData: {}, nodeExecutionStack: [], metadata: {}, waitingExecution: {}, waitingExecutionSource: {} },
	} as unknown as IRunExecutionData;
	const executeData: IExecuteData = { node: resolvedNode, data: { main: [items] }, source: { main: [] } };
	const context = new ExecuteContext(
		workflow,
		resolvedNode,
		additionalDataOf(options.credentials),
		options.mode ?? 'manual',
		runExecutionData,
		0,
		items,
		{ main: [items] },
		executeData,
		[],
	);
	return { context, workflow };
}

/**
 * One run of `execute`: its main output and the execution hints it added (shown on the output pane).
 *
 * `staticData` stands for the workflow's row in n8n's database: each run loads it (JSON), and after
 * the run n8n writes the node's changes back exactly when n8n does — whether the node returned or
 * threw, only if the data changed (`__dataChanged`, n8n-core workflow-execute.js), and never for a
 * manual run (`!isManualMode` in n8n's execution-lifecycle-hooks.js, on main and on workers
 * alike). Without `staticData` every run starts from nothing and nothing is kept.
 */
export async function runNodeWithHints(
	nodeType: INodeType,
	options: NodeRunOptions,
): Promise<{ output: INodeExecutionData[]; hints: NodeExecutionHint[] }> {
	const loaded = options.staticData === undefined ? undefined : (JSON.parse(JSON.stringify(options.staticData)) as IDataObject);
	const { context, workflow } = executeContext(nodeType, options, loaded);
	const mode = options.mode ?? 'manual';
	try {
		const output = await nodeType.execute!.call(context);
		const hints = [...(context as unknown as { hints: NodeExecutionHint[] }).hints];
		options.hints?.push(...hints);
		return { output: (output as INodeExecutionData[][])[0], hints };
	} finally {
		if (options.staticData !== undefined && mode !== 'manual' && workflow.staticData.__dataChanged === true) {
			const saved = JSON.parse(JSON.stringify(workflow.staticData)) as IDataObject;
			for (const key of Object.keys(options.staticData)) delete options.staticData[key];
			Object.assign(options.staticData, saved);
		}
	}
}

/** Runs `execute` of a regular node in n8n-core's ExecuteContext; returns its main output. */
export async function runNode(nodeType: INodeType, options: NodeRunOptions): Promise<INodeExecutionData[]> {
	return (await runNodeWithHints(nodeType, options)).output;
}

/**
 * A credential's declarative test, run as n8n's credentials tester runs it
 * (n8n/dist/services/credentials-tester.service.js, `runRequestTest`, 2.41.1 and 1.123.81): a
 * throwaway node whose one property routes the test request, executed by n8n-core's RoutingNode
 * (so expressions see `$credentials`, and the credential's `authenticate` signs the request), then
 * the rules read exactly as the tester reads them — `responseCode` rules only for an error
 * answer, `responseSuccessBody` rules only for a 2xx, and the tester's own fallback texts.
 */
export async function testCredential(
	typeName: string,
	data: ICredentialDataDecryptedObject,
): Promise<INodeCredentialTestResult> {
	const test = credentialTypes[typeName]?.test as ICredentialTestRequest | undefined;
	if (!test) return { status: 'Error', message: 'No testing function found for this credential.' };
	const tempType: INodeType = {
		description: {
			displayName: 'Temp',
			name: 'n8n-nodes-base.noOp',
			group: ['transform'],
			version: 1,
			description: '',
			defaults: {},
			inputs: [],
			outputs: [],
			credentials: [{ name: typeName, required: true }],
			properties: [
				{ displayName: 'Temp', name: 'temp', type: 'string', routing: { request: test.request }, default: '' },
			],
		},
	};
	const node: INode = {
		id: 'temp',
		parameters: {},
		name: 'Temp-Node',
		type: 'n8n-nodes-base.noOp',
		typeVersion: 1,
		position: [0, 0],
		credentials: { [typeName]: { id: 'credential-under-test', name: 'Credential under test' } },
	};
	const workflow = workflowOf(tempType, node);
	const inputData = { main: [[{ json: {} }]] };
	const runExecutionData = {
		resultData: { runData: {} },
		executionData: { contextData: {}, nodeExecutionStack: [], metadata: {}, waitingExecution: {}, waitingExecutionSource: {} },
	} as unknown as IRunExecutionData;
	const context = new ExecuteContext(
		workflow,
		node,
		additionalDataOf({ [typeName]: data }),
		'internal',
		runExecutionData,
		0,
		[],
		inputData,
		{ node, data: {}, source: null },
		[],
	);
	const decrypted = { id: 'credential-under-test', name: 'Credential under test', type: typeName, data };
	let response: INodeExecutionData[][] | undefined;
	try {
		response = await new RoutingNode(context, tempType, decrypted).runNode();
	} catch (caught) {
		const error = caught as { cause?: { response?: { status: number; statusText?: string }; code?: string }; message: string };
		// n8n 2.41.1 keeps the HTTP answer as the error's cause, so responseCode rules apply; n8n 1.x
		// and n8n-core 2.11.1 (used here) do not, and show the error's own message instead
		// (e2e/credential-test.e2e.test.ts shows both majors).
		if (error.cause?.response) {
			const { status, statusText } = error.cause.response;
			for (const rule of test.rules ?? []) {
				if (rule.type === 'responseCode' && rule.properties.value === status) {
					return { status: 'Error', message: rule.properties.message };
				}
			}
			if (status < 199 || status > 299) {
				return { status: 'Error', message: statusText || `Received HTTP status code: ${status}` };
			}
		} else if (error.cause?.code) {
			return { status: 'Error', message: error.cause.code };
		}
		return { status: 'Error', message: error.message.toString() };
	}
	for (const rule of test.rules ?? []) {
		if (rule.type !== 'responseSuccessBody') continue;
		const body = response?.[0]?.[0]?.json as Record<string, unknown> | undefined;
		const value = rule.properties.key.split('.').reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], body);
		if (value === rule.properties.value) return { status: 'Error', message: rule.properties.message };
	}
	return { status: 'OK', message: 'Connection successful!' };
}

