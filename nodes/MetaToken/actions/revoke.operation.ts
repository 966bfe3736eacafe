/** Revoke: user tokens via DELETE /me/permissions, system-user tokens via oauth/revoke. */
import type { INodeProperties } from 'n8n-workflow';

import { GraphError } from '../../graph/GraphError';
import { tokenFingerprint } from '../../policy/tokenIdentity';
import { TokenInputError } from '../../policy/tokenInput';
import { perItemOperation } from '../helpers/itemLoop';
import { defineOperation, operationNotice } from '../helpers/operation';
import { itemToken } from '../helpers/tokenSource';

const show = { operation: ['revoke'] };

const description: INodeProperties[] = [
	operationNotice(
		'revokeNotice',
		'revoke',
		'Destructive: revoking cannot be undone. A revoked user token de-authorises the app for that user (every token of theirs for this app dies); a revoked system-user token dies at once.',
	),
	{
		displayName: 'Token Type',
		name: 'tokenType',
		type: 'options',
		default: 'auto',
		displayOptions: { show },
		description: 'Which kind of token this is, which decides how it is revoked',
		options: [
			{
				name: 'Detect (Debug Token)',
				value: 'auto',
				description: 'Ask debug_token first, then revoke the way that kind needs',
			},
			{
				name: 'User',
				value: 'USER',
				description: 'DELETE /me/permissions with the token',
			},
			{
				name: 'System User',
				value: 'SYSTEM_USER',
				description: 'GET /oauth/revoke with the App ID and App Secret',
			},
		],
	},
];

const execute = perItemOperation(async (context, session, itemIndex) => {
	const { client } = session;
	const token = itemToken(context, session, itemIndex);
	let type = context.getNodeParameter('tokenType', itemIndex, 'auto') as string;
	if (type === 'auto') {
		const inspection = await client.inspectToken(token);
		if (!inspection.ok) throw inspection.error;
		const { data } = inspection;
		if (data.is_valid === false) {
			throw new GraphError({
				errorClass: 'auth',
				reason: 'invalid',
				summary: 'The token is already dead (debug_token says it is not valid): there is nothing to revoke.',
				description: 'No action needed; remove it from wherever it is stored.',
			});
		}
		type = data.type ?? 'unknown';
	}
	if (type === 'USER') await client.revokeUserToken(token);
	else if (type === 'SYSTEM_USER') await client.revokeSystemUserToken(token);
	else {
		throw new TokenInputError(
			'Token Type',
			`${type} tokens cannot be revoked on their own: revoke the user token a page token came from, or reset the app secret for an app token.`,
		);
	}
	return { revoked: true, tokenFingerprint: tokenFingerprint(token) };
});

export const revoke = defineOperation({
	value: 'revoke',
	option: {
		name: 'Revoke',
		action: 'Revoke a token',
		description:
			'Destructive: kill a user or system-user token for good',
	},
	token: 'the token',
	description,
	execute,
});
