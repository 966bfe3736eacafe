/**
 * The node as an AI agent's tool (`usableAsTool`: n8n registers it as
 * `n8n-nodes-meta-token.metaTokenTool`). An agent's output ends up in a model's context and its
 * provider's logs, so as a tool the node only inspects — status, expiry, scopes, hints — unless
 * the tool-only setting "Allow All Operations" is on, and even then it hands the agent no whole
 * token: new tokens must be saved to a credential and are left out of the output, Page tokens
 * are shown as hints. The editor offers only what is allowed (`@tool` display options, n8n's
 * own switch); `execute` enforces the same, since parameters can be set by JSON too.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { MetaTokenOperation } from './operation';

const ALLOW_ALL = 'allowAllOperations';

const ALLOW_ALL_FIELD: INodeProperties = {
	displayName: 'Allow All Operations',
	name: ALLOW_ALL,
	type: 'boolean',
	default: false,
	displayOptions: { show: { '@tool': [true], platform: ['facebook'] } },
	description:
		'Whether the agent may also exchange, refresh, generate and revoke tokens and list Page tokens. Off, this tool only inspects. Either way the agent never receives a whole token: a new token must be saved to a credential (Save to Credential) and is left out of the output, Page tokens show as hints.',
};

/**
 * The tool-only setting, once per wording of what it allows: Instagram and Threads offer no
 * system-user tokens, Page tokens or revoke, so their text names what they do offer.
 */
export const allowAllOperationsFields: INodeProperties[] = [
	ALLOW_ALL_FIELD,
	{
		...ALLOW_ALL_FIELD,
		displayOptions: { show: { '@tool': [true], platform: ['instagram', 'threads'] } },
		description:
			'Whether the agent may also exchange and refresh tokens and check them for alerts. Off, this tool only inspects. Either way the agent never receives a whole token: a new token must be saved to a credential (Save to Credential) and is left out of the output.',
	},
];

/**
 * The operation parameter three times, one shown at a time: everything for the node itself; only
 * the read-only operations (`readOnlyValues`: what an agent may do without the deliberate setting)
 * for a tool; everything again for a tool with "Allow All Operations".
 */
export function operationFields(operation: INodeProperties, readOnlyValues: readonly string[]): INodeProperties[] {
	const readOnly = (operation.options ?? []).filter((option) =>
		readOnlyValues.includes((option as { value: string }).value),
	);
	// Own option arrays: n8n appends its "Custom API Call" entry to each operation list it loads.
	const all = () => [...(operation.options ?? [])];
	return [
		{ ...operation, options: all(), displayOptions: { show: { '@tool': [false] } } },
		{ ...operation, options: readOnly, displayOptions: { show: { '@tool': [true], [ALLOW_ALL]: [false] } } },
		{ ...operation, options: all(), displayOptions: { show: { '@tool': [true], [ALLOW_ALL]: [true] } } },
	];
}

/** Refuses, before any call, what a tool may not do (also when set by JSON or an expression). */
export function assertToolMayRun(context: IExecuteFunctions, operation: MetaTokenOperation, itemCount: number): void {
	const allowAll = context.getNodeParameter(ALLOW_ALL, 0, false) === true;
	if (!allowAll && operation.readOnly !== true) {
		throw new NodeOperationError(
			context.getNode(),
			`As an AI agent's tool this node only inspects tokens; "${operation.value}" needs the tool setting "Allow All Operations".`,
		);
	}
	if (operation.minting !== true) return;
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		if (context.getNodeParameter('saveToCredential', itemIndex, false) !== true) {
			throw new NodeOperationError(
				context.getNode(),
				`As an AI agent's tool, "${operation.value}" must save the new token into a credential (turn on "Save to Credential"): the agent never receives a whole token. Nothing was minted.`,
				{ itemIndex },
			);
		}
	}
}

/** The tool's output: every item without `accessToken` (its tokenHint and tokenFingerprint stay). */
export function withoutWholeTokens(items: INodeExecutionData[]): INodeExecutionData[] {
	return items.map((item) => {
		if (!('accessToken' in item.json)) return item;
		const json = { ...item.json };
		delete json.accessToken;
		return { ...item, json };
	});
}
