import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { GraphSession } from '../../shared/graphSession';
import { forEachItem, itemToken } from './common';
import { mintTokenResult } from './mintTokenResult';

export const description: INodeProperties[] = [
	{
		displayName:
			'Only expiring system-user tokens (made with "expires in 60 days") can be refreshed, and only while still valid: schedule this well before expiry. The old token keeps working until its own expiry.',
		name: 'refreshNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { operation: ['refreshSystemUserToken'] } },
	},
];

/** An expiring system-user token → a new one valid 60 days from now (needs App ID and App Secret). */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	session: GraphSession,
): Promise<INodeExecutionData[]> {
	return await forEachItem(this, items, async (itemIndex) => {
		const answer = await session.client.refreshSystemUserToken(itemToken(this, session, itemIndex));
		return await mintTokenResult(this, itemIndex, answer);
	});
}
