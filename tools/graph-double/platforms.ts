/**
 * graph.instagram.com (served under `/instagram`) and graph.threads.net (under `/threads`): the
 * token endpoints of the Instagram API with Instagram Login and of Threads, `/me`, and Threads'
 * `debug_token`. Transport (faults, latency, quota, log) is GraphDouble's, as for Facebook.
 *
 * Sources (Meta's pages; no call to the live API was made):
 * - Instagram exchange: developers.facebook.com/docs/instagram-platform/reference/access_token
 *   (`GET /access_token?grant_type=ig_exchange_token&client_secret&access_token`, a valid
 *   short-lived token, answers `{access_token, token_type:"bearer", expires_in}`; the guide
 *   …/instagram-basic-display-api/guides/long-lived-access-tokens shows `expires_in: 5183944`
 *   and says an expired short-lived token cannot be exchanged).
 * - Instagram refresh: …/docs/instagram-platform/reference/refresh_access_token (a long-lived
 *   token at least 24 hours old and not expired; valid 60 days from the refresh; its example
 *   answers a new string with `expires_in: 5183944`).
 * - Instagram `/me`: …/docs/instagram-platform/instagram-api-with-instagram-login/get-started
 *   (`GET /{version}/me?fields=user_id,username`) and …/docs/instagram-platform/reference/me.
 * - Threads: …/docs/threads/get-started/long-lived-tokens (`th_exchange_token`, `th_refresh_token`,
 *   `expires_in: 5183944`, the same 24-hour / unexpired rule), …/docs/threads/troubleshooting/debug-access-token
 *   and …/docs/threads/reference/debug (`GET /v1.0/debug_token?input_token=`, the caller a token
 *   of the same app; `data.type, application, data_access_expires_at, expires_at, is_valid,
 *   issued_at, scopes, user_id`).
 * The errors and where each comes from: errors.ts and README.md.
 */
import {
	badClientSecret,
	errorAnswer,
	invalidParameter,
	jsonAnswer,
	platformErrorType,
	platformMissingParameter,
	platformUnknownPath,
	tokenEndpointRefusal,
	UNPARSABLE_TOKEN,
} from './errors';
import type { Answer, GraphRequest, StoredToken } from './model';
import { type TokenStore } from './tokens';

type Platform = 'instagram' | 'threads';

/** `expires_in` of a token Meta just made long-lived: the figure every one of Meta's examples shows (≈ 60 days). */
export const LONG_LIVED_EXPIRES_IN = 5_183_944;

/** A long-lived token must be at least this old before it can be refreshed (Meta: 24 hours). */
export const REFRESH_MIN_AGE = 86_400;

/** Tokens under a day from issue to expiry are short-lived (Meta's are valid one hour). */
const SHORT_LIVED_MAX = 86_400;

const GRANTS: Readonly<Record<Platform, { exchange: string; refresh: string }>> = {
	instagram: { exchange: 'ig_exchange_token', refresh: 'ig_refresh_token' },
	threads: { exchange: 'th_exchange_token', refresh: 'th_refresh_token' },
};

/** The fields each `/me` knows; `id` comes when none are asked for, as at Meta. */
const ME_FIELDS: Readonly<Record<Platform, readonly string[]>> = {
	instagram: ['id', 'user_id', 'username', 'account_type'],
	threads: ['id', 'username'],
};

type Result<T> = { ok: true; value: T } | { ok: false; answer: Answer };

export function isShortLived(token: StoredToken, now: number): boolean {
	const expiresAt = token.expiresAt ?? 0;
	return expiresAt !== 0 && expiresAt - (token.issuedAt ?? now) < SHORT_LIVED_MAX;
}

export class PlatformApi {
	constructor(
		private readonly store: TokenStore,
		private readonly now: () => number,
		/** Versions graph.instagram.com serves (the double's); graph.threads.net serves v1.0 only. */
		private readonly instagramVersions: ReadonlySet<string>,
	) {}

	handle(request: GraphRequest): Answer {
		const platform = request.platform as Platform;
		const { method, path, version, params } = request;
		// Meta documents both token endpoints unversioned; the double takes them with a version too.
		if (method === 'GET' && path === '/access_token') return this.exchange(platform, params);
		if (method === 'GET' && path === '/refresh_access_token') return this.refresh(platform, params);
		// Unversioned calls reach the host's newest version, as graph.instagram.com/me does.
		const served = platform === 'threads' ? version === 'v1.0' : this.instagramVersions.has(version ?? '');
		if (version !== null && !served) return platformUnknownPath(platform, `/${version}${path}`);
		if (method === 'GET' && path === '/me') return this.me(platform, request);
		if (method === 'GET' && path === '/debug_token' && platform === 'threads') {
			return this.debugToken(request);
		}
		return platformUnknownPath(platform, path);
	}

	/** The calling token must be one of this host's, and alive. */
	private authorize(platform: Platform, callingToken: string | null): Result<StoredToken> {
		if (!callingToken) return { ok: false, answer: platformMissingParameter(platform, 'access_token') };
		const token = this.store.lookup(callingToken, platform);
		if (typeof token === 'string') return { ok: false, answer: errorAnswer(400, UNPARSABLE_TOKEN) };
		const dead = this.store.deadError(token);
		return dead ? { ok: false, answer: errorAnswer(400, dead) } : { ok: true, value: token };
	}

	private me(platform: Platform, request: GraphRequest): Answer {
		const auth = this.authorize(platform, request.callingToken);
		if (!auth.ok) return auth.answer;
		const token = auth.value;
		const known = ME_FIELDS[platform];
		const asked = (request.params.fields ?? 'id')
			.split(',')
			.map((field) => field.trim())
			.filter((field) => field !== '');
		const unknown = asked.find((field) => !known.includes(field));
		if (unknown !== undefined) {
			return errorAnswer(400, {
				code: 100,
				type: platformErrorType(platform),
				message: `(#100) Tried accessing nonexisting field (${unknown}) on node type (User)`,
			});
		}
		const userId = token.userId ?? '0';
		const values: Record<string, string> = {
			id: userId,
			user_id: userId,
			username: token.username ?? `user_${userId}`,
			account_type: 'BUSINESS',
		};
		const answer: Record<string, string> = {};
		for (const field of asked) answer[field] = values[field];
		// Meta always adds the id.
		answer.id = values.id;
		return jsonAnswer(answer);
	}

	/**
	 * Threads' debug_token: the caller a live Threads token of the same app, the input any string.
	 * Like graph.facebook.com, a dead or unknown input answers 200 with `is_valid: false` (an
	 * assumption: Meta's Threads page shows only a valid token's answer).
	 */
	private debugToken(request: GraphRequest): Answer {
		const auth = this.authorize('threads', request.callingToken);
		if (!auth.ok) return auth.answer;
		const input = request.params.input_token;
		if (!input) return platformMissingParameter('threads', 'input_token');
		const token = this.store.lookup(input, 'threads');
		if (typeof token === 'string') {
			const { code, message } = UNPARSABLE_TOKEN;
			return jsonAnswer({ data: { error: { code, message }, is_valid: false, scopes: [] } });
		}
		if (token.appId !== auth.value.appId) {
			return invalidParameter('(#100) The App_id in the input_token did not match the Viewing App');
		}
		const error = this.store.deadError(token);
		// Meta's field order on the Threads page.
		return jsonAnswer({
			data: {
				type: 'USER',
				application: this.store.app(token.appId)?.name,
				...(token.dataAccessExpiresAt === undefined ? {} : { data_access_expires_at: token.dataAccessExpiresAt }),
				...(error ? { error: { code: error.code, message: error.message, subcode: error.subcode } } : {}),
				expires_at: token.expiresAt ?? 0,
				is_valid: error === null,
				issued_at: token.issuedAt,
				scopes: token.scopes ?? [],
				user_id: token.userId,
			},
		});
	}

	/** The token a token endpoint is about: `access_token` in the query, alive, of this host. */
	private tokenParameter(platform: Platform, params: Record<string, string>, grant: string): Result<StoredToken> {
		if (!params.grant_type) return { ok: false, answer: platformMissingParameter(platform, 'grant_type') };
		if (params.grant_type !== grant) {
			return {
				ok: false,
				answer: errorAnswer(400, {
					code: 100,
					type: platformErrorType(platform),
					message: `(#100) Unsupported grant_type: ${params.grant_type}`,
				}),
			};
		}
		if (!params.access_token) return { ok: false, answer: platformMissingParameter(platform, 'access_token') };
		return this.authorize(platform, params.access_token);
	}

	/** A short-lived token, with the app's secret, for a new long-lived one (the old one lives on). */
	private exchange(platform: Platform, params: Record<string, string>): Answer {
		const input = this.tokenParameter(platform, params, GRANTS[platform].exchange);
		if (!input.ok) return input.answer;
		const token = input.value;
		if (!params.client_secret) return platformMissingParameter(platform, 'client_secret');
		// Assumption: graph.facebook.com's real answer (errors.ts badClientSecret); none from these hosts is on record.
		if (this.store.app(token.appId)?.secret !== params.client_secret) return badClientSecret();
		if (!isShortLived(token, this.now())) return tokenEndpointRefusal(platform);
		return this.issueLongLived(token);
	}

	/** A long-lived token at least 24 hours old and unexpired, for a new one valid 60 days from now. */
	private refresh(platform: Platform, params: Record<string, string>): Answer {
		const input = this.tokenParameter(platform, params, GRANTS[platform].refresh);
		if (!input.ok) return input.answer;
		const token = input.value;
		const now = this.now();
		if (isShortLived(token, now)) return tokenEndpointRefusal(platform);
		if (now - (token.issuedAt ?? now) < REFRESH_MIN_AGE) return tokenEndpointRefusal(platform);
		return this.issueLongLived(token);
	}

	/**
	 * A new string, as Meta's examples show (the request's `F4RVB…` answers `c3oxd…`); the token it
	 * came from keeps its own expiry (Meta does not say it dies; an assumption). The new one is
	 * issued now, so it can be refreshed again in 24 hours.
	 */
	private issueLongLived(from: StoredToken): Answer {
		const now = this.now();
		const renewed = this.store.add({
			platform: from.platform,
			type: 'USER',
			appId: from.appId,
			userId: from.userId,
			username: from.username,
			scopes: from.scopes,
			dataAccessExpiresAt: from.dataAccessExpiresAt,
			issuedAt: now,
			expiresAt: now + LONG_LIVED_EXPIRES_IN,
		});
		return jsonAnswer({ access_token: renewed.token, token_type: 'bearer', expires_in: LONG_LIVED_EXPIRES_IN });
	}
}
