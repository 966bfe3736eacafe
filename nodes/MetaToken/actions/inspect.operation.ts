/**
 * Inspect: every item's token read from Meta — Facebook's `debug_token` ≤ 50 per Graph batch call,
 * Instagram's `/me` and Threads' `debug_token` one call per token (helpers/inspectItems.ts).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { DEFAULT_EXPIRING_WITHIN_DAYS, platformReadingOf, toInspectRecord } from '../../policy/inspectRecord';
import { answerOf } from '../../policy/observations';
import { parseScopeList } from '../../policy/scopes';
import type { GraphSession } from '../../shared/graphSession';
import { runParameter } from '../../shared/runParameters';
import { inspectItems, inspectOptions } from '../helpers/inspectItems';
import { forEachItem } from '../helpers/itemLoop';
import { defineOperation } from '../helpers/operation';

const expiringWithinDays: INodeProperties = {
	displayName: 'Expiring Within Days',
	name: 'expiringWithinDays',
	type: 'number',
	default: DEFAULT_EXPIRING_WITHIN_DAYS,
	typeOptions: { minValue: 0 },
	description: 'A valid token that dies within this many days gets status "expiring"',
};

/** Required Scopes, with an example of the platform's own permissions. */
function requiredScopes(placeholder: string, description: string): INodeProperties {
	return { displayName: 'Required Scopes', name: 'requiredScopes', type: 'string', default: '', placeholder, description };
}

const LACKING_LISTED = 'Comma-separated permissions the token must hold; those it lacks are listed in missingScopes';

const description: INodeProperties[] = inspectOptions('inspect', [expiringWithinDays, requiredScopes('ads_read,ads_management', LACKING_LISTED)], {
	instagram: [
		expiringWithinDays,
		requiredScopes(
			'instagram_business_basic,instagram_business_content_publish',
			"Comma-separated permissions the token must hold. Instagram does not tell a token's permissions (it has no debug_token): missingScopes stays empty and scopesKnown is false.",
		),
	],
	threads: [expiringWithinDays, requiredScopes('threads_basic,threads_content_publish', LACKING_LISTED)],
});

interface InspectOptions {
	expiringWithinDays?: number;
	requiredScopes?: string;
}

/**
 * Inspects every item's token with `debug_token`. With the app token (App ID and App Secret in
 * the credential) tokens go ≤ 50 per Graph batch call and dead ones can still be read; without it
 * each token inspects itself, and an auth error *is* the answer (status invalid or expired).
 * A token that appears on several items is inspected once.
 */
async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	session: GraphSession,
): Promise<INodeExecutionData[]> {
	const inspected = await inspectItems(this, items, session);
	const options = runParameter<InspectOptions>(this, 'options', {});
	return await forEachItem(this, items, async (itemIndex) => {
		const token = inspected.token(itemIndex);
		const { requiredScopes, expiringWithinDays } = options(itemIndex);
		// A token that inspects itself and is dead gets an auth error instead of `is_valid: false`:
		// still an answer about the token, so it becomes a record, not a failed item.
		return toInspectRecord(token, answerOf(inspected.inspection(token)), {
			nowMs: inspected.nowMs,
			requiredScopes: parseScopeList(requiredScopes),
			expiringWithinDays: expiringWithinDays ?? DEFAULT_EXPIRING_WITHIN_DAYS,
			// Instagram and Threads: where the expiry comes from (Meta, the credential's record, or unknown).
			...platformReadingOf(session.credentials, token),
		}) as unknown as IDataObject;
	}, session.secrets);
}

export const inspect = defineOperation({
	value: 'inspect',
	option: {
		name: 'Inspect',
		action: 'Inspect a token',
		description:
			'Read type, scopes and expiry of tokens with debug_token (many at once through Graph batches)',
	},
	platformOption: {
		instagram: {
			description:
				'Check that tokens work and read their user, and the expiry this package recorded at the last exchange or refresh (Instagram has no debug_token)',
		},
		threads: { description: "Check tokens with Threads' debug_token: validity, scopes and expiry" },
	},
	token: 'the token',
	readOnly: true,
	description,
	execute,
});
