/** Inspect: `debug_token` for every item's token, ≤ 50 per Graph batch call (helpers/inspectItems.ts). */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { DEFAULT_EXPIRING_WITHIN_DAYS, platformReadingOf, toInspectRecord } from '../../policy/inspectRecord';
import { answerOf } from '../../policy/observations';
import { parseScopeList } from '../../policy/scopes';
import type { GraphSession } from '../../shared/graphSession';
import { runParameter } from '../../shared/runParameters';
import { inspectItems, inspectOptions } from '../helpers/inspectItems';
import { forEachItem } from '../helpers/itemLoop';
import { defineOperation } from '../helpers/operation';

const description: INodeProperties[] = [
	inspectOptions('inspect', [
		{
			displayName: 'Expiring Within Days',
			name: 'expiringWithinDays',
			type: 'number',
			default: DEFAULT_EXPIRING_WITHIN_DAYS,
			typeOptions: { minValue: 0 },
			description: 'A valid token that dies within this many days gets status "expiring"',
		},
		{
			displayName: 'Required Scopes',
			name: 'requiredScopes',
			type: 'string',
			default: '',
			placeholder: 'ads_read,ads_management',
			description:
				'Comma-separated permissions the token must hold; those it lacks are listed in missingScopes',
		},
	]),
];

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
	token: 'the token',
	readOnly: true,
	description,
	execute,
});
