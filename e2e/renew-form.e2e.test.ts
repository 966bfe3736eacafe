/**
 * The user-token renewal loop in a real n8n server, over HTTP only:
 * examples/renew-user-token-form.json (Form Trigger with Basic Auth → check the pasted token →
 * Exchange with Save to Credential → inspect the new token → Slack → completion page) beside
 * examples/alert-slack-before-meta-token-expires.json (active, polling every minute, its Renewal
 * Link set to the form's production URL). Both post to a local Slack sink.
 *
 *   activation poll      → an `expiring` alert whose action links to the form
 *   a pasted token that has expired / belongs to another app / lacks ads_read
 *                        → the page says exactly that; nothing is minted, the credential unchanged
 *   a good short-lived token (2.x)
 *                        → the page states the new expiry, Slack hears "renewed from the form",
 *                          the credential holds the long-lived token, the next poll inspects it
 *                          (the double's request log) and the alert workflow raises `renewed` once
 *   the same on 1.x      → the page says n8n 1.x has no credential lookup or update endpoint,
 *                          nothing was minted, and no `renewed` follows
 */
import { EXAMPLES, loadExample } from './support/examples';
import { basicAuth, submitForm } from './support/form';
import { GraphDoubleProcess } from './support/graphDoubleProcess';
import { N8nInstance } from './support/n8n';
import type { Major } from './support/paths';
import { n8nRuntime, selectedMajors } from './support/paths';
import { freePort, sleepMs, stopAll, waitFor } from './support/processes';
import { WebhookSink } from './support/sink';
import { packedTarball } from './support/tarball';
import { DAY, REPORTING_APP, metaCredential, nowSeconds, tokenFor } from './support/tokens';

const T = nowSeconds();
const OTHER_APP = { id: '2002', name: 'Someone Else’s App', secret: 'other-app-secret-e2e' };
const current = tokenFor('renew-form-current');
const pasted = {
	good: tokenFor('renew-form-good'),
	expired: tokenFor('renew-form-expired'),
	otherApp: tokenFor('renew-form-other-app'),
	noAds: tokenFor('renew-form-no-ads'),
};
const META_CREDENTIAL = { id: 'mtRenewForm0001', name: 'Acme Ads (reporting)' };
const N8N_API_CREDENTIAL = { id: 'mtRenewFormApi1', name: 'n8n API' };
const FORM_LOGIN = { id: 'mtRenewFormLgn1', name: 'Renewal form login', user: 'renewer', password: 'Renew-Form-e2e-1' };
const ALERT_ID = 'MetaTokenAlert01';
const FORM_ID = 'MetaTokenForm001';
const POLL_WAIT_MS = 100_000;
const WHOLE_TOKEN = /EAA[A-Za-z0-9]{20,}/g;

const shortLived = (token: string, scopes: string[], extra: Record<string, unknown> = {}) => ({
	token,
	type: 'USER' as const,
	appId: REPORTING_APP.id,
	userId: '31',
	scopes,
	issuedAt: T - 300,
	expiresAt: T + 3300,
	...extra,
});

describe.each(selectedMajors())('Renewing a user token from the form, real n8n %s.x', (major: Major) => {
	let double: GraphDoubleProcess;
	let n8n: N8nInstance;
	let sink: WebhookSink;
	let formUrl: string;
	const authorization = basicAuth(FORM_LOGIN.user, FORM_LOGIN.password);

	const exchanges = async () => (await double.requests()).filter((r) => r.path === '/oauth/access_token');
	const storedTokens = async () => {
		const exported = await n8n.cli(['export:credentials', `--id=${META_CREDENTIAL.id}`, '--decrypted']);
		return exported.stdout.match(WHOLE_TOKEN) ?? [];
	};
	/** debug_token calls about `token`: the trigger's polls, and the form's own checks. */
	const inspections = async (token: string) => (await double.requests()).filter((r) => r.path === '/debug_token' && r.query.input_token === token).length;
	const alerts = () => sink.texts().filter((text) => text.startsWith('Meta token '));
	const formSlack = () => sink.texts().filter((text) => text.includes('renewed from the form'));

	beforeAll(async () => {
		double = await GraphDoubleProcess.start({
			apps: [REPORTING_APP, OTHER_APP],
			tokens: [
				{ token: current, type: 'USER', appId: REPORTING_APP.id, userId: '31', scopes: ['ads_read'], issuedAt: T - 58 * DAY, expiresAt: T + 2 * DAY + 3600, dataAccessExpiresAt: T + 80 * DAY },
				shortLived(pasted.good, ['ads_read', 'public_profile']),
				shortLived(pasted.expired, ['ads_read'], { issuedAt: T - 2 * 3600, expiresAt: T - 3600 }),
				shortLived(pasted.otherApp, ['ads_read'], { appId: OTHER_APP.id }),
				shortLived(pasted.noAds, ['public_profile']),
			],
		});
		sink = await WebhookSink.start();
		n8n = await N8nInstance.create(n8nRuntime(major), packedTarball());
		n8n.port = await freePort();
		formUrl = `${n8n.url}/form/renew-meta-token`;
		await n8n.importCredentials([
			metaCredential(META_CREDENTIAL.id, META_CREDENTIAL.name, current, double.url),
			{ id: FORM_LOGIN.id, name: FORM_LOGIN.name, type: 'httpBasicAuth', data: { user: FORM_LOGIN.user, password: FORM_LOGIN.password } },
		]);
		const values = {
			metaTokenCredential: META_CREDENTIAL,
			n8nApiCredential: N8N_API_CREDENTIAL,
			formLoginCredential: FORM_LOGIN,
			slackWebhookUrl: sink.url,
			pollTimes: { item: [{ mode: 'everyMinute' }] },
			renewalUrl: formUrl,
		};
		await n8n.importWorkflows([loadExample(EXAMPLES.alert, values), loadExample(EXAMPLES.renewForm, values)]);
		await n8n.activate(ALERT_ID);
		await n8n.activate(FORM_ID);
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

	it('alerts at activation with a link to the form; the form asks for a login and one password field', async () => {
		await waitFor('the expiring alert', async () => (alerts().length > 0 ? true : undefined), POLL_WAIT_MS, 1_000);
		const [alert] = alerts();
		expect(alert).toContain(`Meta token "${META_CREDENTIAL.name}" (USER, app Reporting App) expires in 2 days`);
		expect(alert).toContain(`\nOpen ${formUrl} and paste a new token from the Graph API Explorer`);

		expect((await fetch(formUrl)).status).toBe(401);
		const page = await fetch(formUrl, { headers: { authorization } });
		expect(page.status).toBe(200);
		const html = await page.text();
		expect(html).toContain('Paste a new token from the Graph API Explorer');
		const inputs = html.match(/<input[^>]*name='field-\d+'[^>]*>/g) ?? [];
		expect(inputs).toHaveLength(1);
		expect(inputs[0]).toContain("type='password'");
	});

	it.each([
		['expired', () => pasted.expired, /^The pasted token has expired: Graph API Explorer tokens last about an hour\./],
		['from another app', () => pasted.otherApp, /^The pasted token belongs to another app\. In the Graph API Explorer choose the app of the Meta Token API credential/],
		['without ads_read', () => pasted.noAds, /^The pasted token lacks the permission ads_read\. In the Graph API Explorer add ads_read under Permissions/],
	])('a pasted token %s: the page says so, nothing is minted, the credential is unchanged', async (_, token, reason) => {
		await double.clearRequests();
		const result = await submitForm(formUrl, [token()], { authorization });
		expect(result).toMatchObject({ status: 200, executionStatus: 'form-waiting', title: 'The token was not renewed' });
		expect(result.message).toMatch(reason);
		expect(result.message).toMatch(/The credential was not changed\.$/);
		expect(result.html).not.toContain(token());
		expect(await exchanges()).toEqual([]);
		expect(await storedTokens()).toEqual([current]);
	});

	if (major === 2) {
		it('a good token: the page states the new expiry, the credential holds the long-lived token, the next poll sends it and raises renewed once', async () => {
			await double.clearRequests();
			const alertsBefore = alerts().length;
			const result = await submitForm(formUrl, [pasted.good], { authorization });
			expect(result).toMatchObject({ status: 200, executionStatus: 'form-waiting', title: 'Token renewed' });

			// Exchanged once, from the pasted token; the credential now holds what Meta answered.
			const [exchange] = await exchanges();
			expect(exchange.query).toMatchObject({ grant_type: 'fb_exchange_token', fb_exchange_token: pasted.good });
			expect(await exchanges()).toHaveLength(1);
			const storedNow = await storedTokens();
			expect(storedNow).toHaveLength(1);
			const stored = storedNow[0] ?? '';
			expect(stored).not.toBe(current);
			expect(stored).not.toBe(pasted.good);
			// "Inspect the new token" read it from the credential, as every later run will (the
			// active trigger's minute poll may have read it too in the meantime: at least one).
			expect(await inspections(stored)).toBeGreaterThanOrEqual(1);

			// The page states the expiry Meta gave the new token (60 days from the exchange).
			const expiresAt = new Date((exchange.at + 5_184_000) * 1000);
			const day = `${expiresAt.getUTCDate()} ${expiresAt.toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' })} ${expiresAt.getUTCFullYear()}`;
			const time = expiresAt.toISOString().slice(11, 16);
			expect(result.message).toBe(
				`The credential now holds ${stored.slice(0, 6)}…${stored.slice(-4)}, which expires on ${day}, ${time} UTC (59 days from now). Workflows that use this credential get the new token from their next run.`,
			);
			expect(result.html).not.toMatch(WHOLE_TOKEN);
			await waitFor("the form's Slack message", async () => (formSlack().length > 0 ? true : undefined), 30_000);
			expect(formSlack()).toEqual([expect.stringContaining(`which expires on ${day}, ${time} UTC, in 59 days.`)]);

			// The alert workflow's next poll runs with the stored token and raises renewed, once.
			const checked = await inspections(stored);
			await waitFor('the next poll, of the new token', async () => ((await inspections(stored)) > checked ? true : undefined), POLL_WAIT_MS, 1_000);
			await waitFor('the renewed alert', async () => (alerts().length > alertsBefore ? true : undefined), 30_000);
			const since = await inspections(stored);
			await waitFor('one more poll', async () => ((await inspections(stored)) > since ? true : undefined), POLL_WAIT_MS, 1_000);
			await sleepMs(5_000);
			const after = alerts().slice(alertsBefore);
			expect(after).toHaveLength(1);
			expect(after[0]).toContain(`Meta token "${META_CREDENTIAL.name}" (USER, app Reporting App) was replaced by a new token, which expires`);
			process.stdout.write(`n8n ${n8n.runtime.version} renewal: page "${result.message}"\n  Slack: ${sink.texts().join('\n  Slack: ')}\n`);
		});
	} else {
		it('a good token: the page says n8n 1.x cannot save it, before anything is minted, and no renewed follows', async () => {
			await double.clearRequests();
			const alertsBefore = alerts().length;
			const result = await submitForm(formUrl, [pasted.good], { authorization });
			expect(result).toMatchObject({ status: 200, executionStatus: 'form-waiting', title: 'The token was not renewed' });
			expect(result.message).toMatch(/this n8n instance has no credential lookup or update endpoint \(n8n 1\.x lacks them; upgrade to a current 2\.x\)\. Nothing was minted\. The credential was not changed\.$/);
			expect(await exchanges()).toEqual([]);
			expect(await storedTokens()).toEqual([current]);
			expect(formSlack()).toEqual([]);
			const since = await inspections(current);
			await waitFor('the next poll', async () => ((await inspections(current)) > since ? true : undefined), POLL_WAIT_MS, 1_000);
			await sleepMs(5_000);
			expect(alerts().length).toBe(alertsBefore);
			process.stdout.write(`n8n ${n8n.runtime.version} renewal: page "${result.message}"\n`);
		});
	}
});
