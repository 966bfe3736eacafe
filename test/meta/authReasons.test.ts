import type { AuthReason } from '../../nodes/meta/types';
import { AUTH_REASON_TEXT, authReason, authReasonInWords, AUTH_SUBCODES, saysExpired } from '../../nodes/meta/authReasons';

describe('authReason', () => {
	it('prefers the subcode, then reads the message, else invalid', () => {
		expect(authReason(460, 'Session has expired')).toBe('passwordChanged');
		expect(authReason(0, 'Session has expired on Friday')).toBe('expired');
		expect(authReason(undefined, 'The user has not authorized application 123')).toBe('notAuthorized');
		expect(authReason(0, 'The user has not authorized application 1.')).toBe('notAuthorized');
		expect(authReason(undefined, 'Cannot parse access token')).toBe('invalid');
		expect(authReason(null, null)).toBe('invalid');
	});

	it('reads every OAuth subcode of the table, whatever the message', () => {
		for (const [subcode, reason] of Object.entries(AUTH_SUBCODES)) {
			expect(authReason(Number(subcode), 'Session has expired')).toBe(reason);
		}
	});
});

describe('saysExpired', () => {
	it.each<[number | null | undefined, string | null | undefined, boolean]>([
		[463, 'anything', true],
		[463, undefined, true],
		[0, 'Session has expired on Friday', true],
		[undefined, 'Error validating access token: Session HAS EXPIRED', true],
		// The message decides when the subcode is another reason: unlike authReason.
		[460, 'Session has expired', true],
		[460, 'password changed', false],
		[null, 'Cannot parse access token', false],
		[undefined, undefined, false],
	])('subcode %p, message %p → %p', (subcode, message, expected) => {
		expect(saysExpired(subcode, message)).toBe(expected);
	});
});

describe('the words for a reason', () => {
	const reasons: AuthReason[] = ['expired', 'passwordChanged', 'notAuthorized', 'checkpoint', 'noPageRole', 'inactive', 'invalid'];

	it('say why a token died in a few words', () => {
		expect(authReasonInWords('expired')).toBe('it has expired');
		expect(authReasonInWords('passwordChanged')).toBe('the user changed their password or Meta reset the session');
		expect(authReasonInWords('invalid')).toBe('Meta does not accept it (malformed, revoked or of another app)');
	});

	it('give every reason a summary, what to do, and its words, each distinct', () => {
		for (const field of ['summary', 'description', 'inWords'] as const) {
			const texts = reasons.map((reason) => AUTH_REASON_TEXT[reason][field]);
			expect(texts.every((text) => text.length > 10)).toBe(true);
			expect(new Set(texts).size).toBe(reasons.length);
		}
	});
});
