/**
 * The table of credential types a renewed token is written into, and the reading of the
 * "Also Update Credentials" list: what is accepted, what is refused, and that a refusal never
 * repeats what the user pasted.
 */
import { CredentialListError, credentialIdList, isOAuth2Type, tokenWriter, writableTypesText } from '../../nodes/MetaToken/helpers/credentialTargets';

describe('tokenWriter', () => {
	it.each([
		['metaTokenApi', { accessToken: 'T0K' }],
		['facebookGraphApi', { accessToken: 'T0K' }],
		['facebookGraphAppApi', { accessToken: 'T0K' }],
		['whatsAppApi', { accessToken: 'T0K' }],
		['httpHeaderAuth', { value: 'Bearer T0K' }],
		['httpQueryAuth', { value: 'T0K' }],
		['httpBearerAuth', { token: 'T0K' }],
	])('writes a %s credential in one field', (type, data) => {
		expect(tokenWriter(type)?.('T0K')).toEqual(data);
	});

	it.each(['slackApi', 'oAuth2Api', 'facebookGraphApiOAuth2Api', 'httpBasicAuth', 'httpCustomAuth', 'toString', '__proto__', ''])('writes no %s credential', (type) => {
		expect(tokenWriter(type)).toBeUndefined();
	});

	it('names every written type for messages', () => {
		expect(writableTypesText()).toBe('Meta Token API, Facebook Graph API, Facebook Graph API (App), WhatsApp API, Header Auth, Query Auth and Bearer Auth');
	});

	it('knows OAuth2 types by name', () => {
		expect(['oAuth2Api', 'facebookLeadAdsOAuth2Api', 'facebookGraphAppOAuth2Api'].every(isOAuth2Type)).toBe(true);
		expect(isOAuth2Type('facebookGraphApi')).toBe(false);
	});
});

describe('credentialIdList', () => {
	const read = (value: unknown) => credentialIdList(value, 'Also Update Credentials');

	it.each([
		['', []],
		[undefined, []],
		[null, []],
		['  ', []],
		['aB3dE5gH7jK9mN1p', ['aB3dE5gH7jK9mN1p']],
		[' a1, b2;c3\nd4  e5 ,, a1 ', ['a1', 'b2', 'c3', 'd4', 'e5']],
		[['x1', ' y2 ', 'x1', 42], ['x1', 'y2', '42']],
	])('reads %j', (value, ids) => {
		expect(read(value)).toEqual(ids);
	});

	it.each([
		['a pasted URL', 'https://n8n.example.com/home/credentials/aB3dE5gH7jK9mN1p'],
		['a pasted token', `EAA${'x'.repeat(120)}`],
		['an ID with a slash', 'a1, ../workflows/1'],
	])('refuses %s without repeating it', (_case, value) => {
		let error: unknown;
		try {
			read(value);
		} catch (e) {
			error = e;
		}
		expect(error).toBeInstanceOf(CredentialListError);
		expect((error as Error).message).toMatch(/^Also Update Credentials: entry \d+ is not a credential ID/);
		expect((error as Error).message).not.toContain(value.split(', ').pop());
	});

	it.each([[{ id: 'a1' }], [7], [true], [[{ id: 'a1' }]]])('refuses %j, which is no list of IDs', (value) => {
		expect(() => read(value)).toThrow(CredentialListError);
	});
});
