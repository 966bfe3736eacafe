/**
 * The Meta Token API credential in n8n's own HTTP Request node, in a real n8n:
 * examples/ads-insights-with-meta-token-credential.json — an HTTP Request node (typeVersion 4.2,
 * Authentication "Predefined Credential Type", `nodeCredentialType: metaTokenApi`) calling
 * `GET /v25.0/act_{id}/insights` on the Graph double, for an app with "Require App Secret".
 *
 * Asserted from the double's request log, with the proof recomputed here by an independent HMAC:
 * the token only in the Authorization header, a valid `appsecret_proof` (classic, and timestamped
 * when the credential says so), no token anywhere in the URL; a request for another host (the
 * local Slack sink) is refused by the credential and reaches nothing. What n8n's editor gets of
 * the credential's `httpRequestNode`: the Meta Graph API description, hidden by n8n's loader
 * from the nodes panel because the Meta Token node lists the credential. On 2.x: after a Save
 * to Credential run, the next HTTP Request call carries the new token. Both nodes and both
 * credentials show the one icon pair in nodes/icons/, as n8n resolves and serves it.
 */
import { createHmac } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';

import { EXAMPLES, loadExample } from './support/examples';
import { GraphDoubleProcess } from './support/graphDoubleProcess';
import { N8nInstance, nodeItems } from './support/n8n';
import type { Major } from './support/paths';
import { n8nRuntime, repoRoot, selectedMajors } from './support/paths';
import { stopAll } from './support/processes';
import { WebhookSink } from './support/sink';
import { packedTarball } from './support/tarball';
import { DAY, REPORTING_APP, fingerprint, metaCredential, nowSeconds, tokenFor } from './support/tokens';
import { manualTrigger, metaTokenNode, workflow } from './support/workflowBuilder';

const T = nowSeconds();
const STRICT_APP = { ...REPORTING_APP, requireAppSecret: true };
const systemUser = tokenFor('http-request-system-user');
const analyst = tokenFor('http-request-analyst');
const AD_ACCOUNT = '120330000111222';
const SYSTEM_CREDENTIAL = { id: 'mtHttpSys000001', name: 'Reporting system user' };
const TIMESTAMPED_CREDENTIAL = { id: 'mtHttpTime00001', name: 'Analyst (timestamped proof)' };
const N8N_API_CREDENTIAL = { id: 'mtHttpN8nApi001', name: 'n8n API' };
const INSIGHTS_ID = 'MetaTokenAdsDay1';
const TIMESTAMPED_ID = 'MetaTokenAdsTime';
const FOREIGN_ID = 'MetaTokenAdsElse';
const SAVE_ID = 'MetaTokenHttpSv1';
const INSIGHTS_NODE = "Get yesterday's insights";

const hmac = (message: string) => createHmac('sha256', STRICT_APP.secret).update(message).digest('hex');

describe.each(selectedMajors())('The credential in the HTTP Request node, real n8n %s.x', (major: Major) => {
	let double: GraphDoubleProcess;
	let n8n: N8nInstance;
	let sink: WebhookSink;

	const insightsCalls = async () => (await double.requests()).filter((r) => r.path === `/act_${AD_ACCOUNT}/insights`);

	beforeAll(async () => {
		double = await GraphDoubleProcess.start({
			apps: [STRICT_APP],
			tokens: [
				{ token: systemUser, type: 'SYSTEM_USER', appId: STRICT_APP.id, userId: '61550000000001', scopes: ['ads_read', 'ads_management'], issuedAt: T - 50 * DAY, expiresAt: T + 10 * DAY, expiringSystemUser: true },
				{ token: analyst, type: 'USER', appId: STRICT_APP.id, userId: '31', scopes: ['ads_read'], granularScopes: [{ scope: 'ads_read', target_ids: [`act_${AD_ACCOUNT}`] }], issuedAt: T - 5 * DAY, expiresAt: T + 55 * DAY },
			],
		});
		sink = await WebhookSink.start();
		n8n = await N8nInstance.create(n8nRuntime(major), packedTarball());
		const timestamped = metaCredential(TIMESTAMPED_CREDENTIAL.id, TIMESTAMPED_CREDENTIAL.name, analyst, double.url, STRICT_APP);
		timestamped.data.proofMode = 'timestamped';
		await n8n.importCredentials([metaCredential(SYSTEM_CREDENTIAL.id, SYSTEM_CREDENTIAL.name, systemUser, double.url, STRICT_APP), timestamped]);
		const insights = (credential: { id: string; name: string }) =>
			loadExample(EXAMPLES.adsInsights, { metaTokenCredential: credential, slackWebhookUrl: sink.url, graphBaseUrl: double.url, adAccountId: AD_ACCOUNT });
		const foreign = { ...insights(SYSTEM_CREDENTIAL), id: FOREIGN_ID, name: 'Insights sent elsewhere' };
		const request = foreign.nodes.find((node) => node.name === INSIGHTS_NODE);
		if (request) request.parameters = { ...request.parameters, url: `${sink.url}/v25.0/act_${AD_ACCOUNT}/insights` };
		const refresh = metaTokenNode('Refresh and save', { operation: 'refreshSystemUserToken', saveToCredential: true }, SYSTEM_CREDENTIAL.id);
		refresh.credentials = { ...refresh.credentials, metaTokenN8nApi: N8N_API_CREDENTIAL };
		await n8n.importWorkflows([
			insights(SYSTEM_CREDENTIAL),
			{ ...insights(TIMESTAMPED_CREDENTIAL), id: TIMESTAMPED_ID, name: 'Insights, timestamped proof' },
			foreign,
			workflow(SAVE_ID, 'Refresh the system-user token and save it', manualTrigger(), [[refresh]]),
		]);
		await n8n.start();
		await n8n.setupOwner();
		await n8n.addN8nApiCredential(N8N_API_CREDENTIAL);
	});

	afterAll(async () => {
		await n8n?.dispose();
		await double?.stop();
		await sink?.stop();
		await stopAll();
	});

	it("gives the editor the credential's Meta Graph API description, its panel entry hidden by n8n's loader", async () => {
		const response = await n8n.rest('GET', '/types/credentials.json');
		expect(response.status).toBe(200);
		const types = (await response.json()) as Array<{ name: string; displayName: string; httpRequestNode?: Record<string, unknown>; supportedNodes?: string[] }>;
		const meta = types.find((type) => type.name === 'metaTokenApi');
		expect(meta?.httpRequestNode).toEqual({
			name: 'Meta Graph API',
			docsUrl: 'https://developers.facebook.com/docs/graph-api/',
			apiBaseUrl: 'https://graph.facebook.com/v25.0/',
			// Set by n8n (PackageDirectoryLoader.inferSupportedNodes): a node of this package lists the credential.
			hidden: true,
		});
		expect(meta?.supportedNodes).toEqual(expect.arrayContaining(['n8n-nodes-meta-token.metaToken']));
		expect(types.find((type) => type.name === 'metaTokenN8nApi')?.displayName).toBe('n8n API');
	});

	it('shows both nodes and both credentials with the one icon pair in nodes/icons/, served by n8n', async () => {
		// n8n resolves `file:` icons relative to the compiled node or credential file
		// (n8n-core DirectoryLoader.getIconPath) and serves them under /icons/<package>/.
		const expected = {
			light: 'icons/n8n-nodes-meta-token/dist/nodes/icons/metaToken.svg',
			dark: 'icons/n8n-nodes-meta-token/dist/nodes/icons/metaToken.dark.svg',
		};
		const typesOf = async (file: string) => {
			const response = await n8n.rest('GET', `/types/${file}`);
			expect(response.status).toBe(200);
			return (await response.json()) as Array<{ name: string; iconUrl?: unknown }>;
		};
		const nodes = await typesOf('nodes.json');
		const credentials = await typesOf('credentials.json');
		for (const name of ['n8n-nodes-meta-token.metaToken', 'n8n-nodes-meta-token.metaTokenTrigger']) {
			expect({ name, iconUrl: nodes.find((type) => type.name === name)?.iconUrl }).toEqual({ name, iconUrl: expected });
		}
		for (const name of ['metaTokenApi', 'metaTokenN8nApi']) {
			expect({ name, iconUrl: credentials.find((type) => type.name === name)?.iconUrl }).toEqual({ name, iconUrl: expected });
		}
		for (const [variant, url] of Object.entries(expected)) {
			const response = await n8n.rest('GET', `/${url}`);
			expect({ url, status: response.status }).toEqual({ url, status: 200 });
			const file = variant === 'dark' ? 'metaToken.dark.svg' : 'metaToken.svg';
			expect(await response.text()).toBe(readFileSync(join(repoRoot, 'nodes', 'icons', file), 'utf8'));
		}
	});

	it('signs the Ads insights call: token in the Authorization header, a valid classic proof, nothing in the URL', async () => {
		await double.clearRequests();
		const result = await n8n.execute(INSIGHTS_ID);
		if (!result.ok) throw new Error(result.output.slice(-4000));
		const [answer] = nodeItems(result.run, INSIGHTS_NODE);
		expect(answer).toMatchObject({ data: [{ impressions: expect.stringMatching(/^\d+$/), date_start: expect.any(String) }] });
		expect(sink.texts().at(-1)).toMatch(/^Meta Ads on \d{4}-\d{2}-\d{2}: \d+ impressions, \d+ clicks, [\d.]+ spent$/);

		const [call] = await insightsCalls();
		expect(call.status).toBe(200);
		expect(call.headers.authorization).toBe(`Bearer ${systemUser}`);
		expect(call.query).toEqual({ fields: 'impressions,clicks,spend', date_preset: 'yesterday', appsecret_proof: hmac(systemUser) });
		for (const value of Object.values(call.query)) expect(value).not.toContain(systemUser);
		expect(JSON.stringify(result.run)).not.toContain(systemUser);
	});

	it('signs with the timestamped proof when the credential asks for it', async () => {
		await double.clearRequests();
		const result = await n8n.execute(TIMESTAMPED_ID);
		if (!result.ok) throw new Error(result.output.slice(-4000));
		const [call] = await insightsCalls();
		expect(call.status).toBe(200);
		expect(call.headers.authorization).toBe(`Bearer ${analyst}`);
		const time = Number(call.query.appsecret_time);
		expect(Math.abs(time - call.at)).toBeLessThanOrEqual(300);
		expect(call.query.appsecret_proof).toBe(hmac(`${analyst}|${time}`));
		expect(Object.keys(call.query).sort()).toEqual(['appsecret_proof', 'appsecret_time', 'date_preset', 'fields']);
	});

	it('refuses to sign a request for another host: it fails naming the Graph host, and nothing reaches that host', async () => {
		const before = sink.messages.length;
		await double.clearRequests();
		const result = await n8n.execute(FOREIGN_ID);
		expect(result.ok).toBe(false);
		expect(result.run?.data.resultData.error?.message ?? result.output).toMatch(/signs only requests to its own Graph host/);
		expect(sink.messages.length).toBe(before);
		expect(await double.requests()).toEqual([]);
		expect(result.output).not.toContain(systemUser);
	});

	if (major === 2) {
		it('after a Save to Credential run, the next HTTP Request call carries the new token', async () => {
			const saved = await n8n.execute(SAVE_ID);
			if (!saved.ok) throw new Error(saved.output.slice(-4000));
			const [renewed] = nodeItems(saved.run, 'Refresh and save');
			expect(renewed).toMatchObject({ savedToCredentialId: SYSTEM_CREDENTIAL.id });

			await double.clearRequests();
			const next = await n8n.execute(INSIGHTS_ID);
			if (!next.ok) throw new Error(next.output.slice(-4000));
			const [call] = await insightsCalls();
			expect(call.status).toBe(200);
			const sent = /^Bearer (.+)$/.exec(call.headers.authorization ?? '')?.[1] ?? '';
			expect(sent).not.toBe(systemUser);
			expect(fingerprint(sent)).toBe(renewed.tokenFingerprint);
			expect(call.query.appsecret_proof).toBe(hmac(sent));
		});
	}
});
