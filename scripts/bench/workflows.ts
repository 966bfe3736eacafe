/**
 * The three ways to inspect N tokens the bench compares, each as a workflow
 * Manual Trigger → "Tokens" (a Code node emitting one item per token) → the node under test:
 *
 * (a) Meta Token `inspect`, tokens as items (≤ 50 per Graph batch call, 4 calls in flight);
 * (b) HTTP Request calling debug_token once per item, its defaults untouched;
 * (c) the same with its Batching option set as a careful user would to stay under the quota.
 */
import { randomUUID } from 'crypto';

import type { CredentialImport, Workflow, WorkflowNode } from '../../e2e/support/n8n';
import type { TestApp } from '../../e2e/support/tokens';
import { emitItems, manualTrigger, metaTokenNode, workflow } from '../../e2e/support/workflowBuilder';

export type Variant = 'a' | 'b' | 'c';
export const VARIANTS: Variant[] = ['a', 'b', 'c'];

export const VARIANT_NAMES: Record<Variant, string> = {
	a: 'Meta Token inspect',
	b: 'HTTP Request, defaults',
	c: 'HTTP Request, batching',
};

/** The node whose run data the bench reads. */
export const NODE_UNDER_TEST = 'Inspect';

export const META_CREDENTIAL_ID = 'benchMetaToken01';
export const HEADER_CREDENTIAL_ID = 'benchHeaderAuth01';

/** The quota condition: 40 % of N calls per 5-s window. */
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
			// How users give the HTTP Request node the app token: a Header Auth credential.
			id: HEADER_CREDENTIAL_ID,
			name: 'Bench: Graph app token header',
			type: 'httpHeaderAuth',
			data: { name: 'Authorization', value: `Bearer ${app.id}|${app.secret}` },
		},
	];
}

function httpRequestNode(baseUrl: string, options: Record<string, unknown>): WorkflowNode {
	return {
		id: randomUUID(),
		name: NODE_UNDER_TEST,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [400, 0],
		parameters: {
			method: 'GET',
			url: `=${baseUrl}/v25.0/debug_token?input_token={{ $json.token }}`,
			authentication: 'genericCredentialType',
			genericAuthType: 'httpHeaderAuth',
			options,
		},
		credentials: { httpHeaderAuth: { id: HEADER_CREDENTIAL_ID, name: 'Bench: Graph app token header' } },
	};
}

export function benchWorkflow(variant: Variant, n: number, tokens: string[], baseUrl: string): Workflow {
	const list = emitItems(
		'Tokens',
		tokens.slice(0, n).map((token) => ({ token })),
	);
	const underTest =
		variant === 'a'
			? metaTokenNode(
					NODE_UNDER_TEST,
					{ operation: 'inspect', tokenSource: 'input', token: '={{ $json.token }}', options: { concurrency: 4 } },
					META_CREDENTIAL_ID,
				)
			: httpRequestNode(baseUrl, variant === 'c' ? { batching: { batch: carefulBatching(n) } } : {});
	return workflow(workflowId(variant, n), `Bench ${variant} N=${n}: ${VARIANT_NAMES[variant]}`, manualTrigger(), [
		[list, underTest],
	]);
}
