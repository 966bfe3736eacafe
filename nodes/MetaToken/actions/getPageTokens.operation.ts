import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { tokenHint } from '../../policy/tokenIdentity';
import type { GraphSession } from '../../shared/graphSession';
import { forEachItem, itemToken } from './common';

export const description: INodeProperties[] = [
	{
		displayName:
			'Page tokens taken from a long-lived user token never expire (until a password change or a lost Page role); taken from a short-lived one they last about an hour — exchange the user token first.',
		name: 'pageTokensNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { operation: ['getPageTokens'] } },
	},
];

/** One item per Page the user token manages (`/me/accounts`, every page of results). */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	session: GraphSession,
): Promise<INodeExecutionData[]> {
	return await forEachItem(this, items, async (itemIndex) => {
		const pages = await session.client.getPageAccounts({
			accessToken: itemToken(this, session, itemIndex),
		});
		return pages.map((page) => ({
			pageId: page.id,
			name: page.name ?? null,
			category: page.category ?? null,
			tasks: page.tasks ?? [],
			accessToken: page.access_token ?? null,
			tokenHint: page.access_token ? tokenHint(page.access_token) : null,
		}));
	});
}
