/**
 * The package's contract with n8n and its users: community-package rules in package.json, and
 * every credential field that holds a secret typed as password — exactly those, since n8n blanks a
 * password field in the editor (n8n's scanner only checks names, and a name can mislead either way).
 */
import fs from 'node:fs';
import path from 'node:path';

import type { ICredentialType } from 'n8n-workflow';

import { MetaTokenApi } from '../../credentials/MetaTokenApi.credentials';
import { MetaTokenN8nApi } from '../../credentials/MetaTokenN8nApi.credentials';

const root = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('package.json', () => {
	it('follows n8n community package rules', () => {
		expect(pkg.name).toMatch(/^n8n-nodes-/);
		expect(pkg.keywords).toContain('n8n-community-node-package');
		expect(pkg.files).toEqual(['dist']);
		expect(pkg.license).toBe('MIT');
		expect(pkg.dependencies ?? {}).toEqual({});
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		expect(pkg.engines.node).toBe('>=20.19');
	});

	it("declares strict mode, as n8n's node starter and its Cloud-eligibility check expect", () => {
		// Read by @n8n/node-cli (cloud-support, lint) and checked as a boolean by the scanner's
		// n8n-object-validation rule; n8n's loader reads only n8n.nodes and n8n.credentials.
		expect(pkg.n8n.strict).toBe(true);
	});

	it('names an author with an e-mail, and one repository for homepage, repository and bugs (n8n verification)', () => {
		expect(pkg.author.name).toEqual(expect.any(String));
		expect(pkg.author.email).toMatch(/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/);
		const repo = 'github.com/n8n-nodes-meta-token/n8n-nodes-meta-token';
		expect(pkg.homepage).toContain(repo);
		expect(pkg.repository.url).toBe(`git+https://${repo}.git`);
		expect(pkg.bugs.url).toBe(`https://${repo}/issues`);
	});

	it('lists in its n8n block a compiled file for every credential and node source', () => {
		const sources = (folder: string, suffix: string) =>
			fs
				.readdirSync(path.join(root, folder), { recursive: true, encoding: 'utf8' })
				.filter((file) => file.endsWith(suffix))
				.map((file) => `dist/${folder}/${file.replace(/\.ts$/, '.js')}`)
				.sort();
		expect([...pkg.n8n.credentials].sort()).toEqual(sources('credentials', '.credentials.ts'));
		expect([...pkg.n8n.nodes].sort()).toEqual(sources('nodes', '.node.ts'));
	});
});

describe.each<[string, ICredentialType, string[]]>([
	// tokenRecord holds no secret, but n8n's lint takes any "token" field for one: typed as password, harmlessly.
	['metaTokenApi', new MetaTokenApi(), ['accessToken', 'appSecret', 'tokenRecord']],
	['metaTokenN8nApi', new MetaTokenN8nApi(), ['apiKey']],
])('credential %s', (name, credential, secretFields) => {
	it('keeps its type name', () => expect(credential.name).toBe(name));

	it('types exactly the secret-bearing fields as password', () => {
		const passwordFields = credential.properties
			.filter((property) => property.typeOptions?.password === true)
			.map((property) => property.name);
		expect(passwordFields).toEqual(secretFields);
	});
});

it('keeps proofMode (App Secret Proof) an options field: auto, timestamped, off, default auto', () => {
	const field = new MetaTokenApi().properties.find((property) => property.name === 'proofMode');
	expect(field?.displayName).toBe('App Secret Proof');
	expect(field?.type).toBe('options');
	expect(field?.default).toBe('auto');
	expect(field?.options?.map((option) => (option as { value: string }).value)).toEqual(['auto', 'timestamped', 'off']);
});

it('describes the Meta Graph API node of the HTTP Request node: name, Meta docs, the Graph root of the default version', () => {
	const { httpRequestNode } = new MetaTokenApi();
	expect(httpRequestNode).toEqual({
		name: 'Meta Graph API',
		docsUrl: 'https://developers.facebook.com/docs/graph-api/',
		apiBaseUrl: 'https://graph.facebook.com/v25.0/',
	});
	// No `hidden`: n8n's loader sets it itself, because the Meta Token node lists the credential.
	// The default is what the Graph API Version field defaults to, so the two cannot drift apart.
	const version = new MetaTokenApi().properties.find((property) => property.name === 'graphApiVersion');
	expect(httpRequestNode.apiBaseUrl).toBe(`https://graph.facebook.com/${String(version?.default)}/`);
});

it('names the n8n API credential as n8n spells itself ("Credential for n8n API" in the node)', () => {
	expect(new MetaTokenN8nApi().displayName).toBe('n8n API');
});
