/**
 * Meta's error envelope and the wording of the errors the double answers. Messages are Meta's own
 * where Meta's documentation (Graph API "Handling Errors", debug_token, access tokens) or publicly
 * reported real answers quote them, because clients are tempted to match on them. Sources:
 * tools/graph-double/README.md.
 */
import { randomBytes } from 'crypto';

import type { Answer, InvalidationReason } from './model';

export const JSON_CONTENT_TYPE = 'application/json; charset=UTF-8';

export interface GraphErrorFields {
	code: number;
	subcode?: number;
	message: string;
	/** Meta uses OAuthException for nearly everything, GraphMethodException for unknown objects. */
	type?: string;
	isTransient?: boolean;
	/** Meta's words for the end user (`error_user_title`, `error_user_msg`), when it writes any. */
	userTitle?: string;
	userMessage?: string;
}

export function fbtraceId(): string {
	return randomBytes(18).toString('base64url').slice(0, 23);
}

export function jsonAnswer(body: unknown, status = 200): Answer {
	return { status, headers: { 'content-type': JSON_CONTENT_TYPE }, body: JSON.stringify(body) };
}

export function errorAnswer(status: number, error: GraphErrorFields): Answer {
	return jsonAnswer(
		{
			error: {
				message: error.message,
				type: error.type ?? 'OAuthException',
				code: error.code,
				...(error.subcode === undefined ? {} : { error_subcode: error.subcode }),
				fbtrace_id: fbtraceId(),
				is_transient: error.isTransient ?? false,
				...(error.userTitle === undefined ? {} : { error_user_title: error.userTitle }),
				...(error.userMessage === undefined ? {} : { error_user_msg: error.userMessage }),
			},
		},
		status,
	);
}

/** Every malformed call answers HTTP 400 with code 100, as Meta does. */
export function invalidParameter(message: string): Answer {
	return errorAnswer(400, { code: 100, message });
}

export function missingParameter(name: string): Answer {
	return invalidParameter(`(#100) The parameter ${name} is required`);
}

export const UNPARSABLE_TOKEN: GraphErrorFields = {
	code: 190,
	message: 'Invalid OAuth access token - Cannot parse access token',
};

export const BAD_APP_TOKEN_SIGNATURE: GraphErrorFields = {
	code: 190,
	message: 'Invalid OAuth access token signature.',
};

export function missingToken(): Answer {
	return errorAnswer(400, {
		code: 2500,
		message: 'An active access token must be used to query information about the current user.',
	});
}

export function proofMissing(): Answer {
	return invalidParameter('API calls from the server require an appsecret_proof argument');
}

export function proofInvalid(): Answer {
	return invalidParameter('Invalid appsecret_proof provided in the API argument');
}

/**
 * A client_secret that is not the app's. Meta answers it with code 1 (not 100), as users pasted
 * it (github.com/facebookarchive/php-graph-sdk/issues/538:
 * `{"error":{"message":"Error validating client secret.","type":"OAuthException","code":1,…}}`).
 */
export function badClientSecret(): Answer {
	return errorAnswer(400, { code: 1, message: 'Error validating client secret.' });
}

/**
 * Meta's answer to a path it does not know under a version, e.g. a version written without its
 * "v" (github.com/RealmTeam/django-rest-framework-social-oauth2/issues/180:
 * `{"error":{"message":"Unknown path components: /me","type":"OAuthException","code":2500,…}}`).
 */
export function unknownPath(path: string): GraphErrorFields {
	return { code: 2500, message: `Unknown path components: ${path}` };
}

/** Meta's answer to a path it does not serve (or an object the token cannot see). */
export function unsupportedRequest(method: string, path: string): Answer {
	const objectId = path.split('/')[1] ?? '';
	return errorAnswer(400, {
		code: 100,
		subcode: 33,
		type: 'GraphMethodException',
		message:
			`Unsupported ${method.toLowerCase()} request. Object with ID '${objectId}' does not exist, ` +
			'cannot be loaded due to missing permissions, or does not support this operation. ' +
			'Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api',
	});
}

/**
 * The Marketing API refuses calls without a version with the "deprecated version" error; the
 * double answers a version it does not serve the same way (an assumption: Meta's exact answer to
 * a version that never existed is not on record in the reference).
 */
export function unsupportedVersion(): Answer {
	return errorAnswer(400, {
		code: 2635,
		message:
			'(#2635) You are calling a deprecated version of the Ads API. Please update to the latest version: v25.0.',
	});
}

const PACIFIC_TIME = new Intl.DateTimeFormat('en-US', {
	timeZone: 'America/Los_Angeles',
	weekday: 'long',
	day: '2-digit',
	month: 'short',
	year: '2-digit',
	hour: '2-digit',
	minute: '2-digit',
	second: '2-digit',
	hourCycle: 'h23',
	timeZoneName: 'short',
});

/** Meta's date format in expiry messages: `Friday, 18-Aug-23 10:00:00 PDT` (Pacific time). */
export function pacificTime(unixSeconds: number): string {
	const part: Record<string, string> = {};
	for (const { type, value } of PACIFIC_TIME.formatToParts(new Date(unixSeconds * 1000))) {
		part[type] = value;
	}
	return (
		`${part.weekday}, ${part.day}-${part.month}-${part.year} ` +
		`${part.hour}:${part.minute}:${part.second} ${part.timeZoneName}`
	);
}

export function expiredTokenError(expiresAt: number, now: number, subcode = 463): GraphErrorFields {
	return {
		code: 190,
		subcode,
		message:
			`Error validating access token: Session has expired on ${pacificTime(expiresAt)}. ` +
			`The current time is ${pacificTime(now)}.`,
	};
}

/** The error a token killed for `reason` answers with ever after (expiry is computed instead). */
export function deadTokenError(
	reason: Exclude<InvalidationReason, 'expired'>,
	appId: string,
): GraphErrorFields & { subcode: number } {
	const prefix = 'Error validating access token: ';
	switch (reason) {
		case 'passwordChanged':
			return {
				code: 190,
				subcode: 460,
				message:
					prefix +
					'The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
			};
		case 'revoked':
			return {
				code: 190,
				subcode: 458,
				message: `${prefix}The user has not authorized application ${appId}.`,
			};
		case 'checkpoint':
			return {
				code: 190,
				subcode: 459,
				message:
					prefix +
					'You cannot access the app till you log in to www.facebook.com and follow the instructions given.',
			};
		case 'noPageRole':
			return {
				code: 190,
				subcode: 492,
				message:
					prefix +
					'The user must be an administrator, editor, or moderator of the page in order to impersonate it.',
			};
		case 'inactive':
			return {
				code: 190,
				subcode: 493,
				message: `${prefix}The session was invalidated because the user has been inactive for 90 days.`,
			};
		case 'invalid':
			return {
				code: 190,
				subcode: 467,
				message: `${prefix}The session is invalid because the user logged out.`,
			};
	}
}

const RATE_LIMIT_CODES = new Set([4, 17, 32, 341, 613]);

export function isRateLimitCode(code: number): boolean {
	return RATE_LIMIT_CODES.has(code) || (code >= 80000 && code <= 80014);
}

/** Meta's wording for the codes tests are likely to inject. */
export function defaultMessage(code: number): string {
	switch (code) {
		case 1:
			return 'An unknown error occurred';
		case 2:
			return 'An unexpected error has occurred. Please retry your request later.';
		// github.com/facebook/facebook-php-business-sdk/issues/266
		case 3:
			return '(#3) Application does not have the capability to make this API call.';
		case 4:
			return '(#4) Application request limit reached';
		case 10:
			return '(#10) Application does not have permission for this action';
		case 17:
			return '(#17) User request limit reached';
		case 32:
			return '(#32) Page request limit reached';
		case 100:
			return '(#100) Invalid parameter';
		case 102:
			return 'Error validating access token: Session key invalid or no longer valid';
		case 190:
			return UNPARSABLE_TOKEN.message;
		case 200:
			return '(#200) Requires business_management permission to manage the object';
		case 341:
			return '(#341) Application limit reached';
		case 368:
			return '(#368) The action attempted has been deemed abusive or is otherwise disallowed';
		case 613:
			return '(#613) Calls to this api have exceeded the rate limit.';
		case 2500:
			return 'An active access token must be used to query information about the current user.';
	}
	if (code >= 80000 && code <= 80014) {
		return (
			`(#${code}) There have been too many calls to this ad-account. Wait a bit and try again. ` +
			'For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting#ads-management.'
		);
	}
	return `(#${code}) Simulated Graph API error`;
}

/**
 * HTTP status Meta tends to pair with a code. Deliberately not uniform, so that clients that
 * classify by status instead of by code fail the tests.
 */
export function defaultStatus(code: number): number {
	if (code === 1 || code === 2) return 500;
	if (code === 4 || code === 10 || (code >= 200 && code <= 299)) return 403;
	return 400;
}

// --- graph.instagram.com and graph.threads.net ------------------------------------------------
// Their token errors (190) come as `OAuthException`, as at graph.facebook.com: a user pasted
// `{"error":{"message":"Error validating access token: Session has expired on …","type":"OAuthException","code":190,"error_subcode":0,…}}`
// from graph.instagram.com (github.com/Msameim181/n8n-nodes-instagram-integrations/issues/8).
// graph.instagram.com names its other errors `IGApiException` (github.com/restfb/restfb/issues/1558:
// `{"error":{"message":"Unknown path components: \/impressions\/day","type":"IGApiException","code":2500,…}}`).
// No Threads answer with a type of its own (a `THApiException`) is on record: Threads errors use
// `OAuthException`, Meta's general format (an assumption).

/** The `type` of a graph.instagram.com / graph.threads.net error that is not about the token. */
export function platformErrorType(platform: 'instagram' | 'threads'): string {
	return platform === 'instagram' ? 'IGApiException' : 'OAuthException';
}

/**
 * What graph.instagram.com answered users whose token it would not serve at its token endpoints:
 * `{"error":{"message":"Unsupported request - method type: get","type":"IGApiException","code":100,"fbtrace_id":…}}`
 * from the ig_exchange_token call (github.com/chatwoot/chatwoot/issues/14932, verbatim; users
 * traced it to an account that is not a tester of the app), the same message from
 * `GET /refresh_access_token` (github.com/stevenschobert/instafeed.js/issues/654). Meta
 * documents no error for a refresh under 24 hours, a short-lived token sent to refresh or a
 * long-lived one sent to exchange; the double answers those with this refusal — an assumption,
 * the only refusal of these endpoints on record. Threads: the same words, type OAuthException.
 */
export function tokenEndpointRefusal(platform: 'instagram' | 'threads'): Answer {
	return errorAnswer(400, {
		code: 100,
		type: platformErrorType(platform),
		message: 'Unsupported request - method type: get',
	});
}

/**
 * A path the host does not serve under its version (graph.instagram.com's own answer, restfb
 * issue 1558 above; graph.threads.net answers the same way — an assumption).
 */
export function platformUnknownPath(platform: 'instagram' | 'threads', path: string): Answer {
	return errorAnswer(400, { ...unknownPath(path), type: platformErrorType(platform) });
}

/** A parameter Meta's page marks required, missing (Meta's general code-100 format). */
export function platformMissingParameter(platform: 'instagram' | 'threads', name: string): Answer {
	return errorAnswer(400, {
		code: 100,
		type: platformErrorType(platform),
		message: `(#100) The parameter ${name} is required`,
	});
}
