import { metaErrorKind, retryableClassOfCode } from '../../nodes/meta/errorCodes';

/** What a code says on its own: the kind of an answer carrying only that code. */
const codeKind = (code: number | null | undefined) => metaErrorKind({ code });

describe('the code table (metaErrorKind of a bare code)', () => {
	it.each([
		[190, 'auth'],
		[102, 'auth'],
		[2500, 'auth'],
		[10, 'permission'],
		[200, 'permission'],
		[299, 'permission'],
		[4, 'rateLimit'],
		[613, 'rateLimit'],
		[80000, 'rateLimit'],
		[80014, 'rateLimit'],
		[1, 'transient'],
		[2, 'transient'],
		[368, 'policy'],
		[100, 'invalidParameter'],
	])('code %i is %s', (code, kind) => {
		expect(codeKind(code)).toBe(kind);
	});

	it.each([199, 300, 80015, 803, 0])('does not know code %i', (code) => {
		expect(codeKind(code)).toBeUndefined();
	});

	it('is undefined without a code', () => {
		expect(codeKind(undefined)).toBeUndefined();
		expect(codeKind(null)).toBeUndefined();
	});
});

describe('retryableClassOfCode', () => {
	it('names rate limits and temporary faults, nothing else', () => {
		expect([4, 17, 32, 341, 613, 80000, 80007, 80014].map(retryableClassOfCode)).toEqual(
			Array.from({ length: 8 }, () => 'rateLimit'),
		);
		expect([1, 2].map(retryableClassOfCode)).toEqual(['transient', 'transient']);
		expect([190, 200, 100, 368, 80015, 12345].map(retryableClassOfCode)).toEqual([null, null, null, null, null, null]);
	});
});

describe('metaErrorKind', () => {
	it.each([
		[{ code: 4, subcode: 460 }, 'auth'],
		[{ code: 368, subcode: 1390008 }, 'tooFast'],
		[{ code: 368, subcode: 1346003 }, 'policy'],
		[{ code: 2500, message: 'Unknown path components: /me' }, 'unknownPath'],
		[{ code: 2500, message: 'An active access token must be used' }, 'auth'],
		[{ code: 1, message: 'Error validating client secret.' }, 'wrongAppSecret'],
		[{ code: 190, message: '(#190) Application Secret required for this endpoint' }, 'appSecretRequired'],
		[{ code: 190, message: 'Invalid appsecret_proof provided in the API argument' }, 'proof'],
		[{ code: 190, message: 'pages_show_list permission(s) must be granted' }, 'permissionByMessage'],
		[{ code: 3, message: '(#3) Application does not have the capability' }, 'capability'],
		[{ code: 2, isTransient: false }, 'notTransient'],
		[{ code: 99999, isTransient: false }, 'notTransient'],
		[{ code: 2, isTransient: true }, 'transient'],
		[{ code: 100, isTransient: false }, 'invalidParameter'],
		// A rate limit stays one, whatever its text says.
		[{ code: 17, message: 'Unknown path components: /x' }, 'rateLimit'],
	])('%j is %s', (facts, kind) => {
		expect(metaErrorKind(facts)).toBe(kind);
	});
});
