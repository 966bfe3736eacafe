import { TokenInputError, normalizeToken } from '../../nodes/policy/tokenInput';

const TOKEN = 'EAABsbCS1iHgBAKZBZCcanaryToken123';

function refusal(value: unknown): TokenInputError {
	try {
		normalizeToken(value, 'Token');
	} catch (error) {
		expect(error).toBeInstanceOf(TokenInputError);
		return error as TokenInputError;
	}
	throw new Error('expected a refusal');
}

describe('normalizeToken', () => {
	it('takes a token as pasted: surrounding spaces and a Bearer prefix go', () => {
		expect(normalizeToken(`  Bearer ${TOKEN}\n`, 'Token')).toBe(TOKEN);
		expect(normalizeToken('1234|abcdef0123456789abcdef0123456789', 'Token')).toBe('1234|abcdef0123456789abcdef0123456789');
	});

	it.each<[string, unknown, RegExp]>([
		['nothing', undefined, /^Token is empty/],
		['null', null, /^Token is empty/],
		['an empty string', '', /^Token is empty/],
		['whitespace', ' \t\n ', /^Token is empty/],
		['"Bearer " alone', 'Bearer ', /^Token is empty/],
		['a number', 12345, /^Token is a number, not a Meta access token/],
		['a boolean', true, /^Token is a boolean/],
		['an object', { token: TOKEN }, /^Token is an object, not a Meta access token: point the expression at the token field/],
		['a list', [TOKEN], /^Token is a list/],
		['a huge string', `EAA${'x'.repeat(2048)}`, /^Token is 2051 characters long/],
		['two tokens with a space', `${TOKEN} ${TOKEN}`, /not one access token/],
		['two tokens on two lines', `${TOKEN}\n${TOKEN}`, /not one access token/],
		['two tokens with a comma', `${TOKEN},${TOKEN}`, /not one access token/],
		['a quoted token', `"${TOKEN}"`, /not one access token/],
	])('refuses %s, naming the field and never repeating the value', (_name, value, message) => {
		const error = refusal(value);
		expect(error.field).toBe('Token');
		expect(error.message).toMatch(message);
		expect(error.message).not.toContain(TOKEN);
	});
});
