/**
 * The n8n API credential's Base URL: which addresses may receive its API key, and the check that
 * a request goes there. Its own file because the credential's `authenticate`, the Save to
 * Credential step and the alert-history read all decide from it, before the key is attached or a
 * token is minted.
 */
import {
	CredentialSettingError,
	isLoopbackHost,
	parseHttpBaseUrl,
	requestOrigin,
	type RequestTarget,
} from './credentialUrls';

/**
 * https anywhere (the key is as good as a password for every credential it may update, so it must
 * not cross a network in clear), plain http only on this machine. A trailing slash is dropped.
 */
export function normalizeN8nApiBaseUrl(value: unknown): string {
	const raw = String(value ?? '').trim();
	const url = parseHttpBaseUrl(raw, {
		notHttp:
			'The n8n API credential\'s Base URL is not an http(s) URL: use the address of this n8n, e.g. https://n8n.example.com or http://localhost:5678.',
		extras: 'The n8n API credential\'s Base URL must not carry a query string, fragment or user info.',
	});
	if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
		throw new CredentialSettingError(
			'Base URL',
			`The n8n API credential's Base URL must use https (plain http only for localhost, 127.0.0.1 or [::1]): the API key would cross the network in clear to ${url.origin}.`,
		);
	}
	return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** Refuses a request that would carry the API key anywhere but the credential's own n8n. */
export function assertN8nApiTarget(request: RequestTarget, baseUrl: string): void {
	const own = new URL(baseUrl).origin;
	const target = requestOrigin(request, baseUrl);
	if (target === own) return;
	throw new CredentialSettingError(
		'Base URL',
		`The n8n API credential sends its API key only to its own n8n at ${own}; this request goes to ${target ?? 'an address that cannot be read'}, so nothing was sent.`,
	);
}
