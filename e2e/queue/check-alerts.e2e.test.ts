/**
 * Check for Alerts (the Meta Token node's `checkAlerts`) keeps its history per token in the
 * workflow's static data. In queue mode n8n 2.41.1 does not give that data to the worker: the
 * execution row keeps a workflow snapshot without `staticData` (n8n/dist/executions/
 * execution-data/types.js `toWorkflowSnapshot`, used by execution-persistence.js:46), and the
 * worker reads the database only for resumed executions (scaling/job-processor.js:122-123,
 * workflow-runner.js:310). So every run on a worker starts from no history, and saves its own over
 * the column. This file pins that down against the same workflow on one SQLite n8n, where the
 * history holds; the README states the limitation. When n8n changes this, the queue half fails and
 * the README must change with it.
 *
 *   regular n8n (SQLite): run 1 → Acme `expiring`, Cafe `invalid`; run 2 → nothing; after a renewal → `renewed`
 *   queue mode:           run 1 → the same two; run 2 → the same two again, run on the worker, whose
 *                         save replaced the history with a fresh one
 * Each run starts from a webhook (main), one after the other.
 */
import { outputOf, waitForEnded } from '../support/executions';
import { GraphDoubleProcess } from '../support/graphDoubleProcess';
import type { WorkflowNode } from '../support/n8n';
import { n8nRuntime } from '../support/paths';
import { stopAll } from '../support/processes';
import type { N8nDeployment } from '../support/queueCluster';
import { QueueCluster, SingleN8n } from '../support/queueCluster';
import { WebhookSink } from '../support/sink';
import { packedTarball } from '../support/tarball';
import { DAY, REPORTING_APP, metaCredential, nowSeconds, tokenFor } from '../support/tokens';
import { emitItems, metaTokenNode, webhookTrigger, workflow } from '../support/workflowBuilder';

const T = nowSeconds();
const WORKFLOW = { id: 'MtQueueWatch0001', path: 'meta-token-watch' };
const CREDENTIAL = { id: 'mtQueueWatchApp', name: 'Reporting app' };

function clientsOf(label: string) {
	return [
		{ client: 'Acme Shoes', token: tokenFor(`${label}-acme`) },
		{ client: 'Bistro Nine', token: tokenFor(`${label}-bistro`) },
		{ client: 'Cafe Lumen', token: tokenFor(`${label}-cafe`) },
	];
}

function user(token: string, userId: string, expiresAt: number) {
	return { token, type: 'USER' as const, appId: REPORTING_APP.id, userId, scopes: ['ads_read'], issuedAt: T - 20 * DAY, expiresAt, dataAccessExpiresAt: T + 85 * DAY };
}

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

/** A deployment running the watch workflow behind a webhook; `run()` posts once and reads what it sent. */
async function watchOn(kind: 'regular' | 'queue', label: string) {
	const clients = clientsOf(label);
	const double = await GraphDoubleProcess.start({
		apps: [REPORTING_APP],
		tokens: [user(clients[0].token, '61', T + 5 * DAY + 3600), user(clients[1].token, '62', T + 50 * DAY), user(clients[2].token, '63', T + 40 * DAY)],
	});
	await double.invalidate(clients[2].token, 'passwordChanged');
	const sink = await WebhookSink.start();
	const deployment: N8nDeployment =
		kind === 'queue' ? await QueueCluster.create(n8nRuntime(2), packedTarball()) : await SingleN8n.create(n8nRuntime(2), packedTarball());
	await deployment.main.importCredentials([metaCredential(CREDENTIAL.id, CREDENTIAL.name, clients[1].token, double.url)]);
	await deployment.main.importWorkflows([
		workflow(WORKFLOW.id, 'Check client tokens for alerts', webhookTrigger('Webhook', WORKFLOW.path), [
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
	await deployment.main.activate(WORKFLOW.id);
	await deployment.start();
	await deployment.main.setupOwner();
	const apiKey = await deployment.main.createApiKey(['execution:read', 'execution:list']);
	let runs = 0;
	return {
		double,
		clients,
		deployment,
		/** One run; what it posted (`client: event`, sorted), once its execution has ended. */
		async run(): Promise<string[]> {
			const before = sink.messages.length;
			const response = await fetch(`${deployment.main.url}/webhook/${WORKFLOW.path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
			if (!response.ok) throw new Error(`webhook → ${response.status} ${await response.text()}`);
			runs += 1;
			const executions = await waitForEnded(deployment.main, apiKey, WORKFLOW.id, runs);
			const latest = executions[executions.length - 1];
			expect({ status: latest.status, mode: latest.mode }).toEqual({ status: 'success', mode: 'webhook' });
			if (deployment instanceof QueueCluster) expect(deployment.workerRan(latest.id)).toBe(true);
			const posted = sink.messages.slice(before).map((m) => m.body as { event: string; tokenName: string });
			expect(posted).toHaveLength(outputOf(latest, 'Check for Alerts').length);
			return posted.map((m) => `${m.tokenName}: ${m.event}`).sort();
		},
		async dispose(): Promise<void> {
			await deployment.dispose();
			await double.stop();
			await sink.stop();
		},
	};
}

afterAll(async () => await stopAll());

describe('Check for Alerts history: regular n8n keeps it; queue mode (n8n 2.41.1) does not reach the worker', () => {
	it('regular n8n (SQLite): each alert once, then the renewal once', async () => {
		const watch = await watchOn('regular', 'regular-watch');
		try {
			expect(await watch.run()).toEqual(['Acme Shoes: expiring', 'Cafe Lumen: invalid']);
			expect(await watch.run()).toEqual([]);
			await watch.double.putToken(user(watch.clients[0].token, '61', T + 65 * DAY));
			expect(await watch.run()).toEqual(['Acme Shoes: renewed']);
			expect(await watch.run()).toEqual([]);
		} finally {
			await watch.dispose();
		}
	});

	it('queue mode: the worker starts every run without the saved history, so the alerts repeat', async () => {
		const watch = await watchOn('queue', 'queue-watch');
		try {
			const cluster = watch.deployment as QueueCluster;
			const column = async (): Promise<string> => await cluster.postgres.sql(`select "staticData" from workflow_entity where id = '${WORKFLOW.id}'`);
			expect(await watch.run()).toEqual(['Acme Shoes: expiring', 'Cafe Lumen: invalid']);
			// The worker did save the history…
			const afterFirst = await column();
			expect(afterFirst).toContain('"Acme Shoes"');
			// …but the next execution's worker never reads it, and saves its own fresh one over it.
			expect(await watch.run()).toEqual(['Acme Shoes: expiring', 'Cafe Lumen: invalid']);
			const afterSecond = await column();
			expect(afterSecond).toContain('"Acme Shoes"');
			for (const { token } of watch.clients) expect(afterSecond).not.toContain(token);
		} finally {
			await watch.dispose();
		}
	});
});
