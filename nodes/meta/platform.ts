/**
 * The three Meta token families the package keeps alive, and what differs between them. One table,
 * in nodes/meta (which imports nothing), because the credential (host, fields, test), the Graph
 * layer (which endpoint, which grant, whether to sign with appsecret_proof), the operations (which
 * are offered) and the alert policy (whether an expiry can be known) all read the same facts.
 *
 * Sources (Meta's pages):
 * - Facebook: developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived,
 *   …/docs/graph-api/reference/debug_token, …/docs/graph-api/securing-requests (appsecret_proof).
 * - Instagram API with Instagram Login: developers.facebook.com/docs/instagram-platform/reference/access_token
 *   (`ig_exchange_token`, client_secret, ~60 days) and …/reference/refresh_access_token
 *   (`ig_refresh_token`: a long-lived token at least 24 hours old and not expired; valid 60 days
 *   from the refresh; needs instagram_business_basic). No debug_token on graph.instagram.com.
 * - Threads: developers.facebook.com/docs/threads/get-started/long-lived-tokens (`th_exchange_token`,
 *   `th_refresh_token`, the same 24-hour / unexpired rule, threads_basic) and
 *   …/docs/threads/troubleshooting/debug-access-token (`GET /v1.0/debug_token`, answered for a
 *   Threads tester's token of the same app). Meta answers on graph.threads.net and graph.threads.com.
 */

export const META_PLATFORMS = ['facebook', 'instagram', 'threads'] as const;

/** The credential's `platform` value. A credential saved before it existed is `facebook`. */
export type MetaPlatform = (typeof META_PLATFORMS)[number];

export const DEFAULT_META_PLATFORM: MetaPlatform = 'facebook';

export interface PlatformFacts {
	/** As users name it, in messages and the editor. */
	label: string;
	/** Meta's host for this family's Graph API: the one remote origin its secrets may go to. */
	origin: string;
	/** Further origins Meta serves the same API on (accepted as Base URL, never chosen by default). */
	alsoOrigins: readonly string[];
	/** A version path fixed by the platform (Threads: v1.0); absent = the credential's Graph API Version. */
	fixedVersion?: string;
	/** `grant_type` that turns a short-lived token into a long-lived one. */
	exchangeGrant: string;
	/** `grant_type` that refreshes a long-lived token by API; absent where Meta offers none. */
	refreshGrant?: string;
	/** Path of the exchange endpoint: below the versioned root on Facebook, below the host on Instagram and Threads. */
	exchangePath: string;
	/** Path of the refresh endpoint (Instagram and Threads document it unversioned). */
	refreshPath?: string;
	/** Whether Meta documents appsecret_proof for this host (Facebook only). */
	signsWithProof: boolean;
	/** The fields `GET /me` is asked for to see that a token works and whose it is (not Facebook's). */
	meFields?: string;
	/** The permission Meta requires to refresh (and read the profile with) this family's tokens. */
	basicPermission?: string;
	/** A refreshable token must be at least this old (seconds). */
	refreshMinAgeSeconds?: number;
}

const DAY = 86_400;

export const PLATFORM_FACTS: Readonly<Record<MetaPlatform, PlatformFacts>> = {
	facebook: {
		label: 'Facebook',
		origin: 'https://graph.facebook.com',
		alsoOrigins: [],
		exchangeGrant: 'fb_exchange_token',
		exchangePath: '/oauth/access_token',
		signsWithProof: true,
	},
	instagram: {
		label: 'Instagram',
		origin: 'https://graph.instagram.com',
		alsoOrigins: [],
		exchangeGrant: 'ig_exchange_token',
		refreshGrant: 'ig_refresh_token',
		exchangePath: '/access_token',
		refreshPath: '/refresh_access_token',
		signsWithProof: false,
		meFields: 'user_id,username',
		basicPermission: 'instagram_business_basic',
		refreshMinAgeSeconds: DAY,
	},
	threads: {
		label: 'Threads',
		origin: 'https://graph.threads.net',
		alsoOrigins: ['https://graph.threads.com'],
		fixedVersion: 'v1.0',
		exchangeGrant: 'th_exchange_token',
		refreshGrant: 'th_refresh_token',
		exchangePath: '/access_token',
		refreshPath: '/refresh_access_token',
		signsWithProof: false,
		meFields: 'id,username',
		basicPermission: 'threads_basic',
		refreshMinAgeSeconds: DAY,
	},
};

/** The credential's platform: anything unset or unknown is Facebook, so old credentials keep working. */
export function platformOf(value: unknown): MetaPlatform {
	return (META_PLATFORMS as readonly unknown[]).includes(value) ? (value as MetaPlatform) : DEFAULT_META_PLATFORM;
}
