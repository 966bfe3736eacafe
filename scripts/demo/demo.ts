/**
 * `npm run demo`: a sandbox n8n 2.x with this package installed from its packed tarball, the
 * Graph API double standing in for graph.facebook.com and graph.instagram.com (seeded with
 * realistic tokens, dates relative to now), a local "Slack" that prints what it receives, the example workflows and their
 * credentials (the agency watch's client tokens in an n8n Data table) — the renewal form active,
 * with a sandbox short-lived token to paste into it. Prints the editor URL, the owner's login, the
 * form's URL and login. Ctrl-C stops everything.
 *
 * Run through scripts/demo/demo.sh (installs, builds, compiles this into .e2e-build/).
 * DEMO_PORT picks n8n's port (default 5678, or a free one when that is taken).
 */
import { createDataTable } from '../../e2e/support/dataTables';
import { EXAMPLES, loadExample } from '../../e2e/support/examples';
import { GraphDoubleProcess } from '../../e2e/support/graphDoubleProcess';
import type { Owner } from '../../e2e/support/n8n';
import { DEFAULT_OWNER, N8nInstance } from '../../e2e/support/n8n';
import { n8nRuntime } from '../../e2e/support/paths';
import { freePort, stopAll } from '../../e2e/support/processes';
import { WebhookSink } from '../../e2e/support/sink';
import { packedTarball } from '../../e2e/support/tarball';
import type { TestApp } from '../../e2e/support/tokens';
import { DAY, metaCredential, nowSeconds, tokenFor } from '../../e2e/support/tokens';
import { instagramToken } from '../../tools/graph-double/platformTokens';

export const SANDBOX_APP: TestApp = { id: '1234567890', name: 'Sandbox Reporting App', secret: 'sandbox-app-secret' };
/** The Instagram app (Instagram API with Instagram Login) of the sandbox's Instagram account. */
export const SANDBOX_INSTAGRAM_APP: TestApp = { id: '1987654321', name: 'Sandbox Instagram Poster', secret: 'sandbox-instagram-app-secret' };

export const DEMO_CREDENTIALS = {
	acme: { id: 'demoAcmeUser001', name: 'Acme Shoes: user token (sandbox)' },
	formLogin: { id: 'demoFormLogin01', name: 'Renewal form login (demo)' },
	systemUser: { id: 'demoSystemUser1', name: 'Reporting system user (sandbox)' },
	agency: { id: 'demoAgencyApp01', name: 'Agency app (sandbox)' },
	n8nApi: { id: 'demoN8nApi00001', name: 'n8n API (demo)' },
	instagram: { id: 'demoInstagram01', name: 'Acme Shoes: Instagram token (sandbox)' },
} as const;

export const DEMO_WORKFLOWS = {
	alert: 'MetaTokenAlert01',
	selfRenewing: 'MetaTokenRenew01',
	agencyReport: 'MetaTokenReport1',
	agencyWatch: 'MetaTokenWatch01',
	adsInsights: 'MetaTokenAdsDay1',
	renewForm: 'MetaTokenForm001',
	selfRenewingInstagram: 'MetaTokenRenewIG1',
} as const;

/** The n8n Data table the agency watch example reads its client tokens from. */
export const DEMO_DATA_TABLE = 'Client Meta tokens';

/** The renewal form's Basic Auth login in the demo. */
export const DEMO_FORM_LOGIN = { user: 'renew', password: 'Renew-Demo-1' } as const;
/** Acme Shoes' ad account in the sandbox (the insights example reads it). */
export const DEMO_AD_ACCOUNT = '120330000111222';
/** The renewal form's path (examples/renew-user-token-form.json). */
export const RENEW_FORM_PATH = '/form/renew-meta-token';

const tokens = {
	acme: tokenFor('demo-acme-user'),
	cycleHub: tokenFor('demo-cycle-hub-user'),
	deli: tokenFor('demo-deli-user'),
	brandPage: tokenFor('demo-brand-page'),
	systemUser: tokenFor('demo-system-user'),
	/** What the Graph API Explorer would hand Acme Shoes' user: short-lived, to paste into the form. */
	acmeFromExplorer: tokenFor('demo-acme-explorer'),
	/** Instagram User tokens begin IGAA (as Meta issues them; the double knows them on its /instagram only). */
	acmeInstagram: `IGAA${tokenFor('demo-acme-instagram').slice(3)}`,
};

/** Realistic tokens, dates relative to now. */
function sandboxSeed() {
	const T = nowSeconds();
	const adsScopes = ['ads_read', 'ads_management', 'business_management', 'public_profile'];
	return {
		apps: [SANDBOX_APP, SANDBOX_INSTAGRAM_APP],
		tokens: [
			// Long-lived user token, 5 days (and an hour) left of its 60.
			{ token: tokens.acme, type: 'USER' as const, appId: SANDBOX_APP.id, userId: '10215241773831025', scopes: adsScopes, issuedAt: T - 55 * DAY, expiresAt: T + 5 * DAY + 3600, dataAccessExpiresAt: T + 80 * DAY },
			// Expired two days ago.
			{ token: tokens.cycleHub, type: 'USER' as const, appId: SANDBOX_APP.id, userId: '10215241773832040', scopes: adsScopes, issuedAt: T - 62 * DAY, expiresAt: T - 2 * DAY, dataAccessExpiresAt: T + 30 * DAY },
			// Invalidated by a password change (after start, below).
			{ token: tokens.deli, type: 'USER' as const, appId: SANDBOX_APP.id, userId: '10215241773833051', scopes: adsScopes, issuedAt: T - 20 * DAY, expiresAt: T + 40 * DAY, dataAccessExpiresAt: T + 70 * DAY },
			// Page token: never expires.
			{ token: tokens.brandPage, type: 'PAGE' as const, appId: SANDBOX_APP.id, userId: '10215241773831025', profileId: '104729385610293', scopes: ['pages_show_list', 'pages_read_engagement'], expiresAt: 0 },
			// A fresh Graph API Explorer token of the same user: short-lived (the double counts under a
			// day as short-lived; 20 hours keep it valid through a long demo), for the renewal form.
			{ token: tokens.acmeFromExplorer, type: 'USER' as const, appId: SANDBOX_APP.id, userId: '10215241773831025', scopes: adsScopes, issuedAt: T, expiresAt: T + 20 * 3600, dataAccessExpiresAt: T + 90 * DAY },
			// Expiring system-user token (60-day kind), 12 days left: refreshable.
			{ token: tokens.systemUser, type: 'SYSTEM_USER' as const, appId: SANDBOX_APP.id, userId: '61550000000001', scopes: ['ads_read', 'ads_management'], issuedAt: T - 48 * DAY, expiresAt: T + 12 * DAY, expiringSystemUser: true },
			// Acme Shoes' Instagram token (graph.instagram.com), long-lived and 50 days old: 10 days
			// left of its 60, and well past the day Meta wants before it refreshes one.
			instagramToken({ appId: SANDBOX_INSTAGRAM_APP.id, token: tokens.acmeInstagram, userId: '17841405822304914', username: 'acmeshoes', issuedAt: T - 50 * DAY }),
		],
	};
}

/** The sandbox's clients: the agency report's Code node and the agency watch's Data table list them. */
const demoClients = [
	{ client: 'Acme Shoes', token: tokens.acme },
	{ client: 'Cycle Hub', token: tokens.cycleHub },
	{ client: 'Deli Forty', token: tokens.deli },
	{ client: 'Brand Page', token: tokens.brandPage },
	{ client: 'Reporting system user', token: tokens.systemUser },
];

export interface Demo {
	url: string;
	owner: Owner;
	/** The renewal form's production URL, its login, and a sandbox short-lived token to paste. */
	formUrl: string;
	formLogin: typeof DEMO_FORM_LOGIN;
	tokenToPaste: string;
	doubleUrl: string;
	n8n: N8nInstance;
	sink: WebhookSink;
	stop(): Promise<void>;
}

async function demoPort(): Promise<number> {
	if (process.env.DEMO_PORT) return Number(process.env.DEMO_PORT);
	const probe = await fetch('http://127.0.0.1:5678/healthz').then(
		() => true,
		() => false,
	);
	return probe ? await freePort() : 5678;
}

export async function startDemo(options: { log?: (line: string) => void } = {}): Promise<Demo> {
	const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
	const started = Date.now();
	const double = await GraphDoubleProcess.start(sandboxSeed());
	await double.invalidate(tokens.deli, 'passwordChanged');
	const sink = await WebhookSink.start();
	const n8n = await N8nInstance.create(n8nRuntime(2), packedTarball());
	const stop = async (): Promise<void> => {
		await n8n.dispose();
		await double.stop();
		await sink.stop();
		await stopAll();
	};
	try {
		log(`Graph API sandbox (the double) at ${double.url}; n8n ${n8n.runtime.version} in ${n8n.userFolder}`);
		// The port first: the alert workflow's Renewal Link is the form's URL on it.
		n8n.port = await demoPort();
		const formUrl = `${n8n.url}${RENEW_FORM_PATH}`;
		const credential = (c: { id: string; name: string }, token: string) =>
			metaCredential(c.id, c.name, token, double.url, SANDBOX_APP);
		await n8n.importCredentials([
			credential(DEMO_CREDENTIALS.acme, tokens.acme),
			credential(DEMO_CREDENTIALS.systemUser, tokens.systemUser),
			credential(DEMO_CREDENTIALS.agency, tokens.brandPage),
			// Platform Instagram: no App ID and no proof on that host; the sandbox's Instagram host is
			// the double's /instagram. No token record yet: the token was pasted by hand.
			{
				...DEMO_CREDENTIALS.instagram,
				type: 'metaTokenApi',
				data: { platform: 'instagram', accessToken: tokens.acmeInstagram, appSecret: SANDBOX_INSTAGRAM_APP.secret, graphApiVersion: 'v25.0', baseUrl: `${double.url}/instagram` },
			},
			{ ...DEMO_CREDENTIALS.formLogin, type: 'httpBasicAuth', data: { ...DEMO_FORM_LOGIN } },
		]);
		// Acme Shoes' credential is the one "the reporting workflows use": the alert watches it, the
		// insights workflow reads ads with it, and the form renews it.
		const acme = {
			metaTokenCredential: DEMO_CREDENTIALS.acme,
			n8nApiCredential: DEMO_CREDENTIALS.n8nApi,
			formLoginCredential: DEMO_CREDENTIALS.formLogin,
			slackWebhookUrl: sink.url,
		};
		await n8n.importWorkflows([
			loadExample(EXAMPLES.alert, { ...acme, pollTimes: { item: [{ mode: 'everyMinute' }] }, renewalUrl: formUrl }),
			loadExample(EXAMPLES.adsInsights, { ...acme, graphBaseUrl: double.url, adAccountId: DEMO_AD_ACCOUNT }),
			loadExample(EXAMPLES.renewForm, acme),
			loadExample(EXAMPLES.selfRenewing, {
				metaTokenCredential: DEMO_CREDENTIALS.systemUser,
				n8nApiCredential: DEMO_CREDENTIALS.n8nApi,
				slackWebhookUrl: sink.url,
			}),
			loadExample(EXAMPLES.selfRenewingInstagram, {
				metaTokenCredential: DEMO_CREDENTIALS.instagram,
				n8nApiCredential: DEMO_CREDENTIALS.n8nApi,
				slackWebhookUrl: sink.url,
			}),
			loadExample(EXAMPLES.agencyReport, {
				metaTokenCredential: DEMO_CREDENTIALS.agency,
				slackWebhookUrl: sink.url,
				clients: demoClients,
			}),
		]);
		// The alert workflow runs from the start: its first poll posts to the sandbox Slack below.
		await n8n.activate(DEMO_WORKFLOWS.alert);
		await n8n.activate(DEMO_WORKFLOWS.renewForm);
		await n8n.start();
		await n8n.setupOwner(DEFAULT_OWNER);
		const apiKey = await n8n.createApiKey(['credential:update', 'credential:read'], 'Meta Token demo');
		await n8n.importCredentials([
			{ ...DEMO_CREDENTIALS.n8nApi, type: 'metaTokenN8nApi', data: { baseUrl: n8n.url, apiKey } },
		]);
		// The agency watch reads a Data table, which exists once n8n runs and has its owner.
		const columns = [{ name: 'client', type: 'string' as const }, { name: 'token', type: 'string' as const }];
		const table = await createDataTable(n8n, DEMO_DATA_TABLE, columns, demoClients);
		await n8n.importWorkflows([
			loadExample(EXAMPLES.agencyWatch, {
				metaTokenCredential: DEMO_CREDENTIALS.agency,
				slackWebhookUrl: sink.url,
				dataTable: { id: table, name: DEMO_DATA_TABLE },
			}),
		]);
		log(`ready in ${Math.round((Date.now() - started) / 1000)} s`);
		return {
			url: n8n.url,
			owner: DEFAULT_OWNER,
			formUrl,
			formLogin: DEMO_FORM_LOGIN,
			tokenToPaste: tokens.acmeFromExplorer,
			doubleUrl: double.url,
			n8n,
			sink,
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}

async function main(): Promise<void> {
	const demo = await startDemo();
	let stopping = false;
	const shutdown = (): void => {
		if (stopping) return;
		stopping = true;
		process.stdout.write('\nStopping n8n, the Graph sandbox and the Slack sink...\n');
		demo.stop().then(
			() => process.exit(0),
			(error: unknown) => {
				process.stderr.write(`demo: stop failed: ${String(error)}\n`);
				process.exit(1);
			},
		);
	};
	process.on('SIGINT', shutdown);
	process.on('SIGTERM', shutdown);
	let shown = 0;
	setInterval(() => {
		for (const message of demo.sink.messages.slice(shown)) {
			const text = String((message.body as { text?: unknown }).text ?? JSON.stringify(message.body));
			process.stdout.write(`\n[Slack sandbox] ${text}\n`);
		}
		shown = demo.sink.messages.length;
	}, 1000);
	const w = DEMO_WORKFLOWS;
	process.stdout.write(
		[
			'',
			'n8n with n8n-nodes-meta-token is running (sandbox: no call leaves this machine).',
			'',
			`  Editor:   ${demo.url}`,
			`  Login:    ${demo.owner.email}`,
			`  Password: ${demo.owner.password}`,
			'',
			'  Workflows:',
			`    ${demo.url}/workflow/${w.alert}   Alert on Slack before a Meta token expires (active, polls every minute)`,
			`    ${demo.url}/workflow/${w.selfRenewing}   Self-renewing Meta system-user token (click "Execute workflow")`,
			`    ${demo.url}/workflow/${w.selfRenewingInstagram}   Self-renewing Instagram token (click "Execute workflow"; Meta refreshes a token once a day at most)`,
			`    ${demo.url}/workflow/${w.agencyReport}   Agency Meta token health report (click "Execute workflow")`,
			`    ${demo.url}/workflow/${w.agencyWatch}   Agency Meta token watch (click "Execute workflow" to see what would alert; activate it to alert once per threshold)`,
			`    ${demo.url}/workflow/${w.adsInsights}   Yesterday's Meta Ads insights: the HTTP Request node with the Meta Token API credential (click "Execute workflow")`,
			`    ${demo.url}/workflow/${w.renewForm}   Renew a Meta user token from a form (active)`,
			'',
			`  Renewal form: ${demo.formUrl}`,
			`    login ${demo.formLogin.user} / ${demo.formLogin.password}; paste this sandbox short-lived token (as if from the Graph API Explorer):`,
			`    ${demo.tokenToPaste}`,
			'    It renews "Acme Shoes: user token (sandbox)"; the alert workflow then reports "renewed" on its next poll.',
			'',
			`  Graph API sandbox: ${demo.doubleUrl} (requests log: ${demo.doubleUrl}/_double/requests)`,
			'  Messages to "Slack" are printed here.',
			'',
			'Ctrl-C stops everything.',
			'',
		].join('\n'),
	);
}

if (require.main === module) {
	main().catch(async (error: unknown) => {
		process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
		await stopAll();
		process.exit(1);
	});
}
