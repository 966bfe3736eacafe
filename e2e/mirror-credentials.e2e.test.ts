/**
 * Also Update Credentials in a real n8n server: one credential of each type the renewed token is
 * mirrored into is created through n8n's public API with known other fields (n8n's Facebook Graph
 * API, Facebook Graph API (App), WhatsApp API, Header Auth, Query Auth and Bearer Auth). An
 * exchange and then a refresh, each with Save to Credential and every one of them listed, write
 * the new token; n8n's own CLI (`export:credentials --decrypted`) shows each credential holding
 * it in its one field, in its form, with every other field as it was. The next run of an HTTP
 * Request node with the Header Auth credential sends the new token to the Graph double.
 * n8n 1.x has no credential endpoints: the node says so before minting, and nothing is minted.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import { GraphDoubleProcess } from './support/graphDoubleProcess';
import { N8nInstance, nodeItems, type CredentialImport } from './support/n8n';
import type { Major } from './support/paths';
import { n8nRuntime, selectedMajors } from './support/paths';
import { stopAll } from './support/processes';
import { packedTarball } from './support/tarball';
import { DAY, REPORTING_APP, fingerprint, metaCredential, nowSeconds, tokenFor } from './support/tokens';
import { manualTrigger, metaTokenNode, workflow } from './support/workflowBuilder';

const T = nowSeconds();
const shortLived = tokenFor('mirror-short-lived-user');
const systemUser = tokenFor('mirror-system-user');
const EXCHANGE_META = { id: 'mtMirrorExch001', name: 'Client user token' };
const REFRESH_META = { id: 'mtMirrorRefr001', name: 'Reporting system user' };
const N8N_API_CREDENTIAL = { id: 'mtMirrorN8nApi1', name: 'n8n API' };
const EXCHANGE_WORKFLOW = 'MetaTokenMirror1';
const REFRESH_WORKFLOW = 'MetaTokenMirror2';
const HEADER_WORKFLOW = 'MetaTokenMirror3';
const WHOLE_TOKEN = /EAA[A-Za-z0-9]{20,}/g;

/** The credentials other workflows use, each with the fields a user set and the one the token goes in. */
const MIRRORS: Array<{ name: string; type: string; data: Record<string, string>; write: (token: string) => Record<string, string> }> = [
	{ name: 'Ads reports (Facebook Graph API)', type: 'facebookGraphApi', data: { accessToken: 'old-graph-token' }, write: (token) => ({ accessToken: token }) },
	{
		name: 'Lead webhooks (Facebook Graph API App)',
		type: 'facebookGraphAppApi',
		data: { accessToken: 'old-app-token', appSecret: 'facebook-app-secret-kept' },
		write: (token) => ({ accessToken: token }),
	},
	{
		name: 'WhatsApp messages',
		type: 'whatsAppApi',
		data: { accessToken: 'old-whatsapp-token', businessAccountId: '102938475610' },
		write: (token) => ({ accessToken: token }),
	},
	{
		name: 'Marketing API (Header Auth)',
		type: 'httpHeaderAuth',
		data: { name: 'Authorization', value: 'Bearer old-header-token', allowedHttpRequestDomains: 'domains', allowedDomains: '127.0.0.1' },
		write: (token) => ({ value: `Bearer ${token}` }),
	},
	{ name: 'Marketing API (Query Auth)', type: 'httpQueryAuth', data: { name: 'access_token', value: 'old-query-token' }, write: (token) => ({ value: token }) },
	{
		name: 'Marketing API (Bearer Auth)',
		type: 'httpBearerAuth',
		data: { token: 'old-bearer-token', allowedHttpRequestDomains: 'none' },
		write: (token) => ({ token }),
	},
];

interface Exported {
	id: string;
	type: string;
	data: Record<string, unknown>;
}

describe.each(selectedMajors())('Also Update Credentials in real n8n %s.x', (major: Major) => {
	let double: GraphDoubleProcess;
	let n8n: N8nInstance;
	/** The mirrors' IDs as n8n gave them, in the order of MIRRORS. */
	let ids: string[] = [];

	beforeAll(async () => {
		double = await GraphDoubleProcess.start({
			apps: [REPORTING_APP],
			tokens: [
				{ token: shortLived, type: 'USER', appId: REPORTING_APP.id, userId: '7020', scopes: ['ads_read'], issuedAt: T - 600, expiresAt: T + 3000 },
				{
					token: systemUser,
					type: 'SYSTEM_USER',
					appId: REPORTING_APP.id,
					userId: '7021',
					scopes: ['ads_read'],
					issuedAt: T - 55 * DAY,
					expiresAt: T + 5 * DAY,
					expiringSystemUser: true,
				},
			],
		});
		n8n = await N8nInstance.create(n8nRuntime(major), packedTarball());
		await n8n.importCredentials([
			metaCredential(EXCHANGE_META.id, EXCHANGE_META.name, shortLived, double.url),
			metaCredential(REFRESH_META.id, REFRESH_META.name, systemUser, double.url),
		]);
		await n8n.start();
		await n8n.setupOwner();
		await n8n.addN8nApiCredential(N8N_API_CREDENTIAL);
		if (major === 2) {
			// As a user made them: through n8n's public API, which gives each its ID.
			const apiKey = await n8n.createApiKey(['credential:create'], 'mirror-setup');
			for (const mirror of MIRRORS) {
				const created = await n8n.api<{ id: string }>('POST', '/credentials', apiKey, { name: mirror.name, type: mirror.type, data: mirror.data });
				ids.push(created.id);
			}
		} else {
			ids = MIRRORS.map((_, index) => `mtMirrorTarget${index}`);
			await n8n.importCredentials(MIRRORS.map((mirror, index): CredentialImport => ({ id: ids[index], name: mirror.name, type: mirror.type, data: mirror.data })));
		}
		const renewing = (id: string, name: string, operation: string, credential: { id: string; name: string }) =>
			workflow(id, name, manualTrigger(), [
				[
					metaTokenNode('Renew', { operation, saveToCredential: true, mirrorCredentialIds: ids.join(', ') }, credential.id, {
						credentials: { metaTokenApi: credential, metaTokenN8nApi: N8N_API_CREDENTIAL },
						onError: 'continueRegularOutput',
					}),
				],
			]);
		const headerIndex = MIRRORS.findIndex((mirror) => mirror.type === 'httpHeaderAuth');
		const request = {
			name: 'Marketing API call',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			position: [250, 0] as [number, number],
			parameters: { url: `${double.url}/v25.0/me/accounts`, authentication: 'genericCredentialType', genericAuthType: 'httpHeaderAuth', options: {} },
			credentials: { httpHeaderAuth: { id: ids[headerIndex], name: MIRRORS[headerIndex].name } },
		};
		await n8n.importWorkflows([
			renewing(EXCHANGE_WORKFLOW, 'Exchange into every credential', 'exchange', EXCHANGE_META),
			renewing(REFRESH_WORKFLOW, 'Refresh into every credential', 'refreshSystemUserToken', REFRESH_META),
			workflow(HEADER_WORKFLOW, 'A workflow using the Header Auth credential', manualTrigger(), [[request]]),
		]);
	});

	afterAll(async () => {
		await n8n?.dispose();
		await double?.stop();
		await stopAll();
	});

	const mintCalls = async () => (await double.requests()).filter((r) => r.path === '/oauth/access_token');

	/** What n8n holds, decrypted by its own CLI with this instance's key. */
	async function exportedCredentials(): Promise<Map<string, Exported>> {
		const file = join(n8n.userFolder, `export-${Date.now()}.json`);
		const result = await n8n.cli(['export:credentials', '--decrypted', '--all', `--output=${file}`]);
		if (result.code !== 0) throw new Error(result.output.slice(-4000));
		const list = JSON.parse(readFileSync(file, 'utf8')) as Exported[];
		return new Map(list.map((credential) => [credential.id, credential]));
	}

	/** Runs a renewing workflow; the new token (from the Meta Token API credential it saved into) and the item. */
	async function renew(workflowId: string, metaCredentialId: string): Promise<{ token: string; item: Record<string, unknown> }> {
		const result = await n8n.execute(workflowId);
		if (!result.ok) throw new Error(result.output.slice(-4000));
		const [item] = nodeItems(result.run, 'Renew');
		if (item.error) throw new Error(JSON.stringify(item.error));
		// Include Token in Output is off: the execution holds hint and fingerprint, no whole token.
		expect(item.accessToken).toBeUndefined();
		expect(JSON.stringify(result.run).match(WHOLE_TOKEN) ?? []).toEqual([]);
		const stored = await exportedCredentials();
		const token = String(stored.get(metaCredentialId)?.data.accessToken);
		expect(fingerprint(token)).toBe(item.tokenFingerprint);
		expect(item.savedTo).toEqual([
			{ credentialId: metaCredentialId, type: 'metaTokenApi', ok: true },
			...MIRRORS.map((mirror, index) => ({ credentialId: ids[index], type: mirror.type, ok: true })),
		]);
		// Every mirror holds the new token in its one field; each other field is as the user set it.
		MIRRORS.forEach((mirror, index) => {
			expect({ type: stored.get(ids[index])?.type, data: stored.get(ids[index])?.data }).toEqual({ type: mirror.type, data: { ...mirror.data, ...mirror.write(token) } });
		});
		return { token, item };
	}

	if (major === 2) {
		it('writes the exchanged, then the refreshed token into every listed credential, and the next HTTP Request sends it', async () => {
			const exchanged = await renew(EXCHANGE_WORKFLOW, EXCHANGE_META.id);
			expect(exchanged.token).not.toBe(shortLived);
			expect((await mintCalls()).filter((call) => call.query.fb_exchange_token === shortLived)).toHaveLength(1);

			await double.clearRequests();
			const refreshed = await renew(REFRESH_WORKFLOW, REFRESH_META.id);
			expect(refreshed.token).not.toBe(systemUser);
			expect(refreshed.token).not.toBe(exchanged.token);
			const [refreshCall] = await mintCalls();
			expect(refreshCall.query.fb_exchange_token).toBe(systemUser);

			await double.clearRequests();
			const call = await n8n.execute(HEADER_WORKFLOW);
			if (!call.ok) throw new Error(call.output.slice(-4000));
			const sent = (await double.requests()).filter((request) => request.path === '/me/accounts');
			expect(sent).toHaveLength(1);
			expect(sent[0].headers.authorization).toBe(`Bearer ${refreshed.token}`);
			expect(sent[0].callingToken).toBe(refreshed.token);
		});
	} else {
		it('says before minting that this n8n cannot update credentials, and leaves every credential as it was', async () => {
			const result = await n8n.execute(EXCHANGE_WORKFLOW);
			if (!result.ok) throw new Error(result.output.slice(-4000));
			const [item] = nodeItems(result.run, 'Renew');
			expect(item.error).toMatchObject({ class: 'saveToCredential', reason: 'noUpdateEndpoint' });
			expect(String((item.error as { message: string }).message)).toMatch(/no credential lookup or update endpoint \(n8n 1\.x lacks them.*Nothing was minted\./);
			expect(item.accessToken).toBeUndefined();
			expect(await mintCalls()).toHaveLength(0);
			const stored = await exportedCredentials();
			MIRRORS.forEach((mirror, index) => expect(stored.get(ids[index])?.data).toEqual(mirror.data));
			expect(stored.get(EXCHANGE_META.id)?.data.accessToken).toBe(shortLived);
		});
	}
});
