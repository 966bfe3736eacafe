import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { graphSession } from '../../shared/graphSession';
import type { MetaTokenOperation } from './common';
import { tokenSourceFields } from './common';
import * as exchange from './exchange.operation';
import * as generateSystemUserToken from './generateSystemUserToken.operation';
import * as getPageTokens from './getPageTokens.operation';
import * as inspect from './inspect.operation';
import * as refreshSystemUserToken from './refreshSystemUserToken.operation';
import * as revoke from './revoke.operation';
import { saveToCredentialFields } from './saveToCredential';

const operations: Record<MetaTokenOperation, typeof inspect> = {
	inspect,
	exchange,
	refreshSystemUserToken,
	generateSystemUserToken,
	getPageTokens,
	revoke,
};

export const operationField: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	default: 'inspect',
	options: [
		{
			name: 'Exchange for Long-Lived Token',
			value: 'exchange',
			action: 'Exchange a short lived token for a long lived one',
			description: 'Turn a short-lived user token (Graph API Explorer, about an hour) into a long-lived one (about 60 days)',
		},
		{
			name: 'Generate System-User Token',
			value: 'generateSystemUserToken',
			action: 'Generate a system user token',
			description: 'Mint a new system-user token with an admin token',
		},
		{
			name: 'Get Page Tokens',
			value: 'getPageTokens',
			action: 'Get page tokens',
			description: 'List the Pages a user token manages, one item per Page with its token',
		},
		{
			name: 'Inspect',
			value: 'inspect',
			action: 'Inspect a token',
			description: 'Read type, scopes and expiry of tokens with debug_token (many at once through Graph batches)',
		},
		{
			name: 'Refresh System-User Token',
			value: 'refreshSystemUserToken',
			action: 'Refresh a system user token',
			description: 'Renew an expiring system-user token for another 60 days, before it expires',
		},
		{
			name: 'Revoke',
			value: 'revoke',
			action: 'Revoke a token',
			description: 'Destructive: kill a user or system-user token for good',
		},
	],
};

export const properties: INodeProperties[] = [
	operationField,
	...tokenSourceFields(['inspect', 'exchange', 'getPageTokens', 'revoke'], 'the token'),
	...tokenSourceFields(['refreshSystemUserToken'], 'the expiring system-user token'),
	...tokenSourceFields(['generateSystemUserToken'], 'the admin token that mints the new one'),
	...inspect.description,
	...exchange.description,
	...refreshSystemUserToken.description,
	...generateSystemUserToken.description,
	...getPageTokens.description,
	...revoke.description,
	...saveToCredentialFields,
];

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as MetaTokenOperation;
	const handler = operations[operation];
	if (!handler) {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);
	}
	const session = await graphSession(this);
	return [await handler.execute.call(this, items, session)];
}
