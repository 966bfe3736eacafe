/**
 * The Base URL allow-list: Meta's Graph host exactly, or a loopback host (a local double or
 * proxy); and where a request resolves to, as n8n's request helpers resolve it.
 */
import { CredentialSettingError, requestOrigin } from '../../nodes/shared/credentialUrls';
import { graphEndpoint } from '../../nodes/shared/graphSettings';

/** The Base URL as the credential's settings resolve it. */
const normalizeBaseUrl = (baseUrl: string | undefined) => graphEndpoint({ accessToken: 'x', baseUrl }).baseUrl;

describe('the Base URL (graphEndpoint)', () => {
	it.each([
		[undefined, 'https://graph.facebook.com'],
		['  ', 'https://graph.facebook.com'],
		['https://graph.facebook.com/', 'https://graph.facebook.com'],
		['https://GRAPH.facebook.com:443', 'https://graph.facebook.com'],
		['http://localhost:8080/graph/', 'http://localhost:8080/graph'],
		['http://LOCALHOST:1', 'http://localhost:1'],
		['http://127.0.0.1:9', 'http://127.0.0.1:9'],
		['https://127.200.3.4', 'https://127.200.3.4'],
		['http://[::1]:5', 'http://[::1]:5'],
		// A WHATWG URL spells 2130706433 as 127.0.0.1: it is loopback.
		['http://2130706433:7', 'http://127.0.0.1:7'],
	])('accepts %j as %s', (value, expected) => {
		expect(normalizeBaseUrl(value)).toBe(expected);
	});

	it.each([
		'https://graph.example.com',
		'https://graph.facebook.com.evil.example',
		'https://evil.example/graph.facebook.com',
		'http://graph.facebook.com',
		'https://graph.facebook.com:8443',
		'https://graph.facebook.com/v25.0',
		'https://graph.instagram.com',
		'http://localhost.evil.example',
		'http://127.0.0.1.nip.io',
		'http://[::ffff:127.0.0.1]',
		'http://0.0.0.0',
		'http://10.0.0.1',
		'ftp://localhost',
		'graph.facebook.com',
		'https://user:pass@graph.facebook.com',
		'https://graph.facebook.com/?access_token=x',
	])('refuses %s, naming the field', (value) => {
		let caught: unknown;
		try {
			normalizeBaseUrl(value);
		} catch (error) {
			caught = error;
		}
		expect(caught).toBeInstanceOf(CredentialSettingError);
		expect((caught as CredentialSettingError).field).toBe('Base URL');
		expect((caught as Error).message).toMatch(/^Base URL/);
	});
});

describe('requestOrigin', () => {
	const root = 'https://graph.facebook.com/v25.0';
	it.each([
		[{ url: 'https://graph.facebook.com/v25.0/me' }, 'https://graph.facebook.com'],
		[{ url: '/debug_token' }, 'https://graph.facebook.com'],
		[{ url: 'debug_token', baseURL: 'http://127.0.0.1:9/v25.0' }, 'http://127.0.0.1:9'],
		[{ uri: 'https://evil.example/x' }, 'https://evil.example'],
		// `url` wins over `uri`, as in n8n's resolveLegacyRequestTarget.
		[{ url: 'https://evil.example/x', uri: 'https://graph.facebook.com/x' }, 'https://evil.example'],
		[{ url: '//evil.example/x' }, 'https://evil.example'],
		[{ url: '\\\\evil.example/x' }, 'https://evil.example'],
		[{ url: 'https://user:secret@graph.facebook.com/x' }, 'https://graph.facebook.com'],
		[{ url: 'ftp://graph.facebook.com/x' }, null],
		[{ url: 'https://' }, null],
	])('%j → %s', (request, origin) => {
		expect(requestOrigin(request, root)).toBe(origin);
	});
});
