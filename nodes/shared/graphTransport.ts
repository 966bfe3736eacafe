/**
 * The Graph client's transport inside n8n: n8n's `httpRequestWithAuthentication`, so every Graph
 * call from either node goes through n8n's proxy and TLS settings and the credential's `authenticate`, which adds the token
 * and the proof. Its own file because it is the one seam between n8n's HTTP stack and the
 * n8n-free Graph layer.
 */
import type {
	IAdditionalCredentialOptions,
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	IPollFunctions,
} from 'n8n-workflow';

import { systemErrorCode } from '../graph/networkErrors';
import { GraphError } from '../graph/GraphError';
import { META_PLATFORMS, PLATFORM_FACTS } from '../meta/platform';
import type { GraphHttpResponse, GraphTransport } from '../graph/http';
import { META_CREDENTIAL_TYPE } from './credentialTypes';
import { ssrfAllowAdvice, ssrfBlockedSentence, ssrfBlockOf, type SsrfBlock } from './ssrfProtection';

/** Every Meta host the credential may point at, for messages. */
const META_GRAPH_HOSTS = META_PLATFORMS.flatMap((platform) => [PLATFORM_FACTS[platform].origin, ...PLATFORM_FACTS[platform].alsoOrigins]).join(', ');

export type GraphContext = IExecuteFunctions | IPollFunctions;

/** A failure before any HTTP answer; carries only the error code, never the request it came from. */
class TransportFailure extends Error {
	constructor(readonly code: string) {
		super(`Graph API request failed before an answer arrived (${code})`);
		this.name = 'TransportFailure';
	}
}

/** A system error code as n8n's request helpers report one: ECONNREFUSED, ENOTFOUND, ECONNABORTED… */
const SYSTEM_CODE = /^E[A-Z0-9_]{2,40}$/;

/**
 * Reduces whatever the HTTP stack threw to a code: its message and config may hold the token.
 * n8n's request helpers wrap the system error in a NodeApiError that keeps its code in `httpCode`
 * (and drops the cause), so the code is looked for there too: it tells whether the request surely
 * never reached Meta (refused, not resolved), which decides whether a minting call may be retried.
 */
function failureCode(error: unknown): string {
	const httpCode = (error as { httpCode?: unknown } | null)?.httpCode;
	const n8nCode = typeof httpCode === 'string' && SYSTEM_CODE.test(httpCode) ? httpCode : undefined;
	return systemErrorCode(error) ?? n8nCode ?? 'NETWORK_ERROR';
}

/**
 * n8n's SSRF protection refused to send a Graph request: to Meta's public host this does not
 * happen, so the Base URL is a loopback double or proxy the operator has not allowed. Final (not
 * a network failure a retry can fix), and nothing reached Meta.
 */
function graphHostBlocked(url: string, ssrfBlock: SsrfBlock): GraphError {
	return new GraphError({
		errorClass: 'network',
		summary: `${ssrfBlockedSentence(url, ssrfBlock, 'for the Graph API')} Nothing was sent.`,
		description: `Meta's Graph hosts (${META_GRAPH_HOSTS}) are public and need no exception; a loopback Base URL in the Meta Token API credential (a local Graph API double or proxy) does. ${ssrfAllowAdvice(url)}`,
		neverReachedMeta: true,
		retryable: false,
	});
}

/**
 * Adapts n8n's `httpRequestWithAuthentication` to the Graph client's transport. The client sees
 * every HTTP status and the raw body, so it can classify by `error.code` rather than by status.
 * `credentials`, the Meta Token API credential the run already read, is handed to n8n with each
 * request, so that n8n signs with it instead of reading and decrypting it from its database again
 * for every call (n8n reads it without an item either way).
 */
export function n8nGraphTransport(context: GraphContext, credentials?: ICredentialDataDecryptedObject): GraphTransport {
	const node = context.getNode();
	const reference = node.credentials?.[META_CREDENTIAL_TYPE];
	const additional: IAdditionalCredentialOptions | undefined = credentials && {
		credentialsDecrypted: { id: reference?.id ?? '', name: reference?.name ?? '', type: META_CREDENTIAL_TYPE, data: credentials },
	};
	return async (request) => {
		const options: IHttpRequestOptions = {
			method: request.method,
			url: request.url,
			qs: request.qs,
			headers: request.headers,
			timeout: request.timeoutMs,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			encoding: 'text',
			json: false,
			// Meta never redirects API calls; a redirect would carry the Authorization header elsewhere.
			disableFollowRedirect: true,
		};
		if (request.form) options.body = new URLSearchParams(request.form);

		let answer: { statusCode: number; headers: Record<string, string>; body: unknown } | undefined;
		let failure: string | undefined;
		try {
			answer = await context.helpers.httpRequestWithAuthentication.call(context, META_CREDENTIAL_TYPE, options, additional);
		} catch (error) {
			const ssrfBlock = ssrfBlockOf(error);
			if (ssrfBlock) throw graphHostBlocked(request.url, ssrfBlock);
			failure = failureCode(error);
		}
		if (!answer) throw new TransportFailure(failure ?? 'NO_RESPONSE');
		const body = answer.body;
		return {
			statusCode: answer.statusCode,
			headers: lowerCaseHeaders(answer.headers),
			body: typeof body === 'string' || body === null || typeof body === 'object' ? (body as string | object | null) : String(body),
		};
	};
}

function lowerCaseHeaders(headers: Record<string, unknown> | undefined): GraphHttpResponse['headers'] {
	const result: GraphHttpResponse['headers'] = {};
	for (const [name, value] of Object.entries(headers ?? {})) {
		result[name.toLowerCase()] = Array.isArray(value) ? value.map(String) : value === undefined ? undefined : String(value);
	}
	return result;
}
