/**
 * Refresh: an expiring system-user token → a new one valid 60 days from now (needs App ID and App
 * Secret). The token is inspected first: a token that never expires must not go through the
 * 60-day refresh, which would trade it for one that expires.
 */
import type { INodeProperties } from 'n8n-workflow';

import { OperationFailure } from '../../shared/failures';
import { mintingOperation } from '../helpers/mintedToken';
import { defineOperation, operationNotice } from '../helpers/operation';
import { itemToken } from '../helpers/tokenSource';

const description: INodeProperties[] = [
	operationNotice(
		'refreshNotice',
		'refreshSystemUserToken',
		'Only expiring system-user tokens (made with "expires in 60 days") can be refreshed, and only while still valid: schedule this well before expiry. The old token keeps working until its own expiry. A token that never expires is refused: it needs no refresh.',
	),
];

const execute = mintingOperation(async (context, session, itemIndex) => {
	const { client } = session;
	const token = itemToken(context, session, itemIndex);
	// Inspect first (idempotent): with the app token when the credential has one, as the refresh needs.
	const inspection = await client.inspectToken(token);
	if (!inspection.ok) throw inspection.error;
	const { data } = inspection;
	const expiresAt = Number(data.expires_at ?? NaN);
	if (data.is_valid === true && expiresAt === 0) {
		throw new OperationFailure(
			'input',
			'neverExpires',
			`This token never expires (debug_token: expires_at 0), so it needs no refresh: refreshing would replace it with a token that expires in 60 days. Nothing was sent to refresh it. Keep using it, or remove this step for it.`,
		);
	}
	return await client.refreshSystemUserToken(token);
});

export const refreshSystemUserToken = defineOperation({
	value: 'refreshSystemUserToken',
	option: {
		name: 'Refresh System-User Token',
		action: 'Refresh a system user token',
		description:
			'Renew an expiring system-user token for another 60 days, before it expires',
	},
	token: 'the expiring system-user token',
	minting: true,
	description,
	execute,
});
