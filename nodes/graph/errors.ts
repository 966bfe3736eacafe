import { scrubSecrets } from './redact';
import type { AuthReason, GraphErrorClass, GraphHttpResponse } from './types';

type Headers = GraphHttpResponse['headers'];

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

export interface GraphErrorInit {
	errorClass: GraphErrorClass;
	reason?: AuthReason;
	/** What happened, in plain words. */
	summary: string;
	/** What to do about it. */
	description: string;
	code?: number;
	subcode?: number;
	httpStatus?: number;
	fbtraceId?: string;
	metaMessage?: string;
	retryAfterMs?: number;
	/** Every secret the caller knows: scrubbed from summary, description and Meta's message. */
	secrets?: readonly string[];
}

/** What the node outputs for a failed item under Continue On Fail. */
export interface GraphErrorJson {
	class: GraphErrorClass;
	reason?: AuthReason;
	message: string;
	code?: number;
	subcode?: number;
}

const RETRYABLE: ReadonlySet<GraphErrorClass> = new Set(['rateLimit', 'transient', 'network']);

/** Every failure of the Graph layer: classified, explained, and free of secrets. */
export class GraphError extends Error {
	readonly errorClass: GraphErrorClass;
	readonly reason?: AuthReason;
	readonly code?: number;
	readonly subcode?: number;
	readonly httpStatus?: number;
	readonly fbtraceId?: string;
	/** Meta's own text, scrubbed of secrets. */
	readonly metaMessage?: string;
	readonly retryAfterMs?: number;
	/** What to do about it. */
	readonly description: string;
	readonly retryable: boolean;

	constructor(init: GraphErrorInit) {
		const secrets = init.secrets ?? [];
		const metaMessage =
			init.metaMessage === undefined ? undefined : scrubSecrets(init.metaMessage, secrets);
		const description = scrubSecrets(init.description, secrets);
		const said = metaMessage ? ` Meta said: "${metaMessage}"` : '';
		super(scrubSecrets(`${init.summary} ${init.description}`, secrets) + said);
		this.name = 'GraphError';
		this.errorClass = init.errorClass;
		this.reason = init.reason;
		this.code = init.code;
		this.subcode = init.subcode;
		this.httpStatus = init.httpStatus;
		this.fbtraceId = init.fbtraceId;
		this.metaMessage = metaMessage;
		this.retryAfterMs = init.retryAfterMs;
		this.description = description;
		this.retryable = RETRYABLE.has(init.errorClass);
	}

	toJSON(): GraphErrorJson {
		return {
			class: this.errorClass,
			reason: this.reason,
			message: this.message,
			code: this.code,
			subcode: this.subcode,
		};
	}
}

// ---------------------------------------------------------------------------------------------
// Usage headers

export interface AppUsage {
	call_count?: number;
	total_time?: number;
	total_cputime?: number;
}

export interface BusinessUseCaseUsage {
	type?: string;
	call_count?: number;
	total_time?: number;
	total_cputime?: number;
	/** Minutes until calls are accepted again. */
	estimated_time_to_regain_access?: number;
}

/** The rate-limit headers Meta sends, parsed; a header that is absent or not JSON is left out. */
export interface GraphUsage {
	app?: AppUsage;
	/** Keyed by business id. */
	businessUseCase?: Record<string, BusinessUseCaseUsage[]>;
	adAccount?: Record<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function headerValue(headers: Headers | undefined, name: string): string | undefined {
	const value = headers?.[name];
	return Array.isArray(value) ? value[0] : value;
}

function jsonHeader(headers: Headers | undefined, name: string): Record<string, unknown> | undefined {
	const raw = headerValue(headers, name);
	if (!raw) return undefined;
	try {
		const parsed: unknown = JSON.parse(raw);
		return isRecord(parsed) ? parsed : undefined;
	} catch {
		// A proxy may mangle the header; usage data is advisory, so a bad one is ignored.
		return undefined;
	}
}

export function parseUsageHeaders(headers: Headers | undefined): GraphUsage {
	const usage: GraphUsage = {};
	const app = jsonHeader(headers, 'x-app-usage');
	if (app) usage.app = app as AppUsage;
	const business = jsonHeader(headers, 'x-business-use-case-usage');
	if (business) {
		usage.businessUseCase = {};
		for (const [id, entries] of Object.entries(business)) {
			if (Array.isArray(entries)) usage.businessUseCase[id] = entries.filter(isRecord);
		}
	}
	const adAccount = jsonHeader(headers, 'x-ad-account-usage');
	if (adAccount) usage.adAccount = adAccount;
	return usage;
}

/**
 * How long Meta asks us to wait: the longest `estimated_time_to_regain_access` (minutes) across the
 * business-use-case entries, else `retry-after` (seconds or an HTTP date), else unknown.
 */
export function retryAfterMsFromHeaders(headers: Headers | undefined, nowMs: number): number | undefined {
	const minutes = Object.values(parseUsageHeaders(headers).businessUseCase ?? {})
		.flat()
		.map((entry) => Number(entry.estimated_time_to_regain_access))
		.filter((value) => Number.isFinite(value) && value > 0);
	if (minutes.length > 0) return Math.max(...minutes) * 60_000;

	const retryAfter = headerValue(headers, 'retry-after')?.trim();
	if (!retryAfter) return undefined;
	if (/^\d+(\.\d+)?$/.test(retryAfter)) return Number(retryAfter) * 1000;
	const date = Date.parse(retryAfter);
	return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

// ---------------------------------------------------------------------------------------------
// Classification of Graph error envelopes

const AUTH_CODES = new Set([190, 102, 2500]);
const RATE_LIMIT_CODES = new Set([4, 17, 32, 341, 613]);
const TRANSIENT_CODES = new Set([1, 2]);
const POLICY_CODE = 368;
const INVALID_PARAMETER_CODE = 100;

const AUTH_SUBCODES: Record<number, AuthReason> = {
	458: 'notAuthorized',
	459: 'checkpoint',
	460: 'passwordChanged',
	463: 'expired',
	464: 'invalid',
	467: 'invalid',
	492: 'noPageRole',
	493: 'inactive',
};

/** Meta has sent expired tokens with subcode 0 or none: then the message is all there is. */
const AUTH_MESSAGES: Array<[RegExp, AuthReason]> = [
	[/has expired/i, 'expired'],
	[/changed (their|the) password/i, 'passwordChanged'],
	[/has not authori[sz]ed application|invalidated explicitly|has been revoked|logged out/i, 'notAuthorized'],
	[/checkpoint/i, 'checkpoint'],
	[/page role|role on (the|this) page/i, 'noPageRole'],
	[/inactiv/i, 'inactive'],
];

const AUTH_TEXT: Record<AuthReason, { summary: string; description: string }> = {
	expired: {
		summary: 'The Meta access token has expired.',
		description:
			'Generate a new token (Graph API Explorer → exchange it for a long-lived one) or switch to a system-user token, then update the credential.',
	},
	passwordChanged: {
		summary:
			'The Meta access token was invalidated because the user changed their password or Meta reset the session for security reasons.',
		description:
			'Log in again and generate a new token (a system-user token is not affected by password changes), then update the credential.',
	},
	notAuthorized: {
		summary: 'The user has not authorised the Meta app, or has removed it, so the token no longer works.',
		description:
			'Have the user log in to the app again and grant its permissions, then put the new token in the credential.',
	},
	checkpoint: {
		summary: "Meta has put the user's account through a security checkpoint, so its tokens are blocked.",
		description:
			'The user must log in to Facebook and complete the checkpoint; then generate a new token and update the credential.',
	},
	noPageRole: {
		summary: 'The user no longer has a suitable role on the Page, so the Page token stopped working.',
		description:
			'Give the user a role on the Page (or use a system user assigned to the Page), fetch a new Page token and update the credential.',
	},
	inactive: {
		summary: 'The Meta access token was invalidated because the user has not used the app for 90 days.',
		description:
			'Log in again and generate a new token, or switch to a system-user token, then update the credential.',
	},
	invalid: {
		summary: 'The Meta access token is invalid: malformed, revoked, or not a token of this app.',
		description:
			'Check that the credential holds the complete token, or generate a new one, then update the credential.',
	},
};

/**
 * Why a token is dead, from Meta's error subcode (preferred) or its message. The one mapping for
 * the whole package: errors of any call and `debug_token`'s `data.error` are read the same way.
 */
export function authReason(subcode: number | null | undefined, message: string | null | undefined): AuthReason {
	const bySubcode = typeof subcode === 'number' ? AUTH_SUBCODES[subcode] : undefined;
	if (bySubcode) return bySubcode;
	const said = message ?? '';
	return AUTH_MESSAGES.find(([pattern]) => pattern.test(said))?.[1] ?? 'invalid';
}

/** Permission names look like `business_management`, `ads_read`, `pages_read_engagement`. */
const PERMISSION_NAME = '([a-z]+(?:_[a-z]+)+)';
const PERMISSION_PATTERNS = [
	new RegExp(`\\b${PERMISSION_NAME}['"]?\\s+permission`, 'gi'),
	new RegExp(`permissions?\\s*(?:[:(]|is)?\\s*['"]?${PERMISSION_NAME}`, 'gi'),
];

/** Permissions the message names, e.g. "Requires business_management permission". */
export function permissionsNamed(message: string): string[] {
	const names = new Set<string>();
	for (const pattern of PERMISSION_PATTERNS) {
		for (const match of message.matchAll(pattern)) names.add(match[1].toLowerCase());
	}
	return [...names];
}

function isRateLimitCode(code: number): boolean {
	return RATE_LIMIT_CODES.has(code) || (code >= 80000 && code <= 80014);
}

function isPermissionCode(code: number): boolean {
	return code === 10 || (code >= 200 && code <= 299);
}

function isProofMessage(message: string): boolean {
	return /appsecret_proof/i.test(message);
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

function rateLimitText(retryAfterMs: number | undefined): Explained {
	const wait =
		retryAfterMs === undefined
			? 'Wait a while before retrying'
			: `Meta expects access to return in about ${Math.max(1, Math.ceil(retryAfterMs / 60_000))} minute(s)`;
	return {
		errorClass: 'rateLimit',
		summary: 'Meta is rate-limiting calls for this app, user, Page or ad account.',
		description: `${wait}, and spread the calls out (fewer items per run or a longer schedule).`,
	};
}

function explainEnvelope(
	envelope: GraphErrorEnvelope,
	httpStatus: number | undefined,
	retryAfterMs: number | undefined,
): Explained {
	const code = envelope.code;
	const message = envelope.message ?? '';
	// Classes that no retry can fix come first, so an `is_transient` flag cannot override them.
	if (code !== undefined && AUTH_CODES.has(code)) {
		const reason = authReason(envelope.error_subcode, message);
		return { errorClass: 'auth', reason, ...AUTH_TEXT[reason] };
	}
	if (code !== undefined && isPermissionCode(code)) {
		const names = permissionsNamed(message);
		const what = names.length > 0 ? `the ${names.join(', ')} permission` : 'a permission';
		return {
			errorClass: 'permission',
			summary: `The token lacks ${what} this call needs, or it was removed.`,
			description:
				names.length > 0
					? `Grant ${names.join(', ')} to the token (for a system user, assign it in Business Settings; for a user, log in again and accept it), regenerate the token and update the credential.`
					: "Check the token's scopes (debug_token lists them), grant the missing permission, regenerate the token and update the credential.",
		};
	}
	if (code === INVALID_PARAMETER_CODE && isProofMessage(message)) return PROOF_TEXT;
	if (code === POLICY_CODE) {
		return {
			errorClass: 'policy',
			summary: 'Meta blocked the call for a policy reason (the account or app is restricted).',
			description:
				'Check Account Quality in Meta Business Suite and the app dashboard for restrictions; retrying will not help.',
		};
	}
	if (code !== undefined && isRateLimitCode(code)) return rateLimitText(retryAfterMs);
	if ((code !== undefined && TRANSIENT_CODES.has(code)) || envelope.is_transient === true) {
		return transientText();
	}
	// Code 100 is a bad parameter whatever the status; an unknown code on a 5xx is Meta's trouble.
	if (code !== INVALID_PARAMETER_CODE && httpStatus !== undefined && httpStatus >= 500) {
		return transientText();
	}
	return {
		errorClass: 'badRequest',
		summary: 'Meta rejected the request as invalid.',
		description:
			"Check the operation's inputs (ids, scopes, token) against Meta's message below; retrying the same request will not help.",
	};
}

function transientText(): Explained {
	return {
		errorClass: 'transient',
		summary: 'Meta had a temporary problem answering the call.',
		description: 'Run it again in a few minutes; if it keeps failing, check https://metastatus.com.',
	};
}

export interface ClassifyContext {
	httpStatus?: number;
	headers?: Headers;
	nowMs: number;
	secrets: readonly string[];
}

/** The GraphError for a Graph error envelope, classified by code and subcode, never by HTTP status. */
export function classifyGraphError(envelope: GraphErrorEnvelope, context: ClassifyContext): GraphError {
	const retryAfterMs = retryAfterMsFromHeaders(context.headers, context.nowMs);
	const explained = explainEnvelope(envelope, context.httpStatus, retryAfterMs);
	const metaText = [envelope.message, envelope.error_user_msg]
		.filter((text): text is string => typeof text === 'string' && text.trim() !== '')
		.join(' — ');
	return new GraphError({
		...explained,
		code: envelope.code,
		subcode: envelope.error_subcode,
		httpStatus: context.httpStatus,
		fbtraceId: envelope.fbtrace_id,
		metaMessage: metaText || undefined,
		retryAfterMs: explained.errorClass === 'rateLimit' ? retryAfterMs : undefined,
		secrets: context.secrets,
	});
}

function optionalNumber(value: unknown): number | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value === 'string' && /^\d+$/.test(value.trim())) return Number(value);
	return undefined;
}

function optionalString(value: unknown): string | undefined {
	return typeof value === 'string' ? value : undefined;
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
		is_transient: error.is_transient === true,
	};
}

// ---------------------------------------------------------------------------------------------
// Answers that are not a Graph envelope, and failed transports

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
			...transientText(),
			summary: `Meta's servers answered with an error${statusText} and no Graph error details.`,
			httpStatus: status,
			secrets: context.secrets,
		});
	}
	if (status === 429) {
		const retryAfterMs = retryAfterMsFromHeaders(context.headers, context.nowMs);
		return new GraphError({
			...rateLimitText(retryAfterMs),
			httpStatus: status,
			retryAfterMs,
			secrets: context.secrets,
		});
	}
	const detail = context.detail ? ` ${context.detail}` : '';
	return new GraphError({
		errorClass: 'badResponse',
		summary: `${BAD_ANSWER_TEXT[kind]}${statusText}${detail}`,
		description:
			"Check the credential's Base URL and any proxy between n8n and graph.facebook.com, then run it again.",
		httpStatus: status,
		secrets: context.secrets,
	});
}

const SAFE_ERROR_CODE = /^[A-Z][A-Z0-9_]{2,40}$/;

/**
 * A transport that rejected: no HTTP answer came. Only a system error code (ECONNRESET…) is kept
 * from the raw error — its message and properties may hold the request, headers and token.
 */
export function classifyNetworkError(cause: unknown, secrets: readonly string[]): GraphError {
	const codes = new Set<string>();
	// fetch wraps the system error in `cause`; look a few levels down, no further.
	let current: unknown = cause;
	for (let depth = 0; depth < 3 && typeof current === 'object' && current !== null; depth++) {
		const { code, name, cause: inner } = current as { code?: unknown; name?: unknown; cause?: unknown };
		if (typeof code === 'string' && SAFE_ERROR_CODE.test(code)) codes.add(code);
		if (name === 'TimeoutError' || name === 'AbortError') codes.add('timeout');
		current = inner;
	}
	const detail = codes.size > 0 ? ` (${[...codes].join(', ')})` : '';
	return new GraphError({
		errorClass: 'network',
		summary: `The Graph API could not be reached: the connection failed or timed out${detail}.`,
		description:
			"Check n8n's network access to the credential's Base URL (DNS, firewall, proxy); the call is retried automatically and can be run again.",
		secrets,
	});
}
