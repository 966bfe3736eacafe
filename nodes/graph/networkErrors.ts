/**
 * Transports that rejected: no HTTP answer came. What may be shown of such an error (its system
 * error codes, never its message, which may hold the request and the token) and whether the
 * request surely never reached Meta. Its own file because it reads Node's and axios' errors, not
 * Meta's answers; classify.ts words what Meta said.
 */
import { GraphError } from './GraphError';

/** A system error code (ECONNRESET, EAI_AGAIN, ERR_TLS_CERT_ALTNAME_INVALID): safe to show. */
const SAFE_ERROR_CODE = /^[A-Z][A-Z0-9_]{2,40}$/;
/** fetch and HTTP stacks wrap the system error in `cause`; this deep, no further. */
const CAUSE_DEPTH = 3;

/** The error and the `cause`s it wraps, outermost first. */
function* causeChain(error: unknown): Generator<{ code?: unknown; name?: unknown }> {
	let current: unknown = error;
	for (let depth = 0; depth < CAUSE_DEPTH && typeof current === 'object' && current !== null; depth++) {
		const link = current as { code?: unknown; name?: unknown; cause?: unknown };
		yield link;
		current = link.cause;
	}
}

function safeCode(link: { code?: unknown }): string | undefined {
	return typeof link.code === 'string' && SAFE_ERROR_CODE.test(link.code) ? link.code : undefined;
}

/**
 * The outermost system error code (ECONNREFUSED…) in an error or the causes it wraps, or
 * undefined. The only thing of a raw HTTP error that may be shown: its message and properties
 * may hold the request, its headers and the token.
 */
export function systemErrorCode(error: unknown): string | undefined {
	for (const link of causeChain(error)) {
		const code = safeCode(link);
		if (code) return code;
	}
	return undefined;
}

/**
 * System errors raised before a request can have left: the connection was refused, or the host
 * name did not resolve. A timeout or a reset can come after the request was sent (and acted on).
 */
const NOT_SENT_CODES: ReadonlySet<string> = new Set([
	'ECONNREFUSED',
	'ENOTFOUND',
	'EAI_AGAIN',
	'EAI_NONAME',
	'EAI_NODATA',
	'ENETUNREACH',
	'EHOSTUNREACH',
	'EADDRNOTAVAIL',
]);

/** No answer within the timeout: fetch's abort, Node's and axios' (n8n's) timeout codes. */
const TIMEOUT_CODES: ReadonlySet<string> = new Set(['timeout', 'ETIMEDOUT', 'ECONNABORTED', 'ESOCKETTIMEDOUT']);

/**
 * A transport that rejected: no HTTP answer came. Only system error codes (and whether it timed
 * out) are kept from the raw error; they tell whether the request surely never reached Meta.
 */
export function classifyNetworkError(cause: unknown, secrets: readonly string[]): GraphError {
	const codes = new Set<string>();
	for (const link of causeChain(cause)) {
		const code = safeCode(link);
		if (code) codes.add(code);
		if (link.name === 'TimeoutError' || link.name === 'AbortError') codes.add('timeout');
	}
	const neverReachedMeta = codes.size > 0 && [...codes].every((code) => NOT_SENT_CODES.has(code));
	const timedOut = [...codes].some((code) => TIMEOUT_CODES.has(code));
	const detail = codes.size > 0 ? ` (${[...codes].join(', ')})` : '';
	return new GraphError({
		errorClass: 'network',
		summary: neverReachedMeta
			? `The Graph API could not be reached: the connection was refused or the host name did not resolve${detail}.`
			: `The Graph API could not be reached: the connection failed or timed out${detail}.`,
		description:
			"Check n8n's network access to the credential's Base URL (DNS, firewall, proxy), then run it again.",
		neverReachedMeta,
		timedOut,
		secrets,
	});
}
