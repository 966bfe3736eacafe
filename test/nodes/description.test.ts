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

import type { INode, INodeParameters, INodeProperties, INodeTypeDescription } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

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

describe('Meta Token texts per platform', () => {
	// Words true of Facebook only: Graph batch calls, Graph API Explorer tokens, system users, Page tokens, ads permissions.
	const FACEBOOK_ONLY = /Graph batch|batch calls|Graph API Explorer|system.user|Page tokens|ads_read/i;
	const regular = new MetaToken().description;
	const tool = asAiTool(new MetaToken()).description;
	const variants: Array<[string, INodeTypeDescription, INodeParameters]> = [
		['node', regular, {}],
		['tool', tool, {}],
		['tool with Allow All Operations', tool, { allowAllOperations: true }],
	];

	it.each(['instagram', 'threads'])('on %s, says nothing that holds only for Facebook, in the node or the tool', (platform) => {
		const offending: string[] = [];
		for (const [variant, description, extra] of variants) {
			for (const operation of offeredOn(description, { platform, ...extra })) {
				for (const text of shownTexts(description, { platform, operation, saveToCredential: true, ...extra })) {
					if (FACEBOOK_ONLY.test(text)) offending.push(`${variant}, ${operation}: ${text}`);
				}
			}
		}
		expect(offending).toEqual([]);
	});

	it('on Facebook, still says them (the scan above can find them)', () => {
		const texts = offeredOn(regular, { platform: 'facebook' }).flatMap((operation) =>
			shownTexts(regular, { platform: 'facebook', operation, saveToCredential: true }),
		);
		expect(texts.filter((text) => FACEBOOK_ONLY.test(text)).length).toBeGreaterThan(3);
	});

	it.each([
		['instagram', 'Instagram has no debug_token', 'Business Login for Instagram'],
		['threads', "Threads' debug_token", "Threads' login"],
	])('on %s, Inspect and Exchange say how that platform does them', (platform, inspectText, exchangeText) => {
		const operations = shownProperties(regular, { platform }).find((property) => property.name === 'operation');
		const descriptionOf = (value: string) =>
			(operations?.options as Array<{ value: string; description: string }>).find((option) => option.value === value)?.description;
		expect(descriptionOf('inspect')).toContain(inspectText);
		expect(descriptionOf('exchange')).toContain(exchangeText);
	});
});

function nodeOf(description: INodeTypeDescription, parameters: INodeParameters): INode {
	return { id: '1', name: 'Meta Token', type: description.name, typeVersion: 1, position: [0, 0], parameters };
}

/** The parameters n8n shows for these values, as the editor resolves them (defaults filled in). */
function shownProperties(description: INodeTypeDescription, values: INodeParameters): INodeProperties[] {
	const node = nodeOf(description, values);
	const resolved = NodeHelpers.getNodeParameters(description.properties, values, true, false, node, description) ?? {};
	return description.properties.filter((property) => NodeHelpers.displayParameter(resolved, property, node, description));
}

/** The operations offered for these values. */
function offeredOn(description: INodeTypeDescription, values: INodeParameters): string[] {
	const operation = shownProperties(description, values).find((property) => property.name === 'operation');
	return (operation?.options ?? []).map((option) => (option as { value: string }).value);
}

/** Every text the editor shows for these values but the Platform's own: names, descriptions, placeholders, options, collections' fields. */
function shownTexts(description: INodeTypeDescription, values: INodeParameters): string[] {
	const texts = (entry: Record<string, unknown>): string[] => [
		...['displayName', 'name', 'description', 'placeholder', 'action']
			.map((key) => entry[key])
			.filter((text): text is string => typeof text === 'string'),
		...(Array.isArray(entry.options) ? (entry.options as Array<Record<string, unknown>>).flatMap(texts) : []),
	];
	// The Platform parameter itself lists every platform, Facebook's words included.
	return shownProperties(description, values)
		.filter((property) => property.name !== 'platform')
		.flatMap((property) => texts(property as unknown as Record<string, unknown>));
}

/** The Operation parameters shown for one platform: the node's, the tool's read-only one, the tool's with Allow All. */
function operationFieldsOf(properties: Array<{ name: string; displayOptions?: { show?: Record<string, unknown[]> } }>, platform: string) {
	return properties.filter(
		(property) => property.name === 'operation' && (property.displayOptions?.show?.platform ?? []).includes(platform),
	) as unknown as Array<{ default: string; options: Array<{ value: string; name: string }>; displayOptions: unknown }>;
}
