/**
 * The token endpoints of Instagram (graph.instagram.com) and Threads (graph.threads.net): exchange
 * a short-lived token for a long-lived one, and refresh a long-lived one. Which grant and path each
 * platform takes is in meta/platform.ts; this file builds the calls the sender sends, keeps the app
 * secret to the platform's own host, and words Meta's refusal of a refresh.
 *
 * Both calls hand out a token each time Meta processes them, so they are `minting` calls: the
 * sender never repeats one that may have reached Meta. Meta documents their parameters in the query
 * string (grant_type, client_secret, access_token) and the paths without a version; the token also
 * goes in the Authorization header, so that the credential's own token is not sent beside another.
 */
import { GraphError } from './GraphError';
import type { GraphCallRequest } from './sender';
import { saysExpired } from '../meta/authReasons';
import { DEFAULT_GRAPH_BASE_URL } from '../meta/endpoint';
import { META_PLATFORMS, PLATFORM_FACTS, type MetaPlatform } from '../meta/platform';

/** A platform whose long-lived tokens Meta refreshes by API. */
export type RefreshablePlatform = Exclude<MetaPlatform, 'facebook'>;

export function isRefreshablePlatform(platform: MetaPlatform): platform is RefreshablePlatform {
	return PLATFORM_FACTS[platform].refreshGrant !== undefined;
}

/**
 * Refuses a call that would carry this platform's token or app secret to another Meta family's host
 * (e.g. an Instagram app secret to graph.facebook.com). A loopback double is the credential's
 * business (its Base URL accepts only Meta's hosts and loopback).
 */
export function assertPlatformHost(baseUrl: string | undefined, platform: RefreshablePlatform): void {
	const origin = new URL((baseUrl ?? '').trim() || DEFAULT_GRAPH_BASE_URL).origin;
	const facts = PLATFORM_FACTS[platform];
	const others = META_PLATFORMS.filter((other) => other !== platform).flatMap((other) => [
		PLATFORM_FACTS[other].origin,
		...PLATFORM_FACTS[other].alsoOrigins,
	]);
	if (!others.includes(origin)) return;
	throw new GraphError({
		errorClass: 'badRequest',
		summary: `This ${facts.label} token call would go to ${origin}, not to ${facts.label}'s host ${facts.origin}, so nothing was sent.`,
		description: `Set the credential's Platform to ${facts.label} and leave its Base URL empty (or ${facts.origin}).`,
		neverReachedMeta: true,
	});
}

/** `GET /access_token?grant_type=ig_exchange_token|th_exchange_token&client_secret=…&access_token=…`. */
export function platformExchangeRequest(platform: RefreshablePlatform, shortLivedToken: string, appSecret: string): GraphCallRequest {
	const facts = PLATFORM_FACTS[platform];
	return {
		// Each processed exchange hands out a new token: see CallEffect.
		effect: 'minting',
		method: 'GET',
		path: facts.exchangePath,
		unversioned: true,
		qs: { grant_type: facts.exchangeGrant, client_secret: appSecret, access_token: shortLivedToken },
		accessToken: shortLivedToken,
	};
}

/** `GET /refresh_access_token?grant_type=ig_refresh_token|th_refresh_token&access_token=…` (no secret). */
export function platformRefreshRequest(platform: RefreshablePlatform, longLivedToken: string): GraphCallRequest {
	const { refreshPath, refreshGrant, label } = PLATFORM_FACTS[platform];
	if (refreshPath === undefined || refreshGrant === undefined) {
		throw new GraphError({
			errorClass: 'badRequest',
			summary: `Meta offers no refresh of ${label} tokens by API, so nothing was sent.`,
			description: 'Exchange a new short-lived token for a long-lived one instead.',
			neverReachedMeta: true,
		});
	}
	return {
		// Each processed refresh hands out a new token: see CallEffect.
		effect: 'minting',
		method: 'GET',
		path: refreshPath,
		unversioned: true,
		qs: { grant_type: refreshGrant, access_token: longLivedToken },
		accessToken: longLivedToken,
	};
}

// Meta documents no wording for a refresh that comes too early; these are the ways such a refusal
// has been put ("at least 24 hours", "too soon"…). A refusal that matches none is worded below.
const TOO_EARLY = /\b24\s*h(ou)?rs?\b|too (early|soon|new|young)|not (yet )?old enough/i;

/**
 * Meta's refusal of a refresh, in words saying what happened and what to do: expired (no refresh
 * revives it), too early (under 24 hours old), or a refusal of the token without either (then
 * every cause Meta documents for a refused refresh is named). Other failures stay as classified.
 */
export function refreshRefusal(error: unknown, platform: RefreshablePlatform): unknown {
	if (!(error instanceof GraphError)) return error;
	if (error.errorClass !== 'auth' && error.errorClass !== 'badRequest' && error.errorClass !== 'permission') return error;
	const { label } = PLATFORM_FACTS[platform];
	const renew = `Get a new ${label} token (log in through the app again), exchange it for a long-lived one (Exchange for Long-Lived Token), save it in the credential, and refresh it on a schedule well before its 60 days end.`;
	if (saysExpired(error.subcode, error.metaMessage)) {
		return error.derive({
			summary: `Meta refused to refresh this ${label} token: it has expired, and only unexpired tokens can be refreshed.`,
			description: renew,
		});
	}
	if (TOO_EARLY.test(error.metaMessage ?? '')) {
		return error.derive({
			summary: `Meta refused to refresh this ${label} token: it is less than 24 hours old. The token itself still works.`,
			description: 'Run the refresh again once the token is a day old; a weekly schedule is plenty (a refreshed token lives 60 days).',
		});
	}
	if (isOtherBadRequest(error)) return error;
	return error.derive({
		summary: `Meta refused to refresh this ${label} token. ${error.summary}`,
		description: `Meta refreshes only a long-lived ${label} token that is at least 24 hours old, has not expired and carries ${PLATFORM_FACTS[platform].basicPermission}: a short-lived token must be exchanged first (Exchange for Long-Lived Token), and the account must be a tester of an app that is not live yet. If the token was revoked or has expired: ${renew}`,
	});
}

// A request Meta found malformed for a reason of its own (a parameter missing or wrong), as opposed
// to the generic code 100 refusal these token endpoints answer for every token they will not take
// ("Unsupported request - method type: get": an already long-lived token, a short-lived one, one
// under 24 hours old, an account that is not a tester; see the Graph double's sources).
const MISSING_PARAMETER = /\bparameter \S+ is required\b|\bmissing\b.*\bparameter\b/i;

function isOtherBadRequest(error: GraphError): boolean {
	return error.errorClass === 'badRequest' && (error.code !== 100 || MISSING_PARAMETER.test(error.metaMessage ?? ''));
}

/**
 * Meta's refusal of an exchange, in words saying what happened and what to do: the endpoint answers
 * the same code 100 for a token already long-lived, a short-lived token that expired (after an
 * hour) or came from another app, and an account that is not a tester of an app not yet live.
 */
export function exchangeRefusal(error: unknown, platform: RefreshablePlatform): unknown {
	if (!(error instanceof GraphError)) return error;
	if (error.errorClass !== 'auth' && error.errorClass !== 'badRequest' && error.errorClass !== 'permission') return error;
	if (isOtherBadRequest(error)) return error;
	const { label } = PLATFORM_FACTS[platform];
	return error.derive({
		summary: `Meta refused to exchange this ${label} token. ${error.summary}`,
		description: `Meta exchanges only a short-lived ${label} token (valid about an hour after the login) of the app whose App Secret the credential holds; a token that is already long-lived needs Refresh Long-Lived Token instead, and while the app is not live the account must be one of its testers. Log in through the app again and exchange the new token within the hour.`,
	});
}
