/**
 * The Meta Token node's description, and its tool variant's, as the editor and saved workflows see
 * them: every parameter's name, value, default, display rule and position, the operation list and
 * the n8n API credential's display rule. Restructuring how the description is assembled must not
 * change any of it; the fixture is the description as it was before the operations were defined
 * one object each (fixtures/metaTokenDescription.json). A deliberate change of the description
 * updates the fixture in the same commit.
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

	it('offers seven operations and shows the n8n API credential only where it is used', () => {
		const { node } = JSON.parse(readFileSync(fixturePath, 'utf8'));
		const operation = node.properties.find((property: { name: string }) => property.name === 'operation');
		expect(operation.options.map((option: { value: string }) => option.value)).toEqual([
			'checkAlerts',
			'exchange',
			'generateSystemUserToken',
			'getPageTokens',
			'inspect',
			'refreshSystemUserToken',
			'revoke',
		]);
		const n8nApi = node.credentials.find((credential: { name: string }) => credential.name === 'metaTokenN8nApi');
		expect(n8nApi.displayOptions.hide.operation).toEqual(['getPageTokens', 'inspect', 'revoke']);
	});
});
