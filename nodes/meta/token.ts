/**
 * What a Meta token looks like and how the package spells the tokens it builds: the shape that
 * redaction hunts for, the "Bearer " users paste along, and the app token `app-id|app-secret`.
 * Their own file (in nodes/meta, which imports nothing) because the Graph layer, the policy's
 * token rules, the credential's authenticate and its test all read them and none may carry a copy.
 */

/**
 * A Meta user, Page or system-user token, or a piece of one: `EAA` and 10 or more base62
 * characters. Real tokens are far longer; 10 is short enough to catch a truncated paste or a cut
 * log line, long enough to leave words alone. Global, for `replace` and `matchAll`; `test` and
 * `exec` on it carry `lastIndex` from one call to the next.
 */
export const META_TOKEN_PATTERN = /EAA[A-Za-z0-9]{10,}/g;

/** An app token `app-id|app-secret`, raw or URL-encoded (the secret is 32 hex digits). */
export const APP_TOKEN_SHAPE = /\d+(?:\||%7C)[0-9a-f]{32}(?![0-9a-f])/gi;

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
