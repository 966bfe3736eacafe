/**
 * Meta's error codes and subcodes, and what each one means: the facts every classification in
 * the package reads. Their own file so that the Graph layer (classify.ts) and the policy layer
 * (a `debug_token` answer's `data.error`) judge a code by the same table, never by a copy of it.
 */
import type { AuthReason } from './types';

/** What an error code says, before any message, status or header is read. */
export type MetaCodeKind =
	| 'auth'
	| 'permission'
	| 'rateLimit'
	| 'transient'
	| 'policy'
	| 'invalidParameter'
	| 'version';

/** Codes by kind; a pair is an inclusive range. */
const CODE_TABLE: ReadonlyArray<[MetaCodeKind, ReadonlyArray<number | readonly [number, number]>]> = [
	['auth', [190, 102, 2500]],
	['permission', [10, [200, 299]]],
	// 80000–80014: the business-use-case limits (ads management, insights, pages, …).
	['rateLimit', [4, 17, 32, 341, 613, [80000, 80014]]],
	['transient', [1, 2]],
	['policy', [368]],
	['invalidParameter', [100]],
	// "You are calling a deprecated version": the credential's Graph API Version is not served.
	['version', [2635]],
];

/** The kind of a Graph error code, or undefined for a code the table does not know. */
export function metaCodeKind(code: number | null | undefined): MetaCodeKind | undefined {
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

/** Subcodes of the auth codes: why the token died. */
export const AUTH_SUBCODES: Readonly<Record<number, AuthReason>> = {
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
