import { authorizeRequest } from '../../nodes/graph/proof';
import type { MetaCredentials } from '../../nodes/meta/types';
import type { GraphHttpResponse, GraphTransport } from '../../nodes/graph/http';

/**
 * A GraphTransport over the runtime's fetch: form bodies URL-encoded, a per-request timeout,
 * lower-case header names, the raw body text. It resolves for every HTTP status and rejects only
 * when no answer came (refused, reset, timed out). Used where n8n's request helpers are not
 * offered — the credential test (its context has only the deprecated `helpers.request`) — and by
 * tests and scripts outside n8n.
 */
export const fetchTransport: GraphTransport = async (request) => {
	const url = new URL(request.url);
	for (const [name, value] of Object.entries(request.qs)) url.searchParams.append(name, value);
	const headers: Record<string, string> = { ...request.headers };
	let body: string | undefined;
	if (request.form) {
		body = new URLSearchParams(request.form).toString();
		headers['Content-Type'] = 'application/x-www-form-urlencoded';
	}
	const response = await fetch(url, {
		method: request.method,
		headers,
		body,
		redirect: 'manual',
		signal: AbortSignal.timeout(request.timeoutMs),
	});
	const responseHeaders: GraphHttpResponse['headers'] = {};
	response.headers.forEach((value, name) => {
		responseHeaders[name.toLowerCase()] = value;
	});
	// Reading the body can fail too (connection reset mid-answer): that rejects like no answer.
	const text = await response.text();
	return { statusCode: response.status, headers: responseHeaders, body: text };
};

/**
 * Signs each request the way the credential's `authenticate` does inside n8n: the token in the
 * Authorization header and the appsecret_proof for exactly that token, computed per request.
 */
export function authorizedTransport(
	credentials: MetaCredentials,
	transport: GraphTransport = fetchTransport,
	now: () => number = Date.now,
): GraphTransport {
	return async (request) => await transport(authorizeRequest(credentials, request, now()));
}
