/**
 * The calls the Meta Token node makes to n8n's public API, through n8n's request helper with the
 * n8n API credential (whose `authenticate` adds the key for its own n8n only). Save to Credential:
 * `GET /api/v1/credentials/{id}` to learn the target's type (n8n 2.x, scope credential:read;
 * the answer never holds secrets) and `PATCH /api/v1/credentials/{id}` to merge the new token
 * (scope credential:update); n8n 1.x has neither and answers 405. Check for Alerts:
 * `GET /api/v1/workflows/{id}` (scope workflow:read, 1.x and 2.x) for one node's static data.
 * Answers are reduced to a status and the one field asked for: nothing else n8n sends back, and
 * nothing of the request (which carries the key), reaches a message.
 */
import type { IExecuteFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { CredentialSettingError } from '../../shared/credentialUrls';
import { isRecord } from '../../meta/wire';
import { N8N_API_CREDENTIAL_TYPE } from '../../shared/credentialTypes';
import { normalizeN8nApiBaseUrl } from '../../shared/n8nApiSettings';
import { ssrfAllowAdvice, ssrfBlockedSentence, ssrfBlockOf, type SsrfBlock } from '../../shared/ssrfProtection';

/** No answer; `ssrfBlock` when n8n's SSRF protection refused to send the request at all. */
type N8nApiUnreached = { reached: false; ssrfBlock?: SsrfBlock };

type N8nApiAnswer = { reached: true; status: number; type?: string } | N8nApiUnreached;

/** Why the n8n API credential cannot be used; `message` names what to fix. */
interface N8nApiSetupProblem {
	reason: 'noApiCredential' | 'insecureApiUrl';
	message: string;
}

/** The n8n API credential's Base URL, normalized; `doing` completes "… needs an n8n API credential". */
export async function n8nApiBaseUrl(context: IExecuteFunctions, doing: string): Promise<string | N8nApiSetupProblem> {
	let raw: unknown;
	try {
		raw = (await context.getCredentials(N8N_API_CREDENTIAL_TYPE, 0)).baseUrl;
	} catch {
		return { reason: 'noApiCredential', message: `${doing} needs an n8n API credential: select one in this node.` };
	}
	try {
		return normalizeN8nApiBaseUrl(raw);
	} catch (error) {
		const text = error instanceof CredentialSettingError ? error.message : 'The n8n API credential\'s Base URL cannot be used.';
		return { reason: 'insecureApiUrl', message: text };
	}
}

/**
 * Why the n8n API could not be reached when n8n's SSRF protection blocked it (a loopback or
 * private Base URL), and the two ways out; `doing` completes "blocked the request to <origin> …".
 */
export function n8nApiBlockedMessage(baseUrl: string, ssrfBlock: SsrfBlock, doing: string): string {
	return `${ssrfBlockedSentence(baseUrl, ssrfBlock, doing)} Use this n8n's public https URL as the n8n API credential's Base URL, or allow this address. ${ssrfAllowAdvice(baseUrl)}`;
}

/** "Could not reach n8n at <origin> <doing>", which each caller completes with its own advice. */
export function unreachedWords(baseUrl: string, doing: string): string {
	return `Could not reach n8n at ${new URL(baseUrl).origin} ${doing}`;
}

/** Why n8n answered 401/403, and the API key that would do: `scopes` for a user who `may`. */
export function refusedKeyWords(status: number, doing: string, scopes: string, may: string): string {
	return `n8n refused the API key (${status}) when ${doing}: create an API key with ${scopes} (Settings → n8n API), for a user who may ${may}.`;
}

/** The path of one stored credential in the public API. */
export function credentialPath(credentialId: string): string {
	return `/api/v1/credentials/${encodeURIComponent(credentialId)}`;
}

async function call(
	context: IExecuteFunctions,
	method: 'GET' | 'PATCH',
	url: string,
	body?: object,
): Promise<{ reached: true; status: number; body: unknown } | N8nApiUnreached> {
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
		return { reached: true, status: answer.statusCode, body: answer.body };
	} catch (error) {
		// Only which block it was leaves the raw error: its message and config carry the API key.
		const ssrfBlock = ssrfBlockOf(error);
		return ssrfBlock ? { reached: false, ssrfBlock } : { reached: false };
	}
}

/** A credential call's answer; `isManaged` when n8n says whether it manages the credential (it updates no managed one). */
export type CredentialAnswer = N8nApiAnswer & { isManaged?: boolean };

/** A credential call's answer: its status, and the credential's type and whether n8n manages it, if n8n says. */
async function credentialCall(context: IExecuteFunctions, method: 'GET' | 'PATCH', url: string, body?: object): Promise<CredentialAnswer> {
	const answer = await call(context, method, url, body);
	if (!answer.reached) return answer;
	const type = isRecord(answer.body) ? answer.body.type : undefined;
	const isManaged = isRecord(answer.body) ? answer.body.isManaged : undefined;
	return {
		reached: true,
		status: answer.status,
		type: typeof type === 'string' ? type : undefined,
		...(typeof isManaged === 'boolean' ? { isManaged } : {}),
	};
}

/** `GET /api/v1/credentials/{id}`: the stored credential's type, if n8n says. */
export async function lookUpCredential(context: IExecuteFunctions, baseUrl: string, credentialId: string): Promise<CredentialAnswer> {
	return await credentialCall(context, 'GET', `${baseUrl}${credentialPath(credentialId)}`);
}

/** The path of one workflow in the public API. */
export function workflowPath(workflowId: string): string {
	return `/api/v1/workflows/${encodeURIComponent(workflowId)}`;
}

export type StaticDataAnswer =
	| N8nApiUnreached
	/** `isWorkflow`: a 2xx answer holding a workflow's `staticData` (null when it has none). */
	| { reached: true; status: number; isWorkflow: boolean; nodeData?: unknown };

/** `GET /api/v1/workflows/{id}`, pinned data left out: what n8n saved as one node's static data. */
export async function readNodeStaticData(
	context: IExecuteFunctions,
	baseUrl: string,
	workflowId: string,
	nodeName: string,
): Promise<StaticDataAnswer> {
	const answer = await call(context, 'GET', `${baseUrl}${workflowPath(workflowId)}?excludePinnedData=true`);
	if (!answer.reached) return answer;
	const { status, body } = answer;
	if (status < 200 || status >= 300 || !isRecord(body) || !('staticData' in body)) return { reached: true, status, isWorkflow: false };
	// n8n's own key for a node's static data (getWorkflowStaticData('node')).
	const nodeData = isRecord(body.staticData) ? body.staticData[`node:${nodeName}`] : undefined;
	return { reached: true, status, isWorkflow: true, nodeData };
}

/** Waits before the 2nd and 3rd PATCH: brief, the run is waiting on it. */
const PATCH_RETRY_WAITS_MS = [500, 1500];

/** Only what may pass: n8n did not answer, or answered it is busy or failed inside. A block by n8n's own SSRF protection never passes. */
function worthRetrying(answer: N8nApiAnswer): boolean {
	if (!answer.reached) return answer.ssrfBlock === undefined;
	return answer.status === 429 || answer.status >= 500;
}

/**
 * `PATCH /api/v1/credentials/{id}` merging `data` (the token's one field) into the stored data:
 * n8n 2.x spreads it over the decrypted data it holds, so every other field stays. Idempotent
 * (the same value written twice is one write), so a failure that may pass is retried briefly:
 * the token was minted already and this is the only place it can go.
 */
export async function patchCredentialData(
	context: IExecuteFunctions,
	baseUrl: string,
	credentialId: string,
	data: Record<string, string>,
): Promise<N8nApiAnswer> {
	const url = `${baseUrl}${credentialPath(credentialId)}`;
	const body = { data, isPartialData: true };
	let answer = await credentialCall(context, 'PATCH', url, body);
	for (const waitMs of PATCH_RETRY_WAITS_MS) {
		if (!worthRetrying(answer)) break;
		await sleep(waitMs);
		answer = await credentialCall(context, 'PATCH', url, body);
	}
	return answer;
}
