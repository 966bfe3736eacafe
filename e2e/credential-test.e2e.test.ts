/**
 * The Meta Token API credential's Test button, in real n8n: `POST /rest/credentials/test`, which
 * runs the credential's declarative test through n8n's own credentials tester, request helpers and
 * our `authenticate`. What n8n shows for a live token, a dead one (with and without the app
 * secret) and a Base URL that must not get the token — for which the Graph double sees nothing,
 * neither from the Test button nor from an Inspect run (`n8n execute`) with that credential.
 */
import type { DoubleTokenSpec } from '../tools/graph-double/model';
import { GraphDoubleProcess } from './support/graphDoubleProcess';
import { N8nInstance } from './support/n8n';
import type { Major } from './support/paths';
import { n8nRuntime, selectedMajors } from './support/paths';
import { stopAll } from './support/processes';
import { packedTarball } from './support/tarball';
import { DAY, REPORTING_APP, metaCredential, nowSeconds, tokenFor } from './support/tokens';
import { manualTrigger, metaTokenNode, workflow } from './support/workflowBuilder';

const T = nowSeconds();
const live = tokenFor('credential-test-live');
const passwordChanged = tokenFor('credential-test-password-changed');
const expired = tokenFor('credential-test-expired');

const userToken = (token: string, expiresAt: number): DoubleTokenSpec => ({
	token,
	type: 'USER',
	appId: REPORTING_APP.id,
	userId: '10215241773831025',
	scopes: ['ads_read'],
	expiresAt,
	dataAccessExpiresAt: T + 80 * DAY,
});

describe.each(selectedMajors())('Credential test in real n8n %s.x', (major: Major) => {
	let double: GraphDoubleProcess;
	let n8n: N8nInstance;

	beforeAll(async () => {
		double = await GraphDoubleProcess.start({
			apps: [REPORTING_APP],
			tokens: [userToken(live, T + 50 * DAY), userToken(passwordChanged, T + 50 * DAY), userToken(expired, T - DAY)],
		});
		await double.invalidate(passwordChanged, 'passwordChanged');
		n8n = await N8nInstance.create(n8nRuntime(major), packedTarball());
		await n8n.start();
		await n8n.setupOwner();
	});

	afterAll(async () => {
		await n8n?.dispose();
		await double?.stop();
		await stopAll();
	});

	const json = async (response: Response, what: string) => {
		const text = await response.text();
		try {
			return JSON.parse(text) as { data?: Record<string, unknown> };
		} catch {
			throw new Error(`${what} → ${response.status} ${text.slice(0, 500)}`);
		}
	};

	/** As the editor does it: the credential is saved, then tested with the values in the form. */
	const test = async (data: Record<string, unknown>) => {
		const saved = await json(await n8n.rest('POST', '/rest/credentials', { name: 'Under test', type: 'metaTokenApi', data }), 'POST /rest/credentials');
		const credentials = { id: String(saved.data?.id), name: 'Under test', type: 'metaTokenApi', data };
		const response = await n8n.rest('POST', '/rest/credentials/test', { credentials });
		const text = await response.text();
		let body: { data?: { status: string; message: string } } = {};
		try {
			body = JSON.parse(text) as typeof body;
		} catch {
			// Reported below with the text itself.
		}
		if (!response.ok || !body.data) throw new Error(`POST /rest/credentials/test → ${response.status} ${text.slice(0, 500)}`);
		return body.data;
	};

	beforeEach(async () => await double.clearRequests());

	it('passes for a live token, inspected with the app token and a proof', async () => {
		const result = await test(metaCredential('x', 'x', ` Bearer ${live} `, double.url).data);
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		const [request] = await double.requests();
		expect(request.path).toBe('/debug_token');
		expect(request.query.input_token).toBe(live);
		expect(request.headers.authorization).toBe(`Bearer ${REPORTING_APP.id}|${REPORTING_APP.secret}`);
		expect(request.query.appsecret_proof).toMatch(/^[0-9a-f]{64}$/);
	});

	it('fails for a dead token with the reason and what to do', async () => {
		const result = await test(metaCredential('x', 'x', passwordChanged, double.url).data);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/changed their password.*Log in again and generate a new token/);
	});

	it('fails for a dead token that inspects itself (no App Secret)', async () => {
		const result = await test(metaCredential('x', 'x', expired, double.url, null).data);
		expect(result.status).toBe('Error');
		// Meta answers 400. n8n 2.x hands the status to the credential's rules; n8n 1.x's tester never
		// sees it and shows its own text for a 400 (README: fill in App ID and App Secret for the reason).
		if (major === 2) expect(result.message).toMatch(/^Meta refused the check: the access token has expired or was invalidated/);
		else expect(result.message).toBe('Bad request - please check your parameters');
	});

	it('refuses a plain-http non-local Base URL before sending anything, naming the field', async () => {
		const result = await test(metaCredential('x', 'x', live, 'http://graph.example.com').data);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/Base URL/);
		expect(await double.requests()).toHaveLength(0);
	});

	// Whoever may edit a shared credential could point it at their own server to receive the token.
	const FOREIGN = 'https://graph.example.com';

	it('refuses an https Base URL that is not Meta\'s, naming the field, before sending anything', async () => {
		const result = await test(metaCredential('x', 'x', live, FOREIGN).data);
		expect(result).toEqual({ status: 'Error', message: expect.stringMatching(/^Base URL may only be https:\/\/graph\.facebook\.com/) });
		expect(await double.requests()).toHaveLength(0);
	});

	it('fails an Inspect run with such a credential, naming the field, before sending anything', async () => {
		const credentialId = 'mtForeignHost001';
		await n8n.importCredentials([metaCredential(credentialId, 'Foreign Base URL', live, FOREIGN)]);
		await n8n.importWorkflows([
			workflow('MetaTokenForeign', 'Inspect through a foreign Base URL', manualTrigger(), [[metaTokenNode('Inspect', { operation: 'inspect' }, credentialId)]]),
		]);
		const result = await n8n.execute('MetaTokenForeign');
		expect(result.ok).toBe(false);
		expect(result.output).toMatch(/Base URL may only be https:\/\/graph\.facebook\.com/);
		// n8n prints the failed run as JSON, its quotes escaped.
		expect(result.output).toMatch(/Fix the field \\?"Base URL\\?" in the Meta Token API credential\./);
		expect(result.output).not.toContain(live);
		expect(result.output).not.toContain(REPORTING_APP.secret);
		expect(await double.requests()).toHaveLength(0);
	});
});
