/**
 * The package in an n8n 2.x hardened as security-minded operators run it, all settings at once:
 *
 *   N8N_SSRF_PROTECTION_ENABLED=true      node requests to loopback/private addresses refused…
 *   N8N_SSRF_ALLOWED_HOSTNAMES=           …except these host names, as an operator allows a local
 *     localhost,127.0.0.1                 Graph double or proxy and their own n8n's API (the IP
 *                                         address listed too, as one would try: n8n ignores it)
 *   N8N_RUNNERS_MODE=internal             the Code node in a task runner
 *   N8N_BLOCK_ENV_ACCESS_IN_NODE=true     no $env in expressions or the Code node
 *   N8N_RESTRICT_FILE_ACCESS_TO=<dir>     n8n's file helpers only inside <dir>
 *
 * The Graph double, the n8n API and the Slack sink all listen on 127.0.0.1. Addressed as
 * `localhost` (allowed) everything works: Inspect, the trigger in an active workflow (its alert
 * reaches the sink), Save to Credential through the n8n API, and n8n's HTTP Request node with the
 * Meta Token API credential, which then sends the saved token. Addressed as `127.0.0.1` n8n
 * refuses, although the address is on the host-name list (n8n checks a URL with an IP address
 * against N8N_SSRF_ALLOWED_IP_RANGES alone): Save to Credential stops in its
 * preflight naming N8N_SSRF_ALLOWED_IP_RANGES and mints nothing; Inspect with a Graph Base URL on
 * 127.0.0.1 says what to allow and the double sees nothing. A Code node reading $env and a file
 * read outside <dir> fail in the same n8n: the settings are in force while the package works.
 */
import { randomUUID } from 'crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { EXAMPLES, loadExample } from './support/examples';
import { GraphDoubleProcess } from './support/graphDoubleProcess';
import { N8nInstance, nodeItems, type WorkflowNode } from './support/n8n';
import type { Major } from './support/paths';
import { n8nRuntime, selectedMajors } from './support/paths';
import { stopAll, waitFor } from './support/processes';
import { WebhookSink } from './support/sink';
import { packedTarball } from './support/tarball';
import { DAY, REPORTING_APP, fingerprint, metaCredential, nowSeconds, tokenFor } from './support/tokens';
import { manualTrigger, metaTokenNode, workflow } from './support/workflowBuilder';

const T = nowSeconds();
const watched = tokenFor('hardened-watched');
const systemUser = tokenFor('hardened-system-user');
const AD_ACCOUNT = '120330000333444';
const WATCHED_CREDENTIAL = { id: 'mtHardWatch0001', name: 'Acme Ads (hardened n8n)' };
const SYSTEM_CREDENTIAL = { id: 'mtHardSystem001', name: 'Reporting system user (hardened n8n)' };
const GRAPH_ON_IP_CREDENTIAL = { id: 'mtHardGraphIp01', name: 'Graph double on 127.0.0.1' };
const API_BY_NAME = { id: 'mtHardApiName01', name: 'n8n API (localhost)' };
const API_BY_IP = { id: 'mtHardApiIp0001', name: 'n8n API (127.0.0.1)' };
const ALERT_ID = 'MetaTokenAlert01';
const INSIGHTS_ID = 'MetaTokenAdsDay1';
const INSPECT_ID = 'MetaTokenHardIns';
const SAVE_ID = 'MetaTokenHardSav';
const SAVE_BLOCKED_ID = 'MetaTokenHardBlk';
const GRAPH_BLOCKED_ID = 'MetaTokenHardGrB';
const HARDENING_ID = 'MetaTokenHardEnv';
const INSIGHTS_NODE = "Get yesterday's insights";
const ON_ERROR = { onError: 'continueRegularOutput' };

const MAJORS: Major[] = selectedMajors().filter((major) => major === 2);

/** The same address by name: allowed by N8N_SSRF_ALLOWED_HOSTNAMES=localhost. */
const byName = (url: string) => url.replace('//127.0.0.1:', '//localhost:');

function hardenedN8n(major: Major) {
	let double: GraphDoubleProcess;
	let n8n: N8nInstance;
	let sink: WebhookSink;
	let filesDir: string;
	let started = 0;

	const mintCalls = async () => (await double.requests()).filter((r) => r.path === '/oauth/access_token' || r.path.endsWith('/access_tokens'));

	beforeAll(async () => {
		started = Date.now();
		double = await GraphDoubleProcess.start({
			apps: [REPORTING_APP],
			tokens: [
				{ token: watched, type: 'USER', appId: REPORTING_APP.id, userId: '31', scopes: ['ads_read'], issuedAt: T - 55 * DAY, expiresAt: T + 5 * DAY + 3600, dataAccessExpiresAt: T + 85 * DAY },
				{ token: systemUser, type: 'SYSTEM_USER', appId: REPORTING_APP.id, userId: '61550000000002', scopes: ['ads_read', 'ads_management'], issuedAt: T - 50 * DAY, expiresAt: T + 10 * DAY, expiringSystemUser: true },
			],
		});
		sink = await WebhookSink.start();
		filesDir = mkdtempSync(join(tmpdir(), 'meta-token-n8n-files-'));
		writeFileSync(join(filesDir, 'allowed.txt'), 'inside the allowed folder\n');
		n8n = await N8nInstance.create(n8nRuntime(major), packedTarball(), {
			env: {
				N8N_SSRF_PROTECTION_ENABLED: 'true',
				// 127.0.0.1 has no effect here: n8n matches host-name rules against host names only.
				N8N_SSRF_ALLOWED_HOSTNAMES: 'localhost,127.0.0.1',
				N8N_RUNNERS_MODE: 'internal',
				N8N_BLOCK_ENV_ACCESS_IN_NODE: 'true',
				N8N_RESTRICT_FILE_ACCESS_TO: filesDir,
			},
		});
		const graph = byName(double.url);
		const slack = byName(sink.url);
		await n8n.importCredentials([
			metaCredential(WATCHED_CREDENTIAL.id, WATCHED_CREDENTIAL.name, watched, graph),
			metaCredential(SYSTEM_CREDENTIAL.id, SYSTEM_CREDENTIAL.name, systemUser, graph),
			metaCredential(GRAPH_ON_IP_CREDENTIAL.id, GRAPH_ON_IP_CREDENTIAL.name, watched, double.url),
		]);
		const refresh = (name: string, api: { id: string; name: string }): WorkflowNode => {
			const node = metaTokenNode(name, { operation: 'refreshSystemUserToken', saveToCredential: true }, SYSTEM_CREDENTIAL.id, ON_ERROR);
			node.credentials = { ...node.credentials, metaTokenN8nApi: api };
			return node;
		};
		await n8n.importWorkflows([
			loadExample(EXAMPLES.alert, { metaTokenCredential: WATCHED_CREDENTIAL, slackWebhookUrl: slack, pollTimes: { item: [{ mode: 'everyMinute' }] } }),
			loadExample(EXAMPLES.adsInsights, { metaTokenCredential: SYSTEM_CREDENTIAL, slackWebhookUrl: slack, graphBaseUrl: graph, adAccountId: AD_ACCOUNT }),
			workflow(INSPECT_ID, 'Inspect, hardened n8n', manualTrigger(), [[metaTokenNode('Inspect', { operation: 'inspect' }, WATCHED_CREDENTIAL.id)]]),
			workflow(SAVE_ID, 'Refresh and save, n8n API by name', manualTrigger(), [[refresh('Refresh and save', API_BY_NAME)]]),
			workflow(SAVE_BLOCKED_ID, 'Refresh and save, n8n API on 127.0.0.1', manualTrigger(), [[refresh('Refresh and save', API_BY_IP)]]),
			workflow(GRAPH_BLOCKED_ID, 'Inspect, Graph on 127.0.0.1', manualTrigger(), [[metaTokenNode('Inspect', { operation: 'inspect' }, GRAPH_ON_IP_CREDENTIAL.id, ON_ERROR)]]),
			workflow(HARDENING_ID, 'The hardening is in force', manualTrigger(), [
				[{ id: randomUUID(), name: 'Read $env', type: 'n8n-nodes-base.code', typeVersion: 2, position: [0, 0], parameters: { jsCode: 'return [{ json: { home: $env.HOME } }];' }, ...ON_ERROR }],
				[{ id: randomUUID(), name: 'Read outside', type: 'n8n-nodes-base.readWriteFile', typeVersion: 1, position: [0, 0], parameters: { operation: 'read', fileSelector: '/etc/hostname', options: {} }, ...ON_ERROR }],
				[{ id: randomUUID(), name: 'Read inside', type: 'n8n-nodes-base.readWriteFile', typeVersion: 1, position: [0, 0], parameters: { operation: 'read', fileSelector: join(filesDir, 'allowed.txt'), options: {} }, ...ON_ERROR }],
			]),
		]);
		await n8n.activate(ALERT_ID);
		await n8n.start();
		await n8n.setupOwner();
		const apiKey = await n8n.createApiKey(['credential:update', 'credential:read']);
		await n8n.importCredentials([
			{ ...API_BY_NAME, type: 'metaTokenN8nApi', data: { baseUrl: byName(n8n.url), apiKey } },
			{ ...API_BY_IP, type: 'metaTokenN8nApi', data: { baseUrl: n8n.url, apiKey } },
		]);
	});

	afterAll(async () => {
		await n8n?.dispose();
		await double?.stop();
		await sink?.stop();
		if (filesDir) rmSync(filesDir, { recursive: true, force: true });
		await stopAll();
		process.stdout.write(`figure: hardened n8n ${major}.x file wall ${Date.now() - started} ms\n`);
	});

	it('the trigger, active, polls at activation and its alert reaches the allowed Slack host', async () => {
		await waitFor('the expiring alert on the Slack sink', async () => (sink.messages.length > 0 ? true : undefined), 120_000, 1_000);
		expect(sink.texts()).toHaveLength(1);
		expect(sink.texts()[0]).toContain(`Meta token "${WATCHED_CREDENTIAL.name}"`);
		expect(sink.texts()[0]).toMatch(/expires in 5 days/);
		expect(sink.texts()[0]).not.toContain(watched);
	});

	it('Inspect works against the allowed Graph host', async () => {
		const result = await n8n.execute(INSPECT_ID);
		if (!result.ok) throw new Error(result.output.slice(-4000));
		const [record] = nodeItems(result.run, 'Inspect');
		expect(record).toMatchObject({ isValid: true, type: 'USER', daysLeft: 5 });
		expect(result.output).not.toContain(watched);
	});

	it('Save to Credential through the n8n API by name, then the HTTP Request node sends the saved token', async () => {
		const saved = await n8n.execute(SAVE_ID);
		if (!saved.ok) throw new Error(saved.output.slice(-4000));
		const [renewed] = nodeItems(saved.run, 'Refresh and save');
		expect(renewed).toMatchObject({ savedToCredentialId: SYSTEM_CREDENTIAL.id, tokenFingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) });
		expect(renewed.error).toBeUndefined();

		await double.clearRequests();
		const before = sink.messages.length;
		const insights = await n8n.execute(INSIGHTS_ID);
		if (!insights.ok) throw new Error(insights.output.slice(-4000));
		expect(nodeItems(insights.run, INSIGHTS_NODE)[0]).toMatchObject({ data: [{ impressions: expect.stringMatching(/^\d+$/) }] });
		const [call] = (await double.requests()).filter((r) => r.path === `/act_${AD_ACCOUNT}/insights`);
		expect(call.status).toBe(200);
		const sent = /^Bearer (.+)$/.exec(call.headers.authorization ?? '')?.[1] ?? '';
		expect(sent).not.toBe(systemUser);
		expect(fingerprint(sent)).toBe(renewed.tokenFingerprint);
		expect(sink.messages.length).toBe(before + 1);
	});

	it('Save to Credential with the n8n API on 127.0.0.1: refused before minting, naming the setting', async () => {
		await double.clearRequests();
		const result = await n8n.execute(SAVE_BLOCKED_ID);
		if (!result.ok) throw new Error(result.output.slice(-4000));
		const [item] = nodeItems(result.run, 'Refresh and save');
		const error = item.error as { class: string; reason: string; message: string };
		expect(error).toMatchObject({ class: 'saveToCredential', reason: 'blockedBySsrfProtection' });
		expect(error.message).toContain(`n8n's SSRF protection (N8N_SSRF_PROTECTION_ENABLED) blocked the request to ${n8n.url} to check credential ${SYSTEM_CREDENTIAL.id}`);
		expect(error.message).toContain('N8N_SSRF_ALLOWED_IP_RANGES=127.0.0.1/32');
		expect(error.message).toContain("public https URL as the n8n API credential's Base URL");
		expect(error.message).toContain('Nothing was minted.');
		expect(item.accessToken).toBeUndefined();
		expect(await mintCalls()).toEqual([]);
		expect(await double.requests()).toEqual([]);
	});

	it('a Graph Base URL on 127.0.0.1: the error says what to allow, and the double sees nothing', async () => {
		await double.clearRequests();
		const result = await n8n.execute(GRAPH_BLOCKED_ID);
		if (!result.ok) throw new Error(result.output.slice(-4000));
		const [item] = nodeItems(result.run, 'Inspect');
		const error = item.error as { class: string; message: string };
		expect(error.class).toBe('network');
		expect(error.message).toContain(`n8n's SSRF protection (N8N_SSRF_PROTECTION_ENABLED) blocked the request to ${double.url} for the Graph API`);
		expect(error.message).toContain('N8N_SSRF_ALLOWED_IP_RANGES=127.0.0.1/32');
		expect(error.message).not.toMatch(/tried \d+ times/);
		expect(result.output).not.toContain(watched);
		expect(await double.requests()).toEqual([]);
	});

	it('in the same n8n, $env in a Code node and a file outside the allowed folder are refused', async () => {
		const result = await n8n.execute(HARDENING_ID);
		if (!result.ok) throw new Error(result.output.slice(-4000));
		const env = nodeItems(result.run, 'Read $env')[0];
		expect(JSON.stringify(env)).toMatch(/access to env vars denied/);
		expect(env.home).toBeUndefined();
		expect(JSON.stringify(nodeItems(result.run, 'Read outside')[0])).toMatch(/Access to the file is not allowed/);
		expect(nodeItems(result.run, 'Read inside')[0]).toMatchObject({ fileName: 'allowed.txt' });
	});

	it("n8n's log holds no failure of the package's nodes and no token", () => {
		const log = n8n.log();
		expect(log).not.toContain(watched);
		expect(log).not.toContain(systemUser);
		expect(log).not.toMatch(/n8n-nodes-meta-token[^\n]*(error|failed)/i);
	});
}

if (MAJORS.length === 0) test.todo('hardened n8n: runs in n8n 2.x only (E2E_MAJORS must include 2)');
else describe.each(MAJORS)('hardened real n8n %s.x (SSRF protection, task runners, no env, restricted files)', hardenedN8n);
