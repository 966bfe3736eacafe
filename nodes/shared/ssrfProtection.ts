/**
 * n8n's SSRF protection (`N8N_SSRF_PROTECTION_ENABLED=true`, n8n 2.x; n8n 3.x widens what it
 * blocks): n8n's request helpers refuse loopback, private, link-local and metadata addresses
 * unless the operator allows them. A block is recognised here by the name of the error n8n throws
 * for it — `SsrfBlockedIpError` (a restricted address) or `SsrfBlockedHostnameError` (a host name
 * on N8N_SSRF_BLOCKED_HOSTNAMES), which n8n's helpers wrap as the `cause` of a NodeApiError —
 * and turned into the one sentence the operator needs: which setting allows that host. Its own
 * file because the Graph transport and the n8n public API client both meet it; no n8n import.
 */

export type SsrfBlock = 'restrictedAddress' | 'blockedHostname';

/** The classes n8n's network layer (`@n8n/backend-network`) throws, by the name each sets. */
const BLOCK_BY_ERROR_NAME: Readonly<Record<string, SsrfBlock>> = {
	SsrfBlockedIpError: 'restrictedAddress',
	SsrfBlockedHostnameError: 'blockedHostname',
};

/** n8n wraps the block once (NodeApiError) and axios may wrap it again: this deep, no further. */
const CAUSE_DEPTH = 4;

/** Which SSRF block `error` (or an error it wraps in `cause`) is, or undefined for any other failure. */
export function ssrfBlockOf(error: unknown): SsrfBlock | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < CAUSE_DEPTH && typeof current === 'object' && current !== null; depth++) {
		const name = (current as { name?: unknown }).name;
		if (typeof name === 'string' && Object.prototype.hasOwnProperty.call(BLOCK_BY_ERROR_NAME, name)) {
			return BLOCK_BY_ERROR_NAME[name];
		}
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * The environment setting that lets n8n reach `url`'s host, as `NAME=value`. n8n matches
 * N8N_SSRF_ALLOWED_HOSTNAMES against host names only: a URL with an IP address is checked
 * against N8N_SSRF_ALLOWED_IP_RANGES alone, which takes CIDR ranges.
 */
function ssrfAllowSetting(url: string): string {
	const { hostname } = new URL(url);
	if (hostname.startsWith('[')) return `N8N_SSRF_ALLOWED_IP_RANGES=${hostname.slice(1, -1)}/128`;
	if (IPV4.test(hostname)) return `N8N_SSRF_ALLOWED_IP_RANGES=${hostname}/32`;
	return `N8N_SSRF_ALLOWED_HOSTNAMES=${hostname}`;
}

/** "n8n's SSRF protection … blocked the request to <origin> (why)." */
export function ssrfBlockedSentence(url: string, block: SsrfBlock, doing: string): string {
	const why =
		block === 'blockedHostname'
			? 'its host name is on N8N_SSRF_BLOCKED_HOSTNAMES'
			: 'it is a loopback, private or otherwise restricted address';
	return `n8n's SSRF protection (N8N_SSRF_PROTECTION_ENABLED) blocked the request to ${new URL(url).origin} ${doing}: ${why}.`;
}

/** How to allow `url`'s host: the setting, and that n8n reads it at start. */
export function ssrfAllowAdvice(url: string): string {
	const setting = ssrfAllowSetting(url);
	const ipNote = setting.startsWith('N8N_SSRF_ALLOWED_IP_RANGES')
		? ' (an IP address: N8N_SSRF_ALLOWED_HOSTNAMES matches host names only)'
		: ' (a comma-separated list; *.example.com matches subdomains)';
	return `To allow it, add ${setting} to n8n's environment${ipNote} and restart n8n.`;
}
