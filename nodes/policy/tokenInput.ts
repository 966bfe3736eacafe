/**
 * The rules for a token a user hands to an operation or the trigger (pasted, or from an
 * expression): what is cleaned up and what is refused before anything is sent to Meta.
 *
 * Its own file because every entry point (the node's operations, the trigger) applies the same
 * rules and needs nothing else of the policy. The credential test, an n8n expression, repeats only
 * the clean-up (trim, meta/token.ts BEARER_PREFIX), since an expression cannot call this code.
 */
import { stripBearer } from '../meta/token';

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

// Whitespace inside or control characters anywhere mean a copy-paste went wrong (two tokens, a
// line break from a sheet cell): sending it would only earn a confusing "Cannot parse" from Meta.
const INNER_WHITESPACE_OR_CONTROL = /[\s\p{Cc}]/u;
// A list separator or a quote: several tokens glued into one cell, or a JSON fragment.
const SEPARATOR_OR_QUOTE = /[,;"'`]/;
/** Meta's tokens are a few hundred characters; far longer is not one token (and would bloat every call). */
const MAX_TOKEN_LENGTH = 2048;

/**
 * Cleans a token as users paste it — surrounding whitespace and a `Bearer ` prefix go — and
 * refuses what cannot be a token, naming the field (the message never repeats the value): nothing
 * at all, a number, an object, text with spaces, line breaks or list separators inside, or text
 * far too long to be one token.
 */
export function normalizeToken(value: unknown, field: string): string {
	if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
		throw new TokenInputError(
			field,
			`${field} is a ${typeof value}, not a Meta access token: check what the expression returns (e.g. {{ $json.token }}).`,
		);
	}
	if (typeof value === 'object' && value !== null) {
		throw new TokenInputError(
			field,
			`${field} is ${Array.isArray(value) ? 'a list' : 'an object'}, not a Meta access token: point the expression at the token field itself (e.g. {{ $json.token }}).`,
		);
	}
	if (typeof value !== 'string') throw new TokenInputError(field, `${field} is empty: give a Meta access token.`);
	const token = stripBearer(value);
	if (!token || /^Bearer$/i.test(token)) throw new TokenInputError(field, `${field} is empty: give a Meta access token.`);
	if (token.length > MAX_TOKEN_LENGTH) {
		throw new TokenInputError(
			field,
			`${field} is ${token.length} characters long, far more than one access token: check what the expression returns.`,
		);
	}
	if (INNER_WHITESPACE_OR_CONTROL.test(token) || SEPARATOR_OR_QUOTE.test(token)) {
		throw new TokenInputError(
			field,
			`${field} contains spaces, line breaks, list separators, quotes or control characters, so it is not one access token: check what the expression returns (one token per item).`,
		);
	}
	return token;
}
