/**
 * An n8n form filled in over plain HTTP, the way the page's own script does it (n8n's
 * form-trigger and form-trigger-completion templates, 1.x and 2.x alike):
 *
 *   POST /form/<path> (multipart, fields `field-0`, …)  → {"formWaitingUrl": …} once a Form node follows
 *   GET  <formWaitingUrl>/n8n-execution-status          → "running" … "form-waiting" (or an end state)
 *   GET  <formWaitingUrl>                                → the completion page (title in <h1>, text in <p>)
 *   POST <formWaitingUrl>                                → resumes the run after the page (as the page does on load)
 *
 * 2.x signs the waiting URL (`?signature=`); the status path goes before the query.
 */
import { sleepMs } from './processes';

export interface FormResult {
	/** HTTP status of the submission. */
	status: number;
	/** The execution's state once it stopped running: "form-waiting", "success", "error", … */
	executionStatus: string;
	/** The completion page, when the run reached a Form Ending. */
	title: string | null;
	message: string | null;
	html: string | null;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'", '#x27': "'", '#x2F': '/', '#x3D': '=', '#x60': '`' };

/** Text of an HTML fragment: tags dropped, the entities n8n's escaping produces decoded, spaces collapsed. */
export function htmlText(html: string): string {
	return html
		.replace(/<[^>]*>/g, '')
		.replace(/&([#\w]+);/g, (whole, name: string) => ENTITIES[name] ?? whole)
		.replace(/\s+/g, ' ')
		.trim();
}

function statusUrl(waitingUrl: string): string {
	const url = new URL(waitingUrl);
	url.pathname += '/n8n-execution-status';
	return url.toString();
}

/**
 * Submits `fields` (in the form's order) to the form at `formUrl`, waits for the run to reach
 * its completion page or end, reads the page and lets the run go on past it.
 */
export async function submitForm(
	formUrl: string,
	fields: string[],
	options: { authorization?: string; timeoutMs?: number } = {},
): Promise<FormResult> {
	const headers: Record<string, string> = options.authorization ? { authorization: options.authorization } : {};
	const body = new FormData();
	fields.forEach((value, index) => body.append(`field-${index}`, value));
	const submitted = await fetch(formUrl, { method: 'POST', body, headers });
	const text = await submitted.text();
	let waitingUrl: string | undefined;
	try {
		waitingUrl = (JSON.parse(text) as { formWaitingUrl?: string }).formWaitingUrl;
	} catch {
		waitingUrl = undefined;
	}
	if (!waitingUrl) return { status: submitted.status, executionStatus: 'none', title: null, message: null, html: text };

	const deadline = Date.now() + (options.timeoutMs ?? 60_000);
	let executionStatus = 'running';
	while (Date.now() < deadline) {
		executionStatus = (await (await fetch(statusUrl(waitingUrl), { headers })).text()).trim();
		if (!['running', 'new', 'waiting', 'null'].includes(executionStatus)) break;
		await sleepMs(500);
	}
	const page = await fetch(waitingUrl, { headers });
	const html = await page.text();
	const title = /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(html)?.[1];
	const message = /<h1[^>]*>[\s\S]*?<\/h1>\s*<p[^>]*>([\s\S]*?)<\/p>/.exec(html)?.[1];
	// What the completion page's script does on load: the run continues after the Form Ending.
	if (executionStatus === 'form-waiting') await (await fetch(waitingUrl, { method: 'POST', headers })).text();
	return {
		status: submitted.status,
		executionStatus,
		title: title === undefined ? null : htmlText(title),
		message: message === undefined ? null : htmlText(message),
		html,
	};
}

export function basicAuth(user: string, password: string): string {
	return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}
