/**
 * Facts about Meta's Graph API that every layer reads: what a credential holds, the classes of
 * failure, why a token died, and the shapes of the answers the package uses. Their own file (in
 * nodes/meta, which imports nothing) so the Graph layer, the policy layer, the nodes and the
 * credential share the shapes without depending on one another.
 */

export type AppsecretProofMode = 'auto' | 'timestamped' | 'off';

/** What the credential holds; the same shape n8n passes to `authenticate`. */
export interface MetaCredentials {
	accessToken: string;
	appId?: string;
	appSecret?: string;
	graphApiVersion?: string;
	proofMode?: AppsecretProofMode;
	baseUrl?: string;
	/** Which Meta token family (meta/platform.ts); absent on credentials saved before it existed = facebook. */
	platform?: string;
	/**
	 * What this package last learned about the stored token's lifetime when it minted it
	 * (policy/tokenRecord.ts): Instagram has no debug_token, so this is where its expiry is known from.
	 */
	tokenRecord?: string;
}

/** Every class a Graph failure is sorted into (and a stored failure streak may carry). */
export const GRAPH_ERROR_CLASSES = [
	'auth',
	'permission',
	'proofRequired',
	/** The credential's App Secret is wrong, or the call needs it (an app token) and it is missing. */
	'appSecret',
	'rateLimit',
	'transient',
	'badRequest',
	'policy',
	'network',
	'badResponse',
] as const;

export type GraphErrorClass = (typeof GRAPH_ERROR_CLASSES)[number];

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
	/** Instagram and Threads only: the account's username, from their `/me` (debug_token has none). */
	username?: string;
	error?: { code?: number; subcode?: number; message?: string };
}

/**
 * One token's `debug_token`, as any caller gets it: the answer, or why there is none.
 * `selfInspected`: the token was also the calling token (no app token), so a refusal of the call
 * can be the token's own death. `Failure` narrows what `error` can be where the caller knows.
 */
export type Inspection<Failure = unknown> =
	| { ok: true; data: DebugTokenData }
	| { ok: false; error: Failure; selfInspected: boolean };

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
