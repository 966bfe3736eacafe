/**
 * n8n 2.x in queue mode — Postgres, Redis, one `n8n start` main, one `n8n worker`, the package
 * installed for each (e2e/support/queueCluster.ts) — running the Meta Token node and trigger the
 * way production runs them: executions start from active workflows (a webhook, the trigger's
 * poll), main enqueues them and the worker runs them. `n8n execute` would not do (it runs locally
 * even in queue mode). Which process ran what is read from the worker's log ("Worker started /
 * finished execution <id>") and main's ("Enqueued execution <id>"); the public API gives each
 * execution's mode and data.
 *
 *   Inspect of 200 tokens (webhook)                      → on the worker, 5 batch calls
 *   Exchange with Save to Credential (webhook), twice     → on the worker; the 2nd sends the 1st's token
 *   the alert example, active on main (every minute)      → one alert, run on the worker; the next
 *                                                           poll and a restart of main and worker
 *                                                           add nothing; a renewal → one `renewed`
 */
import { EXAMPLES, loadExample } from '../support/examples';
import { endedExecutions, outputOf, ranNodes, waitForEnded } from '../support/executions';
import { GraphDoubleProcess } from '../support/graphDoubleProcess';
import { n8nRuntime } from '../support/paths';
import { sleepMs, stopAll, waitFor } from '../support/processes';
import { QueueCluster } from '../support/queueCluster';
import { WebhookSink } from '../support/sink';
import { packedTarball } from '../support/tarball';
import { DAY, REPORTING_APP, fingerprint, metaCredential, nowSeconds, tokenFor } from '../support/tokens';
import { emitItems, metaTokenNode, webhookTrigger, workflow } from '../support/workflowBuilder';

const T = nowSeconds();
const bulk = Array.from({ length: 200 }, (_, i) => tokenFor(`queue-bulk-${i}`));
const shortLived = tokenFor('queue-short-lived');
const watched = tokenFor('queue-watched');
const INSPECT = { id: 'MtQueueInspect01', path: 'meta-token-inspect' };
const EXCHANGE = { id: 'MtQueueExchange1', path: 'meta-token-exchange' };
const ALERT = { id: 'MetaTokenAlert01', credential: { id: 'mtQueueWatched1', name: 'Acme Ads (queue)' } };
const N8N_API_CREDENTIAL = { id: 'mtQueueN8nApi01', name: 'n8n API (for Meta Token)' };
const POLL_WAIT_MS = 100_000;

function user(token: string, userId: string, expiresAt: number, extra = {}) {
	return { token, type: 'USER' as const, appId: REPORTING_APP.id, userId, scopes: ['ads_read'], issuedAt: T - 10 * DAY, expiresAt, dataAccessExpiresAt: T + 80 * DAY, ...extra };
}

const watchedSpec = (expiresAt: number) => user(watched, '31', expiresAt, { issuedAt: T - 55 * DAY, dataAccessExpiresAt: T + 85 * DAY });

describe('queue mode: Postgres, Redis, main + worker, real n8n 2.x', () => {
	let double: GraphDoubleProcess;
	let sink: WebhookSink;
	let cluster: QueueCluster;
	let apiKey: string;

	const post = async (path: string): Promise<void> => {
		const response = await fetch(`${cluster.main.url}/webhook/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
		if (!response.ok) throw new Error(`POST /webhook/${path} → ${response.status} ${await response.text()}`);
	};
	const debugCalls = async (): Promise<number> =>
		(await double.requests()).filter((r) => r.path === '/debug_token' && r.query.input_token === watched).length;

	beforeAll(async () => {
		double = await GraphDoubleProcess.start({
			apps: [REPORTING_APP],
			tokens: [
				...bulk.map((token, i) => user(token, String(30000 + i), T + 30 * DAY)),
				user(shortLived, '41', T + 3600, { issuedAt: T }),
				watchedSpec(T + 5 * DAY + 3600),
			],
		});
		sink = await WebhookSink.start();
		cluster = await QueueCluster.create(n8nRuntime(2), packedTarball());
		await cluster.main.importCredentials([
			metaCredential('mtQueueApp00001', 'Reporting app', bulk[0], double.url),
			metaCredential('mtQueueShort001', 'Short-lived user token', shortLived, double.url),
			metaCredential(ALERT.credential.id, ALERT.credential.name, watched, double.url),
		]);
		const exchange = metaTokenNode('Exchange', { operation: 'exchange', saveToCredential: true }, 'mtQueueShort001', {
			credentials: {
				metaTokenApi: { id: 'mtQueueShort001', name: 'Short-lived user token' },
				metaTokenN8nApi: { id: N8N_API_CREDENTIAL.id, name: N8N_API_CREDENTIAL.name },
			},
		});
		await cluster.main.importWorkflows([
			workflow(INSPECT.id, 'Queue: inspect 200 tokens', webhookTrigger('Webhook', INSPECT.path), [
				[
					emitItems('Client tokens', bulk.map((token) => ({ token }))),
					metaTokenNode('Inspect', { operation: 'inspect', tokenSource: 'input', token: '={{ $json.token }}' }, 'mtQueueApp00001'),
				],
			]),
			workflow(EXCHANGE.id, 'Queue: exchange and save', webhookTrigger('Webhook', EXCHANGE.path), [[exchange]]),
			loadExample(EXAMPLES.alert, {
				metaTokenCredential: ALERT.credential,
				slackWebhookUrl: sink.url,
				pollTimes: { item: [{ mode: 'everyMinute' }] },
			}),
		]);
		for (const id of [INSPECT.id, EXCHANGE.id, ALERT.id]) await cluster.main.activate(id);
		await cluster.start();
		await cluster.main.setupOwner();
		apiKey = await cluster.main.createApiKey(['credential:update', 'credential:read', 'execution:read', 'execution:list']);
		await cluster.main.importCredentials([
			{ ...N8N_API_CREDENTIAL, type: 'metaTokenN8nApi', data: { baseUrl: cluster.main.url, apiKey } },
		]);
	});

	afterAll(async () => {
		await cluster?.dispose();
		await double?.stop();
		await sink?.stop();
		await stopAll();
	});

	/** Every execution of the workflow ran on the worker, handed over by main. */
	const expectRanOnWorker = (executions: Array<{ id: string | number; mode: string }>, mode: string): void => {
		for (const execution of executions) {
			expect({ id: execution.id, mode: execution.mode, enqueuedByMain: cluster.mainEnqueued(execution.id), ranOnWorker: cluster.workerRan(execution.id) }).toEqual({
				id: execution.id,
				mode,
				enqueuedByMain: true,
				ranOnWorker: true,
			});
		}
	};

	it('inspects 200 tokens on the worker in 5 Graph batch calls (a tenth before the first answer, then 50 each)', async () => {
		await double.clearRequests();
		await post(INSPECT.path);
		const [execution] = await waitForEnded(cluster.main, apiKey, INSPECT.id, 1);
		expect(execution.status).toBe('success');
		expectRanOnWorker([execution], 'webhook');
		const records = outputOf(execution, 'Inspect');
		expect(records).toHaveLength(200);
		expect(records.every((record) => record.isValid === true && record.status === 'valid')).toBe(true);
		const batches = (await double.requests()).filter((r) => r.path === '/' && (r.batchSize ?? 0) > 0);
		// As in a single n8n (e2e/operations.e2e.test.ts): the pacer lets a tenth of the run go before
		// Meta's first answer shows the app's usage.
		expect(batches.map((r) => r.batchSize)).toEqual([20, 50, 50, 50, 30]);
	});

	it('exchanges on the worker, saves the new token into the credential, and the next execution sends it', async () => {
		await double.clearRequests();
		await post(EXCHANGE.path);
		const [first] = await waitForEnded(cluster.main, apiKey, EXCHANGE.id, 1);
		expect(first.status).toBe('success');
		const [exchanged] = outputOf(first, 'Exchange');
		// Saved, so the execution holds the new token's fingerprint, not the token (Include Token in
		// Output is off).
		expect(exchanged).toMatchObject({ savedToCredentialId: 'mtQueueShort001', tokenFingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) });
		expect(exchanged.accessToken).toBeUndefined();

		await post(EXCHANGE.path);
		const both = await waitForEnded(cluster.main, apiKey, EXCHANGE.id, 2);
		expect(both.map((execution) => execution.status)).toEqual(['success', 'success']);
		expectRanOnWorker(both, 'webhook');
		const sent = (await double.requests()).filter((r) => r.path === '/oauth/access_token').map((r) => r.query.fb_exchange_token);
		// The second execution, on the worker, read the credential the first one updated.
		expect(sent).toHaveLength(2);
		expect(sent[0]).toBe(shortLived);
		expect(fingerprint(String(sent[1]))).toBe(exchanged.tokenFingerprint);
	});

	it('the trigger, active on main, alerts once from the worker; no repeat after a poll and a restart of main and worker; then `renewed`', async () => {
		// The activation poll ran when main started.
		await waitFor('the expiring alert on the Slack sink', async () => (sink.messages.length > 0 ? true : undefined), POLL_WAIT_MS, 1_000);
		expect(sink.texts()).toHaveLength(1);
		expect(sink.texts()[0]).toMatch(/Meta token "Acme Ads \(queue\)" .*expires in 5 days/);
		const [alertRun] = await waitForEnded(cluster.main, apiKey, ALERT.id, 1);
		expectRanOnWorker([alertRun], 'trigger');
		expect(ranNodes(alertRun)).toEqual(['Meta Token Trigger', 'Post to Slack']);

		const sinceActivation = await debugCalls();
		await waitFor("the trigger's next poll", async () => ((await debugCalls()) > sinceActivation ? true : undefined), POLL_WAIT_MS, 1_000);
		await sleepMs(5_000);
		expect(sink.texts()).toHaveLength(1);

		await cluster.stop();
		const beforeRestart = await debugCalls();
		await cluster.start();
		await waitFor('the poll at re-activation', async () => ((await debugCalls()) > beforeRestart ? true : undefined), POLL_WAIT_MS, 1_000);
		await sleepMs(5_000);
		expect(sink.texts()).toHaveLength(1);

		await double.putToken(watchedSpec(T + 60 * DAY));
		await waitFor('the renewed alert', async () => (sink.messages.length > 1 ? true : undefined), POLL_WAIT_MS, 1_000);
		expect(sink.texts()[1]).toMatch(/Meta token "Acme Ads \(queue\)" .*was renewed/);
		const runs = await waitForEnded(cluster.main, apiKey, ALERT.id, 2);
		// Two executions in all: the two alerts. Nothing else changed, so no empty result either.
		expect(runs).toHaveLength(2);
		expectRanOnWorker(runs, 'trigger');
		expect((await endedExecutions(cluster.main, apiKey, ALERT.id)).length).toBe(2);
		process.stdout.write(`queue mode alerts:\n  ${sink.texts().join('\n  ')}\n`);
	});
});
