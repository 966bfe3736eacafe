/**
 * Exchange: a short-lived user token → a long-lived one (Facebook needs App ID and App Secret;
 * Instagram and Threads their app's App Secret, sent only to their own host).
 */
import type { INodeProperties } from 'n8n-workflow';

import { mintingOperation } from '../helpers/mintedToken';
import { defineOperation } from '../helpers/operation';
import { itemToken } from '../helpers/tokenSource';

const description: INodeProperties[] = [
	{
		displayName:
			'Graph API Explorer tokens last about an hour: exchange one here for a long-lived token (about 60 days). Long-lived user tokens cannot be extended by API — the permanent fix is a system-user token from Business Settings.',
		name: 'exchangeNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { operation: ['exchange'], platform: ['facebook'] } },
	},
	{
		displayName:
			"A token from the app's login lasts about an hour: exchange it here for a long-lived token (about 60 days), then keep it alive with Refresh Long-Lived Token on a schedule (with Save to Credential).",
		name: 'exchangePlatformNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { operation: ['exchange'], platform: ['instagram', 'threads'] } },
	},
];

const execute = mintingOperation(async (context, session, itemIndex) => {
	const token = itemToken(context, session, itemIndex);
	return await session.client.exchangeToken(token);
});

export const exchange = defineOperation({
	value: 'exchange',
	option: {
		name: 'Exchange for Long-Lived Token',
		action: 'Exchange a short lived token for a long lived one',
		description:
			'Turn a short-lived user token (Graph API Explorer, about an hour) into a long-lived one (about 60 days)',
	},
	platformOption: {
		instagram: {
			description:
				'Exchange a short-lived Instagram token (from Business Login for Instagram, about an hour) for a long-lived one (60 days)',
		},
		threads: {
			description: "Exchange a short-lived Threads token (from Threads' login, about an hour) for a long-lived one (60 days)",
		},
	},
	token: 'the token',
	minting: true,
	description,
	execute,
});
