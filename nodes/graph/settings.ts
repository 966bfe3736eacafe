/**
 * The credential's endpoint settings (Base URL, Graph API version, proof mode): defaults and
 * validation. Its own file because the credential and the nodes resolve them before any client
 * exists, and a bad value must fail naming the field the user sees.
 */
import type { AppsecretProofMode, MetaCredentials } from './types';

export const DEFAULT_GRAPH_BASE_URL = 'https://graph.facebook.com';
/** Current Graph API version (v25.0 shipped Feb 2026); users can pin another in the credential. */
export const DEFAULT_GRAPH_API_VERSION = 'v25.0';

const VERSION_PATTERN = /^v\d{1,2}\.\d$/;
const LOOPBACK_HOSTS = new Set(['localhost', '[::1]', '::1']);

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

export interface GraphEndpoint {
	baseUrl: string;
	version: string;
	proofMode: AppsecretProofMode;
}

export function normalizeGraphApiVersion(value: string | undefined): string {
	const version = (value ?? '').trim() || DEFAULT_GRAPH_API_VERSION;
	if (!VERSION_PATTERN.test(version)) {
		throw new CredentialSettingError(
			'Graph API Version',
			`Graph API Version "${version}" is not a version: use the form vNN.N, e.g. ${DEFAULT_GRAPH_API_VERSION}.`,
		);
	}
	return version;
}

function isLoopback(hostname: string): boolean {
	return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Plain http would send tokens in clear text, so it is accepted only for loopback hosts (a local
 * Graph API double or proxy); a trailing slash is tolerated.
 */
export function normalizeBaseUrl(value: string | undefined): string {
	const raw = (value ?? '').trim() || DEFAULT_GRAPH_BASE_URL;
	const url = URL.canParse(raw) ? new URL(raw) : null;
	if (!url) {
		throw new CredentialSettingError(
			'Base URL',
			`Base URL "${raw}" is not a URL: use ${DEFAULT_GRAPH_BASE_URL}.`,
		);
	}
	if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
		throw new CredentialSettingError(
			'Base URL',
			`Base URL must use https (plain http is accepted only for localhost/127.0.0.1): got "${url.protocol}//${url.host}".`,
		);
	}
	if (url.search || url.hash || url.username || url.password) {
		throw new CredentialSettingError(
			'Base URL',
			'Base URL must not carry a query string, fragment or user info: use e.g. https://graph.facebook.com.',
		);
	}
	return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

export function normalizeProofMode(value: string | undefined): AppsecretProofMode {
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
export function graphRoot(endpoint: GraphEndpoint): string {
	return `${endpoint.baseUrl}/${endpoint.version}`;
}

/** Where a request says it goes, in the two spellings n8n's request helpers use. */
export interface RequestTarget {
	url?: string;
	/** The legacy request helper's spelling (the HTTP Request node uses it). */
	uri?: string;
	baseURL?: string;
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
