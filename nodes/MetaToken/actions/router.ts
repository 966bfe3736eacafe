/**
 * Dispatches a Meta Token run to its operation's file, with the Graph session (the credential
 * read once, the client built once) that every operation shares. As an agent's tool, what the
 * tool may do is checked first and no whole token leaves (helpers/toolMode.ts).
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { graphSession } from '../../shared/graphSession';
import type { MetaTokenOperation, OperationModule } from '../helpers/tokenSource';
import { assertToolMayRun, isToolNode, withoutWholeTokens } from '../helpers/toolMode';
import * as checkAlerts from './checkAlerts.operation';
import * as exchange from './exchange.operation';
import * as generateSystemUserToken from './generateSystemUserToken.operation';
import * as getPageTokens from './getPageTokens.operation';
import * as inspect from './inspect.operation';
import * as refreshSystemUserToken from './refreshSystemUserToken.operation';
import * as revoke from './revoke.operation';

const operations: Record<MetaTokenOperation, OperationModule> = {
	inspect,
	exchange,
	refreshSystemUserToken,
	generateSystemUserToken,
	getPageTokens,
	revoke,
	checkAlerts,
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as MetaTokenOperation;
	const handler = operations[operation];
	if (!handler) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);
	}
	const asTool = isToolNode(this);
	if (asTool) assertToolMayRun(this, operation, items.length);
	const session = await graphSession(this);
	const output = await handler.execute.call(this, items, session);
	return [asTool ? withoutWholeTokens(output) : output];
}
