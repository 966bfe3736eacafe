/**
 * What exchange, refresh and generate share: the save preflight before anything is minted, the
 * output of a freshly minted token, and its save into a stored credential when the user asked
 * (Save to Credential). `accessToken` is the one field of the package whose purpose is to hand
 * over a whole token; after a successful save it is left out unless asked for.
 *
 * A saving item reports each target in `savedTo` ({credentialId, type, ok, error?}, no token).
 * A minted token is never thrown away: when a save fails after minting (everything the
 * preflight could check was fine), the node does not stop but puts the item out with the token,
 * `error` naming the credentials that still hold the token they had, and `savedToCredentialId`
 * null when the Meta Token API credential's own write failed — whatever the node's On Error setting, because a
 * thrown error is all n8n would keep of the run, and it must not hold the token. A `danger`
 * execution hint on the output and a warning in n8n's log say so, naming the token by its hint.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { AccessTokenAnswer } from '../../meta/types';
import { tokenFingerprint, tokenHint } from '../../policy/tokenIdentity';
import { formatTokenRecord, recordMintedToken } from '../../policy/tokenRecord';
import { errorJson, nodeError } from '../../shared/failures';
import type { GraphSession } from '../../shared/graphSession';
import { forEachItem } from './itemLoop';
import { CredentialSaveError, planSaves, saveTokenToCredentials, type SaveOutcome, type SaveTarget } from './saveToCredential';
import type { OperationExecute } from './operation';
import { isToolNode } from '../../shared/toolNode';

/** The output fields of a freshly minted token. */
function mintedTokenJson(answer: AccessTokenAnswer, nowMs: number): IDataObject {
	const expiresIn =
		typeof answer.expires_in === 'number' && Number.isFinite(answer.expires_in) && answer.expires_in > 0
			? Math.round(answer.expires_in)
			: null;
	return {
		accessToken: answer.access_token,
		tokenType: answer.token_type ?? 'bearer',
		expiresIn,
		// Meta omits expires_in when the new token never expires (or does not say): null, not "now".
		expiresAt: expiresIn === null ? null : new Date(nowMs + expiresIn * 1000).toISOString(),
		tokenFingerprint: tokenFingerprint(answer.access_token),
		tokenHint: tokenHint(answer.access_token),
	};
}

type Mint = (context: IExecuteFunctions, session: GraphSession, itemIndex: number) => Promise<AccessTokenAnswer>;

/**
 * The `execute` of a minting operation: the save preflight for every item first — without
 * Continue On Fail, any refusal stops the run before the first token is minted — then per item
 * the mint and, when asked, the save.
 */
export function mintingOperation(mint: Mint): OperationExecute {
	return async function (this: IExecuteFunctions, items: INodeExecutionData[], session: GraphSession) {
		refuseRetryOnFail(this);
		const plans = await planSaves(this, items.length, session.client.platform);
		if (!this.continueOnFail()) {
			const first = plans.findIndex((plan) => plan instanceof Error);
			if (first >= 0) throw nodeError(this, plans[first], first);
		}
		return await forEachItem(this, items, async (itemIndex) => {
			const plan = plans[itemIndex];
			if (plan instanceof Error) throw plan;
			const answer = await mint(this, session, itemIndex);
			return await mintedResult(this, itemIndex, answer, plan);
		}, session.secrets);
	};
}

/**
 * n8n's Retry On Fail runs the whole node again when it throws or when its first output item
 * carries `error` (n8n-core WorkflowExecute, `checkFailure`): every item would be minted again,
 * the successful ones included. The node's own retries are the safe ones (sender.ts), so a minting
 * run with Retry On Fail on is refused before anything is sent.
 */
function refuseRetryOnFail(context: IExecuteFunctions): void {
	if (context.getNode().retryOnFail !== true) return;
	throw new NodeOperationError(
		context.getNode(),
		'Retry On Fail is on for this node: after a failure n8n would run it again and mint a second token for every item, the successful ones too. Nothing was sent.',
		{
			description:
				"Turn off Retry On Fail in this node's Settings. The node already retries what is safe to retry (a call that never reached Meta, a rate limit) and never repeats a call that may have created a token.",
		},
	);
}

/** The per-target report of an item: which credentials hold the new token; no token in it. */
function savedToJson(outcomes: SaveOutcome[]): IDataObject[] {
	return outcomes.map(({ credentialId, type, ok, error }) => ({ credentialId, type, ok, ...(error ? { error: error.message } : {}) }));
}

/** "credential A" or "credentials A, B and C". */
function credentialList(ids: string[]): string {
	if (ids.length === 1) return `credential ${ids[0]}`;
	return `credentials ${ids.slice(0, -1).join(', ')} and ${ids[ids.length - 1]}`;
}

async function mintedResult(
	context: IExecuteFunctions,
	itemIndex: number,
	answer: AccessTokenAnswer,
	target: SaveTarget | null,
): Promise<IDataObject> {
	const nowMs = Date.now();
	const result = mintedTokenJson(answer, nowMs);
	if (!target) return result;
	const record = formatTokenRecord(recordMintedToken(answer.access_token, nowMs, answer.expires_in));
	const outcomes = await saveTokenToCredentials(context, target, answer.access_token, record);
	const savedTo = savedToJson(outcomes);
	const failures = outcomes.filter((outcome) => !outcome.ok);
	if (failures.length === 0) {
		const { accessToken, ...identity } = result;
		const include = context.getNodeParameter('includeTokenInOutput', itemIndex, false) === true;
		return { ...(include ? { accessToken } : {}), ...identity, savedToCredentialId: target.credentialId, savedTo };
	}
	const written = outcomes.filter((outcome) => outcome.ok).map((outcome) => outcome.credentialId);
	const stale = failures.map((outcome) => outcome.credentialId);
	// An agent gets no whole token (toolMode.ts), so there the new token cannot be kept.
	const kept = isToolNode(context)
		? written.length > 0
			? 'It is not handed to the agent: only the credentials it was saved into hold it. Fix the cause and run again.'
			: 'It is not handed to the agent, so it is gone; the token it was made from still works: fix the cause and run again.'
		: `It is kept in this item's accessToken field: copy it into ${stale.length === 1 ? 'that credential' : 'those credentials'}, or fix the cause and run again.`;
	const reasons = failures.map((outcome) => `${credentialList([outcome.credentialId])}: ${outcome.error?.message ?? 'not written.'}`).join(' Nor into ');
	const first = failures[0].error;
	const error = new CredentialSaveError(
		first?.reason ?? 'failed',
		[
			`The new token ${String(result.tokenHint)} was minted but not saved into ${reasons}`,
			written.length > 0 ? `It was saved into ${credentialList(written)}.` : '',
			`${credentialList(stale).replace(/^c/, 'C')} still ${stale.length === 1 ? 'holds' : 'hold'} the token ${stale.length === 1 ? 'it' : 'they'} held before.`,
			kept,
		]
			.filter(Boolean)
			.join(' '),
		first?.httpStatus,
	);
	context.addExecutionHints({ type: 'danger', location: 'outputPane', message: `Item ${itemIndex}: ${error.message}` });
	context.logger.warn(`Meta Token: ${error.message}`, { tokenFingerprint: result.tokenFingerprint });
	const primarySaved = outcomes[0].ok;
	return { ...result, savedToCredentialId: primarySaved ? target.credentialId : null, savedTo, ...errorJson(error) };
}
