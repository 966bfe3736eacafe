/**
 * Keeps secrets out of everything the package lets go of: error messages, descriptions, Meta's
 * own message text, logged URLs, the inspect record and alerts. Its own file because it is the one
 * place that knows which parameters carry a secret and how a secret may be spelled in text; the
 * Graph layer and the policy layer both redact with it (the shapes of tokens are in token.ts).
 */
import { APP_TOKEN_SHAPE, META_TOKEN_PATTERN, PLATFORM_APP_TOKEN_SHAPE } from './token';

const REDACTED = '[redacted]';

/** Query/form parameters whose value is always a secret. */
const SECRET_PARAMETERS: ReadonlySet<string> = new Set([
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
 * Shorter "secrets" are not scrubbed: replacing a two-letter string everywhere would mangle the
 * message while protecting nothing (real tokens, secrets and proofs are far longer).
 */
const MIN_SECRET_LENGTH = 4;

/** Shapes of secrets even when nobody told us about them. */
const SECRET_SHAPES: readonly RegExp[] = [
	META_TOKEN_PATTERN,
	// Before the plain app token, so `TH|id|secret` goes whole rather than leaving `TH|`.
	PLATFORM_APP_TOKEN_SHAPE,
	APP_TOKEN_SHAPE,
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
 * like a Meta token (of any platform), an app token or an appsecret_proof.
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

/**
 * Text fit for output and alerts: the given secrets, and anything shaped like a Meta token (or a
 * piece of one: see META_TOKEN_PATTERN), an app token or an appsecret_proof, removed; newlines
 * folded so a message stays one line.
 */
export function redactSecrets(message: string, secrets: readonly string[] = []): string {
	return scrubSecrets(message, secrets)
		.replace(/\s*[\r\n]+\s*/g, ' ')
		.trim();
}
