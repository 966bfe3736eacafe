/** Refresh: an expiring system-user token → a new one valid 60 days from now (needs App ID and App Secret). */
import type { INodeProperties } from 'n8n-workflow';

import { itemToken, operationNotice } from './fields';
import { mintingOperation } from './mintedToken';

export const description: INodeProperties[] = [
	operationNotice(
		'refreshNotice',
		'refreshSystemUserToken',
		'Only expiring system-user tokens (made with "expires in 60 days") can be refreshed, and only while still valid: schedule this well before expiry. The old token keeps working until its own expiry.',
	),
];

export const execute = mintingOperation(async (context, session, itemIndex) => {
	return await session.client.refreshSystemUserToken(itemToken(context, session, itemIndex));
});
