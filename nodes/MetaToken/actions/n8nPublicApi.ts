/**
 * The two calls Save to Credential makes to n8n's public API, through n8n's request helper with
 * the n8n API credential (whose `authenticate` adds the key for its own n8n only):
 * `GET /api/v1/credentials/{id}` to learn the target's type (n8n 2.x, scope credential:read;
 * the answer never holds secrets) and `PATCH /api/v1/credentials/{id}` to merge the new token
 * (scope credential:update). n8n 1.x has neither and answers 405. Answers are reduced to a status
 * and the type: nothing n8n sends back, and nothing of the request (which carries the key),
 * reaches a message.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { N8N_API_CREDENTIAL_TYPE } from '../../shared/credentialTypes';

export type N8nApiAnswer = { reached: true; status: number; type?: string } | { reached: false };

/** The path of one stored credential in the public API. */
export function credentialPath(credentialId: string): string {
	return `/api/v1/credentials/${encodeURIComponent(credentialId)}`;
}

async function call(
	context: IExecuteFunctions,
	method: 'GET' | 'PATCH',
	url: string,
	body?: object,
): Promise<N8nApiAnswer> {
	try {
		const answer = (await context.helpers.httpRequestWithAuthentication.call(context, N8N_API_CREDENTIAL_TYPE, {
			method,
			url,
			...(body ? { body } : {}),
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			// A redirect would carry the API key to wherever n8n's answer points.
			disableFollowRedirect: true,
		})) as { statusCode: number; body?: unknown };
		const type = (answer.body as { type?: unknown } | undefined)?.type;
		return { reached: true, status: answer.statusCode, type: typeof type === 'string' ? type : undefined };
	} catch {
		return { reached: false };
	}
}

/** `GET /api/v1/credentials/{id}`: the stored credential's type, if n8n says. */
export async function lookUpCredential(context: IExecuteFunctions, baseUrl: string, credentialId: string): Promise<N8nApiAnswer> {
	return await call(context, 'GET', `${baseUrl}${credentialPath(credentialId)}`);
}

/** Waits before the 2nd and 3rd PATCH: brief, the run is waiting on it. */
const PATCH_RETRY_WAITS_MS = [500, 1500];

/** Only what may pass: n8n did not answer, or answered it is busy or failed inside. */
function worthRetrying(answer: N8nApiAnswer): boolean {
	return !answer.reached || answer.status === 429 || answer.status >= 500;
}

/**
 * `PATCH /api/v1/credentials/{id}` merging `{accessToken}` into the stored data. Idempotent (the
 * same value written twice is one write), so a failure that may pass is retried briefly: the
 * token was minted already and this is the only place it can go.
 */
export async function patchAccessToken(
	context: IExecuteFunctions,
	baseUrl: string,
	credentialId: string,
	accessToken: string,
): Promise<N8nApiAnswer> {
	const url = `${baseUrl}${credentialPath(credentialId)}`;
	const body = { data: { accessToken }, isPartialData: true };
	let answer = await call(context, 'PATCH', url, body);
	for (const waitMs of PATCH_RETRY_WAITS_MS) {
		if (!worthRetrying(answer)) break;
		await sleep(waitMs);
		answer = await call(context, 'PATCH', url, body);
	}
	return answer;
}
