/**
 * The HTTP contract of the Graph layer: what the client hands a transport and what it gets back.
 * Nothing here imports n8n: the node adapts n8n's `httpRequestWithAuthentication` to a
 * {@link GraphTransport}, tests use a plain fetch transport.
 */

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/** One HTTP request as the Graph client hands it to the transport. */
export interface GraphHttpRequest {
	method: HttpMethod;
	/** Absolute URL without query string, e.g. `https://graph.facebook.com/v25.0/debug_token`. */
	url: string;
	qs: Record<string, string>;
	/** Sent as `application/x-www-form-urlencoded` when present. */
	form?: Record<string, string>;
	/**
	 * Headers. `Authorization: Bearer <token>` is set here only when the call must run with a token
	 * other than the credential's (an input token, the app token); otherwise the authenticator adds
	 * the credential's token. The authenticator always adds the proof for whichever token is used.
	 */
	headers: Record<string, string>;
	timeoutMs: number;
}

/** The raw answer: the client, not the transport, parses and classifies it. */
export interface GraphHttpResponse {
	statusCode: number;
	/** Lower-case header names. */
	headers: Record<string, string | string[] | undefined>;
	/** Raw body text ('' when empty). A transport that already parsed JSON may pass the object. */
	body: string | object | null;
}

/**
 * Sends one request. Resolves for every HTTP status; rejects only when no HTTP answer came
 * (connection refused/reset, timeout, DNS): the client classifies that as `network`.
 */
export type GraphTransport = (request: GraphHttpRequest) => Promise<GraphHttpResponse>;

/** One sub-request of a Graph batch call. */
export interface BatchRequest {
	method: HttpMethod;
	/** Relative to the version root, e.g. `debug_token?input_token=…`. */
	relativeUrl: string;
	/**
	 * The values of its secret parameters (`input_token`…), when the caller has them at hand: else
	 * they are read back out of `relativeUrl`, which costs a URL parse per request of a bulk run.
	 */
	secrets?: readonly string[];
}
