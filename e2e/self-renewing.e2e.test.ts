/**
 * The self-renewing loop of examples/self-renewing-system-user-token.json in a real n8n server:
 * the Meta Token node refreshes an expiring system-user token and, with Save to Credential, writes
 * the new one into its own credential through n8n's public API, after n8n's API confirmed it is a
 * Meta Token API credential. The next run must send the new token; the execution holds only its
 * hint and fingerprint. A target of another type is refused before anything is minted. n8n 1.x
 * has no credential endpoints: there the run ends in the error branch with the node's plain
 * message, posted to the (local) Slack webhook, and nothing was minted.
 * The n8n API key: 2.x gets credential:update and credential:read; 1.x refuses those scopes.
 */
import { EXAMPLES, loadExample } from './support/examples';
import { GraphDoubleProcess } from './support/graphDoubleProcess';
import { N8nInstance, nodeItems } from './support/n8n';
import type { Major } from './support/paths';
import { n8nRuntime, selectedMajors } from './support/paths';
import { stopAll } from './support/processes';
import { WebhookSink } from './support/sink';
import { packedTarball } from './support/tarball';
import { DAY, REPORTING_APP, fingerprint, metaCredential, nowSeconds, tokenFor } from './support/tokens';

const T = nowSeconds();
const expiring = tokenFor('renew-system-user');
const META_CREDENTIAL = { id: 'mtRenew00000001', name: 'Reporting system user' };
const N8N_API_CREDENTIAL = { id: 'mtN8nApi0000001', name: 'n8n API' };
const WORKFLOW_ID = 'MetaTokenRenew01';
const WRONG_TARGET_ID = 'MetaTokenRenew02';
const WHOLE_TOKEN = /EAA[A-Za-z0-9]{20,}/g;

describe.each(selectedMajors())('Self-renewing system-user token in real n8n %s.x', (major: Major) => {
	let double: GraphDoubleProcess;
	let n8n: N8nInstance;
	let sink: WebhookSink;

	beforeAll(async () => {
		double = await GraphDoubleProcess.start({
			apps: [REPORTING_APP],
			tokens: [
				{
					token: expiring,
					type: 'SYSTEM_USER',
					appId: REPORTING_APP.id,
					userId: '7010',
					scopes: ['ads_read'],
					issuedAt: T - 55 * DAY,
					expiresAt: T + 5 * DAY,
					expiringSystemUser: true,
				},
			],
		});
		sink = await WebhookSink.start();
		n8n = await N8nInstance.create(n8nRuntime(major), packedTarball());
		await n8n.importCredentials([metaCredential(META_CREDENTIAL.id, META_CREDENTIAL.name, expiring, double.url)]);
		const example = () =>
			loadExample(EXAMPLES.selfRenewing, {
				metaTokenCredential: META_CREDENTIAL,
				n8nApiCredential: N8N_API_CREDENTIAL,
				slackWebhookUrl: sink.url,
			});
		// The same workflow told to save into the n8n API credential: a credential of another type.
		const wrongTarget = { ...example(), id: WRONG_TARGET_ID, name: 'Self-renewing, wrong target' };
		const refresh = wrongTarget.nodes.find((node) => node.name === 'Refresh token');
		if (refresh) refresh.parameters = { ...refresh.parameters, credentialId: N8N_API_CREDENTIAL.id };
		await n8n.importWorkflows([example(), wrongTarget]);
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

	const refreshCalls = async () =>
		(await double.requests()).filter((r) => r.path === '/oauth/access_token' && r.query.set_token_expires_in_60_days === 'true');

	if (major === 2) {
		it('refreshes the token, saves it into its own credential, and the next run sends the new token', async () => {
			const first = await n8n.execute(WORKFLOW_ID);
			if (!first.ok) throw new Error(first.output.slice(-4000));
			const [renewed] = nodeItems(first.run, 'Renewed');
			expect(renewed).toMatchObject({ savedToCredentialId: META_CREDENTIAL.id, tokenFingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) });
			// Include Token in Output is off: the execution holds no whole token, only hint and fingerprint.
			expect(renewed.accessToken).toBeUndefined();
			expect(JSON.stringify(first.run).match(WHOLE_TOKEN) ?? []).toEqual([]);
			expect(sink.messages).toHaveLength(0);
			const [firstCall] = await refreshCalls();
			expect(firstCall.query.fb_exchange_token).toBe(expiring);

			await double.clearRequests();
			const second = await n8n.execute(WORKFLOW_ID);
			if (!second.ok) throw new Error(second.output.slice(-4000));
			const calls = await refreshCalls();
			expect(calls).toHaveLength(1);
			// The second run took the token from the credential the first run updated.
			const saved = calls[0].query.fb_exchange_token;
			expect(saved).not.toBe(expiring);
			expect(fingerprint(saved)).toBe(renewed.tokenFingerprint);
			const [again] = nodeItems(second.run, 'Renewed');
			expect(again.tokenFingerprint).not.toBe(renewed.tokenFingerprint);

			// The credential holds the second run's token; its other fields are untouched.
			const exported = await n8n.cli(['export:credentials', `--id=${META_CREDENTIAL.id}`, '--decrypted']);
			const stored = (exported.stdout.match(WHOLE_TOKEN) ?? []).map(fingerprint);
			expect(stored).toContain(again.tokenFingerprint);
			expect(stored).not.toContain(renewed.tokenFingerprint);
			expect(exported.stdout).toContain(REPORTING_APP.secret);
			// Beside it, the record of that token (its fingerprint, when minted, Meta's expiry), written in the same PATCH.
			expect(exported.stdout).toMatch(new RegExp(`tokenRecord.{0,40}${String(again.tokenFingerprint)}`));
		});

		it('refuses to save into a credential of another type, before anything is minted', async () => {
			await double.clearRequests();
			const before = sink.messages.length;
			const result = await n8n.execute(WRONG_TARGET_ID);
			if (!result.ok) throw new Error(result.output.slice(-4000));
			const [failed] = nodeItems(result.run, 'Renewal failed?', 0);
			expect(failed.error).toMatchObject({ class: 'saveToCredential', reason: 'notMetaCredential' });
			expect(failed.accessToken).toBeUndefined();
			expect(await refreshCalls()).toHaveLength(0);
			const text = sink.texts().at(-1) ?? '';
			expect(sink.messages.length).toBe(before + 1);
			expect(text).toContain(`Credential ${N8N_API_CREDENTIAL.id} is a "metaTokenN8nApi" credential, not a Meta Token API credential`);
			expect(text).toContain('Nothing was minted.');
		});
	} else {
		it('says plainly that n8n 1.x has no credential endpoints, on the error branch, and mints nothing', async () => {
			const result = await n8n.execute(WORKFLOW_ID);
			if (!result.ok) throw new Error(result.output.slice(-4000));
			// The preflight asked n8n before minting: nothing to keep, nothing lost.
			const [failed] = nodeItems(result.run, 'Renewal failed?', 0);
			expect(failed.error).toMatchObject({ class: 'saveToCredential', reason: 'noUpdateEndpoint' });
			expect(failed.accessToken).toBeUndefined();
			expect(await refreshCalls()).toHaveLength(0);
			const text = sink.texts().at(-1) ?? '';
			expect(text).toContain('Renewing the Meta system-user token failed');
			expect(text).toContain('no credential lookup or update endpoint');
			expect(text).toContain('Nothing was minted.');
		});
	}
});
