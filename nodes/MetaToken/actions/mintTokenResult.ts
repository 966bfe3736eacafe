import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { AccessTokenAnswer } from '../../graph/types';
import { PartialResultError } from './common';
import { mintedTokenJson } from './mintedToken';
import { saveTokenToCredential } from './saveToCredential';

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
