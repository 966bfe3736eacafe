/**
 * Which URLs a credential may send its secret to: where an HTTP request goes, read the way n8n's
 * request helpers will send it, which hosts count as this machine, and how a Base URL is parsed.
 * Its own file because the two credentials (Meta's and n8n's API) and the Save to Credential step
 * all decide from it whether a secret may be attached; no n8n import.
 */

/** A credential value that cannot be used; the message names the field as the user sees it. */
export class CredentialSettingError extends Error {
	constructor(
		readonly field: string,
		message: string,
	) {
		super(message);
		this.name = 'CredentialSettingError';
	}
}

/** Where a request says it goes, in the spellings n8n's request helpers use. */
export interface RequestTarget {
	url?: string;
	/** The legacy request helper's spelling (the HTTP Request node uses it, with no `url`). */
	uri?: string;
	baseURL?: string;
}

const LOOPBACK_NAMES: ReadonlySet<string> = new Set(['localhost', '[::1]']);
const LOOPBACK_IPV4 = /^127(\.\d{1,3}){3}$/;

/**
 * localhost, 127.0.0.0/8 and ::1, as a WHATWG URL spells its hostname. Nothing that merely
 * resolves to them (a DNS name can point anywhere later), so the check needs no lookup.
 */
export function isLoopbackHost(hostname: string): boolean {
	return LOOPBACK_NAMES.has(hostname.toLowerCase()) || LOOPBACK_IPV4.test(hostname);
}

/** A parsed URL, or null: no exception for the caller to turn into a message that repeats it. */
function parseUrl(value: string, base?: string): URL | null {
	try {
		return new URL(value, base);
	} catch {
		return null;
	}
}

/**
 * The origin (`scheme://host[:port]`) a request will reach, resolved as n8n's helpers resolve it:
 * `url` before `uri` (n8n's `resolveLegacyRequestTarget`), relative to `baseURL`, else to
 * `defaultBase`. A protocol-relative `//host/…` reaches that host, as in axios. Null when it
 * cannot be read — then nothing may be attached. The origin never holds a query or user info,
 * so it is safe to name in a message.
 */
export function requestOrigin(request: RequestTarget, defaultBase: string): string | null {
	const target = String(request.url ?? request.uri ?? '');
	const base = request.baseURL ? String(request.baseURL) : defaultBase;
	const baseUrl = parseUrl(base);
	if (!baseUrl) return null;
	const resolved = parseUrl(target, baseUrl.href);
	if (!resolved || (resolved.protocol !== 'https:' && resolved.protocol !== 'http:')) return null;
	return resolved.origin;
}

/**
 * A credential's Base URL, parsed: http(s) only, no query string, fragment or user info. Which
 * hosts it may name is each credential's own rule; so are the sentences (`words`), since each
 * credential points its user to a different fix. Throws a CredentialSettingError for "Base URL".
 */
export function parseHttpBaseUrl(value: string, words: { notHttp: string; extras: string }): URL {
	const url = parseUrl(value);
	if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
		throw new CredentialSettingError('Base URL', words.notHttp);
	}
	if (url.search || url.hash || url.username || url.password) {
		throw new CredentialSettingError('Base URL', words.extras);
	}
	return url;
}
