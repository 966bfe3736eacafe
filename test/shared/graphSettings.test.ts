/**
 * The Base URL allow-list: Meta's Graph host exactly, or a loopback host (a local double or
 * proxy); and where a request resolves to, as n8n's request helpers resolve it.
 */
import { CredentialSettingError, requestOrigin } from '../../nodes/shared/credentialUrls';
import type { MetaCredentials } from '../../nodes/meta/types';
import { assertOwnGraphTarget, ForeignHostError, graphEndpoint, isPlatformTokenEndpoint } from '../../nodes/shared/graphSettings';

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

describe('graphEndpoint per platform', () => {
	const endpoint = (credentials: Partial<MetaCredentials>) => graphEndpoint({ accessToken: 'x', ...credentials });

	it.each([
		// The Base URL field's default (Facebook's host) or nothing means the platform's own host.
		['instagram', undefined, 'https://graph.instagram.com'],
		['instagram', 'https://graph.facebook.com/', 'https://graph.instagram.com'],
		['instagram', 'https://graph.instagram.com', 'https://graph.instagram.com'],
		['threads', '', 'https://graph.threads.net'],
		['threads', 'https://graph.facebook.com', 'https://graph.threads.net'],
		['threads', 'https://graph.threads.com/', 'https://graph.threads.com'],
		// A loopback double is taken as it is, its path prefix included.
		['instagram', 'http://127.0.0.1:9/instagram/', 'http://127.0.0.1:9/instagram'],
		['threads', 'http://localhost:9/threads', 'http://localhost:9/threads'],
		['facebook', undefined, 'https://graph.facebook.com'],
		[undefined, 'https://graph.facebook.com', 'https://graph.facebook.com'],
		['something-else', undefined, 'https://graph.facebook.com'],
	])('%s with Base URL %j → %s', (platform, baseUrl, expected) => {
		expect(endpoint({ platform, baseUrl }).baseUrl).toBe(expected);
	});

	it.each([
		['instagram', 'https://graph.threads.net'],
		['instagram', 'https://graph.instagram.com/v25.0'],
		['threads', 'https://graph.instagram.com'],
		['facebook', 'https://graph.threads.net'],
		['facebook', 'https://graph.threads.com'],
		[undefined, 'https://graph.instagram.com'],
	])('%s refuses another platform\'s host %s, naming the field and its own host', (platform, baseUrl) => {
		const own = { instagram: 'https://graph.instagram.com', threads: 'https://graph.threads.net', facebook: 'https://graph.facebook.com' }[platform ?? 'facebook'];
		expect(() => endpoint({ platform, baseUrl })).toThrow(new RegExp(`^Base URL may only be ${own!.replace(/[./]/g, '\\$&')}`));
	});

	it('version: Facebook and Instagram from the field, Threads fixed at v1.0', () => {
		expect(endpoint({ platform: 'facebook', graphApiVersion: 'v24.0' }).version).toBe('v24.0');
		expect(endpoint({ platform: 'instagram', graphApiVersion: 'v24.0' }).version).toBe('v24.0');
		expect(endpoint({ platform: 'instagram' }).version).toBe('v25.0');
		expect(endpoint({ platform: 'threads', graphApiVersion: 'v25.0' }).version).toBe('v1.0');
		// A field Threads does not show cannot break it.
		expect(endpoint({ platform: 'threads', graphApiVersion: 'nonsense' }).version).toBe('v1.0');
		expect(() => endpoint({ platform: 'instagram', graphApiVersion: 'nonsense' })).toThrow(/^Graph API Version "nonsense" is not a version/);
	});

	it('proof: as set on Facebook, always off on Instagram and Threads', () => {
		expect(endpoint({ proofMode: 'timestamped' })).toMatchObject({ platform: 'facebook', proofMode: 'timestamped' });
		expect(endpoint({ platform: 'facebook' }).proofMode).toBe('auto');
		for (const platform of ['instagram', 'threads']) {
			for (const proofMode of [undefined, 'auto', 'timestamped'] as const) {
				expect(endpoint({ platform, proofMode }).proofMode).toBe('off');
			}
		}
	});
});

describe('assertOwnGraphTarget per platform', () => {
	const target = (platform: string, url: string) => () =>
		assertOwnGraphTarget({ url }, graphEndpoint({ accessToken: 'x', platform }));

	it('Threads signs both hosts Meta serves it on', () => {
		expect(target('threads', 'https://graph.threads.net/v1.0/me')).not.toThrow();
		expect(target('threads', 'https://graph.threads.com/v1.0/me')).not.toThrow();
	});

	it('each platform refuses the others\' hosts with a ForeignHostError naming its own', () => {
		expect(target('instagram', 'https://graph.facebook.com/v25.0/me')).toThrow(ForeignHostError);
		expect(target('instagram', 'https://graph.facebook.com/v25.0/me')).toThrow(/own Graph host https:\/\/graph\.instagram\.com; this request goes to https:\/\/graph\.facebook\.com/);
		expect(target('facebook', 'https://graph.instagram.com/me')).toThrow(/own Graph host https:\/\/graph\.facebook\.com; this request goes to https:\/\/graph\.instagram\.com/);
		expect(target('threads', 'https://graph.instagram.com/me')).toThrow(/own Graph host https:\/\/graph\.threads\.net or https:\/\/graph\.threads\.com;/);
	});

	it('a loopback Threads double signs for itself only, not for Meta\'s hosts', () => {
		const endpoint = graphEndpoint({ accessToken: 'x', platform: 'threads', baseUrl: 'http://127.0.0.1:9/threads' });
		expect(() => assertOwnGraphTarget({ url: 'http://127.0.0.1:9/threads/v1.0/me' }, endpoint)).not.toThrow();
		expect(() => assertOwnGraphTarget({ url: 'https://graph.threads.net/v1.0/me' }, endpoint)).toThrow(ForeignHostError);
	});
});

describe('isPlatformTokenEndpoint', () => {
	const endpoint = (platform: string, baseUrl?: string) => graphEndpoint({ accessToken: 'x', platform, baseUrl });
	it.each([
		['instagram', undefined, 'https://graph.instagram.com/access_token', true],
		['instagram', undefined, 'https://graph.instagram.com/refresh_access_token', true],
		['threads', undefined, 'https://graph.threads.net/refresh_access_token', true],
		['threads', 'http://127.0.0.1:9/threads', 'http://127.0.0.1:9/threads/access_token', true],
		// Versioned, or anything else: an ordinary call.
		['instagram', undefined, 'https://graph.instagram.com/v25.0/access_token', false],
		['instagram', undefined, 'https://graph.instagram.com/me', false],
		['threads', 'http://127.0.0.1:9/threads', 'http://127.0.0.1:9/access_token', false],
		// Facebook's exchange is an ordinary Graph call: its token goes in the header.
		['facebook', undefined, 'https://graph.facebook.com/oauth/access_token', false],
		['facebook', undefined, 'https://graph.facebook.com/refresh_access_token', false],
	])('%s (Base URL %s): %s → %s', (platform, baseUrl, url, expected) => {
		expect(isPlatformTokenEndpoint({ url }, endpoint(platform, baseUrl))).toBe(expected);
	});

	it('a relative path is joined to the root as n8n\'s helpers join it', () => {
		expect(isPlatformTokenEndpoint({ url: '/refresh_access_token', baseURL: 'https://graph.instagram.com' }, endpoint('instagram'))).toBe(true);
		expect(isPlatformTokenEndpoint({ url: '/refresh_access_token' }, endpoint('instagram'))).toBe(false);
	});
});
