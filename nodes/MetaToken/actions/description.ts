/**
 * The Meta Token node's parameters: the operation list and every operation's own fields, in the
 * order the editor shows them. Assembled here so the node file stays a thin shell and the router
 * only dispatches.
 */
import type { ICredentialsDisplayOptions, INodeProperties } from 'n8n-workflow';

import { READ_HISTORY_FIELD } from '../helpers/alertHistory';
import { MINTING_OPERATIONS, saveToCredentialFields } from '../helpers/saveToCredential';
import { tokenSourceFields } from '../helpers/tokenSource';
import { allowAllOperationsField, operationFields } from '../helpers/toolMode';
import * as checkAlerts from './checkAlerts.operation';
import * as exchange from './exchange.operation';
import * as generateSystemUserToken from './generateSystemUserToken.operation';
import * as getPageTokens from './getPageTokens.operation';
import * as inspect from './inspect.operation';
import * as refreshSystemUserToken from './refreshSystemUserToken.operation';
import * as revoke from './revoke.operation';

export const operationField: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	default: 'inspect',
	options: [
		{
			name: 'Check for Alerts',
			value: 'checkAlerts',
			action: 'Check tokens and report what needs attention',
			description:
				'Inspect many tokens and put out one item per alert (nears expiry, expired, invalid, lost permissions), each threshold once per token, as the Meta Token Trigger does for one',
		},
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
	// As an agent's tool the node offers only Inspect unless this tool-only setting allows more.
	allowAllOperationsField,
	...operationFields(operationField),
	...tokenSourceFields(['inspect', 'exchange', 'getPageTokens', 'revoke', 'checkAlerts'], 'the token'),
	...tokenSourceFields(['refreshSystemUserToken'], 'the expiring system-user token'),
	...tokenSourceFields(['generateSystemUserToken'], 'the admin token that mints the new one'),
	...inspect.description,
	...exchange.description,
	...refreshSystemUserToken.description,
	...generateSystemUserToken.description,
	...getPageTokens.description,
	...revoke.description,
	...checkAlerts.description,
	...saveToCredentialFields,
];

/**
 * When the n8n API credential shows (and is required): Save to Credential on for a minting
 * operation, or Read History Through Public API on for Check for Alerts. One entry, because n8n finds
 * a node's credential by its type name; and `hide`, because n8n's displayParameter ANDs the keys
 * of `show` but hides when any key of `hide` matches. A parameter not shown for the operation is
 * absent from the node's parameters, and an absent value matches no rule.
 */
export const n8nApiCredentialDisplay: ICredentialsDisplayOptions = {
	hide: {
		operation: (operationField.options ?? [])
			.map((option) => (option as { value: string }).value)
			.filter((operation) => operation !== 'checkAlerts' && !MINTING_OPERATIONS.includes(operation)),
		saveToCredential: [false],
		[READ_HISTORY_FIELD]: [false],
	},
};
