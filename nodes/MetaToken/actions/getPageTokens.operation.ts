/** Get Page Tokens: one item per Page the user token manages (`/me/accounts`, every page of results). */
import type { INodeProperties } from 'n8n-workflow';

import { tokenHint } from '../../policy/tokenIdentity';
import { perItemOperation } from '../helpers/itemLoop';
import { defineOperation, operationNotice } from '../helpers/operation';
import { itemToken } from '../helpers/tokenSource';

const description: INodeProperties[] = [
	operationNotice(
		'pageTokensNotice',
		'getPageTokens',
		'Page tokens taken from a long-lived user token never expire (until a password change or a lost Page role); taken from a short-lived one they last about an hour — exchange the user token first.',
	),
];

const execute = perItemOperation(async (context, session, itemIndex) => {
	const pages = await session.client.getPageAccounts({ accessToken: itemToken(context, session, itemIndex) });
	return pages.map((page) => ({
		pageId: page.id,
		name: page.name ?? null,
		category: page.category ?? null,
		tasks: page.tasks ?? [],
		accessToken: page.access_token ?? null,
		tokenHint: page.access_token ? tokenHint(page.access_token) : null,
	}));
});

export const getPageTokens = defineOperation({
	value: 'getPageTokens',
	option: {
		name: 'Get Page Tokens',
		action: 'Get page tokens',
		description:
			'List the Pages a user token manages, one item per Page with its token',
	},
	token: 'the token',
	description,
	execute,
});
