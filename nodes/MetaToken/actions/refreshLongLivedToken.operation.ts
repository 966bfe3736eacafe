/**
 * Refresh Long-Lived Token: an Instagram or Threads long-lived token → a new one valid 60 days from
 * now. Meta refreshes one only when it is at least 24 hours old and unexpired; when the credential's
 * token record says the token is outside that window, nothing is sent (policy/refreshWindow.ts).
 */
import type { INodeProperties } from 'n8n-workflow';

import { PLATFORM_FACTS } from '../../meta/platform';
import { closedWindowMessage, refreshWindow } from '../../policy/refreshWindow';
import { tokenRecordFor } from '../../policy/tokenRecord';
import { OperationFailure } from '../../shared/failures';
import { mintingOperation } from '../helpers/mintedToken';
import { defineOperation, operationNotice } from '../helpers/operation';
import { itemToken } from '../helpers/tokenSource';

const description: INodeProperties[] = [
	operationNotice(
		'refreshLongLivedNotice',
		'refreshLongLivedToken',
		'Meta refreshes a long-lived token once it is at least 24 hours old and while it has not expired; the new token lives 60 days. Run this weekly with Save to Credential and the token never expires.',
	),
];

const execute = mintingOperation(async (context, session, itemIndex) => {
	const token = itemToken(context, session, itemIndex);
	const facts = PLATFORM_FACTS[session.client.platform];
	const nowMs = Date.now();
	const window = refreshWindow(tokenRecordFor(token, session.credentials.tokenRecord), nowMs, facts.refreshMinAgeSeconds ?? 0);
	const refused = closedWindowMessage(window, facts.label, nowMs);
	if (refused !== undefined) throw new OperationFailure('input', window.verdict, refused);
	return await session.client.refreshLongLivedToken(token);
});

export const refreshLongLivedToken = defineOperation({
	value: 'refreshLongLivedToken',
	option: {
		name: 'Refresh Long-Lived Token',
		action: 'Refresh a long lived token',
		description: 'Renew a long-lived Instagram or Threads token for another 60 days (once it is a day old)',
	},
	token: 'the long-lived token',
	minting: true,
	description,
	execute,
});
