/**
 * The Meta Token Trigger in an ACTIVE workflow of a real n8n server, polling the Graph double
 * every minute (the shortest schedule n8n accepts): examples/alert-slack-before-meta-token-expires.json
 * with its Slack webhook pointed at a local sink.
 *
 *   activation  → one `expiring` alert (token 5 days from expiry, threshold 7)
 *   next poll   → nothing
 *   n8n restart → nothing (the alert history lives in the workflow's static data)
 *   the double reports a later expiry for the same token → one `renewed` alert
 */
import { EXAMPLES, loadExample } from './support/examples';
import { GraphDoubleProcess } from './support/graphDoubleProcess';
import { N8nInstance } from './support/n8n';
import type { Major } from './support/paths';
import { n8nRuntime, selectedMajors } from './support/paths';
import { sleepMs, stopAll, waitFor } from './support/processes';
import { WebhookSink } from './support/sink';
import { packedTarball } from './support/tarball';
import { DAY, REPORTING_APP, metaCredential, nowSeconds, tokenFor } from './support/tokens';

const T = nowSeconds();
const watched = tokenFor('trigger-watched');
const CREDENTIAL = { id: 'mtWatched000001', name: 'Acme Ads (sandbox)' };
const WORKFLOW_ID = 'MetaTokenAlert01';
const POLL_WAIT_MS = 100_000; // a poll every minute, plus n8n's own slack

function watchedSpec(expiresAt: number) {
	return {
		token: watched,
		type: 'USER' as const,
		appId: REPORTING_APP.id,
		userId: '31',
		scopes: ['ads_read'],
		issuedAt: T - 55 * DAY,
		expiresAt,
		dataAccessExpiresAt: T + 85 * DAY,
	};
}

describe.each(selectedMajors())('Meta Token Trigger in an active workflow, real n8n %s.x', (major: Major) => {
	let double: GraphDoubleProcess;
	let n8n: N8nInstance;
	let sink: WebhookSink;

	const debugCalls = async (): Promise<number> =>
		(await double.requests()).filter((r) => r.path === '/debug_token' && r.query.input_token === watched).length;

	/**
	 * Waits for the trigger's next poll (counted from now, as the double's log says), then lets the
	 * execution an alert starts, and its HTTP Request to the sink, finish.
	 */
	const waitForNextPoll = async (): Promise<void> => {
		const since = await debugCalls();
		await waitFor(
			"the trigger's next poll",
			async () => {
				return (await debugCalls()) > since ? true : undefined;
			},
			POLL_WAIT_MS,
			1_000,
		);
		await sleepMs(5_000);
	};

	beforeAll(async () => {
		double = await GraphDoubleProcess.start({ apps: [REPORTING_APP], tokens: [watchedSpec(T + 5 * DAY + 3600)] });
		sink = await WebhookSink.start();
		n8n = await N8nInstance.create(n8nRuntime(major), packedTarball());
		await n8n.importCredentials([metaCredential(CREDENTIAL.id, CREDENTIAL.name, watched, double.url)]);
		await n8n.importWorkflows([
			loadExample(EXAMPLES.alert, {
				metaTokenCredential: CREDENTIAL,
				slackWebhookUrl: sink.url,
				pollTimes: { item: [{ mode: 'everyMinute' }] },
			}),
		]);
		await n8n.activate(WORKFLOW_ID);
	});

	afterAll(async () => {
		await n8n?.dispose();
		await double?.stop();
		await sink?.stop();
		await stopAll();
	});

	it('alerts once at activation, not on the next poll, not after a restart, then reports the renewal', async () => {
		await n8n.start();
		// Activation polls at once.
		await waitFor('the poll at activation', async () => ((await debugCalls()) > 0 ? true : undefined), POLL_WAIT_MS, 1_000);
		await waitFor('the expiring alert on the Slack sink', async () => (sink.messages.length > 0 ? true : undefined), 30_000);
		expect(sink.texts()).toHaveLength(1);
		const [alert] = sink.texts();
		expect(alert).toContain(`Meta token "${CREDENTIAL.name}"`);
		expect(alert).toMatch(/expires in 5 days/);
		expect(alert).not.toContain(watched);

		// The next scheduled poll: same state, no repeat.
		await waitForNextPoll();
		expect(sink.texts()).toHaveLength(1);

		// Stop and start n8n: activation polls again, the history survived, no repeat.
		await n8n.stop();
		const beforeRestart = await debugCalls();
		await n8n.start();
		await waitFor('the poll at re-activation', async () => ((await debugCalls()) > beforeRestart ? true : undefined), POLL_WAIT_MS, 1_000);
		await sleepMs(5_000);
		expect(sink.texts()).toHaveLength(1);

		// The token's expiry moves out 60 days (a refresh): one `renewed` alert.
		await double.putToken(watchedSpec(T + 60 * DAY));
		await waitForNextPoll();
		await waitFor('the renewed alert', async () => (sink.messages.length > 1 ? true : undefined), 30_000);
		expect(sink.texts()).toHaveLength(2);
		expect(sink.texts()[1]).toContain(`Meta token "${CREDENTIAL.name}"`);
		expect(sink.texts()[1]).toContain('was renewed');
		process.stdout.write(`n8n ${n8n.runtime.version} trigger alerts:\n  ${sink.texts().join('\n  ')}\n`);
	});
});
