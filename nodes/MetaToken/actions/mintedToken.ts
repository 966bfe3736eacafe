/**
 * What exchange, refresh and generate put out: the new token and what identifies it, saved into a
 * stored credential first when the user asked (Save to Credential). `accessToken` is the one field
 * of the package whose purpose is to hand over a whole token.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { AccessTokenAnswer } from '../../graph/types';
import { tokenFingerprint, tokenHint } from '../../policy/tokenIdentity';
import { PartialResultError } from './itemLoop';
import { saveTokenToCredential } from './saveToCredential';

/** The output fields of a freshly minted token. */
export function mintedTokenJson(answer: AccessTokenAnswer, nowMs: number): IDataObject {
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

/** The output of a minting operation, saved into a stored credential when the user asked. */
export async function mintTokenResult(
	context: IExecuteFunctions,
	itemIndex: number,
	answer: AccessTokenAnswer,
): Promise<IDataObject> {
	const result = mintedTokenJson(answer, Date.now());
	if (!context.getNodeParameter('saveToCredential', itemIndex, false)) return result;
	const saved = await saveTokenToCredential(context, itemIndex, answer.access_token);
	if (saved.ok) return { ...result, savedToCredentialId: saved.savedToCredentialId };
	// Minted but not saved: under Continue On Fail the item still hands the token over.
	throw new PartialResultError(saved.error, { ...result, savedToCredentialId: null });
}
