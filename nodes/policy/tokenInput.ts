/**
 * The rules for a token a user hands to an operation or the trigger (pasted, or from an
 * expression): what is cleaned up and what is refused before anything is sent to Meta.
 *
 * Its own file because every entry point (the node's operations, the trigger, the credential
 * test) applies the same rules and needs nothing else of the policy.
 */

/** Why a token given to an operation cannot be used; names the field the user filled in. */
export class TokenInputError extends Error {
	constructor(
		readonly field: string,
		message: string,
	) {
		super(message);
		this.name = 'TokenInputError';
	}
}

const BEARER_PREFIX = /^Bearer\s+/i;
// Whitespace inside or control characters anywhere mean a copy-paste went wrong (two tokens, a
// line break from a sheet cell): sending it would only earn a confusing "Cannot parse" from Meta.
const INNER_WHITESPACE_OR_CONTROL = /[\s\p{Cc}]/u;

/**
 * Cleans a token as users paste it — surrounding whitespace and a `Bearer ` prefix go — and
 * refuses what cannot be a token, naming the field (the message never repeats the value).
 */
export function normalizeToken(value: unknown, field: string): string {
	if (value === undefined || value === null || (typeof value !== 'string' && typeof value !== 'number')) {
		throw new TokenInputError(field, `${field} is empty: give a Meta access token.`);
	}
	const token = String(value).trim().replace(BEARER_PREFIX, '').trim();
	if (!token) throw new TokenInputError(field, `${field} is empty: give a Meta access token.`);
	if (INNER_WHITESPACE_OR_CONTROL.test(token)) {
		throw new TokenInputError(
			field,
			`${field} contains spaces, line breaks or control characters, so it is not one access token: check what the expression returns.`,
		);
	}
	return token;
}
