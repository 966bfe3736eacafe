/** Exchange: a short-lived user token → a long-lived one (needs App ID and App Secret). */
import type { INodeProperties } from 'n8n-workflow';

import { mintingOperation } from '../helpers/mintedToken';
import { itemToken, operationNotice } from '../helpers/tokenSource';

export const description: INodeProperties[] = [
	operationNotice(
		'exchangeNotice',
		'exchange',
		'Graph API Explorer tokens last about an hour: exchange one here for a long-lived token (about 60 days). Long-lived user tokens cannot be extended by API — the permanent fix is a system-user token from Business Settings.',
	),
];

export const execute = mintingOperation(async (context, session, itemIndex) => {
	return await session.client.exchangeToken(itemToken(context, session, itemIndex));
});
