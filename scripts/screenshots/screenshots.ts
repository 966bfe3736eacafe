/**
 * `npm run screenshots`: starts the demo (n8n 2.x sandbox), logs in with headless Debian Chromium
 * driven by playwright-core, and saves PNGs of the four example workflows and of the Meta Token
 * node's panels under docs/screenshots/. SCREENSHOTS_URL=http://127.0.0.1:5678 uses a demo that is
 * already running instead of starting one.
 */
import { mkdirSync, readFileSync } from 'fs';
import { join } from 'path';
import type { Page } from 'playwright-core';
import { chromium } from 'playwright-core';

import { EXAMPLES } from '../../e2e/support/examples';
import type { Workflow } from '../../e2e/support/n8n';
import { DEFAULT_OWNER } from '../../e2e/support/n8n';
import { repoRoot } from '../../e2e/support/paths';
import { stopAll } from '../../e2e/support/processes';
import type { Demo } from '../demo/demo';
import { DEMO_WORKFLOWS, startDemo } from '../demo/demo';

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

function exampleNodeId(file: string, nodeName: string): string {
	const workflow = JSON.parse(readFileSync(join(repoRoot, 'examples', file), 'utf8')) as Workflow;
	const node = workflow.nodes.find((n) => n.name === nodeName);
	if (!node?.id) throw new Error(`no node "${nodeName}" in examples/${file}`);
	return node.id;
}

async function settle(page: Page): Promise<void> {
	await page.waitForLoadState('networkidle').catch(() => undefined);
	await page.waitForTimeout(1500);
}

async function openCanvas(page: Page, url: string, workflowId: string): Promise<void> {
	await page.goto(`${url}/workflow/${workflowId}`);
	await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 60_000 });
	await settle(page);
	// n8n 2.x opens a "Production Checklist" popover on published workflows: close it.
	const close = page.locator('[data-test-id="suggested-actions-close"]');
	if (await close.isVisible().catch(() => false)) await close.click().catch(() => undefined);
	// Fit the whole workflow in view.
	await page.keyboard.press('1').catch(() => undefined);
	await page.waitForTimeout(800);
}

/** Clicks "Execute workflow" and waits until every node that ran shows its result. */
async function executeWorkflow(page: Page): Promise<void> {
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

async function shoot(page: Page, name: string, log: (line: string) => void): Promise<void> {
	const file = join(OUT, `${name}.png`);
	await page.screenshot({ path: file });
	log(`saved ${file}`);
}

export async function takeScreenshots(url: string, log: (line: string) => void): Promise<void> {
	mkdirSync(OUT, { recursive: true });
	const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
	try {
		const context = await browser.newContext({ viewport: { width: 1440, height: 860 }, deviceScaleFactor: 1 });
		// Log in through the REST API: the session cookie lands in the browser context.
		const login = await context.request.post(`${url}/rest/login`, {
			data: { emailOrLdapLoginId: DEFAULT_OWNER.email, email: DEFAULT_OWNER.email, password: DEFAULT_OWNER.password },
		});
		if (!login.ok()) throw new Error(`login failed: ${login.status()} ${await login.text()}`);
		const page = await context.newPage();

		await openCanvas(page, url, DEMO_WORKFLOWS.alert);
		await shoot(page, 'alert-slack-before-meta-token-expires', log);

		// The other two run on "Execute workflow" against the sandbox, so the canvas shows the run.
		await openCanvas(page, url, DEMO_WORKFLOWS.selfRenewing);
		await executeWorkflow(page);
		await shoot(page, 'self-renewing-system-user-token', log);
		await openNodePanel(page, 'Refresh token');
		await shoot(page, 'meta-token-refresh-panel', log);

		await openCanvas(page, url, DEMO_WORKFLOWS.agencyReport);
		await executeWorkflow(page);
		await shoot(page, 'agency-token-health-report', log);
		await openNodePanel(page, 'Inspect tokens');
		await shoot(page, 'meta-token-node-panel', log);

		// A manual run of the watch: what would alert now (recorded by nothing, as its hint says).
		await openCanvas(page, url, DEMO_WORKFLOWS.agencyWatch);
		await executeWorkflow(page);
		await shoot(page, 'agency-token-watch', log);
		await openNodePanel(page, 'Check for Alerts');
		await shoot(page, 'check-for-alerts-panel', log);

		// The trigger's panel (opened by URL: nothing to run).
		await page.goto(`${url}/workflow/${DEMO_WORKFLOWS.alert}/${exampleNodeId(EXAMPLES.alert, 'Meta Token Trigger')}`);
		await page.locator('[data-test-id="ndv"]').first().waitFor({ timeout: 60_000 });
		await settle(page);
		await shoot(page, 'meta-token-trigger-panel', log);
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
	try {
		await takeScreenshots(url, log);
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
