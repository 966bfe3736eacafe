/**
 * Dispatches a Meta Token run to its operation (actions/description.ts lists them), with the
 * Graph session (the credential read once, the client built once) that every operation shares.
 * As an agent's tool, what the tool may do is checked first and no whole token leaves
 * (helpers/toolMode.ts).
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { graphSession } from '../../shared/graphSession';
import type { MetaTokenOperation } from '../helpers/operation';
import { isToolNode } from '../../shared/toolNode';
import { assertToolMayRun, withoutWholeTokens } from '../helpers/toolMode';
import { OPERATIONS, type OperationValue } from './description';

const byValue = new Map<string, MetaTokenOperation<OperationValue>>(
	OPERATIONS.map((operation) => [operation.value, operation]),
);

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const value = this.getNodeParameter('operation', 0) as string;
	const operation = byValue.get(value);
	if (!operation) {
		throw new NodeOperationError(this.getNode(), `The operation "${value}" is not supported`);
	}
	const asTool = isToolNode(this);
	if (asTool) assertToolMayRun(this, operation, items.length);
	const session = await graphSession(this);
	const output = await operation.execute.call(this, items, session);
	return [asTool ? withoutWholeTokens(output) : output];
}
