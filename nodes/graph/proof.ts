/**
 * Signing requests: the `appsecret_proof` (classic and timestamped) and putting the token in the
 * Authorization header. Its own file because the credential's `authenticate` and any transport
 * outside n8n (the tests' fetch transport) must sign identically, and neither needs the rest of
 * the client.
 */
import { createHmac } from 'crypto';

import { appCredentials, BEARER_PREFIX, stripBearer } from '../meta/token';

import type { AppsecretProofMode, MetaCredentials } from '../meta/types';

/** Classic `appsecret_proof`: hex HMAC-SHA256 of the access token, keyed with the app secret. */
export function appsecretProof(appSecret: string, accessToken: string): string {
	return createHmac('sha256', appSecret).update(accessToken).digest('hex');
}

/**
 * Timestamped proof (Login Security, 2024): HMAC over `token|unixSeconds`, sent with
 * `appsecret_time`. Meta accepts it for 5 minutes, so it is computed per request.
 */
export function timestampedAppsecretProof(
	appSecret: string,
	accessToken: string,
	unixSeconds: number,
): string {
	return createHmac('sha256', appSecret).update(`${accessToken}|${unixSeconds}`).digest('hex');
}

/** Query parameters that prove the caller knows the app secret, or none when the mode is off. */
function proofParameters(
	mode: AppsecretProofMode | undefined,
	appSecret: string | undefined,
	accessToken: string,
	nowMs: number,
): Record<string, string> {
	if (!appSecret || mode === 'off') return {};
	if (mode === 'timestamped') {
		const time = Math.floor(nowMs / 1000);
		return {
			appsecret_proof: timestampedAppsecretProof(appSecret, accessToken, time),
			appsecret_time: String(time),
		};
	}
	return { appsecret_proof: appsecretProof(appSecret, accessToken) };
}

/** The token a request runs with: one the caller set in `Authorization`, else the credential's. */
function bearerToken(headers: Record<string, unknown> | undefined, credentials: MetaCredentials): string {
	const header = headers?.Authorization ?? headers?.authorization;
	if (typeof header === 'string' && BEARER_PREFIX.test(header.trim())) return stripBearer(header);
	return stripBearer(String(credentials.accessToken ?? ''));
}

export interface AuthorizableRequest {
	headers?: Record<string, unknown>;
	qs?: Record<string, unknown>;
}

/**
 * Puts the token in the `Authorization` header (and in the query string only where Meta
 * documents it there: `keepQueryToken`) and adds the proof for that very token. Shared by the
 * credential's `authenticate` and any transport outside n8n (the tests' fetch transport), so n8n
 * and the tests sign requests identically.
 */
export function authorizeRequest<T extends AuthorizableRequest>(
	credentials: MetaCredentials,
	request: T,
	nowMs: number,
	options: { keepQueryToken?: boolean } = {},
): T {
	const token = bearerToken(request.headers, credentials);
	const headers: Record<string, unknown> = { ...(request.headers ?? {}) };
	delete headers.authorization;
	headers.Authorization = `Bearer ${token}`;
	// A proof is bound to one token: drop any the caller set and sign the token actually sent.
	const qs: Record<string, unknown> = { ...(request.qs ?? {}) };
	delete qs.appsecret_proof;
	delete qs.appsecret_time;
	// The token travels in the header. Only where Meta documents it in the query string (the
	// Instagram and Threads token endpoints, `keepQueryToken`) does the caller's `access_token`
	// stay, and only when it is the very token of the header: never a second token beside it.
	if (!(options.keepQueryToken && qs.access_token === token)) delete qs.access_token;
	Object.assign(
		qs,
		proofParameters(credentials.proofMode, appCredentials(credentials).appSecret, token, nowMs),
	);
	return { ...request, headers, qs };
}
