/**
 * Whether a node runs as an AI agent's tool. Its own file because the Meta Token node's tool mode
 * (helpers/toolMode.ts) and the per-item parameter reader (runParameters.ts) both decide by it.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

/**
 * The tool variant's type ends in `Tool`, the regular one in `metaToken`: true in both ways n8n
 * runs a tool (an agent's engine request on the execution stack, or a LangChain tool in a
 * SupplyDataContext) and in both majors, where `isToolExecution()` is not.
 */
export function isToolNode(context: Pick<IExecuteFunctions, 'getNode'>): boolean {
	return context.getNode().type.endsWith('Tool');
}
