/** The double's apps and token table: what Meta knows about every token it has issued. */
import { randomInt } from 'crypto';

import type { DebugTokenData } from '../../nodes/meta/types';
import {
	BAD_APP_TOKEN_SIGNATURE,
	deadTokenError,
	expiredTokenError,
	type GraphErrorFields,
	UNPARSABLE_TOKEN,
} from './errors';
import type {
	DoubleApp,
	DoublePage,
	DoublePlatform,
	DoubleTokenSpec,
	InvalidationReason,
	StoredToken,
} from './model';

/**
 * The subcode an expired token answers with. graph.instagram.com sends 0 (a user pasted
 * `"code":190,"error_subcode":0` with "Session has expired on Monday, 01-Dec-25 11:00:00 PST…"
 * from `GET graph.instagram.com/v23.0/me`: github.com/Msameim181/n8n-nodes-instagram-integrations/issues/8).
 * Threads: no real answer is on record; the double answers like graph.facebook.com (463), an
 * assumption.
 */
const EXPIRED_SUBCODE: Readonly<Record<DoublePlatform, number>> = { facebook: 463, instagram: 0, threads: 463 };

/** ~60 days: the lifetime of long-lived user tokens and expiring system-user tokens. */
export const SIXTY_DAYS = 5_184_000;

/** Short-lived user tokens live 1–2 hours; anything under a day is treated as short-lived. */
const SHORT_LIVED_MAX = 86_400;

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * How Meta's tokens begin: Facebook user tokens `EAA…`; tokens of the Instagram API with
 * Instagram Login `IGAA…` and Threads tokens `THAA…`, some 150–200 characters of letters and
 * digits (as users paste them, e.g. `THREADS_ACCESS_TOKEN=THAA…` in public Threads bots' setup
 * notes; Instagram's `IGAA…` likewise). The length is the double's choice.
 */
const TOKEN_SHAPES: Readonly<Record<DoublePlatform, { prefix: string; length: number }>> = {
	facebook: { prefix: 'EAA', length: 40 },
	instagram: { prefix: 'IGAA', length: 140 },
	threads: { prefix: 'THAA', length: 140 },
};

export function randomToken(platform: DoublePlatform = 'facebook'): string {
	const { prefix, length } = TOKEN_SHAPES[platform];
	let token = prefix;
	for (let i = 0; i < length; i++) token += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
	return token;
}

export const platformOfToken = (token: StoredToken): DoublePlatform => token.platform ?? 'facebook';

/** What a token string resolves to: its record, or why there is none. */
export type Lookup = StoredToken | 'unknown' | 'badAppSecret';

export class TokenStore {
	private readonly apps = new Map<string, DoubleApp>();
	private readonly tokens = new Map<string, StoredToken>();
	/** `/me/accounts` hands out the same page token to the same user token every time. */
	private readonly pageTokens = new Map<string, string>();

	constructor(private readonly now: () => number) {}

	/** Adding an app again replaces it; a new secret kills the app token made from the old one. */
	addApp(app: DoubleApp): DoubleApp {
		const previous = this.apps.get(app.id);
		if (previous && previous.secret !== app.secret) {
			this.tokens.delete(`${previous.id}|${previous.secret}`);
		}
		this.apps.set(app.id, { ...app });
		return app;
	}

	app(appId: string): DoubleApp | undefined {
		return this.apps.get(appId);
	}

	add(spec: DoubleTokenSpec): StoredToken {
		const app = this.apps.get(spec.appId);
		if (!app) throw new Error(`GraphDouble: unknown app ${spec.appId}; addApp it first`);
		const issuedAt = spec.issuedAt ?? this.now();
		const stored: StoredToken = {
			...spec,
			token: spec.token ?? (spec.type === 'APP' ? `${app.id}|${app.secret}` : randomToken(spec.platform)),
			issuedAt,
			expiresAt: spec.expiresAt ?? (spec.lifetime === undefined ? 0 : issuedAt + spec.lifetime),
		};
		this.tokens.set(stored.token, stored);
		return stored;
	}

	/**
	 * Table first (so an app token can be invalidated), then the `{app-id}|{app-secret}` form
	 * (Facebook only). A token of another family is unknown here: Meta's hosts do not share
	 * tokens (an Instagram-Login token sent to graph.facebook.com answers "Cannot parse access
	 * token", github.com/TiagoGrosso/instagram-graph-api-lib/issues/462). `null` = any host.
	 */
	lookup(token: string, platform: DoublePlatform | null = 'facebook'): Lookup {
		const stored = this.tokens.get(token);
		if (stored) return platform === null || platformOfToken(stored) === platform ? stored : 'unknown';
		if (platform !== 'facebook' && platform !== null) return 'unknown';
		const [appId, secret, ...rest] = token.split('|');
		const app = this.apps.get(appId);
		if (!app || secret === undefined || rest.length > 0) return 'unknown';
		if (secret !== app.secret) return 'badAppSecret';
		return this.add({ type: 'APP', appId, token });
	}

	/** The token's own record, for tests; the app-token form is resolved like a calling token. */
	find(token: string): StoredToken | undefined {
		const found = this.lookup(token, null);
		return typeof found === 'string' ? undefined : found;
	}

	/** Why the token no longer works at the double's now(), or null when it does. */
	deadError(token: StoredToken): GraphErrorFields | null {
		if (token.invalid) return token.invalid;
		const expiresAt = token.expiresAt ?? 0;
		const now = this.now();
		if (expiresAt !== 0 && now >= expiresAt) {
			return expiredTokenError(expiresAt, now, EXPIRED_SUBCODE[platformOfToken(token)]);
		}
		return null;
	}

	invalidate(token: StoredToken, reason: InvalidationReason): void {
		if (reason === 'expired') {
			// Expiry is a date, not a flag: move it to now so debug_token reports a coherent expires_at.
			const now = this.now();
			if (!token.expiresAt || token.expiresAt > now) token.expiresAt = now;
			return;
		}
		const { code, subcode, message } = deadTokenError(reason, token.appId);
		token.invalid = { code, subcode, message };
	}

	/** De-authorising the app kills every token of that user for that app (page tokens included). */
	deauthorize(user: StoredToken): void {
		for (const token of this.tokens.values()) {
			const sameUser =
				user.userId !== undefined &&
				token.userId === user.userId &&
				platformOfToken(token) === platformOfToken(user);
			if (token === user || (sameUser && token.appId === user.appId)) {
				this.invalidate(token, 'revoked');
			}
		}
	}

	isShortLivedUser(token: StoredToken): boolean {
		const expiresAt = token.expiresAt ?? 0;
		return (
			token.type === 'USER' &&
			expiresAt !== 0 &&
			expiresAt - (token.issuedAt ?? this.now()) < SHORT_LIVED_MAX
		);
	}

	/**
	 * The page token a user token gets for one page. It never expires, unless taken from a
	 * short-lived user token: then it dies with it.
	 */
	pageToken(user: StoredToken, page: DoublePage): StoredToken {
		const key = `${user.token}\n${page.id}`;
		const existing = this.pageTokens.get(key);
		if (existing) return this.tokens.get(existing) as StoredToken;
		const created = this.add({
			type: 'PAGE',
			appId: user.appId,
			userId: user.userId,
			profileId: page.id,
			scopes: user.scopes,
			granularScopes: user.granularScopes,
			dataAccessExpiresAt: user.dataAccessExpiresAt,
			expiresAt: this.isShortLivedUser(user) ? user.expiresAt : 0,
		});
		this.pageTokens.set(key, created.token);
		return created;
	}

	/** `data` of debug_token for a token in the table, fields absent the way Meta leaves them out. */
	debugData(token: StoredToken): DebugTokenData {
		const app = this.apps.get(token.appId);
		const error = this.deadError(token);
		const isApp = token.type === 'APP';
		const data: DebugTokenData = {
			app_id: token.appId,
			type: token.type,
			application: app?.name,
		};
		if (token.dataAccessExpiresAt !== undefined) {
			data.data_access_expires_at = token.dataAccessExpiresAt;
		}
		if (error) data.error = { code: error.code, message: error.message, subcode: error.subcode };
		// App tokens carry no dates or scopes; `expires_at: 0` means "never" for the others.
		if (!isApp) data.expires_at = token.expiresAt ?? 0;
		data.is_valid = error === null;
		// The reference: `issued_at` is present on long-lived tokens (so not on short-lived ones).
		if (!isApp && !this.isShortLivedUser(token)) data.issued_at = token.issuedAt;
		if (!isApp) data.scopes = token.scopes ?? [];
		if (token.granularScopes) data.granular_scopes = token.granularScopes;
		if (token.userId !== undefined) data.user_id = token.userId;
		if (token.profileId !== undefined) data.profile_id = token.profileId;
		return data;
	}
}

/** Why a string that is not a usable token is refused. */
export function unresolvedError(lookup: 'unknown' | 'badAppSecret'): GraphErrorFields {
	return lookup === 'badAppSecret' ? BAD_APP_TOKEN_SIGNATURE : UNPARSABLE_TOKEN;
}

/** What debug_token says about a string it cannot resolve. */
export function unresolvedDebugData(lookup: 'unknown' | 'badAppSecret'): DebugTokenData {
	const { code, message } = unresolvedError(lookup);
	return { error: { code, message }, is_valid: false, scopes: [] };
}
