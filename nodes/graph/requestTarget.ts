/**
 * Where an HTTP request goes, read the way n8n's request helpers will send it, and which hosts
 * count as this machine. Its own file because the two credentials (Meta's and n8n's API) and the
 * Save to Credential step all decide from it whether a secret may be attached; no n8n import.
 */

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
export function parseUrl(value: string, base?: string): URL | null {
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
