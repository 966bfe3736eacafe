/** Exchange: a short-lived user token → a long-lived one (needs App ID and App Secret). */
import type { INodeProperties } from 'n8n-workflow';

import { mintingOperation } from '../helpers/mintedToken';
import { defineOperation, operationNotice } from '../helpers/operation';
import { itemToken } from '../helpers/tokenSource';

const description: INodeProperties[] = [
	operationNotice(
		'exchangeNotice',
		'exchange',
		'Graph API Explorer tokens last about an hour: exchange one here for a long-lived token (about 60 days). Long-lived user tokens cannot be extended by API — the permanent fix is a system-user token from Business Settings.',
	),
];

const execute = mintingOperation(async (context, session, itemIndex) => {
	return await session.client.exchangeToken(itemToken(context, session, itemIndex));
});

export const exchange = defineOperation({
	value: 'exchange',
	option: {
		name: 'Exchange for Long-Lived Token',
		action: 'Exchange a short lived token for a long lived one',
		description:
			'Turn a short-lived user token (Graph API Explorer, about an hour) into a long-lived one (about 60 days)',
	},
	token: 'the token',
	minting: true,
	description,
	execute,
});
