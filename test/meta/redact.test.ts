import { redactSecrets, redactUrl, scrubSecrets, secretParameterValues } from '../../nodes/meta/redact';
import { META_TOKEN_PATTERN } from '../../nodes/meta/token';

const REDACTED = '[redacted]';

const TOKEN = 'EAAdummy0PX4ZCpsBAKZBZCc9ZB1xYZBtoken';
/** Shaped like an app secret (32 hex digits). */
const HEX32 = 'f00dfacecafe4b1d8badc0ffee123456';
const APP_TOKEN = `1234567890|${HEX32}`;

describe('redactUrl', () => {
	it('hides the values of secret parameters, in the URL and in qs', () => {
		const url = redactUrl('https://graph.facebook.com/v25.0/oauth/access_token?grant_type=fb_exchange_token', {
			client_id: '1234567890',
			client_secret: 'plain-secret',
			fb_exchange_token: 'short-one',
			appsecret_proof: 'proof',
			appsecret_time: '1767225600',
		});
		expect(url).toBe(
			'https://graph.facebook.com/v25.0/oauth/access_token?grant_type=fb_exchange_token&client_id=1234567890' +
				`&client_secret=${REDACTED}&fb_exchange_token=${REDACTED}&appsecret_proof=${REDACTED}&appsecret_time=1767225600`,
		);
	});

	it.each(['access_token', 'input_token', 'fb_exchange_token', 'client_secret', 'appsecret_proof', 'revoke_token'])(
		'always hides %s',
		(name) => {
			expect(redactUrl(`https://h/v25.0/x?${name}=abc`)).toBe(`https://h/v25.0/x?${name}=${REDACTED}`);
		},
	);

	it('hides any value or path part containing a known secret', () => {
		const url = redactUrl(`https://h/v25.0/${TOKEN}/accounts`, { note: `x${HEX32}x`, fields: 'id,name' }, [
			TOKEN,
			HEX32,
		]);
		expect(url).toBe(`https://h/v25.0/${REDACTED}/accounts?note=${REDACTED}&fields=id%2Cname`);
	});

	it('leaves a URL without parameters alone', () => {
		expect(redactUrl('https://graph.facebook.com/v25.0/me/permissions')).toBe(
			'https://graph.facebook.com/v25.0/me/permissions',
		);
	});
});

describe('scrubSecrets', () => {
	it('replaces known secrets, raw and URL-encoded', () => {
		const text = `token ${APP_TOKEN}, encoded ${encodeURIComponent(APP_TOKEN)}, lower ${encodeURIComponent(APP_TOKEN).replace('%7C', '%7c')}`;
		const scrubbed = scrubSecrets(text, [APP_TOKEN]);
		expect(scrubbed).toBe(`token ${REDACTED}, encoded ${REDACTED}, lower ${REDACTED}`);
	});

	it('replaces form-encoded secrets', () => {
		const secret = 'with space+plus';
		expect(scrubSecrets(`a=${new URLSearchParams({ a: secret }).toString().slice(2)}`, [secret])).toBe(`a=${REDACTED}`);
	});

	it('replaces anything shaped like a Meta token, an app token or a proof', () => {
		const proof = 'b2facbb44a0346335fecc56c187cb6707e81fcd9e3bb30bc745ab452cb20ba0d';
		const text = `user EAAB${'a1'.repeat(15)} app 987654321|${'0'.repeat(32)} proof ${proof} end`;
		expect(scrubSecrets(text, [])).toBe(`user ${REDACTED} app ${REDACTED} proof ${REDACTED} end`);
	});

	it('leaves ordinary text, short EAA words and fbtrace ids alone', () => {
		const text = 'EAAshort (#100) Invalid parameter fbtrace_id AbC123xyz 1234567890';
		expect(scrubSecrets(text, [])).toBe(text);
	});

	it('ignores empty and tiny secrets instead of mangling the text', () => {
		expect(scrubSecrets('a b c', ['', ' ', 'a'])).toBe('a b c');
	});

	it('replaces the longer of overlapping secrets whole', () => {
		expect(scrubSecrets('xx secret-long xx', ['secret', 'secret-long'])).toBe(`xx ${REDACTED} xx`);
	});

	it('escapes regular-expression characters in secrets', () => {
		expect(scrubSecrets('a.b*c(d) axb', ['a.b*c(d)'])).toBe(`${REDACTED} axb`);
	});
});

describe('META_TOKEN_PATTERN', () => {
	it('matches Meta tokens and pieces of 10+ characters after EAA, not short words', () => {
		expect(`a ${TOKEN} b`.match(META_TOKEN_PATTERN)).toEqual([TOKEN]);
		expect('cut EAAabcdefghij12 off'.match(META_TOKEN_PATTERN)).toEqual(['EAAabcdefghij12']);
		expect('EAAshort'.match(META_TOKEN_PATTERN)).toBeNull();
	});
});

describe('secretParameterValues', () => {
	it('lists the values of the secret parameters, in order', () => {
		expect(secretParameterValues({ fields: 'id', input_token: 'a', client_secret: 'b', limit: '2' })).toEqual(['a', 'b']);
		expect(secretParameterValues(undefined)).toEqual([]);
	});
});

describe('redactSecrets', () => {
	it('removes tokens, app tokens, proofs and given secrets, folding lines', () => {
		const proof = 'a'.repeat(64);
		const out = redactSecrets(`EAA${'b'.repeat(30)} 123456|${'c'.repeat(32)} ${proof}\nmysecret`, ['mysecret']);
		expect(out).toBe('[redacted] [redacted] [redacted] [redacted]');
	});

	it('removes a piece of a token too (a cut paste or log line)', () => {
		expect(redactSecrets('fragment EAAabcdefghij12 end')).toBe('fragment [redacted] end');
	});
});

/**
 * Instagram and Threads tokens as Meta issues them (shapes of real ones seen in public code and
 * threads, the characters after the prefix made up): Instagram API with Instagram Login `IGAA…`,
 * the retired Basic Display API `IGQV…` (URL-safe base64, `-` and `_` included), Threads `THAA…`,
 * and the app tokens Threads' oauth/access_token answers with (`TH|app-id|…`).
 */
describe('Instagram and Threads token shapes', () => {
	const IG = 'IGAAQ3ZAmRfZBdZAFhMUWZA3cU9fQ0tzbnBHZAUR0cUZAIWkVWdVhZAM1p2Tk5vaUZAwZAFBmSHJ5';
	const IG_BASIC = 'IGQVJYd1pRLWxvX0dOa2tzUU5fZA2N3b0pVX2JRWmlPdU5ha0ZAYQlFYcmJyZAjU4-_QWE';
	const THREADS = 'THAANi6eSCpddBYlpZAGtSWdGWFUweGZAwajlnaktJLWhEbmpqNW1RamRsV3RpOUU5OC1m';
	const THREADS_APP = 'TH|1234567890|xYzABCdefghijklMNOPqrst';

	it.each([IG, IG_BASIC, THREADS, 'THQVJabcdefghij12', 'IGAAabcdefghij'])('finds %s whole', (token) => {
		expect(`a ${token} b`.match(META_TOKEN_PATTERN)).toEqual([token]);
		expect(redactSecrets(`Meta said: Invalid token ${token}.`)).toBe(`Meta said: Invalid token ${REDACTED}.`);
	});

	it('removes them from URLs and JSON, raw and percent-encoded', () => {
		expect(redactSecrets(`GET https://graph.threads.net/me?access_token=${THREADS}&fields=id`)).toBe(`GET https://graph.threads.net/me?access_token=${REDACTED}&fields=id`);
		expect(redactSecrets(JSON.stringify({ access_token: IG, token_type: 'bearer' }))).toBe(`{"access_token":"${REDACTED}","token_type":"bearer"}`);
		expect(redactUrl(`https://graph.instagram.com/refresh_access_token?grant_type=ig_refresh_token&access_token=${IG}`)).toBe(
			`https://graph.instagram.com/refresh_access_token?grant_type=ig_refresh_token&access_token=${REDACTED}`,
		);
		expect(redactUrl('https://graph.threads.net/access_token', { grant_type: 'th_exchange_token', client_secret: 's3cr3t', access_token: THREADS })).toBe(
			`https://graph.threads.net/access_token?grant_type=th_exchange_token&client_secret=${REDACTED}&access_token=${REDACTED}`,
		);
	});

	it('removes a Threads app token whole, raw or URL-encoded', () => {
		expect(redactSecrets(`app token ${THREADS_APP} end`)).toBe(`app token ${REDACTED} end`);
		expect(redactSecrets(`?access_token=TH%7C1234567890%7CxYzABCdefghijklMNOPqrst&x=1`)).toBe(`?access_token=${REDACTED}&x=1`);
		expect(redactSecrets(`TH|1234567890|${HEX32}`)).toBe(REDACTED);
	});

	it.each([
		'THAAT is the plan',
		'IGAA and THAA are the prefixes',
		'the THAAshort one',
		'Instagram IGTV and THREADS API',
		'Error validating access token: Session has expired on Tuesday, 07-Dec-26 10:00:00 PST.',
		'IGQV12345',
		// Lower case is not Meta's spelling.
		'igaaabcdefghijklmnop thaaabcdefghijklmnop',
	])('leaves ordinary text alone: %s', (text) => {
		expect(text.match(META_TOKEN_PATTERN)).toBeNull();
		expect(redactSecrets(text)).toBe(text);
	});
});
