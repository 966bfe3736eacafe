/**
 * What a Meta token looks like and how the package spells the tokens it builds: the shape that
 * redaction hunts for, the "Bearer " users paste along, and the app token `app-id|app-secret`.
 * Their own file (in nodes/meta, which imports nothing) because the Graph layer, the policy's
 * token rules, the credential's authenticate and its test all read them and none may carry a copy.
 */

/**
 * A Meta access token, or a piece of one, of any of the three families:
 * - Facebook user, Page or system-user tokens: `EAA` and base62 characters;
 * - Instagram User tokens (Instagram API with Instagram Login): `IGAA`, and `IGQV` for those of the
 *   retired Basic Display API, then base62 with `-` and `_` (URL-safe base64);
 * - Threads User tokens: `THAA` (and `THQV`), likewise.
 * 10 or more characters after the prefix: real tokens are far longer, 10 is short enough to catch a
 * truncated paste or a cut log line, long enough (and the prefixes upper-case enough) to leave
 * words alone. Global, for `replace` and `matchAll`; `test` and `exec` on it carry `lastIndex`
 * from one call to the next.
 */
export const META_TOKEN_PATTERN = /EAA[A-Za-z0-9]{10,}|(?:IG|TH)(?:AA|QV)[A-Za-z0-9_-]{10,}/g;

/** An app token `app-id|app-secret`, raw or URL-encoded (the secret is 32 hex digits). */
export const APP_TOKEN_SHAPE = /\d+(?:\||%7C)[0-9a-f]{32}(?![0-9a-f])/gi;

/**
 * Threads' (and Instagram's) platform-prefixed app tokens, `TH|app-id|…` / `IG|app-id|…`, raw or
 * URL-encoded: the part after the app id is a minted token or the app secret itself.
 */
export const PLATFORM_APP_TOKEN_SHAPE = /\b(?:TH|IG)(?:\||%7C)\d+(?:\||%7C)[A-Za-z0-9_-]{10,}/gi;

/** Users paste tokens from many places; a leading "Bearer " is a common passenger. */
export const BEARER_PREFIX = /^Bearer\s+/i;

/** A token as users paste it: surrounding whitespace and a leading "Bearer " removed. */
export function stripBearer(text: string): string {
	return text.trim().replace(BEARER_PREFIX, '').trim();
}

/** Between the app id and the app secret in an app token. */
export const APP_TOKEN_SEPARATOR = '|';

/** The app's id and secret as the credential holds them: trimmed, an empty one absent. */
export function appCredentials(credentials: { appId?: unknown; appSecret?: unknown }): {
	appId?: string;
	appSecret?: string;
} {
	const trimmed = (value: unknown): string | undefined =>
		typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
	return { appId: trimmed(credentials.appId), appSecret: trimmed(credentials.appSecret) };
}

/** The app token `app-id|app-secret`, when both are known. */
export function appToken(appId: string | undefined, appSecret: string | undefined): string | undefined {
	return appId && appSecret ? `${appId}${APP_TOKEN_SEPARATOR}${appSecret}` : undefined;
}
