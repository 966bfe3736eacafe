/**
 * Check for Alerts in ACTIVE workflows of a real n8n server (each major), against the Graph double
 * as its own process, posting to a local Slack stand-in:
 *
 *   Schedule Trigger every 3 s → a Code node listing 200 client tokens of mixed kinds and states →
 *   Check for Alerts → HTTP Request to the sink
 *
 *   first run          → exactly the 60 alerts derived by hand below
 *   next run           → nothing
 *   n8n stopped/started → nothing (the histories live in the workflow's static data, in n8n's DB)
 *   one client's token renewed in the double  → one `renewed`
 *   another's password changed                → one `invalid`
 *
 * The Schedule Trigger's shortest unit is seconds (1–59). 3 s, not 1: each run must have saved its
 * history (at the end of its execution) before the next one reads it — runs that overlap would both
 * alert — and a run of 200 tokens took 0.1–0.4 s here (n8n's own execution times, printed at the
 * end), on a 2-core machine other work shares; 1 s would leave too thin a margin.
 *
 * While n8n is stopped, the example examples/agency-token-watch.json is imported with its
 * Data table (created through n8n's REST API) and activated too: after the start it posts its
 * clients' alerts once, then nothing.
 */
import { createDataTable } from './support/dataTables';
import { EXAMPLES, loadExample } from './support/examples';
import { GraphDoubleProcess } from './support/graphDoubleProcess';
import { N8nInstance } from './support/n8n';
import type { Major } from './support/paths';
import { n8nRuntime, selectedMajors } from './support/paths';
import { stopAll, waitFor } from './support/processes';
import { WebhookSink } from './support/sink';
import { packedTarball } from './support/tarball';
import { DAY, REPORTING_APP, metaCredential, nowSeconds, tokenFor } from './support/tokens';
import { emitItems, metaTokenNode, postJson, scheduleEverySeconds, workflow } from './support/workflowBuilder';

const T = nowSeconds();
const APP = REPORTING_APP;
const INTERVAL_S = 3;
const WATCH_ID = 'MetaTokenWatchE2';
const EXAMPLE_ID = 'MetaTokenWatch01';
const CREDENTIAL = { id: 'mtAgencyApp0001', name: 'Agency app (e2e)' };

type Spec = Parameters<GraphDoubleProcess['putToken']>[0];
const user = (token: string, expiresAt: number, extra: Partial<Spec> = {}): Spec => ({
	token,
	type: 'USER',
	appId: APP.id,
	userId: '31',
	scopes: ['ads_read', 'ads_management'],
	issuedAt: T - 20 * DAY,
	expiresAt,
	dataAccessExpiresAt: T + 80 * DAY,
	...extra,
});

/**
 * The 200 clients, in groups of one kind and state each, and what each group's first run must
 * raise — derived by hand from the policy's rules with thresholds 14,7,3,1 and Required Scopes
 * ads_read: the lowest crossed threshold once; dead tokens dead once; nothing for the healthy.
 */
const GROUPS: Array<{ count: number; what: string; spec: (token: string) => Spec; alert: string | null; invalidate?: boolean }> = [
	{ count: 100, what: 'user token, 50 days left', spec: (t) => user(t, T + 50 * DAY), alert: null },
	{ count: 20, what: 'Page token, never expires', spec: (t) => ({ token: t, type: 'PAGE', appId: APP.id, userId: '31', profileId: '5550001', scopes: ['ads_read', 'pages_show_list'], expiresAt: 0 }), alert: null },
	{ count: 20, what: 'permanent system-user token', spec: (t) => ({ token: t, type: 'SYSTEM_USER', appId: APP.id, userId: '7001', scopes: ['ads_read'], expiresAt: 0 }), alert: null },
	// 5 days 1 hour left: 14 and 7 crossed → one alert, for 7.
	{ count: 10, what: 'user token, 5 days left', spec: (t) => user(t, T + 5 * DAY + 3600), alert: 'expiring 7' },
	// 2 days 1 hour: 14, 7 and 3 crossed → for 3.
	{ count: 10, what: 'expiring system-user token, 2 days left', spec: (t) => ({ token: t, type: 'SYSTEM_USER', appId: APP.id, userId: '7002', scopes: ['ads_read'], issuedAt: T - 58 * DAY, expiresAt: T + 2 * DAY + 3600, expiringSystemUser: true }), alert: 'expiring 3' },
	// 10 hours: all four crossed → for 1.
	{ count: 5, what: 'user token, 10 hours left', spec: (t) => user(t, T + 10 * 3600), alert: 'expiring 1' },
	// 13 days 1 hour: 14 only.
	{ count: 5, what: 'user token, 13 days left', spec: (t) => user(t, T + 13 * DAY + 3600), alert: 'expiring 14' },
	{ count: 10, what: 'user token expired yesterday', spec: (t) => user(t, T - DAY, { issuedAt: T - 61 * DAY }), alert: 'expired' },
	{ count: 10, what: 'user token invalidated by a password change', spec: (t) => user(t, T + 40 * DAY), alert: 'invalid', invalidate: true },
	// Data access ends in 6 days 1 hour, before the token (40 days): dataAccessExpiring, for 7.
	{ count: 5, what: 'user token whose data access ends in 6 days', spec: (t) => user(t, T + 40 * DAY, { dataAccessExpiresAt: T + 6 * DAY + 3600 }), alert: 'dataAccessExpiring 7' },
	// Valid for 50 days but without ads_read.
	{ count: 5, what: 'user token without ads_read', spec: (t) => user(t, T + 50 * DAY, { scopes: ['public_profile'] }), alert: 'scopesLost' },
];

interface Client {
	client: string;
	token: string;
	group: number;
}

const clients: Client[] = GROUPS.flatMap((group, g) =>
	Array.from({ length: group.count }, () => ({ group: g })),
).map(({ group }, i) => {
	const client = `Client ${String(i + 1).padStart(3, '0')}`;
	return { client, token: tokenFor(`watch-${client}`), group };
});

/** Renewed in the double later: a client of the 5-days group, which had an alert. */
const renewedClient = clients.find((c) => GROUPS[c.group].alert === 'expiring 7')!;
/** Its password changes later: a healthy client. */
const passwordClient = clients.find((c) => GROUPS[c.group].alert === null)!;

const EXPECTED_FIRST_RUN: string[] = clients
	.filter((c) => GROUPS[c.group].alert !== null)
	.map((c) => `${c.client}: ${GROUPS[c.group].alert}`)
	.sort();

/** The example's Data table: the demo's clients, and what its first run raises. */
const exampleTokens = {
	acme: tokenFor('watch-example-acme'),
	cycleHub: tokenFor('watch-example-cycle-hub'),
	deli: tokenFor('watch-example-deli'),
	brandPage: tokenFor('watch-example-brand-page'),
	systemUser: tokenFor('watch-example-system-user'),
};
const EXAMPLE_ROWS = [
	{ client: 'Acme Shoes', token: exampleTokens.acme },
	{ client: 'Cycle Hub', token: exampleTokens.cycleHub },
	{ client: 'Deli Forty', token: exampleTokens.deli },
	{ client: 'Brand Page', token: exampleTokens.brandPage },
	{ client: 'Reporting system user', token: exampleTokens.systemUser },
];
const EXAMPLE_SPECS: Spec[] = [
	user(exampleTokens.acme, T + 5 * DAY + 3600),
	user(exampleTokens.cycleHub, T - 2 * DAY, { issuedAt: T - 62 * DAY }),
	user(exampleTokens.deli, T + 40 * DAY),
	{ token: exampleTokens.brandPage, type: 'PAGE', appId: APP.id, userId: '31', profileId: '104729385610293', scopes: ['pages_show_list'], expiresAt: 0 },
	{ token: exampleTokens.systemUser, type: 'SYSTEM_USER', appId: APP.id, userId: '7009', scopes: ['ads_read'], issuedAt: T - 48 * DAY, expiresAt: T + 12 * DAY + 3600, expiringSystemUser: true },
];

function watchWorkflow(sinkUrl: string) {
	return workflow(WATCH_ID, 'Agency token watch (e2e, 200 clients)', scheduleEverySeconds(`Every ${INTERVAL_S} seconds`, INTERVAL_S), [
		[
			emitItems('Client tokens', clients.map(({ client, token }) => ({ client, token }))),
			metaTokenNode(
				'Check for Alerts',
				{
					operation: 'checkAlerts',
					tokenSource: 'input',
					token: '={{ $json.token }}',
					tokenName: '={{ $json.client }}',
					requiredScopes: 'ads_read',
				},
				CREDENTIAL.id,
			),
			postJson('Post to Slack', sinkUrl, {
				text: '={{ $json.message }}',
				event: '={{ $json.event }}',
				threshold: '={{ $json.threshold }}',
				tokenName: '={{ $json.tokenName }}',
			}),
		],
	]);
}

describe.each(selectedMajors())('Check for Alerts in active workflows, real n8n %s.x', (major: Major) => {
	let double: GraphDoubleProcess;
	let n8n: N8nInstance;
	let sink: WebhookSink;
	let exampleUrl: string;

	const batchSizes = async (): Promise<number[]> =>
		(await double.requests()).filter((r) => r.path === '/').map((r) => r.batchSize ?? 0);
	/**
	 * Runs of the 200-client workflow the double has seen start: each opens with a batch call of 20
	 * (a tenth of the run before Meta's first answer tells the quota used), then 50, 50, 50, 30.
	 */
	const watchRunsStarted = async (): Promise<number> => (await batchSizes()).filter((size) => size === 20).length;
	const exampleRunsStarted = async (): Promise<number> => (await batchSizes()).filter((size) => size === EXAMPLE_ROWS.length).length;
	const watchMessages = () => sink.messages.filter((m) => m.path !== new URL(exampleUrl).pathname).map((m) => m.body as Record<string, unknown>);
	const exampleTexts = () => sink.messages.filter((m) => m.path === new URL(exampleUrl).pathname).map((m) => String((m.body as { text?: unknown }).text));
	// A null threshold reaches the sink as whatever n8n makes of it in a body parameter.
	const noThreshold = (value: unknown) => value === null || value === undefined || value === '' || value === 'null';
	const summary = (messages: Array<Record<string, unknown>>) =>
		messages.map((m) => `${m.tokenName}: ${m.event}${noThreshold(m.threshold) ? '' : ` ${m.threshold}`}`).sort();

	/**
	 * Waits until `count()` has gone past `after` by `runs` — the double saw later runs begin — so
	 * every run before the last one seen has finished (runs are 3 s apart and take well under one).
	 */
	const waitForRuns = async (what: string, count: () => Promise<number>, after: number, runs = 1): Promise<number> =>
		await waitFor(what, async () => {
			const now = await count();
			return now >= after + runs ? now : undefined;
		}, 120_000, 500);

	beforeAll(async () => {
		const specs = [...clients.map((c) => GROUPS[c.group].spec(c.token)), ...EXAMPLE_SPECS];
		double = await GraphDoubleProcess.start({ apps: [APP], tokens: specs });
		for (const c of clients) if (GROUPS[c.group].invalidate) await double.invalidate(c.token, 'passwordChanged');
		await double.invalidate(exampleTokens.deli, 'passwordChanged');
		sink = await WebhookSink.start();
		exampleUrl = `${sink.url}-example`;
		n8n = await N8nInstance.create(n8nRuntime(major), packedTarball());
		// The credential's own token is never inspected (Token Source: input); its App ID and
		// Secret make the app token that inspects 50 tokens per batch call.
		await n8n.importCredentials([metaCredential(CREDENTIAL.id, CREDENTIAL.name, tokenFor('watch-credential'), double.url)]);
		await n8n.importWorkflows([watchWorkflow(sink.url)]);
		await n8n.activate(WATCH_ID);
	});

	afterAll(async () => {
		await n8n?.dispose();
		await double?.stop();
		await sink?.stop();
		await stopAll();
	});

	it('first run: exactly the alerts derived by hand, one per client that needs attention', async () => {
		await n8n.start();
		await n8n.setupOwner();
		await waitFor('the first run\'s alerts on the Slack sink', async () => (watchMessages().length >= EXPECTED_FIRST_RUN.length ? true : undefined), 120_000, 500);
		const firstPostAt = sink.messages[0].at;
		// Until the second run has begun, the first is over: nothing more may have come.
		await waitForRuns('the second run', watchRunsStarted, 1);
		expect(summary(watchMessages())).toEqual(EXPECTED_FIRST_RUN);
		expect((await batchSizes()).slice(0, 5)).toEqual([20, 50, 50, 50, 30]);
		const texts = watchMessages().map((m) => String(m.text));
		expect(texts).toContain(`Meta token "${renewedClient.client}" (USER, app ${APP.name}) expires in 5 days, on ${new Date((T + 5 * DAY + 3600) * 1000).toISOString().slice(0, 10)}`);
		for (const c of clients) expect(JSON.stringify(sink.messages)).not.toContain(c.token);
		process.stdout.write(`n8n ${n8n.runtime.version}: the first run posted ${texts.length} alerts within ${sink.messages[sink.messages.length - 1].at - firstPostAt} ms\n`);
	});

	it('next run: nothing', async () => {
		const started = await watchRunsStarted();
		await waitForRuns('the run after the next', watchRunsStarted, started, 1);
		expect(watchMessages()).toHaveLength(EXPECTED_FIRST_RUN.length);
	});

	it('after n8n is stopped and started: nothing; the example, activated meanwhile, posts its alerts once', async () => {
		// The example's Data table is made while n8n runs (REST), its workflow imported while it is stopped.
		const table = await createDataTable(n8n, 'Client Meta tokens', [{ name: 'client', type: 'string' }, { name: 'token', type: 'string' }], EXAMPLE_ROWS);
		await n8n.stop();
		await n8n.importWorkflows([
			loadExample(EXAMPLES.agencyWatch, {
				metaTokenCredential: CREDENTIAL,
				slackWebhookUrl: exampleUrl,
				dataTable: { id: table, name: 'Client Meta tokens' },
				scheduleRule: { interval: [{ field: 'seconds', secondsInterval: INTERVAL_S }] },
			}),
		]);
		await n8n.activate(EXAMPLE_ID);
		const watchBefore = await watchRunsStarted();
		await n8n.start();
		await waitForRuns('a run after the restart', watchRunsStarted, watchBefore, 2);
		expect(watchMessages()).toHaveLength(EXPECTED_FIRST_RUN.length);

		// The two workflows are activated one after the other at startup: on a loaded machine the
		// example's first run can begin after the watch's second, so wait for it rather than assume it.
		const exampleBefore = await waitForRuns("the example's first run", exampleRunsStarted, 0, 1);
		// Two more runs have begun: the first two are over, and only the first may have posted.
		await waitForRuns("the example's next two runs", exampleRunsStarted, exampleBefore, 2);
		const texts = exampleTexts();
		expect(texts.map((text) => text.split('\n')[0].replace(/ \(Meta: .*$/, '')).sort()).toEqual([
			`Meta token "Acme Shoes" (USER, app ${APP.name}) expires in 5 days, on ${new Date((T + 5 * DAY + 3600) * 1000).toISOString().slice(0, 10)}`,
			`Meta token "Cycle Hub" (USER, app ${APP.name}) expired on ${new Date((T - 2 * DAY) * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`,
			`Meta token "Deli Forty" (USER, app ${APP.name}) is no longer valid: the user changed their password or Meta reset the session`,
			`Meta token "Reporting system user" (SYSTEM_USER, app ${APP.name}) expires in 12 days, on ${new Date((T + 12 * DAY + 3600) * 1000).toISOString().slice(0, 10)}`,
		]);
		// Each message carries what to do on its second line.
		expect(texts.every((text) => text.split('\n')[1]?.length > 20)).toBe(true);
	});

	it("after one client's token is renewed in the double: one `renewed`", async () => {
		await double.putToken({ ...GROUPS[renewedClient.group].spec(renewedClient.token), expiresAt: T + 60 * DAY });
		const started = await watchRunsStarted();
		await waitForRuns('two more runs', watchRunsStarted, started, 2);
		const news = watchMessages().slice(EXPECTED_FIRST_RUN.length);
		expect(summary(news)).toEqual([`${renewedClient.client}: renewed`]);
		expect(String(news[0].text)).toBe(
			`Meta token "${renewedClient.client}" (USER, app ${APP.name}) was renewed: it now expires ${new Date((T + 60 * DAY) * 1000).toISOString().slice(0, 10)}, in ${Math.floor((T + 60 * DAY - nowSeconds()) / DAY)} days`,
		);
	});

	it("after another client's password changes: one `invalid`", async () => {
		await double.invalidate(passwordClient.token, 'passwordChanged');
		const started = await watchRunsStarted();
		await waitForRuns('two more runs', watchRunsStarted, started, 2);
		const news = watchMessages().slice(EXPECTED_FIRST_RUN.length + 1);
		expect(summary(news)).toEqual([`${passwordClient.client}: invalid`]);
		expect(exampleTexts()).toHaveLength(4);

		// Every run was a production execution (mode `trigger`, whose static data n8n saves) and succeeded.
		const query = encodeURIComponent(JSON.stringify({ workflowId: WATCH_ID }));
		await n8n.login(); // the restart ended the owner's session
		const response = await n8n.rest('GET', `/rest/executions?filter=${query}&limit=100`);
		expect(response.status).toBe(200);
		const { results } = ((await response.json()) as { data: { results: Array<{ mode: string; status: string; startedAt: string; stoppedAt: string | null }> } }).data;
		const finished = results.filter((execution) => execution.stoppedAt !== null);
		expect(finished.length).toBeGreaterThanOrEqual(8);
		expect(new Set(finished.map((execution) => `${execution.mode} ${execution.status}`))).toEqual(new Set(['trigger success']));
		const seconds = finished.map((execution) => (Date.parse(execution.stoppedAt!) - Date.parse(execution.startedAt)) / 1000).sort((x, y) => x - y);
		process.stdout.write(
			`n8n ${n8n.runtime.version}: ${finished.length} runs of 200 tokens, ${seconds[0]}–${seconds[seconds.length - 1]} s each (median ${seconds[Math.floor(seconds.length / 2)]} s)\n`,
		);
	});
});
