/**
 * Keeps secrets out of everything the Graph layer lets go of: error messages, descriptions,
 * Meta's own message text and logged URLs. Its own file because it is the one place that knows
 * what a secret looks like (which parameters carry one, the shape of a Meta token) and how it may
 * be spelled in text; the policy layer redacts with the same knowledge.
 */

export const REDACTED = '[redacted]';

/** Query/form parameters whose value is always a secret. */
export const SECRET_PARAMETERS: ReadonlySet<string> = new Set([
	'access_token',
	'input_token',
	'fb_exchange_token',
	'client_secret',
	'appsecret_proof',
	'revoke_token',
]);

/** The values of the secret parameters among `parameters` (a query string or a form). */
export function secretParameterValues(parameters: Record<string, string> | undefined): string[] {
	return Object.entries(parameters ?? {})
		.filter(([name]) => SECRET_PARAMETERS.has(name))
		.map(([, value]) => value);
}

/**
 * A Meta user, Page or system-user token, or a piece of one: `EAA` and 10 or more base62
 * characters. Real tokens are far longer; 10 is short enough to catch a truncated paste or a cut
 * log line, long enough to leave words alone. The one home of this shape (the policy's text
 * cleaning uses it too). Global, for `replace` and `matchAll`; `test` and `exec` on it carry
 * `lastIndex` from one call to the next.
 */
export const META_TOKEN_PATTERN = /EAA[A-Za-z0-9]{10,}/g;

/**
 * Shorter "secrets" are not scrubbed: replacing a two-letter string everywhere would mangle the
 * message while protecting nothing (real tokens, secrets and proofs are far longer).
 */
const MIN_SECRET_LENGTH = 4;

/** Shapes of secrets even when nobody told us about them. */
const SECRET_SHAPES: readonly RegExp[] = [
	META_TOKEN_PATTERN,
	// App tokens `app-id|app-secret`, raw or URL-encoded.
	/\d+(?:\||%7C)[0-9a-f]{32}(?![0-9a-f])/gi,
	// appsecret_proof values (hex SHA-256), including timestamped ones nobody can predict.
	/(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])/gi,
];

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A secret as it may appear in text: raw, percent-encoded (either hex case) or form-encoded. */
function spellings(secret: string): string[] {
	const encoded = encodeURIComponent(secret);
	const lowerHex = encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
	const form = new URLSearchParams({ s: secret }).toString().slice(2);
	return [...new Set([secret, encoded, lowerHex, form])];
}

function usableSecrets(secrets: readonly string[]): string[] {
	const trimmed = secrets
		.filter((secret): secret is string => typeof secret === 'string')
		.map((secret) => secret.trim())
		.filter((secret) => secret.length >= MIN_SECRET_LENGTH);
	// Longest first, so a secret that contains another is replaced whole.
	return [...new Set(trimmed)].sort((a, b) => b.length - a.length);
}

/**
 * Replaces each known secret (and its URL-encoded forms) with `[redacted]`, then anything shaped
 * like a Meta token, an app token or an appsecret_proof.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
	let result = text;
	for (const secret of usableSecrets(secrets)) {
		for (const spelling of spellings(secret)) {
			result = result.replace(new RegExp(escapeRegExp(spelling), 'g'), REDACTED);
		}
	}
	for (const shape of SECRET_SHAPES) {
		result = result.replace(shape, REDACTED);
	}
	return result;
}

function containsSecret(value: string, secrets: readonly string[]): boolean {
	return usableSecrets(secrets).some((secret) => value.includes(secret));
}

/**
 * A URL fit for logs: the values of secret parameters (and any value containing a known secret)
 * become `[redacted]`. `qs` holds parameters not yet in the URL, as the transport would append them.
 */
export function redactUrl(
	url: string,
	qs?: Record<string, string>,
	secrets: readonly string[] = [],
): string {
	const queryStart = url.indexOf('?');
	const base = queryStart === -1 ? url : url.slice(0, queryStart);
	const parameters = new URLSearchParams(queryStart === -1 ? '' : url.slice(queryStart + 1));
	for (const [name, value] of Object.entries(qs ?? {})) parameters.append(name, value);

	const pairs: string[] = [];
	for (const [name, value] of parameters) {
		const hidden = SECRET_PARAMETERS.has(name) || containsSecret(value, secrets);
		pairs.push(`${encodeURIComponent(name)}=${hidden ? REDACTED : encodeURIComponent(value)}`);
	}
	const redacted = pairs.length > 0 ? `${base}?${pairs.join('&')}` : base;
	// The path can carry secrets too (a token pasted where an id belongs).
	return scrubSecrets(redacted, secrets);
}
