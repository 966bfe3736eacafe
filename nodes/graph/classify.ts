/**
 * Turns every answer that failed into a GraphError that says what happened and what to do: Meta's
 * error envelopes (by code and subcode, never by HTTP status) and answers that are not a Graph
 * envelope (transports that rejected: networkErrors.ts). Its own file because this is where the user-facing wording lives;
 * the facts it judges by are in meta/errorCodes.ts and meta/authReasons.ts, the waits in usage.ts.
 */
import { AUTH_REASON_TEXT, authReason } from '../meta/authReasons';
import { metaErrorKind } from '../meta/errorCodes';
import { GraphError } from './GraphError';
import type { AuthReason, GraphErrorClass } from '../meta/types';
import type { GraphHttpResponse } from './http';
import { durationWords, limitHit, limitWords, type LimitHit } from './usage';
import { isRecord, optionalNumber, optionalString } from '../meta/wire';

/** The `error` object of a Graph API answer. */
export interface GraphErrorEnvelope {
	message?: string;
	type?: string;
	code?: number;
	error_subcode?: number;
	fbtrace_id?: string;
	error_user_title?: string;
	error_user_msg?: string;
	is_transient?: boolean;
}

export interface ClassifyContext {
	httpStatus?: number;
	headers?: GraphHttpResponse['headers'];
	nowMs: number;
	secrets: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Graph error envelopes

/** Permission names look like `business_management`, `ads_read`, `pages_read_engagement`. */
const PERMISSION_NAME = '([a-z]+(?:_[a-z]+)+)';
const PERMISSION_PATTERNS = [
	new RegExp(`\\b${PERMISSION_NAME}['"]?\\s+permission`, 'gi'),
	new RegExp(`permissions?\\s*(?:[:(]|is)?\\s*['"]?${PERMISSION_NAME}`, 'gi'),
];

/** "Any of the pages_read_engagement, pages_show_list or pages_messaging permission(s) must be granted". */
const ANY_OF_PERMISSIONS = /any of the\s+((?:[a-z]+(?:_[a-z]+)+(?:\s*,\s*|\s+or\s+))+[a-z]+(?:_[a-z]+)+)\s+permission/i;

/** Permissions the message names, e.g. "Requires business_management permission". */
function permissionsNamed(message: string): string[] {
	const names = new Set<string>();
	const anyOf = ANY_OF_PERMISSIONS.exec(message);
	for (const name of anyOf?.[1].split(/\s*,\s*|\s+or\s+/) ?? []) names.add(name.toLowerCase());
	for (const pattern of PERMISSION_PATTERNS) {
		for (const match of message.matchAll(pattern)) names.add(match[1].toLowerCase());
	}
	return [...names];
}

interface Explained {
	errorClass: GraphErrorClass;
	reason?: AuthReason;
	summary: string;
	description: string;
}

const PROOF_TEXT: Explained = {
	errorClass: 'proofRequired',
	summary:
		'Meta refused the call for lack of a valid appsecret_proof: the app has "Require App Secret" on (App Settings → Advanced), so every server call must be signed with the app secret.',
	description:
		"Fill in the credential's App Secret with this app's secret and set App Secret Proof to Auto (or Timestamped). If it is already filled in, check that it is the secret of the token's app and was not reset. Or turn \"Require App Secret\" off in the app's settings.",
};

const WRONG_APP_SECRET_TEXT: Explained = {
	errorClass: 'appSecret',
	summary:
		"Meta refused the credential's App Secret (\"Error validating client secret\"): it is not the secret of this App ID, or it was reset.",
	description:
		"Copy the App Secret again from the app's dashboard (App Settings → Basic) into the credential, with the App ID of the same app; running it again as it is will not help.",
};

const APP_SECRET_REQUIRED_TEXT: Explained = {
	errorClass: 'appSecret',
	summary:
		'Meta answered that this endpoint needs the application secret: it takes an app access token (app ID|App Secret), not a user or system-user token.',
	description:
		"Fill in the credential's App ID and App Secret so the call can be made with the app token; a new user token will not help.",
};

const UNKNOWN_PATH_TEXT: Explained = {
	errorClass: 'badRequest',
	summary:
		'Meta does not know the path this call asked for ("Unknown path components"): the URL or its Graph API version is wrong, not the token.',
	description:
		"Check the credential's Base URL (its platform's Graph host, e.g. https://graph.facebook.com, no path) and Graph API Version (e.g. v25.0, with the v), or the URL of the request; retrying the same request will not help.",
};

const CAPABILITY_TEXT: Explained = {
	errorClass: 'permission',
	summary:
		'The Meta app does not have the capability for this call: a product, an access level or an App Review approval is missing on the app, not on the token.',
	description:
		"In the app's dashboard add the product this call belongs to (e.g. Marketing API) and request the access it needs (App Review → Permissions and Features); a new token will not help until the app has it.",
};

const POLICY_TEXT: Explained = {
	errorClass: 'policy',
	summary: 'Meta blocked the call for a policy reason (the account or app is restricted).',
	description:
		'Check Account Quality in Meta Business Suite and the app dashboard for restrictions; retrying will not help.',
};

const TRANSIENT_TEXT: Explained = {
	errorClass: 'transient',
	summary: 'Meta had a temporary problem answering the call.',
	description: 'Run it again in a few minutes; if it keeps failing, check https://metastatus.com.',
};

const VERSION_TEXT: Explained = {
	errorClass: 'badRequest',
	summary: "Meta refused the Graph API version this credential asks for: it is unknown or no longer served.",
	description:
		"Set the credential's Graph API Version to a current one (e.g. v25.0; see Meta's changelog for the versions served); every call with this version will be refused.",
};

const BAD_REQUEST_TEXT: Explained = {
	errorClass: 'badRequest',
	summary: 'Meta rejected the request as invalid.',
	description:
		"Check the operation's inputs (ids, scopes, token) against Meta's message below; retrying the same request will not help.",
};

/**
 * A rate limit in words: which limit, and how long Meta asked to wait for it. The sender adds how
 * that compares with what the run may still wait (see GraphSender).
 */
function rateLimitText(hit: LimitHit): Explained {
	const wait = hit.waitMs === undefined ? '' : ` Meta asked to wait ${durationWords(hit.waitMs)}.`;
	const when = hit.waitMs === undefined ? 'in a while' : `after ${durationWords(hit.waitMs)}`;
	return {
		errorClass: 'rateLimit',
		summary: `Meta is rate-limiting these calls: ${limitWords(hit)} was reached.${wait}`,
		description: `Run it again ${when}, and spread the calls out (fewer items per run or a longer schedule).`,
	};
}

function permissionText(message: string): Explained {
	const names = permissionsNamed(message);
	// Meta sometimes asks for any one of several: granting one of them is enough.
	const oneOf = names.length > 1 && ANY_OF_PERMISSIONS.test(message) ? 'one of ' : '';
	const what = names.length > 0 ? `${oneOf}the ${names.join(', ')} permission` : 'a permission';
	return {
		errorClass: 'permission',
		summary: `The token lacks ${what} this call needs, or it was removed.`,
		description:
			names.length > 0
				? `Grant ${oneOf}${names.join(', ')} to the token (for a system user, assign it in Business Settings; for a user, log in again and accept it), regenerate the token and update the credential.`
				: "Check the token's scopes (the Meta Token node's Inspect lists them where Meta tells them), grant the missing permission, regenerate the token and update the credential.",
	};
}

function explainEnvelope(envelope: GraphErrorEnvelope, httpStatus: number | undefined, hit: LimitHit): Explained {
	const message = envelope.message ?? '';
	const kind = metaErrorKind({
		code: envelope.code,
		subcode: envelope.error_subcode,
		message,
		isTransient: envelope.is_transient,
	});
	// Classes that no retry can fix come first, so an `is_transient: true` cannot override them.
	switch (kind) {
		case 'auth': {
			const reason = authReason(envelope.error_subcode, message);
			const { summary, description } = AUTH_REASON_TEXT[reason];
			return { errorClass: 'auth', reason, summary, description };
		}
		case 'permission':
		case 'permissionByMessage':
			return permissionText(message);
		case 'capability':
			return CAPABILITY_TEXT;
		case 'proof':
			return PROOF_TEXT;
		case 'wrongAppSecret':
			return WRONG_APP_SECRET_TEXT;
		case 'appSecretRequired':
			return APP_SECRET_REQUIRED_TEXT;
		case 'unknownPath':
			return UNKNOWN_PATH_TEXT;
		case 'policy':
			return POLICY_TEXT;
		case 'rateLimit':
		case 'tooFast':
			return rateLimitText(hit);
		case 'version':
			return VERSION_TEXT;
		case 'notTransient':
			return BAD_REQUEST_TEXT;
		case 'transient':
			return TRANSIENT_TEXT;
	}
	if (envelope.is_transient === true) return TRANSIENT_TEXT;
	// Code 100 is a bad parameter whatever the status; an unknown code on a 5xx is Meta's trouble.
	if (kind !== 'invalidParameter' && httpStatus !== undefined && httpStatus >= 500) return TRANSIENT_TEXT;
	return BAD_REQUEST_TEXT;
}

/** Meta's own words for the reader (`error_user_title: error_user_msg`), when it wrote any. */
function userWords(envelope: GraphErrorEnvelope): string | undefined {
	const title = envelope.error_user_title?.trim();
	const text = envelope.error_user_msg?.trim();
	if (title && text) return `${title}: ${text}`;
	return title || text || undefined;
}

/** The GraphError for a Graph error envelope, classified by code and subcode, never by HTTP status. */
export function classifyGraphError(envelope: GraphErrorEnvelope, context: ClassifyContext): GraphError {
	const hit = limitHit(envelope.code, context.headers, context.nowMs, envelope.error_subcode);
	const explained = explainEnvelope(envelope, context.httpStatus, hit);
	// Meta writes error_user_title/error_user_msg for exactly the person reading this message.
	const metaText = [envelope.message, userWords(envelope)]
		.filter((text): text is string => typeof text === 'string' && text.trim() !== '')
		.join(' — ');
	return new GraphError({
		...explained,
		code: envelope.code,
		subcode: envelope.error_subcode,
		httpStatus: context.httpStatus,
		fbtraceId: envelope.fbtrace_id,
		metaMessage: metaText || undefined,
		retryAfterMs: explained.errorClass === 'rateLimit' ? hit.waitMs : undefined,
		secrets: context.secrets,
	});
}

/**
 * The Graph error envelope of a parsed answer, or undefined when there is none. Tolerates numeric
 * strings and the bare `{"error": "text"}` some OAuth endpoints answer.
 */
export function errorEnvelopeOf(body: unknown): GraphErrorEnvelope | undefined {
	if (!isRecord(body) || !('error' in body)) return undefined;
	const error = body.error;
	if (typeof error === 'string') {
		return { message: optionalString(body.error_description) ?? error };
	}
	if (!isRecord(error)) return undefined;
	return {
		message: optionalString(error.message),
		type: optionalString(error.type),
		code: optionalNumber(error.code),
		error_subcode: optionalNumber(error.error_subcode),
		fbtrace_id: optionalString(error.fbtrace_id),
		error_user_title: optionalString(error.error_user_title),
		error_user_msg: optionalString(error.error_user_msg),
		// Absent and false differ: false is Meta saying a retry will not help.
		is_transient: typeof error.is_transient === 'boolean' ? error.is_transient : undefined,
	};
}

// ---------------------------------------------------------------------------------------------
// Answers that are not a Graph envelope

export type BadAnswerKind = 'html' | 'empty' | 'malformedJson' | 'noEnvelope' | 'unexpectedShape';

const BAD_ANSWER_TEXT: Record<BadAnswerKind, string> = {
	html: 'The Graph API answered with an HTML page instead of JSON (typically a proxy, firewall or captive portal in between).',
	empty: 'The Graph API answered with an empty body.',
	malformedJson: 'The Graph API answered with text that is not valid JSON (the answer may have been cut off).',
	noEnvelope: 'The Graph API answered with an error status but no Graph error in the body.',
	unexpectedShape: 'The Graph API answer did not have the expected shape.',
};

/**
 * An answer with no Graph error envelope in it, judged by HTTP status since nothing else is left.
 *
 * Decision: a 5xx is `transient` whatever its body (HTML from a load balancer, empty, not JSON) —
 * these are gateway and server hiccups that a retry usually gets past. A 429 is `rateLimit`
 * (a proxy throttling us), honouring `retry-after`. Anything else without usable JSON is
 * `badResponse` and is not retried: a 200 with an HTML page or a cut-off body points at something
 * between us and Meta (a proxy, a wrong Base URL) that the same request will hit again.
 */
export function classifyBadAnswer(
	kind: BadAnswerKind,
	context: ClassifyContext & { detail?: string },
): GraphError {
	const status = context.httpStatus;
	const statusText = status === undefined ? '' : ` (HTTP ${status})`;
	if (status !== undefined && status >= 500) {
		return new GraphError({
			...TRANSIENT_TEXT,
			summary: `Meta's servers answered with an error${statusText} and no Graph error details.`,
			httpStatus: status,
			secrets: context.secrets,
		});
	}
	if (status === 429) {
		const hit = limitHit(undefined, context.headers, context.nowMs);
		return new GraphError({
			...rateLimitText(hit),
			httpStatus: status,
			retryAfterMs: hit.waitMs,
			secrets: context.secrets,
		});
	}
	const detail = context.detail ? ` ${context.detail}` : '';
	return new GraphError({
		errorClass: 'badResponse',
		summary: `${BAD_ANSWER_TEXT[kind]}${statusText}${detail}`,
		description:
			"Check the credential's Base URL and any proxy between n8n and Meta's Graph host, then run it again.",
		httpStatus: status,
		secrets: context.secrets,
	});
}
