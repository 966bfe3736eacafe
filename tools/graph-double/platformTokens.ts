/**
 * Instagram and Threads tokens for tests: a DoubleTokenSpec as Meta would have issued the token,
 * for `double.addToken(spec)` in-process or `POST /_double/tokens` (the e2e suites' putToken).
 * Lifetimes are Meta's: a short-lived token lives one hour, a long-lived one 60 days
 * (developers.facebook.com/docs/instagram-platform/reference/access_token,
 * …/docs/threads/get-started/long-lived-tokens).
 */
import type { DoublePlatform, DoubleTokenSpec } from './model';

export const SHORT_LIVED_SECONDS = 3_600;
export const LONG_LIVED_SECONDS = 5_184_000;

export interface PlatformTokenOptions {
	/** An app added with addApp: its secret is the client_secret the exchange wants. */
	appId: string;
	/** Default 'long'. */
	kind?: 'short' | 'long';
	/** Unix seconds; default the double's clock when the token is added. */
	issuedAt?: number;
	/** Seconds to expiry from `issuedAt`; default by `kind` (1 hour / 60 days). */
	lifetime?: number;
	/** The string itself; default generated (`IGAA…` / `THAA…`). */
	token?: string;
	/** Default '17841400000000001' (Instagram) / '25000000000000001' (Threads). */
	userId?: string;
	username?: string;
	/** Default instagram_business_basic / threads_basic. */
	scopes?: string[];
	dataAccessExpiresAt?: number;
}

const DEFAULTS: Readonly<Record<Exclude<DoublePlatform, 'facebook'>, { userId: string; scopes: string[] }>> = {
	instagram: { userId: '17841400000000001', scopes: ['instagram_business_basic'] },
	threads: { userId: '25000000000000001', scopes: ['threads_basic'] },
};

function platformToken(platform: 'instagram' | 'threads', options: PlatformTokenOptions): DoubleTokenSpec {
	const kind = options.kind ?? 'long';
	const spec: DoubleTokenSpec = {
		platform,
		type: 'USER',
		appId: options.appId,
		userId: options.userId ?? DEFAULTS[platform].userId,
		scopes: options.scopes ?? DEFAULTS[platform].scopes,
		lifetime: options.lifetime ?? (kind === 'short' ? SHORT_LIVED_SECONDS : LONG_LIVED_SECONDS),
	};
	if (options.token !== undefined) spec.token = options.token;
	if (options.issuedAt !== undefined) spec.issuedAt = options.issuedAt;
	if (options.username !== undefined) spec.username = options.username;
	if (options.dataAccessExpiresAt !== undefined) spec.dataAccessExpiresAt = options.dataAccessExpiresAt;
	return spec;
}

/** An Instagram API with Instagram Login user token (graph.instagram.com, the double's `/instagram`). */
export function instagramToken(options: PlatformTokenOptions): DoubleTokenSpec {
	return platformToken('instagram', options);
}

/** A Threads user token (graph.threads.net, the double's `/threads`). */
export function threadsToken(options: PlatformTokenOptions): DoubleTokenSpec {
	return platformToken('threads', options);
}
