/**
 * A Graph outage longer than Check Failing After Hours, with n8n restarted in the middle of it,
 * under both of n8n's pollers (legacy; the durable scheduler of 2.40+ without durable cursors) on
 * SQLite and in queue mode (main + worker on Postgres and Redis), the legacy poller of n8n 1.x,
 * and the durable scheduler with durable cursors (SQLite).
 * The alert example runs active with thresholds 7,3,1, Check Failing After Hours 0.04 (2.4 min),
 * polling every minute (n8n's shortest); p0, p1, … are its scheduled polls:
 *
 *   activation poll            the token is new: saved with an empty result (no Slack message)
 *   p0                         nothing new: no execution
 *   its expiry moves to p0 + 7 d + 150 s                  p1 sees it: saved, empty result again
 *   the double answers every debug_token 500/code 2 (transient)       → p2 begins the streak: empty
 *   p3: the 7-day threshold has passed during the outage  → ONE `expiring` (from the last expiry)
 *   n8n stops and starts (main and worker)                the legacy poller polls at start; both
 *                                                         pollers must keep the streak's start
 *   2.4 min after p2                                      → ONE `checkFailing`, never `invalid`,
 *                                                         "since" p2's minute, before the restart
 *   the double answers again                              → no Slack message; the streak's end is
 *                                                         saved (one more empty result)
 *
 * Without the empty results the legacy poller would start the streak again at the restart (its
 * "since" would be after the restart), and the durable scheduler would never raise checkFailing.
 * The configurations run at the same time (each with its own double, Slack sink and n8n): the
 * story is paced by real one-minute polls, not by CPU.
 */
import { EXAMPLES, loadExample } from '../support/examples';
import type { ExecutionRecord } from '../support/n8n';
import { outputOf, ranNodes, waitForEnded } from '../support/executions';
import { GraphDoubleProcess } from '../support/graphDoubleProcess';
import type { Major } from '../support/paths';
import { n8nRuntime } from '../support/paths';
import { sleepMs, stopAll, waitFor } from '../support/processes';
import type { N8nDeployment, Poller } from '../support/queueCluster';
import { QueueCluster, SingleN8n, pollerEnv } from '../support/queueCluster';
import { WebhookSink } from '../support/sink';
import { packedTarball } from '../support/tarball';
import { DAY, REPORTING_APP, metaCredential, nowSeconds, tokenFor } from '../support/tokens';

const WORKFLOW_ID = 'MetaTokenAlert01';
const CREDENTIAL = { id: 'mtOutage0000001', name: 'Acme Ads (outage)' };
const CHECK_FAILING_AFTER_HOURS = 0.04;
const POLL_WAIT_MS = 150_000;

interface Configuration {
	name: string;
	major: Major;
	poller: Poller;
	queue: boolean;
}

const CONFIGURATIONS: Configuration[] = [
	{ name: 'SQLite, legacy poller, n8n 2.x', major: 2, poller: 'legacy', queue: false },
	{ name: 'SQLite, durable scheduler, n8n 2.x', major: 2, poller: 'durable', queue: false },
	{ name: 'queue mode, legacy poller, n8n 2.x', major: 2, poller: 'legacy', queue: true },
	{ name: 'queue mode, durable scheduler, n8n 2.x', major: 2, poller: 'durable', queue: true },
	{ name: 'SQLite, legacy poller, n8n 1.x', major: 1, poller: 'legacy', queue: false },
	{ name: 'SQLite, durable scheduler with durable cursors, n8n 2.x', major: 2, poller: 'durableCursors', queue: false },
];

/** "(since 2026-12-01 10:05 UTC)" in a checkFailing message → its time in ms. */
function sinceOf(message: string): number {
	const found = /\(since (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}) UTC\)/.exec(message);
	if (!found) throw new Error(`no "since" in: ${message}`);
	return Date.parse(`${found[1]}T${found[2]}:00Z`);
}

afterAll(async () => await stopAll());

/** One line per execution of the alert workflow: what the report shows. */
async function describeExecutions(deployment: N8nDeployment, apiKey: string): Promise<string[]> {
	const all = await deployment.main.executions(apiKey, WORKFLOW_ID);
	return all.reverse().map((execution) => {
		const events = outputOf(execution, 'Meta Token Trigger').map((item) => item.event);
		const where = deployment instanceof QueueCluster ? (deployment.workerRan(execution.id) ? ' on the worker' : ' NOT on the worker') : '';
		return `#${execution.id} ${execution.mode} ${execution.status} ${execution.startedAt}${where}: ${events.length > 0 ? events.join(', ') : 'empty'} → ${ranNodes(execution).join(', ')}`;
	});
}

describe('a Graph outage with an n8n restart in the middle', () => {
	it.concurrent.each(CONFIGURATIONS)('$name: one checkFailing, one threshold alert, no noise after', async (config) => {
		const started = Date.now();
		const watched = tokenFor(`outage-${config.name}`);
		const T = nowSeconds();
		const spec = (expiresAt: number) => ({
			token: watched,
			type: 'USER' as const,
			appId: REPORTING_APP.id,
			userId: '51',
			scopes: ['ads_read'],
			issuedAt: T - 20 * DAY,
			expiresAt,
			dataAccessExpiresAt: T + 85 * DAY,
		});
		const double = await GraphDoubleProcess.start({ apps: [REPORTING_APP], tokens: [spec(T + 30 * DAY)] });
		const sink = await WebhookSink.start();
		let deployment: N8nDeployment | undefined;
		let apiKey = '';
		const timeline: string[] = [];
		const mark = (what: string): void => {
			timeline.push(`${Math.round((Date.now() - started) / 1000)} s ${what}`);
		};
		try {
			const runtime = n8nRuntime(config.major);
			deployment = config.queue
				? await QueueCluster.create(runtime, packedTarball(), pollerEnv(config.poller))
				: await SingleN8n.create(runtime, packedTarball(), pollerEnv(config.poller));
			const n8n = deployment.main;
			await n8n.importCredentials([metaCredential(CREDENTIAL.id, CREDENTIAL.name, watched, double.url)]);
			const alertWorkflow = loadExample(EXAMPLES.alert, {
				metaTokenCredential: CREDENTIAL,
				slackWebhookUrl: sink.url,
				pollTimes: { item: [{ mode: 'everyMinute' }] },
			});
			const triggerNode = alertWorkflow.nodes.find((node) => node.type.endsWith('.metaTokenTrigger'))!;
			Object.assign(triggerNode.parameters, { thresholds: '7,3,1', checkFailingAfterHours: CHECK_FAILING_AFTER_HOURS });
			await n8n.importWorkflows([alertWorkflow]);
			await n8n.activate(WORKFLOW_ID);

			const debugCalls = async (): Promise<number> =>
				(await double.requests()).filter((r) => r.path === '/debug_token' && r.query.input_token === watched).length;
			const nextPoll = async (what: string): Promise<void> => {
				const since = await debugCalls();
				await waitFor(what, async () => ((await debugCalls()) > since ? true : undefined), POLL_WAIT_MS, 500);
				// A failed poll retries once, a second later; its execution follows.
				await sleepMs(4_000);
				mark(what);
			};

			await deployment.start();
			await n8n.setupOwner();
			apiKey = await n8n.createApiKey(['execution:read', 'execution:list']);
			mark('n8n up');
			await waitFor('the activation poll', async () => ((await debugCalls()) > 0 ? true : undefined), POLL_WAIT_MS, 500);
			mark('activation poll');
			// The first scheduled poll sets the pace: p1, p2, p3 follow a minute apart each.
			await nextPoll('p0 (first scheduled poll)');
			const p0 = Date.now() - 4_000;
			// The 7-day threshold passes between p2 and p3: p1 sees the new expiry, p2 starts the
			// streak (its own empty result), p3 alerts from the last known expiry.
			await double.putToken(spec(Math.floor(p0 / 1000) + 7 * DAY + 150));
			await nextPoll('p1 (new expiry)');

			await double.injectFault({ fault: { type: 'graphError', code: 2 }, path: '/debug_token', times: null });
			mark('outage begins');
			await nextPoll('p2 (first failed poll)');
			await nextPoll('p3 (the threshold passed)');
			await waitFor('the threshold alert', async () => (sink.texts().some((text) => text.includes('expires in 6 days')) ? true : undefined), 30_000, 1_000);
			const restartBegan = Date.now();
			await deployment.stop();
			await deployment.start();
			mark('restarted');
			const isCheckFailing = (text: string): boolean => text.includes('could not be checked');
			await waitFor('the checkFailing alert', async () => (sink.texts().some(isCheckFailing) ? true : undefined), 6 * 60_000, 1_000);
			mark('checkFailing');
			await nextPoll('one more failed poll');

			await double.clearFaults();
			mark('outage ends');
			await nextPoll('first poll after the outage');
			await nextPoll('second poll after the outage');

			// Slack: exactly the two alerts, each once; never `invalid`.
			const texts = sink.texts();
			expect(texts).toHaveLength(2);
			expect(texts.filter(isCheckFailing)).toHaveLength(1);
			expect(texts.filter((text) => /expires in 6 days.*\(as of the last successful check; checks have failed since /.test(text))).toHaveLength(1);
			expect(texts.join('\n')).not.toMatch(/no longer valid|invalid/i);
			// The streak began at p2, before the restart: its start survived the restart.
			const checkFailing = texts.find(isCheckFailing)!;
			expect(sinceOf(checkFailing) + 60_000).toBeLessThanOrEqual(restartBegan);

			// n8n's executions: the two alerts, and four empty results (new token, new expiry, streak
			// begins, streak ends) in which no node after the trigger ran.
			const executions = await waitForEnded(n8n, apiKey, WORKFLOW_ID, 6);
			const events = (execution: ExecutionRecord) => outputOf(execution, 'Meta Token Trigger').map((item) => item.event);
			const alertRuns = executions.filter((execution) => ranNodes(execution).includes('Post to Slack'));
			const emptyRuns = executions.filter((execution) => events(execution).length === 0);
			expect(executions.every((execution) => execution.status === 'success' && execution.mode === 'trigger')).toBe(true);
			expect(alertRuns.map(events).flat().sort()).toEqual(['checkFailing', 'expiring']);
			expect(emptyRuns.map(ranNodes)).toEqual(Array(4).fill(['Meta Token Trigger']));
			expect(executions).toHaveLength(6);
			if (deployment instanceof QueueCluster) {
				const cluster = deployment;
				expect(executions.filter((execution) => !cluster.workerRan(execution.id)).map((execution) => execution.id)).toEqual([]);
			}
			mark('checked');
		} finally {
			const runs = deployment && apiKey ? await describeExecutions(deployment, apiKey).catch((error: unknown) => [String(error)]) : [];
			process.stdout.write(
				`${config.name}:\n  ${timeline.join('\n  ')}\n  slack: ${sink.texts().join('\n         ')}\n  executions:\n    ${runs.join('\n    ')}\n`,
			);
			await deployment?.dispose();
			await double.stop();
			await sink.stop();
		}
	});
});
