/**
 * The Meta Token API credential's endpoint settings (Platform, Base URL, Graph API version, proof
 * mode): validation, and the check that a request stays on the credential's own Graph host.
 * Credential glue, not HTTP: the credential's authenticate and the nodes resolve them before any
 * client exists, and a bad value must fail naming the field the user sees. Each platform's host,
 * fixed version and proof rule are in meta/platform.ts, the version format in meta/endpoint.ts,
 * the URL rules shared with the n8n API credential in credentialUrls.ts.
 */
import type { AppsecretProofMode, MetaCredentials } from '../meta/types';
import { DEFAULT_GRAPH_API_VERSION, DEFAULT_GRAPH_BASE_URL, GRAPH_API_VERSION_PATTERN } from '../meta/endpoint';
import { META_PLATFORMS, PLATFORM_FACTS, platformOf, type MetaPlatform } from '../meta/platform';
import {
	CredentialSettingError,
	isLoopbackHost,
	parseHttpBaseUrl,
	requestOrigin,
	type RequestTarget,
} from './credentialUrls';

export interface GraphEndpoint {
	/** The credential's token family; unset on credentials saved before it existed = facebook. */
	platform: MetaPlatform;
	/** Meta's host for that family (or a loopback double or proxy), with no trailing slash. */
	baseUrl: string;
	version: string;
	/** Always 'off' where Meta documents no appsecret_proof (Instagram, Threads). */
	proofMode: AppsecretProofMode;
}

function normalizeGraphApiVersion(value: string | undefined, platform: MetaPlatform): string {
	// Threads has one version, v1.0, and the credential does not offer the field there.
	const fixed = PLATFORM_FACTS[platform].fixedVersion;
	if (fixed) return fixed;
	const version = (value ?? '').trim() || DEFAULT_GRAPH_API_VERSION;
	if (!GRAPH_API_VERSION_PATTERN.test(version)) {
		throw new CredentialSettingError(
			'Graph API Version',
			`Graph API Version "${version}" is not a version: use the form vNN.N, e.g. ${DEFAULT_GRAPH_API_VERSION}.`,
		);
	}
	return version;
}

/** Every Meta origin a platform's Graph API answers on: its own host first. */
function metaOrigins(platform: MetaPlatform): string[] {
	const facts = PLATFORM_FACTS[platform];
	return [facts.origin, ...facts.alsoOrigins];
}

function spelledOrigins(platform: MetaPlatform): string {
	return metaOrigins(platform).join(' or ');
}

/**
 * Whoever may edit a shared credential without seeing its secrets could otherwise point Base URL
 * at their own server and receive the token, the app token and client_secret. So only the
 * platform's own Meta host (exactly https://graph.facebook.com, https://graph.instagram.com or
 * https://graph.threads.net — Meta also answers Threads on graph.threads.com — no path) and
 * loopback hosts — a local Graph API double or proxy, http or https, with a path prefix if it
 * needs one — are accepted. The field's default is Facebook's host, so on an Instagram or Threads
 * credential that default (or nothing) means the platform's own host: a user who only picks the
 * platform gets the right one. Another platform's Meta host is refused: a token of one family is
 * no use on another's host, and its secret must not go there. Network proxies need no Base URL:
 * n8n's own proxy settings (HTTPS_PROXY…) carry every node request.
 */
function normalizeBaseUrl(value: string | undefined, platform: MetaPlatform): string {
	const own = PLATFORM_FACTS[platform].origin;
	const trimmed = (value ?? '').trim();
	const raw = trimmed === '' || trimmed.replace(/\/+$/, '') === DEFAULT_GRAPH_BASE_URL ? own : trimmed;
	const url = parseHttpBaseUrl(raw, {
		notHttp: `Base URL is not an http(s) URL: use ${own}.`,
		extras: `Base URL must not carry a query string, fragment or user info: use e.g. ${own}.`,
	});
	const path = url.pathname.replace(/\/+$/, '');
	const isMeta = metaOrigins(platform).includes(url.origin) && path === '';
	if (!isMeta && !isLoopbackHost(url.hostname)) {
		throw new CredentialSettingError(
			'Base URL',
			`Base URL may only be ${spelledOrigins(platform)} (the credential's Platform is ${PLATFORM_FACTS[platform].label}) or a loopback host such as http://localhost or http://127.0.0.1 for a local double or proxy, because the access token and the app secret go wherever it points: got "${url.origin}${path}". For a network proxy, use n8n's proxy settings instead.`,
		);
	}
	return `${url.origin}${path}`;
}

function normalizeProofMode(value: string | undefined, platform: MetaPlatform): AppsecretProofMode {
	// Meta documents appsecret_proof for graph.facebook.com only: never send it elsewhere.
	if (!PLATFORM_FACTS[platform].signsWithProof) return 'off';
	if (value === 'timestamped' || value === 'off') return value;
	return 'auto';
}

/** Resolves the credential's endpoint settings, with defaults, or throws naming the bad field. */
export function graphEndpoint(credentials: MetaCredentials): GraphEndpoint {
	const platform = platformOf(credentials.platform);
	return {
		platform,
		baseUrl: normalizeBaseUrl(credentials.baseUrl, platform),
		version: normalizeGraphApiVersion(credentials.graphApiVersion, platform),
		proofMode: normalizeProofMode(credentials.proofMode, platform),
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
 * The origins this credential signs requests for: its Base URL's, and — when that is Meta's host
 * for the platform — the other hosts Meta answers the same API on (Threads: graph.threads.net and
 * graph.threads.com). A loopback Base URL signs for itself only.
 */
function ownOrigins(endpoint: GraphEndpoint): string[] {
	const base = new URL(endpoint.baseUrl).origin;
	const meta = metaOrigins(endpoint.platform);
	return meta.includes(base) ? meta : [base];
}

/**
 * Refuses, before anything is attached, a request that would not reach this credential's own
 * Graph host: an Instagram credential signs nothing for graph.facebook.com, a Facebook one nothing
 * for graph.instagram.com. The message names only origins: they hold no secret.
 */
export function assertOwnGraphTarget(request: RequestTarget, endpoint: GraphEndpoint): void {
	const own = ownOrigins(endpoint);
	const target = requestOrigin(request, graphRoot(endpoint));
	if (target !== null && own.includes(target)) return;
	const others = META_PLATFORMS.filter((platform) => platform !== endpoint.platform).map((platform) => PLATFORM_FACTS[platform].label);
	throw new ForeignHostError(
		`The Meta Token API credential signs only requests to its own Graph host ${own.join(' or ')}; this request goes to ${target ?? 'an address that cannot be read'}, so nothing was sent. Use a URL on ${own[0]}, or another credential for other services (this credential is for ${PLATFORM_FACTS[endpoint.platform].label}: ${others.join(' and ')} tokens need a credential of their own platform).`,
	);
}

/**
 * Whether the request is one of the platform's token endpoints (Instagram and Threads:
 * `/access_token`, `/refresh_access_token`, unversioned, right under the Base URL), where Meta
 * documents the token as the `access_token` query parameter.
 */
export function isPlatformTokenEndpoint(request: RequestTarget, endpoint: GraphEndpoint): boolean {
	const facts = PLATFORM_FACTS[endpoint.platform];
	const paths = [facts.exchangePath, facts.refreshPath].filter((path): path is string => path?.startsWith('/') === true);
	if (endpoint.platform === 'facebook' || paths.length === 0) return false;
	// A relative URL is appended to its base, as n8n's helpers (axios) join them.
	const raw = String(request.url ?? request.uri ?? '');
	const base = request.baseURL ? String(request.baseURL) : graphRoot(endpoint);
	const joined = ABSOLUTE_URL.test(raw) ? raw : `${base.replace(/\/+$/, '')}/${raw.replace(/^\/+/, '')}`;
	let target: URL;
	try {
		target = new URL(joined);
	} catch {
		return false;
	}
	const basePath = new URL(endpoint.baseUrl).pathname.replace(/\/+$/, '');
	return paths.some((path) => target.pathname === `${basePath}${path}`);
}

/** A request for another host was handed to the credential: refused, token and proof not added. */
export class ForeignHostError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ForeignHostError';
	}
}
