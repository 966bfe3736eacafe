/**
 * The ways to inspect N tokens the bench compares, each as a workflow
 * Manual Trigger → "Tokens" (a Code node emitting one item per token) → the node under test:
 *
 * (a) Meta Token `inspect`, tokens as items (`Token Source: Input`, `{{ $json.token }}`);
 * (e) the same with `{{ ($json.token) }}`: the same value, but not a plain field reference, so n8n's
 *     expression engine evaluates it for every item — how (a) read its tokens before;
 * (k) Meta Token `checkAlerts` on the same items (the agency watch list: inspect + alert policy);
 * (b) HTTP Request calling debug_token once per item with a Header Auth credential, defaults untouched;
 * (q) the same with the app token as a query parameter and no credential, as templates do;
 * (c) (b) with its Batching option set as a careful user would to stay under the quota;
 * (n) n8n's No Operation node on the same items: the pass-through floor, what n8n needs to hand
 *     the items through a node that does nothing.
 */
import { randomUUID } from 'crypto';

import type { CredentialImport, Workflow, WorkflowNode } from '../../e2e/support/n8n';
import type { TestApp } from '../../e2e/support/tokens';
import { emitItems, manualTrigger, metaTokenNode, workflow } from '../../e2e/support/workflowBuilder';

export type Variant = 'a' | 'e' | 'k' | 'b' | 'q' | 'c' | 'n';
export const VARIANTS: Variant[] = ['a', 'e', 'k', 'b', 'q', 'c', 'n'];
/** The variants that run through this package. */
export const OURS: ReadonlySet<Variant> = new Set<Variant>(['a', 'e', 'k']);

export const VARIANT_NAMES: Record<Variant, string> = {
	a: 'Meta Token inspect',
	e: 'Meta Token inspect, Token evaluated by n8n',
	k: 'Meta Token checkAlerts',
	b: 'HTTP Request, Header Auth',
	q: 'HTTP Request, token in query',
	c: 'HTTP Request, Header Auth, batching',
	n: 'No Operation (pass-through floor)',
};

/** The node whose run data the bench reads. */
export const NODE_UNDER_TEST = 'Inspect';

export const META_CREDENTIAL_ID = 'benchMetaToken01';
export const HEADER_CREDENTIAL_ID = 'benchHeaderAuth01';

/** The quota conditions: 40 % of N calls per 5-s window. */
export const QUOTA_SHARE = 0.4;
export const QUOTA_WINDOW_MS = 5000;

/**
 * (c)'s Batching, as a careful user sets it for a quota of 0.4 N calls per 5 s: no more than 90 %
 * of it per window, in 5 batches, 1.1 s apart — a 6th batch cannot fall into the same window even
 * when n8n's loop and the network add their milliseconds.
 */
export function carefulBatching(n: number): { batchSize: number; batchInterval: number } {
	const perWindow = Math.floor(QUOTA_SHARE * n * 0.9);
	return { batchSize: Math.max(1, Math.floor(perWindow / 5)), batchInterval: 1100 };
}

export function workflowId(variant: Variant, n: number): string {
	return `benchWf${variant}${String(n).padStart(8, '0')}`;
}

export function credentials(app: TestApp, baseUrl: string, ownToken: string): CredentialImport[] {
	return [
		{
			id: META_CREDENTIAL_ID,
			name: 'Bench: Meta Token API',
			type: 'metaTokenApi',
			data: {
				accessToken: ownToken,
				appId: app.id,
				appSecret: app.secret,
				graphApiVersion: 'v25.0',
				proofMode: 'auto',
				baseUrl,
			},
		},
		{
			// One way users give the HTTP Request node the app token: a Header Auth credential.
			id: HEADER_CREDENTIAL_ID,
			name: 'Bench: Graph app token header',
			type: 'httpHeaderAuth',
			data: { name: 'Authorization', value: `Bearer ${app.id}|${app.secret}` },
		},
	];
}

function httpRequestNode(
	baseUrl: string,
	app: TestApp,
	auth: 'header' | 'query',
	options: Record<string, unknown>,
): WorkflowNode {
	const debugToken = `${baseUrl}/v25.0/debug_token?input_token={{ $json.token }}`;
	const node: WorkflowNode = {
		id: randomUUID(),
		name: NODE_UNDER_TEST,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [400, 0],
		parameters: { method: 'GET', url: `=${debugToken}`, options },
	};
	if (auth === 'query') {
		// The other way: the app token pasted into the URL, no credential (what templates show).
		node.parameters.url = `=${debugToken}&access_token=${app.id}|${app.secret}`;
		return node;
	}
	node.parameters = { ...node.parameters, authentication: 'genericCredentialType', genericAuthType: 'httpHeaderAuth' };
	node.credentials = { httpHeaderAuth: { id: HEADER_CREDENTIAL_ID, name: 'Bench: Graph app token header' } };
	return node;
}

function nodeUnderTest(variant: Variant, n: number, baseUrl: string, app: TestApp): WorkflowNode {
	switch (variant) {
		case 'a':
			return metaTokenNode(NODE_UNDER_TEST, { operation: 'inspect', tokenSource: 'input', token: '={{ $json.token }}' }, META_CREDENTIAL_ID);
		case 'e':
			return metaTokenNode(NODE_UNDER_TEST, { operation: 'inspect', tokenSource: 'input', token: '={{ ($json.token) }}' }, META_CREDENTIAL_ID);
		case 'k':
			return metaTokenNode(
				NODE_UNDER_TEST,
				{ operation: 'checkAlerts', tokenSource: 'input', token: '={{ $json.token }}', tokenName: '={{ $json.name }}' },
				META_CREDENTIAL_ID,
			);
		case 'n':
			return { id: randomUUID(), name: NODE_UNDER_TEST, type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [400, 0], parameters: {} };
		default:
			return httpRequestNode(baseUrl, app, variant === 'q' ? 'query' : 'header', variant === 'c' ? { batching: { batch: carefulBatching(n) } } : {});
	}
}

export function benchWorkflow(variant: Variant, n: number, tokens: string[], baseUrl: string, app: TestApp): Workflow {
	const list = emitItems(
		'Tokens',
		tokens.slice(0, n).map((token, index) => ({ token, name: `Client ${index + 1}` })),
	);
	const underTest = nodeUnderTest(variant, n, baseUrl, app);
	return workflow(workflowId(variant, n), `Bench ${variant} N=${n}: ${VARIANT_NAMES[variant]}`, manualTrigger(), [
		[list, underTest],
	]);
}
