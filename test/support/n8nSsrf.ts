/**
 * What n8n 2.41.1 throws when its SSRF protection (N8N_SSRF_PROTECTION_ENABLED=true) refuses a
 * request, modelled on its own source (@n8n/backend-network 1.15.1, ssrf/ssrf-blocked-ip.error.js
 * and ssrf-blocked-hostname.error.js; n8n-core 2.41.1, request-helpers/authentication.js):
 * the network layer throws a UserError subclass that names itself, before any connection, and
 * `httpRequestWithAuthentication` rethrows it wrapped as `new NodeApiError(node, error)`, which
 * keeps it as `cause`. The n8n-core in devDependencies (2.11.1) predates SSRF protection, so a test
 * puts this in front of its helper (`blockWithSsrf`); the e2e suite meets the real one.
 */
import type { IHttpRequestOptions, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, UserError } from 'n8n-workflow';

import type { executeContext } from '../../tools/n8n-harness/n8nHarness';

export class SsrfBlockedIpError extends UserError {
	constructor(readonly ip: string) {
		super('The request was blocked because it resolves to a restricted IP address', {
			description: `The target ${ip} is not allowed. This is a security measure to prevent Server-Side Request Forgery (SSRF). If you need to access internal resources, ask your n8n administrator to allowlist the hostname or IP range in the environment configuration.`,
			extra: { ip },
		});
		this.name = 'SsrfBlockedIpError';
	}
}

export class SsrfBlockedHostnameError extends UserError {
	constructor(readonly hostname: string) {
		super('The request was blocked because the destination hostname is restricted', {
			description: `The hostname '${hostname}' is on the configured deny-list.`,
			extra: { hostname },
		});
		this.name = 'SsrfBlockedHostnameError';
	}
}

/**
 * As `httpRequestWithAuthentication` rethrows whatever failed: `new NodeApiError(node, error)`,
 * message and description taken from the error, the error itself kept as `cause` (n8n-workflow
 * 2.41.0 leaves `cause` to the native Error constructor; the 2.11.1 in devDependencies still
 * declares a `cause` class field that resets it, so it is put back here as 2.41 has it).
 */
export function wrappedAsN8nDoes(node: INode, error: Error): NodeApiError {
	const wrapped = new NodeApiError(node, error as unknown as JsonObject);
	Object.defineProperty(wrapped, 'cause', { value: error, enumerable: false, writable: true, configurable: true });
	return wrapped;
}

type Context = ReturnType<typeof executeContext>['context'];

/**
 * Makes the context's `httpRequestWithAuthentication` refuse, as n8n's SSRF protection does with
 * default settings, every request to a loopback address (127.0.0.0/8, ::1) whose host is not in
 * `allowedHostnames` (with `onlyMethod`: every request of that method instead, as when an address
 * changes between two requests); other requests go to n8n-core's real helper. Returns the refused
 * origins.
 */
export function blockWithSsrf(context: Context, allowedHostnames: string[] = [], onlyMethod?: string): string[] {
	const helpers = context.helpers as unknown as Record<string, unknown>;
	const real = helpers.httpRequestWithAuthentication as (this: unknown, ...args: unknown[]) => Promise<unknown>;
	const refused: string[] = [];
	helpers.httpRequestWithAuthentication = async function (this: unknown, type: string, options: IHttpRequestOptions, ...rest: unknown[]) {
		const url = new URL(String(options.url), options.baseURL);
		const host = url.hostname;
		const loopback = /^127\./.test(host) || host === '[::1]' || host === 'localhost';
		const blocked = onlyMethod ? options.method === onlyMethod : loopback && !allowedHostnames.includes(host);
		if (blocked) {
			refused.push(url.origin);
			const ip = host === 'localhost' ? '127.0.0.1' : host.replace(/^\[|\]$/g, '');
			throw wrappedAsN8nDoes(context.getNode(), new SsrfBlockedIpError(ip));
		}
		return await real.call(this, type, options, ...rest);
	};
	return refused;
}
