import { appCredentials, appToken, APP_TOKEN_SHAPE, META_TOKEN_PATTERN, PLATFORM_APP_TOKEN_SHAPE, stripBearer } from '../../nodes/meta/token';

describe('stripBearer', () => {
	it.each([
		['EAAtoken', 'EAAtoken'],
		['  EAAtoken \n', 'EAAtoken'],
		['Bearer EAAtoken', 'EAAtoken'],
		['  bearer    EAAtoken  ', 'EAAtoken'],
		['BEARER\tEAAtoken', 'EAAtoken'],
		// Only a prefix followed by space is one: a lone word stays.
		['Bearer', 'Bearer'],
		['BearerEAAtoken', 'BearerEAAtoken'],
		['', ''],
	])('%j → %j', (text, expected) => {
		expect(stripBearer(text)).toBe(expected);
	});
});

describe('the app token', () => {
	it('is id|secret when both are known', () => {
		expect(appToken('123', 'abc')).toBe('123|abc');
		expect(appToken('123', undefined)).toBeUndefined();
		expect(appToken(undefined, 'abc')).toBeUndefined();
		expect(appToken('', 'abc')).toBeUndefined();
	});

	it('takes the app id and secret trimmed, an empty or non-text one absent', () => {
		expect(appCredentials({ appId: ' 123 ', appSecret: '\tabc\n' })).toEqual({ appId: '123', appSecret: 'abc' });
		expect(appCredentials({ appId: '   ', appSecret: 42 })).toEqual({ appId: undefined, appSecret: undefined });
		expect(appCredentials({})).toEqual({ appId: undefined, appSecret: undefined });
	});
});

describe('token shapes', () => {
	it('finds a Meta token or a piece of one, not short words', () => {
		expect('a EAAabcdefghij12 b'.match(META_TOKEN_PATTERN)).toEqual(['EAAabcdefghij12']);
		expect('EAAshort'.match(META_TOKEN_PATTERN)).toBeNull();
	});

	it('finds an app token, raw or URL-encoded, not a longer hex run', () => {
		const secret = 'f00dfacecafe4b1d8badc0ffee123456';
		expect(`x 123|${secret} y 45%7C${secret}`.match(APP_TOKEN_SHAPE)).toEqual([`123|${secret}`, `45%7C${secret}`]);
		expect(`123|${secret}0`.match(APP_TOKEN_SHAPE)).toBeNull();
	});
});

describe('Instagram and Threads shapes', () => {
	it('finds IGAA, IGQV, THAA and THQV tokens of 10+ characters after the prefix, with - and _', () => {
		expect('x IGAAabcdefghij y IGQVJa-b_cdefghij THAAabcdefghijk THQVabcdefghij'.match(META_TOKEN_PATTERN)).toEqual([
			'IGAAabcdefghij',
			'IGQVJa-b_cdefghij',
			'THAAabcdefghijk',
			'THQVabcdefghij',
		]);
		expect('IGAAshort THAA123456789'.match(META_TOKEN_PATTERN)).toBeNull();
	});

	it('finds a Threads app token TH|id|…, not a plain word with pipes', () => {
		expect('a TH|12345|abcdefghij12 b IG%7C9%7Cabcdefghijkl'.match(PLATFORM_APP_TOKEN_SHAPE)).toEqual(['TH|12345|abcdefghij12', 'IG%7C9%7Cabcdefghijkl']);
		expect('PATH|123|short MOTH|123|abcdefghijkl'.match(PLATFORM_APP_TOKEN_SHAPE)).toBeNull();
	});
});
