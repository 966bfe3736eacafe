import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { GraphSession } from '../../shared/graphSession';
import { forEachItem, itemToken } from './common';
import { mintTokenResult } from './mintTokenResult';

export const description: INodeProperties[] = [
	{
		displayName:
			'Graph API Explorer tokens last about an hour: exchange one here for a long-lived token (about 60 days). Long-lived user tokens cannot be extended by API — the permanent fix is a system-user token from Business Settings.',
		name: 'exchangeNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { operation: ['exchange'] } },
	},
];

/** Short-lived user token → long-lived one (needs App ID and App Secret in the credential). */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	session: GraphSession,
): Promise<INodeExecutionData[]> {
	return await forEachItem(this, items, async (itemIndex) => {
		const answer = await session.client.exchangeToken(itemToken(this, session, itemIndex));
		return await mintTokenResult(this, itemIndex, answer);
	});
}
