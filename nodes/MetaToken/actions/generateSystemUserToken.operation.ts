/** Generate System-User Token: a new system-user token, minted with an admin token. */
import type { INodeProperties } from 'n8n-workflow';

import { parseScopeList } from '../../policy/scopes';
import { TokenInputError } from '../../policy/tokenInput';
import { mintingOperation } from '../helpers/mintedToken';
import { defineOperation, operationNotice } from '../helpers/operation';
import { itemToken } from '../helpers/tokenSource';

const show = { operation: ['generateSystemUserToken'] };

const description: INodeProperties[] = [
	operationNotice(
		'generateNotice',
		'generateSystemUserToken',
		'Runs with an admin (or admin system-user) token as the token source and always sends appsecret_proof, so the credential needs the App Secret. The app must already be installed for the system user (Business Settings → System users → Assign assets / Add apps).',
	),
	{
		displayName: 'System User ID',
		name: 'systemUserId',
		type: 'string',
		default: '',
		required: true,
		placeholder: '61550000000000',
		displayOptions: { show },
		description: 'ID of the system user (Business Settings → Users → System users)',
	},
	{
		displayName: 'Scopes',
		name: 'scopes',
		type: 'string',
		default: 'ads_read',
		required: true,
		placeholder: 'ads_read,ads_management',
		displayOptions: { show },
		description: 'Comma-separated permissions the new token gets',
	},
	{
		displayName: 'Expiring',
		name: 'expiring',
		type: 'boolean',
		default: true,
		displayOptions: { show },
		description:
			'Whether the token expires in 60 days and can be refreshed (Meta asks integrations to use expiring tokens; some businesses get an error without it). Off makes a token that never expires.',
	},
];

const execute = mintingOperation(async (context, session, itemIndex) => {
	const adminToken = itemToken(context, session, itemIndex);
	const systemUserId = String(context.getNodeParameter('systemUserId', itemIndex, '')).trim();
	if (!/^\d+$/.test(systemUserId)) {
		throw new TokenInputError('System User ID', 'System User ID must be the numeric ID of a system user.');
	}
	const scopes = parseScopeList(context.getNodeParameter('scopes', itemIndex, '') as string);
	if (scopes.length === 0) {
		throw new TokenInputError('Scopes', 'Scopes is empty: list at least one permission, e.g. ads_read.');
	}
	return await session.client.generateSystemUserToken({
		systemUserId,
		scopes,
		expiring: context.getNodeParameter('expiring', itemIndex, true) as boolean,
		adminToken,
	});
});

export const generateSystemUserToken = defineOperation({
	value: 'generateSystemUserToken',
	option: {
		name: 'Generate System-User Token',
		action: 'Generate a system user token',
		description:
			'Mint a new system-user token with an admin token',
	},
	token: 'the admin token that mints the new one',
	minting: true,
	description,
	execute,
});
