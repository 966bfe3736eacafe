/**
 * Runs a node the way n8n runs it as an AI agent's tool, with n8n-core's own machinery:
 *
 * - `asAiTool` is n8n's conversion of a `usableAsTool` node into its tool variant — a faithful
 *   copy of `convertNodeToAiTool` (n8n 2.41.1 dist/tool-generation/ai-tools.js; the n8n package
 *   itself is not a dev dependency): name + 'Tool', no main input, one `ai_tool` output, display
 *   name + ' Tool', `usableAsTool` removed, the Tool Description parameters added. n8n applies it
 *   at load time for the editor and again at run time (node-types.js) to a clone, same `execute`.
 * - `invokeAsLangChainTool` is the path older agents take: an agent node asks n8n-core's
 *   `getInputConnectionData('ai_tool')`, which wraps the tool node with n8n-core's own
 *   `createNodeAsTool` (a LangChain DynamicStructuredTool whose schema comes from the node's
 *   `$fromAI` parameters); invoking it runs `execute` in a SupplyDataContext and hands the model
 *   `JSON.stringify` of the output items' json — exactly the string returned here.
 * - The engine-request path (AI Agent v3) puts the tool node on the execution stack with one
 *   item, the agent's input merged with the model's arguments and `toolCallId`: an ordinary
 *   ExecuteContext, i.e. `runNode` of the tool variant (tools/n8n-harness/n8nHarness.ts).
 */
import { ExecuteContext } from 'n8n-core';
import type {
	IDataObject,
	IExecuteData,
	INode,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypes,
	IRunExecutionData,
} from 'n8n-workflow';
import { deepCopy, NodeConnectionTypes, Workflow } from 'n8n-workflow';

import { additionalDataOf, buildNode, type NodeRunOptions } from '../../tools/n8n-harness/n8nHarness';

/** n8n's convertNodeToAiTool, applied to a copy: the tool variant of `nodeType`. */
export function asAiTool(nodeType: INodeType): INodeType {
	const description = deepCopy(nodeType.description);
	description.name += 'Tool';
	description.inputs = [];
	description.outputs = [NodeConnectionTypes.AiTool];
	description.displayName += ' Tool';
	delete description.usableAsTool;
	const hasResource = description.properties.some((prop) => prop.name === 'resource');
	const hasOperation = description.properties.some((prop) => prop.name === 'operation');
	if (!description.properties.map((prop) => prop.name).includes('toolDescription')) {
		const descriptionType: INodeProperties = {
			displayName: 'Tool Description',
			name: 'descriptionType',
			type: 'options',
			noDataExpression: true,
			options: [
				{ name: 'Set Automatically', value: 'auto', description: 'Automatically set based on resource and operation' },
				{ name: 'Set Manually', value: 'manual', description: 'Manually set the description' },
			],
			default: 'auto',
		};
		const descProp: INodeProperties = {
			displayName: 'Description',
			name: 'toolDescription',
			type: 'string',
			default: description.description,
			required: true,
			typeOptions: { rows: 2 },
			description:
				'Explain to the LLM what this tool does, a good, specific description would allow LLMs to produce expected results much more often',
		};
		let lastCallout = -1;
		description.properties.forEach((prop, index) => {
			if (prop.type === 'callout') lastCallout = index;
		});
		description.properties.splice(lastCallout + 1, 0, descProp);
		if (hasResource || hasOperation) {
			description.properties.splice(lastCallout + 1, 0, descriptionType);
			descProp.displayOptions = { show: { descriptionType: ['manual'] } };
		}
	}
	return { ...nodeType, description, execute: nodeType.execute };
}

/** A stand-in for an agent: a node with an `ai_tool` input, as the AI Agent declares it. */
const agentType: INodeType = {
	description: {
		displayName: 'Agent',
		name: 'agent',
		group: ['transform'],
		version: 1,
		description: 'Asks its tools',
		defaults: { name: 'Agent' },
		inputs: [NodeConnectionTypes.Main, { type: NodeConnectionTypes.AiTool, displayName: 'Tools' }],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	},
};

/**
 * Connects `toolType` (a tool variant, see asAiTool) to an agent, lets n8n-core build the tool
 * the agent gets, and invokes it with the model's arguments; returns what the model receives.
 * Also returns the tool's name and description as the model sees them.
 */
export async function invokeAsLangChainTool(
	toolType: INodeType,
	options: NodeRunOptions,
	toolArgs: IDataObject,
): Promise<{ name: string; description: string; result: string }> {
	const tool = buildNode(toolType, options);
	const agent: INode = { id: 'agent', name: 'Agent', type: 'test.agent', typeVersion: 1, position: [0, 0], parameters: {} };
	const nodeTypes = {
		getByName: (name: string) => (name === tool.type ? toolType : agentType),
		getByNameAndVersion: (name: string) => (name === tool.type ? toolType : agentType),
		getKnownTypes: () => ({}),
	} as unknown as INodeTypes;
	const workflow = new Workflow({
		id: 'workflow-under-test',
		name: 'Agent workflow',
		nodes: [agent, tool],
		connections: { [tool.name]: { [NodeConnectionTypes.AiTool]: [[{ node: agent.name, type: NodeConnectionTypes.AiTool, index: 0 }]] } },
		active: false,
		nodeTypes,
	});
	const items: INodeExecutionData[] = [{ json: { chatInput: 'How are my Meta tokens?' } }];
	const runExecutionData = {
		resultData: { runData: {} },
		executionData: { contextData: {}, nodeExecutionStack: [], metadata: {}, waitingExecution: {}, waitingExecutionSource: {} },
	} as unknown as IRunExecutionData;
	const executeData: IExecuteData = { node: agent, data: { main: [items] }, source: { main: [] } };
	const context = new ExecuteContext(workflow, agent, additionalDataOf(options.credentials), 'manual', runExecutionData, 0, items, { main: [items] }, executeData, []);
	const tools = (await context.getInputConnectionData(NodeConnectionTypes.AiTool, 0)) as Array<{
		name: string;
		description: string;
		invoke: (args: IDataObject) => Promise<string>;
	}>;
	const [langChainTool] = tools;
	return { name: langChainTool.name, description: langChainTool.description, result: await langChainTool.invoke(toolArgs) };
}
