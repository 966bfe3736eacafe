/**
 * Check for Alerts (the Meta Token node's `checkAlerts`) in queue mode: its history per token
 * lives in the workflow's static data, which the WORKER saves at the end of each execution it
 * runs (research notes §5.1: hookFunctionsSaveWorker, from the execution's snapshot of the
 * workflow). Each run starts from a webhook on main, one after the other, and goes to the worker:
 *
 *   run 1                              → Acme `expiring` (7), Cafe `invalid`; Bistro is fine
 *   run 2                              → nothing (the history the worker saved)
 *   main and worker restart, run 3     → nothing (the history is in Postgres)
 *   Acme's expiry moves out 60 days, run 4 → one `renewed`, for Acme
 *   run 5                              → nothing
 */
import { endedExecutions, outputOf, waitForEnded } from '../support/executions';
import { GraphDoubleProcess } from '../support/graphDoubleProcess';
import type { WorkflowNode } from '../support/n8n';
import { n8nRuntime } from '../support/paths';
import { stopAll } from '../support/processes';
import { QueueCluster } from '../support/queueCluster';
import { WebhookSink } from '../support/sink';
import { packedTarball } from '../support/tarball';
import { DAY, REPORTING_APP, metaCredential, nowSeconds, tokenFor } from '../support/tokens';
import { emitItems, metaTokenNode, webhookTrigger, workflow } from '../support/workflowBuilder';

const T = nowSeconds();
const WORKFLOW = { id: 'MtQueueWatch0001', path: 'meta-token-watch' };
const CREDENTIAL = { id: 'mtQueueWatchApp', name: 'Reporting app' };
const clients = [
	{ client: 'Acme Shoes', token: tokenFor('queue-watch-acme') },
	{ client: 'Bistro Nine', token: tokenFor('queue-watch-bistro') },
	{ client: 'Cafe Lumen', token: tokenFor('queue-watch-cafe') },
];

function user(token: string, userId: string, expiresAt: number) {
	return { token, type: 'USER' as const, appId: REPORTING_APP.id, userId, scopes: ['ads_read'], issuedAt: T - 20 * DAY, expiresAt, dataAccessExpiresAt: T + 85 * DAY };
}
const acme = (expiresAt: number) => user(clients[0].token, '61', expiresAt);

/** An HTTP Request node posting `{text, event, tokenName}` of each item to the Slack stand-in. */
function postToSlack(url: string): WorkflowNode {
	const field = (name: string) => ({ name, value: `={{ $json.${name} }}` });
	return {
		name: 'Post to Slack',
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [750, 0],
		parameters: { method: 'POST', url, sendBody: true, bodyParameters: { parameters: [{ name: 'text', value: '={{ $json.message }}' }, field('event'), field('tokenName')] }, options: {} },
	};
}

describe('Check for Alerts in queue mode: the history across executions run by the worker', () => {
	let double: GraphDoubleProcess;
	let sink: WebhookSink;
	let cluster: QueueCluster;
	let apiKey: string;
	let runs = 0;

	/** One run through the webhook; resolves with what it posted, once its execution has ended. */
	const run = async (): Promise<string[]> => {
		const before = sink.messages.length;
		const response = await fetch(`${cluster.main.url}/webhook/${WORKFLOW.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
		if (!response.ok) throw new Error(`webhook → ${response.status} ${await response.text()}`);
		runs += 1;
		const executions = await waitForEnded(cluster.main, apiKey, WORKFLOW.id, runs);
		const latest = executions[executions.length - 1];
		expect({ status: latest.status, mode: latest.mode, ranOnWorker: cluster.workerRan(latest.id) }).toEqual({ status: 'success', mode: 'webhook', ranOnWorker: true });
		const posted = sink.messages.slice(before).map((m) => m.body as { event: string; tokenName: string });
		expect(posted).toHaveLength(outputOf(latest, 'Check for Alerts').length);
		return posted.map((m) => `${m.tokenName}: ${m.event}`).sort();
	};

	beforeAll(async () => {
		double = await GraphDoubleProcess.start({
			apps: [REPORTING_APP],
			tokens: [acme(T + 5 * DAY + 3600), user(clients[1].token, '62', T + 50 * DAY), user(clients[2].token, '63', T + 40 * DAY)],
		});
		await double.invalidate(clients[2].token, 'passwordChanged');
		sink = await WebhookSink.start();
		cluster = await QueueCluster.create(n8nRuntime(2), packedTarball());
		await cluster.main.importCredentials([metaCredential(CREDENTIAL.id, CREDENTIAL.name, clients[1].token, double.url)]);
		await cluster.main.importWorkflows([
			workflow(WORKFLOW.id, 'Queue: check client tokens for alerts', webhookTrigger('Webhook', WORKFLOW.path), [
				[
					emitItems('Client tokens', clients),
					metaTokenNode(
						'Check for Alerts',
						{ operation: 'checkAlerts', tokenSource: 'input', token: '={{ $json.token }}', tokenName: '={{ $json.client }}', requiredScopes: 'ads_read' },
						CREDENTIAL.id,
					),
					postToSlack(sink.url),
				],
			]),
		]);
		await cluster.main.activate(WORKFLOW.id);
		await cluster.start();
		await cluster.main.setupOwner();
		apiKey = await cluster.main.createApiKey(['execution:read', 'execution:list']);
	});

	afterAll(async () => {
		await cluster?.dispose();
		await double?.stop();
		await sink?.stop();
		await stopAll();
	});

	it('alerts once per token, keeps the history through runs on the worker and a restart, then reports the renewal once', async () => {
		expect(await run()).toEqual(['Acme Shoes: expiring', 'Cafe Lumen: invalid']);
		expect(await run()).toEqual([]);
		await cluster.stop();
		await cluster.start();
		expect(await run()).toEqual([]);
		await double.putToken(acme(T + 65 * DAY));
		expect(await run()).toEqual(['Acme Shoes: renewed']);
		expect(await run()).toEqual([]);
		expect(await endedExecutions(cluster.main, apiKey, WORKFLOW.id)).toHaveLength(5);
		// The history is in the workflow's static data in Postgres, written by the worker.
		const stored = await cluster.postgres.sql(`select "staticData" from workflow_entity where id = '${WORKFLOW.id}'`);
		expect(stored).toContain('Acme Shoes');
		for (const { token } of clients) expect(stored).not.toContain(token);
	});
});
