/**
 * Meta's error codes and subcodes, and what each one means: the facts every classification in
 * the package reads. Their own file so that the Graph layer (classify.ts) and the policy layer
 * (a `debug_token` answer's `data.error`) judge a code by the same table, never by a copy of it;
 * why a token died (the OAuth subcodes) is in authReasons.ts.
 */
import { authReasonOfSubcode } from './authReasons';

/** What an error code says, before any message, status or header is read. */
type MetaCodeKind =
	| 'auth'
	| 'permission'
	| 'capability'
	| 'rateLimit'
	| 'transient'
	| 'policy'
	| 'invalidParameter'
	| 'version';

/** Codes by kind; a pair is an inclusive range. */
const CODE_TABLE: ReadonlyArray<[MetaCodeKind, ReadonlyArray<number | readonly [number, number]>]> = [
	['auth', [190, 102, 2500]],
	['permission', [10, [200, 299]]],
	// "(#3) Application does not have the capability to make this API call": the app lacks a
	// product, an access level or a review, which no new token changes.
	['capability', [3]],
	// 80000–80014: the business-use-case limits (ads management, insights, pages, …).
	['rateLimit', [4, 17, 32, 341, 613, [80000, 80014]]],
	['transient', [1, 2]],
	['policy', [368]],
	['invalidParameter', [100]],
	// "You are calling a deprecated version": the credential's Graph API Version is not served.
	['version', [2635]],
];

/** The kind of a Graph error code, or undefined for a code the table does not know. */
function metaCodeKind(code: number | null | undefined): MetaCodeKind | undefined {
	if (typeof code !== 'number') return undefined;
	for (const [kind, codes] of CODE_TABLE) {
		const listed = codes.some((entry) =>
			typeof entry === 'number' ? entry === code : code >= entry[0] && code <= entry[1],
		);
		if (listed) return kind;
	}
	return undefined;
}

/**
 * Whether a code means "try again later" and why: a rate limit or a temporary fault, else null.
 * Says nothing about the token itself, which is why a `debug_token` answer carrying one is a
 * failed check rather than a verdict.
 */
export function retryableClassOfCode(code: number): 'rateLimit' | 'transient' | null {
	const kind = metaCodeKind(code);
	return kind === 'rateLimit' || kind === 'transient' ? kind : null;
}

/** Code 368 with this subcode is Meta's "You're going too fast" block: a throttle, not a policy verdict. */
export const TOO_FAST_SUBCODE = 1390008;

/**
 * What an error answer says once its message and flags are read too: the code's kind, refined
 * where Meta reuses one code for causes with different fixes.
 */
type MetaErrorKind =
	| MetaCodeKind
	/** A missing or wrong appsecret_proof (sent as code 100, sometimes 190). */
	| 'proof'
	/** "Error validating client secret": the App Secret sent as client_secret is not the app's. */
	| 'wrongAppSecret'
	/** "Application Secret required for this endpoint": the call needs the app token or the app secret. */
	| 'appSecretRequired'
	/** "Unknown path components": the path or its version is wrong; the token is not the matter. */
	| 'unknownPath'
	/** An auth code whose message asks for permissions ("… permission(s) must be granted"). */
	| 'permissionByMessage'
	/** Code 368 with subcode 1390008: throttled for going too fast. */
	| 'tooFast'
	/** A code whose answer says `is_transient: false`: never retried as a temporary fault. */
	| 'notTransient';

/** Messages that decide the cause, however the code reads; the first that matches wins. */
const MESSAGE_KINDS: ReadonlyArray<[RegExp, MetaErrorKind]> = [
	// "appsecret_proof", "app secret proof", "appsecret proof", "app_secret_proof"…
	[/app[\s_-]?secret[\s_-]?proof/i, 'proof'],
	[/error validating client secret/i, 'wrongAppSecret'],
	[/application secret required/i, 'appSecretRequired'],
	[/unknown path components/i, 'unknownPath'],
];

/** Auth-code messages that are about a missing permission, not about the token's life. */
const PERMISSION_MESSAGE = /permissions?(\(s\))? must be granted|requires? (the )?[a-z]+(?:_[a-z]+)+ permission/i;

/** The parts of a Graph error answer that decide its kind. */
interface MetaErrorFacts {
	code?: number | null;
	subcode?: number | null;
	message?: string | null;
	/** `is_transient` as Meta sent it; undefined when absent. */
	isTransient?: boolean;
}

/**
 * The kind of a Graph error answer. The order is Meta's own: an OAuth subcode first (whatever the
 * code), then the 368 throttle subcode, then messages that name a cause the code does not
 * (proof, client secret, app-secret endpoints, unknown paths), then the code — where an auth code
 * that asks for permissions is a permission problem, and a code that is temporary by the table
 * is not when Meta says `is_transient: false`.
 */
export function metaErrorKind(facts: MetaErrorFacts): MetaErrorKind | undefined {
	if (authReasonOfSubcode(facts.subcode)) return 'auth';
	const kind = metaCodeKind(facts.code);
	if (kind === 'policy' && facts.subcode === TOO_FAST_SUBCODE) return 'tooFast';
	const message = facts.message ?? '';
	// A rate limit stays one whatever its text; everything else may be named by its message.
	if (kind !== 'rateLimit') {
		const byMessage = MESSAGE_KINDS.find(([pattern]) => pattern.test(message))?.[1];
		if (byMessage) return byMessage;
	}
	if (kind === 'auth' && PERMISSION_MESSAGE.test(message)) return 'permissionByMessage';
	if (facts.isTransient === false && (kind === 'transient' || kind === undefined)) return 'notTransient';
	return kind;
}
