/**
 * The Meta Token node's description, and its tool variant's, as the editor and saved workflows see
 * them: every parameter's name, value, default, display rule and position, the operation list and
 * the n8n API credential's display rule. Restructuring how the description is assembled must not
 * change any of it; the fixture is the description as it was before the operations were defined
 * one object each (fixtures/metaTokenDescription.json), with the additions since: the Platform
 * parameter and each platform's Operation list (Facebook's options, values and default as they
 * were). A deliberate change of the description updates the fixture in the same commit.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import { asAiTool } from '../support/agentTool';
import { MetaToken } from '../../nodes/MetaToken/MetaToken.node';

const fixturePath = join(__dirname, 'fixtures', 'metaTokenDescription.json');

function currentDescriptions(): string {
	const regular = new MetaToken();
	return JSON.stringify({ node: regular.description, tool: asAiTool(regular).description }, null, '\t') + '\n';
}

describe('Meta Token description', () => {
	it('is the same, parameter for parameter, as the fixture', () => {
		const fixture = readFileSync(fixturePath, 'utf8');
		expect(JSON.parse(currentDescriptions())).toEqual(JSON.parse(fixture));
	});

	it('is the same text, in the same key order, as the fixture', () => {
		expect(currentDescriptions()).toBe(readFileSync(fixturePath, 'utf8'));
	});

	it('offers Facebook its seven operations, unchanged, and shows the n8n API credential only where it is used', () => {
		const { node } = JSON.parse(readFileSync(fixturePath, 'utf8'));
		const facebook = operationFieldsOf(node.properties, 'facebook');
		expect(facebook).toHaveLength(3);
		const [regular] = facebook;
		expect(regular.default).toBe('inspect');
		expect(regular.options.map((option: { value: string }) => option.value)).toEqual([
			'checkAlerts',
			'exchange',
			'generateSystemUserToken',
			'getPageTokens',
			'inspect',
			'refreshSystemUserToken',
			'revoke',
		]);
		expect(regular.displayOptions).toEqual({ show: { platform: ['facebook'], '@tool': [false] } });
		const n8nApi = node.credentials.find((credential: { name: string }) => credential.name === 'metaTokenN8nApi');
		expect(n8nApi.displayOptions.hide.operation).toEqual(['getPageTokens', 'inspect', 'revoke']);
	});

	it('has Platform first, Facebook by default, so a workflow saved without it stays a Facebook one', () => {
		const { node } = JSON.parse(readFileSync(fixturePath, 'utf8'));
		const [first] = node.properties;
		expect(first).toMatchObject({ name: 'platform', type: 'options', default: 'facebook', noDataExpression: true });
		expect(first.options.map((option: { value: string }) => option.value)).toEqual(['facebook', 'instagram', 'threads']);
	});

	it.each(['instagram', 'threads'])('offers %s only inspect, exchange, refresh and alerts; an agent only inspect', (platform) => {
		const { node } = JSON.parse(readFileSync(fixturePath, 'utf8'));
		const [regular, toolReadOnly, toolAll] = operationFieldsOf(node.properties, platform);
		const values = (field: { options: Array<{ value: string }> }) => field.options.map((option) => option.value);
		expect(values(regular)).toEqual(['checkAlerts', 'exchange', 'inspect', 'refreshLongLivedToken']);
		expect(values(toolAll)).toEqual(values(regular));
		expect(values(toolReadOnly)).toEqual(['inspect']);
		expect(regular.default).toBe('inspect');
		expect(regular.options.find((option) => option.value === 'refreshLongLivedToken')?.name).toBe('Refresh Long-Lived Token');
	});

	it('shows Save to Credential for Refresh Long-Lived Token as for the other minting operations', () => {
		const { node } = JSON.parse(readFileSync(fixturePath, 'utf8'));
		const save = node.properties.find((property: { name: string }) => property.name === 'saveToCredential');
		expect(save.displayOptions.show.operation).toEqual(['exchange', 'refreshSystemUserToken', 'generateSystemUserToken', 'refreshLongLivedToken']);
	});
});

/** The Operation parameters shown for one platform: the node's, the tool's read-only one, the tool's with Allow All. */
function operationFieldsOf(properties: Array<{ name: string; displayOptions?: { show?: Record<string, unknown[]> } }>, platform: string) {
	return properties.filter(
		(property) => property.name === 'operation' && (property.displayOptions?.show?.platform ?? []).includes(platform),
	) as unknown as Array<{ default: string; options: Array<{ value: string; name: string }>; displayOptions: unknown }>;
}
