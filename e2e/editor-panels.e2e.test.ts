/**
 * What a new user reads in the editor, from the node and credential types real n8n hands its
 * editor (`/types/nodes.json`, `/types/credentials.json`), read the way the editor reads them:
 *
 * - The node panel's credential selectors. The editor labels each with the credential's
 *   `displayName` in the node's `credentials` list when there is one, and otherwise with a
 *   generic "Credential" when both selectors show (NodeCredentials, getCredentialsFieldLabel);
 *   which selectors show is n8n's displayParameter over the node's parameters.
 * - The nodes panel entry. The editor merges a node and the trigger named like it plus "Trigger"
 *   into one entry and shows the trigger's description for it, in the trigger list and the step
 *   list alike (node creator, generateMergedNodesAndActions).
 * - The credential dialog. n8n appends "Allowed HTTP Request Domains" to every credential that
 *   authenticates requests; the credential's notice about it must sit right above it.
 * - Settings → Community Nodes, which lists only what its own Install button installed: empty for
 *   this package installed by hand (npm install of the tarball into the nodes folder), though
 *   loaded — as the README warns, so nobody reinstalls it.
 */
import type { INodeCredentialDescription, INodeProperties, INodeTypeDescription } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { N8nInstance } from './support/n8n';
import type { Major } from './support/paths';
import { n8nRuntime, selectedMajors } from './support/paths';
import { stopAll } from './support/processes';
import { packedTarball } from './support/tarball';

const NODE = 'n8n-nodes-meta-token.metaToken';
const TRIGGER = 'n8n-nodes-meta-token.metaTokenTrigger';

describe.each(selectedMajors())("The editor's panels in real n8n %s.x", (major: Major) => {
	let n8n: N8nInstance;
	let nodes: INodeTypeDescription[];
	let credentials: Array<{ name: string; displayName: string; properties: INodeProperties[] }>;

	beforeAll(async () => {
		n8n = await N8nInstance.create(n8nRuntime(major), packedTarball());
		await n8n.start();
		await n8n.setupOwner();
		const read = async (path: string) => {
			const response = await n8n.rest('GET', path);
			expect(response.status).toBe(200);
			return await response.json();
		};
		nodes = (await read('/types/nodes.json')) as INodeTypeDescription[];
		credentials = (await read('/types/credentials.json')) as typeof credentials;
	});

	afterAll(async () => {
		await n8n?.dispose();
		await stopAll();
	});

	const nodeType = (name: string): INodeTypeDescription => {
		const type = nodes.find((candidate) => candidate.name === name);
		if (!type) throw new Error(`${name} is not in /types/nodes.json`);
		return type;
	};

	/** The credential selectors the node panel shows for these parameters, as [type, label]. */
	const selectors = (parameters: Record<string, unknown>): Array<[string, string | undefined]> => {
		const type = nodeType(NODE);
		const node = { typeVersion: 1 };
		const resolved = NodeHelpers.getNodeParameters(type.properties, parameters as never, true, false, node, type) ?? {};
		return (type.credentials ?? [])
			.filter((credential: INodeCredentialDescription) => NodeHelpers.displayParameter(resolved, credential, node, type))
			.map((credential) => [credential.name, credential.displayName]);
	};

	it('labels the two credential selectors of Save to Credential by what they are', () => {
		for (const operation of ['exchange', 'refreshSystemUserToken', 'generateSystemUserToken']) {
			expect(selectors({ operation, saveToCredential: true })).toEqual([
				['metaTokenApi', 'Meta Token API Credential'],
				['metaTokenN8nApi', 'n8n API Credential'],
			]);
		}
		expect(selectors({ operation: 'checkAlerts', readHistoryThroughN8nApi: true })).toEqual([
			['metaTokenApi', 'Meta Token API Credential'],
			['metaTokenN8nApi', 'n8n API Credential'],
		]);
		expect(selectors({ operation: 'refreshSystemUserToken' })).toEqual([['metaTokenApi', 'Meta Token API Credential']]);
		expect(selectors({ operation: 'inspect' })).toEqual([['metaTokenApi', 'Meta Token API Credential']]);
		// The trigger's one selector reads the same.
		expect(nodeType(TRIGGER).credentials?.map((credential) => [credential.name, credential.displayName])).toEqual([
			['metaTokenApi', 'Meta Token API Credential'],
		]);
		// The credential types behind the labels.
		expect(credentials.find((type) => type.name === 'metaTokenApi')?.displayName).toBe('Meta Token API');
		expect(credentials.find((type) => type.name === 'metaTokenN8nApi')?.displayName).toBe('n8n API');
	});

	it("shows one nodes-panel entry for the node and its trigger, with a description true of both", () => {
		const trigger = nodeType(TRIGGER);
		// The editor's merge: the trigger's name without "Trigger" names a node that has actions.
		const partner = nodeType(trigger.name.replace('Trigger', ''));
		expect(partner.name).toBe(NODE);
		expect(trigger.group).toContain('trigger');
		expect(partner.group).not.toContain('trigger');
		const operations = partner.properties.find((property) => property.name === 'operation')?.options ?? [];
		expect(operations.length).toBeGreaterThan(1);

		const entry = { title: partner.displayName, description: trigger.description };
		expect(entry).toEqual({
			title: 'Meta Token',
			description: 'Inspect, renew and revoke Meta access tokens (Facebook, Instagram, Threads), and start a workflow when one nears expiry or stops working',
		});
		// The node's own description stays about its operations (an AI agent reads it as the tool's).
		expect(partner.description).toBe('Inspect, exchange, refresh, generate, list and revoke Meta access tokens (Facebook, Instagram, Threads)');
	});

	it.each([
		['instagram', 'Instagram has no debug_token'],
		['threads', "Threads' debug_token"],
	])("on %s, words Inspect, Concurrency and the tool's setting for that platform, Facebook's unchanged", (platform, inspectText) => {
		/** The parameters named `name` that the editor shows for these values, in the node type `typeName`. */
		const shown = (typeName: string, parameters: Record<string, unknown>, name: string): INodeProperties[] => {
			const type = nodeType(typeName);
			const node = { typeVersion: 1 };
			const resolved = NodeHelpers.getNodeParameters(type.properties, parameters as never, true, false, node, type) ?? {};
			return type.properties.filter((property) => property.name === name && NodeHelpers.displayParameter(resolved, property, node, type));
		};
		const optionText = (property: INodeProperties | undefined, value: string) =>
			(property?.options as Array<{ name: string; value?: string; description?: string }> | undefined)?.find(
				(option) => option.value === value || option.name === value,
			)?.description;
		for (const typeName of [NODE, `${NODE}Tool`]) {
			const [operation, ...moreOperations] = shown(typeName, { platform }, 'operation');
			expect(moreOperations).toEqual([]);
			expect(optionText(operation, 'inspect')).toContain(inspectText);
			const [options, ...moreOptions] = shown(typeName, { platform, operation: 'inspect' }, 'options');
			expect(moreOptions).toEqual([]);
			expect(optionText(options, 'concurrency')).toMatch(/^How many tokens are inspected at once, one call each\./);
			// A saved workflow without Platform is a Facebook one, its words as before.
			expect(optionText(shown(typeName, {}, 'operation')[0], 'inspect')).toBe(
				'Read type, scopes and expiry of tokens with debug_token (many at once through Graph batches)',
			);
			expect(optionText(shown(typeName, { operation: 'inspect' }, 'options')[0], 'concurrency')).toMatch(/^How many Graph calls may run at once: batch calls/);
		}
		const [setting, ...moreSettings] = shown(`${NODE}Tool`, { platform }, 'allowAllOperations');
		expect(moreSettings).toEqual([]);
		expect(setting.description).not.toMatch(/Page tokens|generate|revoke/);
	});

	it('puts the credential\'s notice about "Allowed HTTP Request Domains" right above that setting', () => {
		const properties = credentials.find((type) => type.name === 'metaTokenApi')?.properties ?? [];
		const names = properties.map((property) => property.name);
		const notice = properties.find((property) => property.name === 'allowedDomainsNotice');
		expect(notice?.type).toBe('notice');
		expect(notice?.displayName).toContain('choose Specific Domains and enter graph.facebook.com');
		const setting = properties.find((property) => property.name === 'allowedHttpRequestDomains');
		expect(setting?.displayName).toBe('Allowed HTTP Request Domains');
		expect(names.indexOf('allowedHttpRequestDomains')).toBe(names.indexOf('allowedDomainsNotice') + 1);
	});

	it('lists nothing on Settings → Community Nodes for the package installed by hand, though n8n loaded it', async () => {
		expect(nodes.map((type) => type.name)).toEqual(expect.arrayContaining([NODE, TRIGGER]));
		const response = await n8n.rest('GET', '/rest/community-packages');
		expect(response.status).toBe(200);
		expect(await response.json()).toEqual({ data: [] });
	});
});
