/**
 * `npm run screenshots`: starts the demo (n8n 2.x sandbox), logs in with headless Debian Chromium
 * driven by playwright-core, and saves PNGs under docs/screenshots/ — each one after a run, so it
 * shows a result: the alert workflow's last production execution, the trigger panel after Fetch
 * Test Event, the self-renewing (system-user and Instagram), agency report, agency watch and Ads insights workflows
 * after Execute workflow with a node's panel, the nodes panel's Meta Token entry, the credential dialog at its notice, the renewal
 * form's completion page after pasting the sandbox token, and that run's execution. SCREENSHOTS_URL=http://127.0.0.1:5678 uses a demo that is already running
 * (then SCREENSHOTS_TOKEN must be a sandbox short-lived token to paste into the form).
 * SCREENSHOTS_ONLY=name,name takes only those pictures.
 *
 * n8n 2.x opens its "Production Checklist" popover the first time a browser shows a published
 * workflow, and remembers having done so per workflow in the browser's IndexedDB (`n8n-local`,
 * store `workflows`, `firstActivatedAt`); after a trigger's first test event it shows a "You can
 * pin this output" tooltip once (localStorage `N8N_PIN_DATA_DISCOVERY_NDV`). The script records
 * both as seen before opening anything, so nothing covers a picture.
 */
import { mkdirSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { Page } from 'playwright-core';
import { chromium } from 'playwright-core';

import { DEFAULT_OWNER } from '../../e2e/support/n8n';
import { repoRoot } from '../../e2e/support/paths';
import { stopAll } from '../../e2e/support/processes';
import type { Demo } from '../demo/demo';
import { DEMO_CREDENTIALS, DEMO_FORM_LOGIN, DEMO_WORKFLOWS, RENEW_FORM_PATH, startDemo } from '../demo/demo';

const OUT = join(repoRoot, 'docs', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

const VIEWPORT = { width: 1440, height: 860 };
const TALL_VIEWPORT = { width: 1200, height: 1200 };

async function settle(page: Page): Promise<void> {
	await page.waitForLoadState('networkidle').catch(() => undefined);
	await page.waitForTimeout(1500);
	// n8n's toasts ("Node executed successfully") close on their own after a few seconds.
	await page.locator('.el-notification').first().waitFor({ state: 'hidden', timeout: 15_000 }).catch(() => undefined);
}

async function openCanvas(page: Page, url: string, workflowId: string): Promise<void> {
	await page.goto(`${url}/workflow/${workflowId}`);
	await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 60_000 });
	await settle(page);
	await closeChecklist(page);
	// Fit the whole workflow in view.
	await page.keyboard.press('1').catch(() => undefined);
	await page.waitForTimeout(800);
}

/** Should n8n open its Production Checklist anyway, close it: nothing may cover a picture. */
async function closeChecklist(page: Page): Promise<void> {
	const close = page.locator('[data-test-id="suggested-actions-close"]');
	if (await close.isVisible().catch(() => false)) await close.click().catch(() => undefined);
}

/**
 * Tells the editor, as it tells itself after showing them once, that this browser has seen the
 * Production Checklist of these workflows and the "You can pin this output" hint.
 */
async function skipFirstTimeHints(page: Page, url: string, workflowIds: string[]): Promise<void> {
	await page.goto(url);
	await settle(page);
	await page.evaluate(`(() => {
		localStorage.setItem('N8N_PIN_DATA_DISCOVERY_NDV', 'true');
		localStorage.setItem('N8N_PIN_DATA_DISCOVERY_CANVAS', 'true');
	})()`);
	// Browser code (this script is compiled without the DOM's types): the editor's own store and format.
	await page.evaluate(`(async (ids) => {
		const db = await new Promise((resolve, reject) => {
			const open = indexedDB.open('n8n-local', 1);
			open.onupgradeneeded = () => open.result.createObjectStore('workflows', { keyPath: 'key' });
			open.onsuccess = () => resolve(open.result);
			open.onerror = () => reject(open.error);
		});
		await new Promise((resolve, reject) => {
			const transaction = db.transaction('workflows', 'readwrite');
			for (const id of ids) transaction.objectStore('workflows').put({ key: id, value: JSON.stringify({ firstActivatedAt: Date.now() }) });
			transaction.oncomplete = () => resolve();
			transaction.onerror = () => reject(transaction.error);
		});
		db.close();
	})(${JSON.stringify(workflowIds)})`);
}

/**
 * Clicks "Execute workflow" and waits until every node that ran shows its result. `fromTrigger`
 * first picks that trigger in the button's "Select trigger node" menu: with several triggers the
 * editor preselects one by its own rule (for the Instagram example, the Meta Token Trigger).
 */
async function executeWorkflow(page: Page, fromTrigger?: string): Promise<void> {
	if (fromTrigger !== undefined) {
		await page.locator('button[aria-label="Select trigger node"]').first().click();
		await page.getByRole('menuitem', { name: fromTrigger }).first().click();
		await page.locator('[data-test-id="execute-workflow-button"]', { hasText: fromTrigger }).first().waitFor({ timeout: 10_000 });
	}
	await page.locator('[data-test-id="execute-workflow-button"]').first().click();
	await page
		.locator('[data-test-id="execute-workflow-button"]:not([disabled])')
		.first()
		.waitFor({ timeout: 60_000 })
		.catch(() => undefined);
	await page.waitForTimeout(6000);
}

async function openNodePanel(page: Page, nodeName: string): Promise<void> {
	await page.locator('[data-test-id="canvas-node"]', { hasText: nodeName }).first().dblclick();
	await page.locator('[data-test-id="ndv"]').first().waitFor({ timeout: 30_000 });
	await settle(page);
}

/** The newest execution of a workflow, opened in the editor's executions view (a production run's canvas). */
async function openLastExecution(page: Page, url: string, workflowId: string): Promise<void> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const answer = await page.context().request.get(`${url}/rest/executions?filter=${filter}&limit=1`);
	if (!answer.ok()) throw new Error(`GET /rest/executions → ${answer.status()} ${await answer.text()}`);
	const body = (await answer.json()) as { data: { results?: Array<{ id: string }> } | Array<{ id: string }> };
	const results = Array.isArray(body.data) ? body.data : (body.data.results ?? []);
	if (results.length === 0) throw new Error(`workflow ${workflowId} has no execution yet`);
	await page.goto(`${url}/workflow/${workflowId}/executions/${results[0].id}`);
	await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 60_000 });
	await settle(page);
	await closeChecklist(page);
}

/**
 * SCREENSHOTS_ONLY=name,name (file names without .png) takes only those pictures and runs only the
 * steps they need; unset, all of them.
 */
const ONLY = process.env.SCREENSHOTS_ONLY
	? new Set(process.env.SCREENSHOTS_ONLY.split(',').map((name) => name.trim().replace(/\.png$/, '')))
	: undefined;

function want(...names: string[]): boolean {
	return ONLY === undefined || names.some((name) => ONLY.has(name));
}

async function shoot(page: Page, name: string, log: (line: string) => void): Promise<void> {
	if (!want(name)) return;
	const file = join(OUT, `${name}.png`);
	await page.screenshot({ path: file });
	log(`saved ${file}`);
}

export async function takeScreenshots(url: string, tokenToPaste: string, log: (line: string) => void): Promise<void> {
	mkdirSync(OUT, { recursive: true });
	const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
	try {
		const context = await browser.newContext({
			viewport: VIEWPORT,
			deviceScaleFactor: 1,
			// The renewal form's Basic Auth login, answered when the form asks for it.
			httpCredentials: { username: DEMO_FORM_LOGIN.user, password: DEMO_FORM_LOGIN.password },
		});
		// Log in through the REST API: the session cookie lands in the browser context.
		const login = await context.request.post(`${url}/rest/login`, {
			data: { emailOrLdapLoginId: DEFAULT_OWNER.email, email: DEFAULT_OWNER.email, password: DEFAULT_OWNER.password },
		});
		if (!login.ok()) throw new Error(`login failed: ${login.status()} ${await login.text()}`);
		const page = await context.newPage();
		await skipFirstTimeHints(page, url, Object.values(DEMO_WORKFLOWS));

		// The alert workflow is active: its last production run is the alert it sent.
		if (want('alert-slack-before-meta-token-expires')) {
			await openLastExecution(page, url, DEMO_WORKFLOWS.alert);
			await shoot(page, 'alert-slack-before-meta-token-expires', log);
		}

		// The trigger's panel after Fetch Test Event: the status item of the watched token.
		if (want('meta-token-trigger-panel')) {
			await openCanvas(page, url, DEMO_WORKFLOWS.alert);
			await openNodePanel(page, 'Meta Token Trigger');
			await page.locator('[data-test-id="ndv"]').getByText('Fetch Test Event').first().click();
			// The status item's cell (exact and lower-case: the Events chips say "Expiring").
			await page.locator('[data-test-id="ndv"]').getByText('expiring', { exact: true }).first().waitFor({ timeout: 60_000 });
			await settle(page);
			await shoot(page, 'meta-token-trigger-panel', log);
		}

		// The others run on "Execute workflow" against the sandbox, so the canvas shows the run.
		if (want('self-renewing-system-user-token', 'meta-token-refresh-panel')) {
			await openCanvas(page, url, DEMO_WORKFLOWS.selfRenewing);
			await executeWorkflow(page);
			await shoot(page, 'self-renewing-system-user-token', log);
			await openNodePanel(page, 'Refresh token');
			await shoot(page, 'meta-token-refresh-panel', log);
		}

		// The Instagram token, 50 days old, refreshed and saved into its own credential.
		if (want('self-renewing-instagram-token', 'meta-token-refresh-instagram-panel')) {
			// Its two sticky notes make it taller than wide: a taller window keeps the nodes legible.
			await page.setViewportSize(TALL_VIEWPORT);
			await openCanvas(page, url, DEMO_WORKFLOWS.selfRenewingInstagram);
			await executeWorkflow(page, 'Run now');
			await shoot(page, 'self-renewing-instagram-token', log);
			await page.setViewportSize(VIEWPORT);
			await page.waitForTimeout(800);
			await openNodePanel(page, 'Refresh Instagram token');
			await shoot(page, 'meta-token-refresh-instagram-panel', log);
		}

		if (want('agency-token-health-report', 'meta-token-node-panel')) {
			await openCanvas(page, url, DEMO_WORKFLOWS.agencyReport);
			await executeWorkflow(page);
			await shoot(page, 'agency-token-health-report', log);
			await openNodePanel(page, 'Inspect tokens');
			await shoot(page, 'meta-token-node-panel', log);
		}

		// A manual run of the watch: what would alert now (recorded by nothing, as its hint says).
		if (want('agency-token-watch', 'check-for-alerts-panel')) {
			await openCanvas(page, url, DEMO_WORKFLOWS.agencyWatch);
			await executeWorkflow(page);
			await shoot(page, 'agency-token-watch', log);
			await openNodePanel(page, 'Check for Alerts');
			await shoot(page, 'check-for-alerts-panel', log);
		}

		if (want('meta-graph-api-http-request')) {
			await openCanvas(page, url, DEMO_WORKFLOWS.adsInsights);
			await executeWorkflow(page);
			await openNodePanel(page, "Get yesterday's insights");
			await shoot(page, 'meta-graph-api-http-request', log);
		}

		// The nodes panel: one entry for the node and its trigger, described as n8n describes it.
		if (want('nodes-panel-meta-token')) {
			await openCanvas(page, url, DEMO_WORKFLOWS.selfRenewing);
			const plus = page.locator('[data-test-id="node-creator-plus-button"]').first();
			if (await plus.isVisible().catch(() => false)) await plus.click();
			else await page.keyboard.press('Tab');
			await page.locator('[data-test-id="node-creator-search-bar"]').first().waitFor({ timeout: 30_000 });
			await page.keyboard.type('Meta Token');
			await page.locator('[data-test-id="node-creator-item-name"]', { hasText: 'Meta Token' }).first().waitFor({ timeout: 30_000 });
			await settle(page);
			await shoot(page, 'nodes-panel-meta-token', log);
			await page.keyboard.press('Escape');
		}

		// The credential dialog, scrolled to the notice above n8n's "Allowed HTTP Request Domains".
		if (want('meta-token-api-credential')) {
			await page.goto(`${url}/home/credentials/${DEMO_CREDENTIALS.acme.id}`);
			const notice = page.getByText('This credential sends the token and App Secret only').first();
			await notice.waitFor({ timeout: 60_000 });
			await notice.scrollIntoViewIfNeeded();
			await settle(page);
			await shoot(page, 'meta-token-api-credential', log);
		}

		// Last, as it renews the Acme Shoes token the alert pictures are about.
		if (want('renew-user-token-form', 'renew-user-token-form-run')) {
			await page.goto(`${url}${RENEW_FORM_PATH}`);
			await page.locator('input[type="password"]').first().fill(tokenToPaste);
			await page.locator('#submit-btn').click();
			await page.getByText('Token renewed').first().waitFor({ timeout: 60_000 });
			await settle(page);
			await shoot(page, 'renew-user-token-form', log);
			await openLastExecution(page, url, DEMO_WORKFLOWS.renewForm);
			await shoot(page, 'renew-user-token-form-run', log);
		}
	} catch (error) {
		// What the browser showed when a step gave up, for whoever has to fix the step.
		const page = browser.contexts()[0]?.pages()[0];
		const file = join(tmpdir(), 'meta-token-screenshots-failure.png');
		if (page) await page.screenshot({ path: file }).then(() => log(`failed; the page at that moment: ${file}`), () => undefined);
		throw error;
	} finally {
		await browser.close();
	}
}

async function main(): Promise<void> {
	const log = (line: string): void => {
		process.stdout.write(`${line}\n`);
	};
	let demo: Demo | undefined;
	const url = process.env.SCREENSHOTS_URL ?? (demo = await startDemo({ log })).url;
	const token = demo?.tokenToPaste ?? process.env.SCREENSHOTS_TOKEN;
	if (!token) throw new Error('SCREENSHOTS_URL needs SCREENSHOTS_TOKEN: the sandbox short-lived token the demo printed');
	try {
		await takeScreenshots(url, token, log);
	} finally {
		await demo?.stop();
	}
}

if (require.main === module) {
	main().catch(async (error: unknown) => {
		process.stderr.write(`screenshots: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		await stopAll();
		process.exit(1);
	});
}
