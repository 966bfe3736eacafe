/**
 * The Meta Token node in an n8n with SSRF protection on (N8N_SSRF_PROTECTION_ENABLED=true), through
 * n8n-core's ExecuteContext: its request helper refuses loopback addresses the operator did not
 * allow, throwing what n8n 2.41.1 throws (test/support/n8nSsrf.ts). What must hold: the user reads
 * which setting allows the address, not a generic network error; Save to Credential finds the
 * block in its preflight and mints nothing; a blocked Graph Base URL is tried once, not retried; a
 * loopback host the operator allowed works. The real n8n: e2e/hardened.e2e.test.ts.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { GraphDouble } from '../../tools/graph-double/GraphDouble';
import { executeContext, type CredentialStore, type NodeRunOptions } from '../../tools/n8n-harness/n8nHarness';
import type { N8nPublicApiStandIn } from '../support/n8nPublicApi';
import { useGraphDoubleAndN8nApi } from './support/graphAndN8nApi';
import { blockWithSsrf } from '../support/n8nSsrf';
import { MetaToken } from '../../nodes/MetaToken/MetaToken.node';

const APP = { id: '1234567890', name: 'Reporting App', secret: 'app-secret-ssrf-canary-0b1e' };
const API_KEY = 'n8n-api-key-ssrf-canary-77c1f0';
const DAY = 86_400;
const OWN = 'own-credential-ssrf';

const node = new MetaToken();
const servers = useGraphDoubleAndN8nApi(APP, API_KEY);
let double: GraphDouble;
let api: N8nPublicApiStandIn;

beforeEach(() => {
	({ double, api } = servers);
	api.store({ id: OWN, name: 'Reporting system user', type: 'metaTokenApi', data: { accessToken: 'old', appSecret: APP.secret } });
});

/** The double and the API stand-in listen on 127.0.0.1; `localhost` reaches them by name. */
const byName = (url: string) => url.replace('127.0.0.1', 'localhost');

function credentials(token: string, graphBaseUrl: string, n8nApiBaseUrl: string): CredentialStore {
	return {
		metaTokenApi: { accessToken: token, appId: APP.id, appSecret: APP.secret, graphApiVersion: 'v25.0', proofMode: 'auto', baseUrl: graphBaseUrl },
		metaTokenN8nApi: { baseUrl: n8nApiBaseUrl, apiKey: API_KEY },
	};
}

function systemUserToken(): string {
	return double.addToken({ type: 'SYSTEM_USER', appId: APP.id, userId: '61550000000009', expiringSystemUser: true, expiresAt: double.now() + 5 * DAY });
}

/** One run of the node with n8n's SSRF protection on, `allowedHostnames` allowed; the refused origins too. */
async function runBlocked(
	options: NodeRunOptions,
	allowedHostnames: string[],
	onlyMethod?: string,
): Promise<{ output?: INodeExecutionData[]; error?: Error & { description?: string }; refused: string[] }> {
	const { context } = executeContext(node, options, options.staticData);
	const refused = blockWithSsrf(context, allowedHostnames, onlyMethod);
	try {
		const output = (await node.execute!.call(context)) as INodeExecutionData[][];
		return { output: output[0], refused };
	} catch (error) {
		return { error: error as Error & { description?: string }, refused };
	}
}

const mintCalls = () => double.requests.filter((r) => r.path === '/oauth/access_token' || r.path.endsWith('/access_tokens'));

describe('Save to Credential with the n8n API on a blocked loopback address', () => {
	it('refuses in the preflight, naming the setting that allows the address; nothing is minted', async () => {
		const token = systemUserToken();
		const run = await runBlocked(
			{
				parameters: { operation: 'refreshSystemUserToken', saveToCredential: true },
				credentials: credentials(token, byName(double.url), api.url),
				credentialIds: { metaTokenApi: OWN },
			},
			['localhost'],
		);
		expect(run.output).toBeUndefined();
		const text = `${run.error?.message ?? ''} ${run.error?.description ?? ''}`;
		expect(text).toContain(`n8n's SSRF protection (N8N_SSRF_PROTECTION_ENABLED) blocked the request to ${api.url} to check credential ${OWN}`);
		expect(text).toContain(`N8N_SSRF_ALLOWED_IP_RANGES=127.0.0.1/32`);
		expect(text).toContain("Use this n8n's public https URL as the n8n API credential's Base URL");
		expect(text).toContain('Nothing was minted.');
		expect(text).not.toMatch(/could not reach/i);
		expect(text).not.toContain(API_KEY);
		expect(text).not.toContain(token);
		expect(run.refused).toEqual([api.url]);
		expect(mintCalls()).toEqual([]);
		expect(api.requests).toEqual([]);
		expect(api.credentials.get(OWN)?.data.accessToken).toBe('old');
	});

	it('names N8N_SSRF_ALLOWED_HOSTNAMES when the Base URL uses a host name, item by item under Continue On Fail', async () => {
		const token = systemUserToken();
		const run = await runBlocked(
			{
				parameters: { operation: 'refreshSystemUserToken', saveToCredential: true },
				credentials: credentials(token, double.url, byName(api.url)),
				credentialIds: { metaTokenApi: OWN },
				continueOnFail: true,
			},
			[],
		);
		const [item] = run.output ?? [];
		const error = item.json.error as IDataObject;
		expect(error).toMatchObject({ class: 'saveToCredential', reason: 'blockedBySsrfProtection' });
		expect(String(error.message)).toContain('N8N_SSRF_ALLOWED_HOSTNAMES=localhost');
		expect(String(error.message)).toContain('Nothing was minted.');
		expect(mintCalls()).toEqual([]);
	});

	it('saves once the operator allowed the host name', async () => {
		const token = systemUserToken();
		const run = await runBlocked(
			{
				parameters: { operation: 'refreshSystemUserToken', saveToCredential: true },
				credentials: credentials(token, byName(double.url), byName(api.url)),
				credentialIds: { metaTokenApi: OWN },
			},
			['localhost'],
		);
		if (run.error) throw run.error;
		expect(run.output?.[0].json.savedToCredentialId).toBe(OWN);
		expect(run.refused).toEqual([]);
		expect(api.credentials.get(OWN)?.data.accessToken).not.toBe('old');
	});
});

describe('the n8n API blocked after the preflight, and for Check for Alerts', () => {
	it('a blocked PATCH is not retried: the minted token stays in the output with the reason', async () => {
		const token = systemUserToken();
		const run = await runBlocked(
			{
				parameters: { operation: 'refreshSystemUserToken', saveToCredential: true },
				credentials: credentials(token, double.url, api.url),
				credentialIds: { metaTokenApi: OWN },
				continueOnFail: true,
			},
			[],
			'PATCH',
		);
		const [item] = run.output ?? [];
		expect(run.refused).toEqual([api.url]);
		expect(mintCalls()).toHaveLength(1);
		expect(double.token(String(item.json.accessToken))?.type).toBe('SYSTEM_USER');
		expect(item.json.savedToCredentialId).toBeNull();
		expect(item.json.error).toMatchObject({ reason: 'blockedBySsrfProtection' });
		expect(String((item.json.error as IDataObject).message)).toContain('N8N_SSRF_ALLOWED_IP_RANGES=127.0.0.1/32');
		expect(api.credentials.get(OWN)?.data.accessToken).toBe('old');
	});

	it("Check for Alerts' history read names the setting and sends no alert", async () => {
		const token = systemUserToken();
		const run = await runBlocked(
			{
				parameters: { operation: 'checkAlerts', tokenSource: 'input', token: '={{ $json.token }}', tokenName: '={{ $json.client }}', readHistoryThroughN8nApi: true },
				credentials: credentials(token, double.url, api.url),
				items: [{ client: 'Acme Shoes', token }],
				staticData: {},
				mode: 'trigger',
			},
			['localhost'],
		);
		const text = `${run.error?.message ?? ''} ${run.error?.description ?? ''}`;
		expect(run.output).toBeUndefined();
		expect(text).toContain(`blocked the request to ${api.url} to read this workflow's alert history`);
		expect(text).toContain('N8N_SSRF_ALLOWED_IP_RANGES=127.0.0.1/32');
		expect(text).toContain('No alerts were sent');
		expect(run.refused).toEqual([api.url]);
	});
});

describe('the Graph API on a blocked loopback Base URL', () => {
	it('fails with what to allow, tried once and not retried as a network error; nothing reaches the double', async () => {
		const token = systemUserToken();
		const run = await runBlocked({ parameters: { operation: 'inspect' }, credentials: credentials(token, double.url, api.url) }, []);
		const text = `${run.error?.message ?? ''} ${run.error?.description ?? ''}`;
		expect(text).toContain(`n8n's SSRF protection (N8N_SSRF_PROTECTION_ENABLED) blocked the request to ${double.url} for the Graph API`);
		expect(text).toContain("Meta's Graph hosts (https://graph.facebook.com, https://graph.instagram.com, https://graph.threads.net, https://graph.threads.com) are public and need no exception");
		expect(text).toContain('N8N_SSRF_ALLOWED_IP_RANGES=127.0.0.1/32');
		expect(text).not.toMatch(/could not be reached|tried \d+ times/);
		expect(text).not.toContain(token);
		expect(text).not.toContain(APP.secret);
		expect(run.refused).toEqual([double.url]);
		expect(double.requests).toEqual([]);
	});

	it('gives every item the same classified error under Continue On Fail, with one refused request per batch', async () => {
		const tokens = [systemUserToken(), systemUserToken()];
		const run = await runBlocked(
			{
				parameters: { operation: 'inspect', tokenSource: 'input', token: '={{ $json.token }}' },
				credentials: credentials(tokens[0], byName(double.url), api.url),
				items: tokens.map((token) => ({ token })),
				continueOnFail: true,
			},
			[],
		);
		const errors = (run.output ?? []).map((item) => item.json.error as IDataObject);
		expect(errors).toHaveLength(2);
		for (const error of errors) {
			expect(error).toMatchObject({ class: 'network' });
			expect(String(error.message)).toContain('N8N_SSRF_ALLOWED_HOSTNAMES=localhost');
		}
		expect(JSON.stringify(run.output)).not.toContain(tokens[1]);
		// Both tokens go in one batch call: one request refused, none repeated.
		expect(run.refused).toEqual([byName(double.url)]);
		expect(double.requests).toEqual([]);
	});

	it('inspects through a loopback host the operator allowed', async () => {
		const token = systemUserToken();
		const run = await runBlocked({ parameters: { operation: 'inspect' }, credentials: credentials(token, byName(double.url), api.url) }, ['localhost']);
		if (run.error) throw run.error;
		expect(run.output?.[0].json).toMatchObject({ isValid: true, type: 'SYSTEM_USER' });
		expect(run.refused).toEqual([]);
	});
});
