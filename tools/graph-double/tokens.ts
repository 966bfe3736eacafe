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
	DoubleTokenSpec,
	InvalidationReason,
	StoredToken,
} from './model';

/** ~60 days: the lifetime of long-lived user tokens and expiring system-user tokens. */
export const SIXTY_DAYS = 5_184_000;

/** Short-lived user tokens live 1–2 hours; anything under a day is treated as short-lived. */
const SHORT_LIVED_MAX = 86_400;

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomToken(): string {
	let token = 'EAA';
	for (let i = 0; i < 40; i++) token += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
	return token;
}

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
		const stored: StoredToken = {
			...spec,
			token: spec.token ?? (spec.type === 'APP' ? `${app.id}|${app.secret}` : randomToken()),
			issuedAt: spec.issuedAt ?? this.now(),
			expiresAt: spec.expiresAt ?? 0,
		};
		this.tokens.set(stored.token, stored);
		return stored;
	}

	/** Table first (so an app token can be invalidated), then the `{app-id}|{app-secret}` form. */
	lookup(token: string): Lookup {
		const stored = this.tokens.get(token);
		if (stored) return stored;
		const [appId, secret, ...rest] = token.split('|');
		const app = this.apps.get(appId);
		if (!app || secret === undefined || rest.length > 0) return 'unknown';
		if (secret !== app.secret) return 'badAppSecret';
		return this.add({ type: 'APP', appId, token });
	}

	/** The token's own record, for tests; the app-token form is resolved like a calling token. */
	find(token: string): StoredToken | undefined {
		const found = this.lookup(token);
		return typeof found === 'string' ? undefined : found;
	}

	/** Why the token no longer works at the double's now(), or null when it does. */
	deadError(token: StoredToken): GraphErrorFields | null {
		if (token.invalid) return token.invalid;
		const expiresAt = token.expiresAt ?? 0;
		const now = this.now();
		if (expiresAt !== 0 && now >= expiresAt) return expiredTokenError(expiresAt, now);
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
			const sameUser = user.userId !== undefined && token.userId === user.userId;
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
