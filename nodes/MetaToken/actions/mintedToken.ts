import type { IDataObject } from 'n8n-workflow';

import type { AccessTokenAnswer } from '../../graph/types';
import { tokenFingerprint, tokenHint } from '../../policy/tokenIdentity';

/**
 * Output of exchange, refresh and generate. `accessToken` is the one field whose purpose is to
 * hand over a newly minted token; everything else identifies it without revealing it.
 */
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
