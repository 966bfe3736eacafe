/**
 * Contracts of the Graph API layer. Nothing here imports n8n: the node adapts n8n's
 * `httpRequestWithAuthentication` to a {@link GraphTransport}, tests use a plain fetch transport.
 * Their own file because the nodes, the credential and the policy layer depend on these shapes
 * without depending on the client.
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

export type AppsecretProofMode = 'auto' | 'timestamped' | 'off';

/** What the credential holds; the same shape n8n passes to `authenticate`. */
export interface MetaCredentials {
	accessToken: string;
	appId?: string;
	appSecret?: string;
	graphApiVersion?: string;
	proofMode?: AppsecretProofMode;
	baseUrl?: string;
}

export type GraphErrorClass =
	| 'auth'
	| 'permission'
	| 'proofRequired'
	/** The credential's App Secret is wrong, or the call needs it (an app token) and it is missing. */
	| 'appSecret'
	| 'rateLimit'
	| 'transient'
	| 'badRequest'
	| 'policy'
	| 'network'
	| 'badResponse';

export type AuthReason =
	| 'expired'
	| 'passwordChanged'
	| 'notAuthorized'
	| 'invalid'
	| 'checkpoint'
	| 'noPageRole'
	| 'inactive';

/** `data` of a `debug_token` answer, as Meta sends it. */
export interface DebugTokenData {
	app_id?: string;
	type?: string;
	application?: string;
	data_access_expires_at?: number;
	expires_at?: number;
	is_valid?: boolean;
	issued_at?: number;
	scopes?: string[];
	granular_scopes?: Array<{ scope: string; target_ids?: Array<string | number> }>;
	user_id?: string;
	profile_id?: string;
	error?: { code?: number; subcode?: number; message?: string };
}

/** Answer of `oauth/access_token` and `POST /{system-user-id}/access_tokens`. */
export interface AccessTokenAnswer {
	access_token: string;
	token_type?: string;
	expires_in?: number;
}

export interface PageAccount {
	id: string;
	name?: string;
	category?: string;
	access_token?: string;
	tasks?: string[];
}

/** One sub-request of a Graph batch call. */
export interface BatchRequest {
	method: HttpMethod;
	/** Relative to the version root, e.g. `debug_token?input_token=…`. */
	relativeUrl: string;
}
