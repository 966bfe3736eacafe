import {
	appsecretProof,
	authorizeRequest,
	timestampedAppsecretProof,
	type AuthorizableRequest,
} from '../../nodes/graph/proof';
import type { MetaCredentials } from '../../nodes/meta/types';

// Known vectors, computed independently with openssl.
const SECRET = 's3cr3t';
const TOKEN = 'EAAtoken123';
const CLASSIC = 'b2facbb44a0346335fecc56c187cb6707e81fcd9e3bb30bc745ab452cb20ba0d';
const TIME = 1767225600;
const TIMESTAMPED = 'dbeee3b5f1b4c41880f55f44b2d94e859df7e1459d1092f958bc4ae1f69c3f17';

const credentials = (extra: Partial<MetaCredentials> = {}): MetaCredentials => ({
	accessToken: TOKEN,
	appId: '1234567890',
	appSecret: SECRET,
	...extra,
});

describe('appsecret_proof', () => {
	it('classic: HMAC-SHA256 of the token keyed with the app secret', () => {
		expect(appsecretProof(SECRET, TOKEN)).toBe(CLASSIC);
	});

	it('timestamped: HMAC-SHA256 of token|unixSeconds', () => {
		expect(timestampedAppsecretProof(SECRET, TOKEN, TIME)).toBe(TIMESTAMPED);
	});

	it('per mode, as authorizeRequest adds it', () => {
		const proof = (proofMode: MetaCredentials['proofMode'], appSecret: string | undefined, nowMs = TIME * 1000) =>
			authorizeRequest({ accessToken: TOKEN, appSecret, proofMode }, { qs: {} }, nowMs).qs;
		expect(proof('auto', SECRET)).toEqual({ appsecret_proof: CLASSIC });
		expect(proof(undefined, SECRET)).toEqual({ appsecret_proof: CLASSIC });
		expect(proof('timestamped', SECRET, TIME * 1000 + 999)).toEqual({
			appsecret_proof: TIMESTAMPED,
			appsecret_time: String(TIME),
		});
		expect(proof('off', SECRET)).toEqual({});
		expect(proof('auto', undefined)).toEqual({});
		expect(proof('timestamped', '')).toEqual({});
		expect(proof('auto', '   ')).toEqual({});
		expect(proof('auto', `  ${SECRET}  `)).toEqual({ appsecret_proof: CLASSIC });
	});
});

describe('authorizeRequest', () => {
	const sign = (request: AuthorizableRequest, extra: Partial<MetaCredentials> = {}): AuthorizableRequest =>
		authorizeRequest(credentials(extra), request, TIME * 1000);

	it('puts the credential token in the Authorization header, never the query string', () => {
		const signed = sign({ qs: { fields: 'id', access_token: 'smuggled' } });
		expect(signed.headers).toEqual({ Authorization: `Bearer ${TOKEN}` });
		expect(signed.qs).toEqual({ fields: 'id', appsecret_proof: CLASSIC });
		expect(JSON.stringify(signed.qs)).not.toContain(TOKEN);
	});

	it('binds the proof to the token that overrides the credential', () => {
		const other = 'EAAotherToken456';
		const signed = sign({
			headers: { authorization: `Bearer ${other}` },
			qs: { appsecret_proof: 'stale', appsecret_time: '1' },
		});
		expect(signed.headers).toEqual({ Authorization: `Bearer ${other}` });
		expect(signed.qs).toEqual({ appsecret_proof: appsecretProof(SECRET, other) });
		// Signing again keeps the token it carries.
		expect(authorizeRequest(credentials(), signed, TIME * 1000).headers).toEqual({ Authorization: `Bearer ${other}` });
	});

	it('timestamped mode sends the proof with appsecret_time', () => {
		const signed = sign({}, { proofMode: 'timestamped' });
		expect(signed.qs).toEqual({ appsecret_proof: TIMESTAMPED, appsecret_time: String(TIME) });
	});

	it('mode off sends no proof', () => {
		const signed = sign({ qs: { a: '1' } }, { proofMode: 'off' });
		expect(signed.qs).toEqual({ a: '1' });
		expect(signed.headers).toEqual({ Authorization: `Bearer ${TOKEN}` });
	});

	it('without an app secret sends the token alone', () => {
		const signed = sign({ qs: {} }, { appSecret: undefined });
		expect(signed.qs).toEqual({});
		expect(signed.headers).toEqual({ Authorization: `Bearer ${TOKEN}` });
	});

	it('strips a pasted "Bearer " and spaces from the stored token, and reads a caller\'s header in any case', () => {
		expect(sign({}, { accessToken: `  bearer   ${TOKEN}  ` }).headers).toEqual({ Authorization: `Bearer ${TOKEN}` });
		expect(sign({ headers: { Authorization: '  BEARER  EAAcaller  ' } }).headers).toEqual({ Authorization: 'Bearer EAAcaller' });
		// A header that is not a bearer token is replaced by the credential's token.
		expect(sign({ headers: { Authorization: 'Basic abc' } }).headers).toEqual({ Authorization: `Bearer ${TOKEN}` });
	});

	it('does not modify the request it is given', () => {
		const request = { headers: { Accept: 'application/json' }, qs: { access_token: 'x' } };
		sign(request);
		expect(request).toEqual({ headers: { Accept: 'application/json' }, qs: { access_token: 'x' } });
	});
});
