/**
 * Types of the Graph API double. The public ones are re-exported by `GraphDouble.ts`, which is
 * what tests import; the internal ones are shared by the double's own modules.
 */

export interface DoubleApp {
	id: string;
	name: string;
	secret: string;
	/** App Settings → Advanced → "Require App Secret": calls without a proof fail with code 100. */
	requireAppSecret?: boolean;
}

export interface DoublePage {
	id: string;
	name: string;
	category?: string;
	tasks?: string[];
}

/**
 * Which of Meta's token families a token belongs to, and so which host answers for it:
 * graph.facebook.com (the double's root), graph.instagram.com (`/instagram`) or graph.threads.net
 * (`/threads`). A token is known only to its own host, as at Meta.
 */
export type DoublePlatform = 'facebook' | 'instagram' | 'threads';

export interface DoubleTokenSpec {
	/** Default 'facebook'. Instagram and Threads tokens are USER tokens of an app added with addApp. */
	platform?: DoublePlatform;
	/**
	 * Default: generated, 'EAA' + 40 random alphanumerics (`{appId}|{secret}` for APP tokens);
	 * Instagram 'IGAA' and Threads 'THAA' + 140 alphanumerics, the shapes Meta issues.
	 */
	token?: string;
	type: 'USER' | 'PAGE' | 'SYSTEM_USER' | 'APP';
	appId: string;
	/** USER and SYSTEM_USER (the system user's id); PAGE tokens made by /me/accounts carry the user's. */
	userId?: string;
	/** PAGE: the page id. */
	profileId?: string;
	/** Instagram and Threads: what `/me?fields=…,username` answers (default `user_{userId}`). */
	username?: string;
	scopes?: string[];
	granularScopes?: Array<{ scope: string; target_ids?: Array<string | number> }>;
	/** Unix seconds, default the double's now(). */
	issuedAt?: number;
	/** Unix seconds; 0 = never expires (default 0, or `issuedAt + lifetime`). */
	expiresAt?: number;
	/** Seconds from `issuedAt` to expiry, used when `expiresAt` is not given. */
	lifetime?: number;
	/** Unix seconds; 0/undefined = none. Reported by debug_token, never kills the token. */
	dataAccessExpiresAt?: number;
	/** SYSTEM_USER made with set_token_expires_in_60_days: refreshable through fb_exchange_token. */
	expiringSystemUser?: boolean;
	/** Set = dead token: every use answers this error, debug_token reports it. */
	invalid?: { code: number; subcode?: number; message: string };
	/** What GET /me/accounts lists for a USER (or SYSTEM_USER) token. */
	pages?: DoublePage[];
}

/** A token as the double stores it: the string is always known. */
export type StoredToken = DoubleTokenSpec & { token: string };

export type InvalidationReason =
	| 'passwordChanged'
	| 'revoked'
	| 'expired'
	| 'checkpoint'
	| 'noPageRole'
	| 'inactive'
	| 'invalid';

export type Fault =
	| {
			type: 'graphError';
			code: number;
			subcode?: number;
			message?: string;
			status?: number;
			isTransient?: boolean;
			headers?: Record<string, string>;
			/** `error_user_title` / `error_user_msg` of the answer. */
			userTitle?: string;
			userMessage?: string;
	  }
	| { type: 'status'; status: number; body?: string; contentType?: string }
	/** 502 with an HTML page from a "proxy". */
	| { type: 'html' }
	/** 200, content-type JSON, truncated body. */
	| { type: 'malformedJson' }
	/** 200, empty body. */
	| { type: 'emptyBody' }
	/** Answer normally after `ms` (for client timeouts). */
	| { type: 'delay'; ms: number }
	/** Destroy the socket without answering. */
	| { type: 'reset' }
	| {
			type: 'rateLimit';
			code?: number;
			appUsage?: Record<string, number>;
			businessUseCaseMinutes?: number;
	  }
	/** Those batch items answer null (and are not executed). */
	| { type: 'batchNull'; indexes: number[] }
	/** The batch call answers something that is not a usable array. */
	| { type: 'batchUnusable' };

export interface FaultRule {
	fault: Fault;
	/** Only requests to this host (default: any). */
	platform?: DoublePlatform;
	/** The path without version, e.g. '/debug_token' ('/' is the batch endpoint): exact match. */
	path?: string | RegExp;
	method?: string;
	/**
	 * Only requests that carry this token: as the calling token, or as `input_token`,
	 * `fb_exchange_token` or `revoke_token` (so one inspected token of a batch can be faulted).
	 */
	token?: string;
	/** Default 1; Infinity = always. */
	times?: number;
}

export interface LoggedRequest {
	/** The host the call went to: the root is Facebook, `/instagram` and `/threads` the others. */
	platform: DoublePlatform;
	method: string;
	/** Without host prefix and version, e.g. '/debug_token' or '/refresh_access_token'; '/' for batch. */
	path: string;
	/** e.g. 'v25.0'; null for an unversioned call. */
	version: string | null;
	query: Record<string, string>;
	/** Lower-case names. */
	headers: Record<string, string>;
	form: Record<string, string>;
	/** From `Authorization: Bearer`, else the `access_token` query or form parameter. */
	callingToken: string | null;
	/** For batch calls: number of sub-requests. */
	batchSize?: number;
	/** The double's clock, unix seconds, when the request arrived. */
	at: number;
	/** Real time (ms since the epoch) when its body had arrived, and when the answer went out (benchmarks). */
	receivedMs: number;
	answeredMs?: number;
	/** 0 while unanswered, and for ever when the socket was reset. */
	status: number;
}

/** A Graph call as the handlers see it: a top-level request or one batch sub-request. */
export interface GraphRequest {
	platform: DoublePlatform;
	/** Upper case. */
	method: string;
	path: string;
	version: string | null;
	/** Query and form parameters together (the form wins), as Meta reads them. */
	params: Record<string, string>;
	callingToken: string | null;
}

/** What the double sends back, before it becomes an HTTP response or a batch item. */
export interface Answer {
	status: number;
	/** Lower-case names. */
	headers: Record<string, string>;
	body: string;
	/** Refused for the app's quota (setQuota), not for an injected fault. */
	overQuota?: boolean;
}
