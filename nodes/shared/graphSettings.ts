/**
 * The Meta Token API credential's endpoint settings (Base URL, Graph API version, proof mode):
 * validation, and the check that a request stays on the credential's own Graph host. Credential
 * glue, not HTTP: the credential's authenticate and the nodes resolve them before any client
 * exists, and a bad value must fail naming the field the user sees. Meta's defaults are in
 * meta/endpoint.ts, the URL rules shared with the n8n API credential in credentialUrls.ts.
 */
import type { AppsecretProofMode, MetaCredentials } from '../meta/types';
import {
	DEFAULT_GRAPH_API_VERSION,
	DEFAULT_GRAPH_BASE_URL,
	GRAPH_API_VERSION_PATTERN,
	META_GRAPH_ORIGIN,
} from '../meta/endpoint';
import {
	CredentialSettingError,
	isLoopbackHost,
	parseHttpBaseUrl,
	requestOrigin,
	type RequestTarget,
} from './credentialUrls';

interface GraphEndpoint {
	baseUrl: string;
	version: string;
	proofMode: AppsecretProofMode;
}

function normalizeGraphApiVersion(value: string | undefined): string {
	const version = (value ?? '').trim() || DEFAULT_GRAPH_API_VERSION;
	if (!GRAPH_API_VERSION_PATTERN.test(version)) {
		throw new CredentialSettingError(
			'Graph API Version',
			`Graph API Version "${version}" is not a version: use the form vNN.N, e.g. ${DEFAULT_GRAPH_API_VERSION}.`,
		);
	}
	return version;
}

/**
 * Whoever may edit a shared credential without seeing its secrets could otherwise point Base URL
 * at their own server and receive the token, the app token and client_secret. So only Meta's
 * Graph host (exactly https://graph.facebook.com, no path) and loopback hosts — a local Graph
 * API double or proxy, http or https, with a path prefix if it needs one — are accepted. Network
 * proxies need no Base URL: n8n's own proxy settings (HTTPS_PROXY…) carry every node request.
 */
function normalizeBaseUrl(value: string | undefined): string {
	const raw = (value ?? '').trim() || DEFAULT_GRAPH_BASE_URL;
	const url = parseHttpBaseUrl(raw, {
		notHttp: `Base URL is not an http(s) URL: use ${DEFAULT_GRAPH_BASE_URL}.`,
		extras: 'Base URL must not carry a query string, fragment or user info: use e.g. https://graph.facebook.com.',
	});
	const path = url.pathname.replace(/\/+$/, '');
	const isMeta = url.origin === META_GRAPH_ORIGIN && path === '';
	if (!isMeta && !isLoopbackHost(url.hostname)) {
		throw new CredentialSettingError(
			'Base URL',
			`Base URL may only be ${DEFAULT_GRAPH_BASE_URL} (or a loopback host such as http://localhost or http://127.0.0.1 for a local double or proxy), because the access token and the app secret go wherever it points: got "${url.origin}${path}". For a network proxy, use n8n's proxy settings instead.`,
		);
	}
	return `${url.origin}${path}`;
}

function normalizeProofMode(value: string | undefined): AppsecretProofMode {
	if (value === 'timestamped' || value === 'off') return value;
	return 'auto';
}

/** Resolves the credential's endpoint settings, with defaults, or throws naming the bad field. */
export function graphEndpoint(credentials: MetaCredentials): GraphEndpoint {
	return {
		baseUrl: normalizeBaseUrl(credentials.baseUrl),
		version: normalizeGraphApiVersion(credentials.graphApiVersion),
		proofMode: normalizeProofMode(credentials.proofMode),
	};
}

/** `{Base URL}/{version}`: where this credential's Graph API answers. */
function graphRoot(endpoint: GraphEndpoint): string {
	return `${endpoint.baseUrl}/${endpoint.version}`;
}

const ABSOLUTE_URL = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * A request with no absolute URL of its own (e.g. the credential test's `/debug_token`) is
 * relative to the credential's Graph root, so the Base URL is validated and resolved in one place.
 */
export function withGraphRoot<T extends RequestTarget>(request: T, endpoint: GraphEndpoint): T {
	const target = request.url ?? request.uri ?? '';
	if (request.baseURL || ABSOLUTE_URL.test(target)) return request;
	return { ...request, baseURL: graphRoot(endpoint) };
}

/**
 * Refuses, before anything is attached, a request that would not reach this credential's own
 * Graph host (the origin of its Base URL). The message names only origins: they hold no secret.
 */
export function assertOwnGraphTarget(request: RequestTarget, endpoint: GraphEndpoint): void {
	const own = new URL(endpoint.baseUrl).origin;
	const target = requestOrigin(request, graphRoot(endpoint));
	if (target === own) return;
	throw new ForeignHostError(
		`The Meta Token API credential signs only requests to its own Graph host ${own}; this request goes to ${target ?? 'an address that cannot be read'}, so nothing was sent. Use a URL on ${own}, or another credential for other services.`,
	);
}

/** A request for another host was handed to the credential: refused, token and proof not added. */
export class ForeignHostError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ForeignHostError';
	}
}
