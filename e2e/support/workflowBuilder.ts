/** Small builders for the workflows the e2e suite imports. */
import type { Workflow, WorkflowNode } from './n8n';

export const META_TOKEN_TYPE = 'n8n-nodes-meta-token.metaToken';
export const META_TOKEN_TRIGGER_TYPE = 'n8n-nodes-meta-token.metaTokenTrigger';

let counter = 0;
function nodeId(): string {
	counter += 1;
	return `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`;
}

export function manualTrigger(name = 'Start'): WorkflowNode {
	return {
		id: nodeId(),
		name,
		type: 'n8n-nodes-base.manualTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
}

/** A Schedule Trigger firing every `seconds` (1–59: the shortest unit n8n's Schedule Trigger has). */
export function scheduleEverySeconds(name: string, seconds: number): WorkflowNode {
	return {
		id: nodeId(),
		name,
		type: 'n8n-nodes-base.scheduleTrigger',
		typeVersion: 1.2,
		position: [0, 0],
		parameters: { rule: { interval: [{ field: 'seconds', secondsInterval: seconds }] } },
	};
}

/** An HTTP Request node POSTing each item's fields (name → expression) as a JSON body. */
export function postJson(name: string, url: string, fields: Record<string, string>): WorkflowNode {
	return {
		id: nodeId(),
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [600, 0],
		parameters: {
			method: 'POST',
			url,
			sendBody: true,
			bodyParameters: { parameters: Object.entries(fields).map(([field, value]) => ({ name: field, value })) },
			options: {},
		},
	};
}

/** A Code node that emits the given JSON objects as items. */
export function emitItems(name: string, items: unknown[]): WorkflowNode {
	return {
		id: nodeId(),
		name,
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		position: [200, 0],
		parameters: { jsCode: `return ${JSON.stringify(items)}.map((json) => ({ json }));` },
	};
}

export function metaTokenNode(
	name: string,
	parameters: Record<string, unknown>,
	credentialId: string,
	extra: Partial<WorkflowNode> = {},
): WorkflowNode {
	return {
		id: nodeId(),
		name,
		type: META_TOKEN_TYPE,
		typeVersion: 1,
		position: [400, 0],
		parameters,
		credentials: { metaTokenApi: { id: credentialId, name: credentialId } },
		...extra,
	};
}

/**
 * A workflow whose nodes are chained as given: each chain is a list of nodes, the first one fed
 * by the start node (or the start node itself when it is the only trigger).
 */
export function workflow(id: string, name: string, start: WorkflowNode, chains: WorkflowNode[][]): Workflow {
	const connections: Record<string, { main: Array<Array<{ node: string; type: string; index: number }>> }> = {};
	const link = (from: string, to: string): void => {
		connections[from] ??= { main: [[]] };
		connections[from].main[0].push({ node: to, type: 'main', index: 0 });
	};
	const nodes: WorkflowNode[] = [start];
	chains.forEach((chain, row) => {
		chain.forEach((node, column) => {
			node.position = [250 * (column + 1), 200 * row];
			nodes.push(node);
			link(column === 0 ? start.name : chain[column - 1].name, node.name);
		});
	});
	return { id, name, nodes, connections, active: false, settings: { executionOrder: 'v1' } };
}

/**
 * A Webhook trigger answering at once (`responseMode: onReceived`): in an active workflow its
 * production URL is `<n8n>/webhook/<path>`, and in queue mode main hands each call to a worker.
 */
export function webhookTrigger(name: string, path: string): WorkflowNode {
	const id = nodeId();
	return {
		id,
		name,
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: id,
		parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
	};
}
