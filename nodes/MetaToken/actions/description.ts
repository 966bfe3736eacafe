/**
 * The Meta Token node's parameters: the Platform, each platform's operation list and every
 * operation's own fields, in the order the editor shows them. Every operation is defined once, in
 * its *.operation.ts file; OPERATIONS lists them once, PLATFORM_OPERATIONS which each platform
 * offers, and every other list of operations — the Operation options, the Token Source fields,
 * the tool's read-only operations, the minting ones that may save to a credential, where the n8n
 * API credential shows, the router's dispatch — is derived from them.
 */
import type { ICredentialsDisplayOptions, INodeProperties } from 'n8n-workflow';

import { META_PLATFORMS, PLATFORM_FACTS, type MetaPlatform } from '../../meta/platform';
import { READ_HISTORY_FIELD } from '../helpers/alertHistory';
import type { MetaTokenOperation } from '../helpers/operation';
import { saveToCredentialFields } from '../helpers/saveToCredential';
import { tokenSourceFields } from '../helpers/tokenSource';
import { allowAllOperationsFields, operationFields } from '../helpers/toolMode';
import { checkAlerts } from './checkAlerts.operation';
import { exchange } from './exchange.operation';
import { generateSystemUserToken } from './generateSystemUserToken.operation';
import { getPageTokens } from './getPageTokens.operation';
import { inspect } from './inspect.operation';
import { refreshLongLivedToken } from './refreshLongLivedToken.operation';
import { refreshSystemUserToken } from './refreshSystemUserToken.operation';
import { revoke } from './revoke.operation';

/** Every operation, in the order their fields appear in the editor. Adding one: its file and this line. */
export const OPERATIONS = [
	inspect,
	exchange,
	refreshSystemUserToken,
	generateSystemUserToken,
	getPageTokens,
	revoke,
	checkAlerts,
	refreshLongLivedToken,
] as const;

/** The values of the `operation` parameter. */
export type OperationValue = (typeof OPERATIONS)[number]['value'];

/**
 * What each platform offers, like n8n's resources: Facebook everything it had before platforms
 * existed; Instagram and Threads what their tokens can do (no system users, no Page tokens, and
 * their long-lived tokens are refreshed by API).
 */
export const PLATFORM_OPERATIONS: Readonly<Record<MetaPlatform, readonly OperationValue[]>> = {
	facebook: ['inspect', 'exchange', 'refreshSystemUserToken', 'generateSystemUserToken', 'getPageTokens', 'revoke', 'checkAlerts'],
	instagram: ['inspect', 'exchange', 'refreshLongLivedToken', 'checkAlerts'],
	threads: ['inspect', 'exchange', 'refreshLongLivedToken', 'checkAlerts'],
};

function valuesWhere(keep: (operation: MetaTokenOperation) => boolean): string[] {
	return OPERATIONS.filter(keep).map((operation) => operation.value);
}

const PLATFORM_DESCRIPTIONS: Readonly<Record<MetaPlatform, string>> = {
	facebook: 'Facebook Login, system-user and Page tokens (graph.facebook.com)',
	instagram: 'Instagram API with Instagram Login tokens (graph.instagram.com)',
	threads: 'Threads API tokens (graph.threads.net)',
};

/** The node's Platform: first, as n8n's Resource is, and deciding which Operation list shows. */
export const platformField: INodeProperties = {
	displayName: 'Platform',
	name: 'platform',
	type: 'options',
	noDataExpression: true,
	default: 'facebook',
	description: "Which Meta token family this node works on: must be the Platform of the node's Meta Token API credential",
	options: META_PLATFORMS.map((platform) => ({
		name: PLATFORM_FACTS[platform].label,
		value: platform,
		description: PLATFORM_DESCRIPTIONS[platform],
	})),
};

/** The Operation list of one platform. */
function operationFieldOf(platform: MetaPlatform): INodeProperties {
	const offered = PLATFORM_OPERATIONS[platform];
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		default: 'inspect',
		// By name, as the editor (and n8n's lint rule for option lists) wants them.
		options: OPERATIONS.filter(({ value }) => offered.includes(value))
			.map(({ value, option, platformOption }) => ({
				name: option.name,
				value,
				action: platformOption?.[platform]?.action ?? option.action,
				description: platformOption?.[platform]?.description ?? option.description,
			}))
			.sort((a, b) => a.name.localeCompare(b.name)),
	};
}

/** Each platform's Operation list, in its node and tool variants, shown only for that platform. */
function operationFieldsByPlatform(): INodeProperties[] {
	const readOnly = valuesWhere((operation) => operation.readOnly === true);
	return META_PLATFORMS.flatMap((platform) =>
		operationFields(operationFieldOf(platform), readOnly).map((field) => ({
			...field,
			displayOptions: { show: { platform: [platform], ...field.displayOptions?.show } },
		})),
	);
}

/** Token Source and Token, once per wording of what the token is, for the operations using it. */
function tokenFields(): INodeProperties[] {
	const byWording = new Map<string, string[]>();
	for (const { token, value } of OPERATIONS) {
		if (token) byWording.set(token, [...(byWording.get(token) ?? []), value]);
	}
	return [...byWording].flatMap(([what, values]) => tokenSourceFields(values, what));
}

export const properties: INodeProperties[] = [
	platformField,
	// As an agent's tool the node offers only Inspect unless this tool-only setting allows more.
	...allowAllOperationsFields,
	...operationFieldsByPlatform(),
	...tokenFields(),
	...OPERATIONS.flatMap((operation) => operation.description),
	...saveToCredentialFields(valuesWhere((operation) => operation.minting === true)),
];

/** The operations that use the n8n API credential: the minting ones (Save to Credential), and those that read n8n's API. */
const usingN8nApi = valuesWhere((operation) => operation.minting === true || operation.usesN8nApi === true);

/**
 * When the n8n API credential shows (and is required): Save to Credential on for a minting
 * operation, or Read History Through Public API on for Check for Alerts. One entry, because n8n finds
 * a node's credential by its type name; and `hide`, because n8n's displayParameter ANDs the keys
 * of `show` but hides when any key of `hide` matches. A parameter not shown for the operation is
 * absent from the node's parameters, and an absent value matches no rule.
 */
export const n8nApiCredentialDisplay: ICredentialsDisplayOptions = {
	hide: {
		operation: OPERATIONS.map(({ value }) => value as string)
			.sort()
			.filter((operation) => !usingN8nApi.includes(operation)),
		saveToCredential: [false],
		[READ_HISTORY_FIELD]: [false],
	},
};
