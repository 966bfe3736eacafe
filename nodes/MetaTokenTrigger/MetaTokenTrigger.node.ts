import type {
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { alertItem } from '../policy/alertItem';
import { evaluateAlerts } from '../policy/alertPolicy';
import { describeStatus } from '../policy/alertStatus';
import type { Observation } from '../policy/observations';
import { observe } from '../policy/observations';
import { platformReadingOf } from '../policy/inspectRecord';
import { TokenInputError, normalizeToken } from '../policy/tokenInput';
import type { ResolvedAlertSettings } from '../shared/alertFields';
import { alertSettingFields, readAlertSettings, renewalUrlField } from '../shared/alertFields';
import { META_CREDENTIAL_TYPE, metaCredentialOf } from '../shared/credentialTypes';
import { graphSession } from '../shared/graphSession';

/**
 * Polls the credential's token with `debug_token` and fires — once per threshold, never twice,
 * never missed — when it nears expiry, expires, is invalidated or loses permissions. Every decision
 * is the alert policy's (nodes/policy/alertPolicy.ts); this file reads parameters, inspects, and
 * keeps the policy's state in the workflow's static data.
 *
 * Saving that state is n8n's job, and its pollers differ: the legacy poller saves static data only
 * when `poll` returns a result, the durable scheduler (2.40+) without durable cursors discards a
 * quiet poll's changes, with durable cursors it commits them. So a poll without alerts that
 * changed what later polls decide on (the policy's `mustSave`: a new token, the start or end of a
 * failure streak, …) returns an EMPTY result: n8n saves the state and records an execution in
 * which no node after the trigger runs. And the poll keeps within n8n's poll budget, since the
 * durable scheduler abandons a poll that outlives its timeout, and with it whatever it learnt.
 */
export class MetaTokenTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Meta Token Trigger',
		name: 'metaTokenTrigger',
		icon: { light: 'file:../icons/metaToken.svg', dark: 'file:../icons/metaToken.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ "alerts at " + $parameter["thresholds"] + " days" }}',
		// The editor's nodes panel merges a node and its "<name>Trigger" into one entry and shows the
		// trigger's description for it, under both "add a trigger" and "add a step" (n8n's node
		// creator, generateMergedNodesAndActions). So this describes the pair.
		description:
			'Inspect, renew and revoke Meta access tokens (Facebook, Instagram, Threads), and start a workflow when one nears expiry or stops working',
		defaults: { name: 'Meta Token Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		// Labelled as in the Meta Token node, so the same credential reads the same in both panels.
		credentials: [{ name: META_CREDENTIAL_TYPE, displayName: 'Meta Token API Credential', required: true }],
		properties: [
			{
				displayName:
					'Checks the token in the credential at every poll and emits one item per alert: connect a Slack or e-mail node and put the message and action fields of each item in the text. Each threshold alerts once per token; a new token resets the history.',
				name: 'triggerNotice',
				type: 'notice',
				default: '',
			},
			...alertSettingFields(),
			renewalUrlField,
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const settings = readAlertSettings(this);
		const observation = await observeCredentialToken(this, settings);
		const staticData = this.getWorkflowStaticData('node');
		const nowMs = Date.now();

		// "Fetch Test Event": show where things stand without touching the alert history.
		if (this.getMode() === 'manual') {
			const status = describeStatus(staticData.alertState, observation, settings.input, nowMs);
			return [[{ json: alertItem(status, observation) as unknown as IDataObject }]];
		}

		const { alerts, nextState, mustSave } = evaluateAlerts(staticData.alertState, observation, settings.input, nowMs);
		staticData.alertState = nextState as unknown as IDataObject;
		if (alerts.length > 0) {
			return [alerts.map((alert) => ({ json: alertItem(alert, observation) as unknown as IDataObject }))];
		}
		// "Always Output Data" on the trigger would turn the empty result into an item for the nodes
		// after it (an empty Slack message): then the state is left to n8n's poller as before.
		return mustSave && this.getNode().alwaysOutputData !== true ? [[]] : null;
	}
}

/** The Graph client's own default; the legacy poller's budget (5 min) leaves it as it is. */
const REQUEST_TIMEOUT_MS = 30_000;
/** The one pause of a poll: before its retry, or for a rate limit. */
const RETRY_PAUSE_MS = 1_000;

/**
 * Per-request timeout that keeps a poll (at most two attempts and one pause) inside n8n's poll
 * budget: `getPollBudgetMs` (n8n 2.40+; about 36 s under the durable scheduler's defaults, 5 min
 * under the legacy poller), absent in older n8n.
 */
function requestTimeoutFor(context: IPollFunctions): number {
	const budget = (context as { getPollBudgetMs?: () => number }).getPollBudgetMs?.();
	if (typeof budget !== 'number' || !Number.isFinite(budget)) return REQUEST_TIMEOUT_MS;
	return Math.max(1_000, Math.min(REQUEST_TIMEOUT_MS, Math.floor((budget - RETRY_PAUSE_MS) / 2)));
}

/**
 * One inspection of the credential's token (`debug_token`; Instagram's `/me`, Threads' debug_token
 * or `/me`: graph/platformInspect.ts), as the policy's observation.
 */
async function observeCredentialToken(context: IPollFunctions, settings: ResolvedAlertSettings): Promise<Observation> {
	// One retry at most (a rate limit: one 1-s pause): the next poll is the real retry, and a poll
	// waiting out a long backoff only holds up n8n's poller.
	const { client, credentials } = await graphSession(context, {
		maxAttempts: 2,
		maxRateLimitWaitMs: RETRY_PAUSE_MS,
		timeoutMs: requestTimeoutFor(context),
	});
	const credentialName = metaCredentialOf(context)?.name ?? null;
	let token: string;
	try {
		token = normalizeToken(credentials.accessToken, 'Access Token');
	} catch (error) {
		throw new NodeOperationError(context.getNode(), (error as TokenInputError).message, {
			description: 'Fix the Access Token in the Meta Token API credential.',
		});
	}
	const options = {
		nowMs: Date.now(),
		credentialName,
		requiredScopes: settings.requiredScopes,
		// Instagram and Threads: the platform and the credential's record of its token's expiry.
		...platformReadingOf(credentials, token),
	};
	const inspection = await client.inspectToken(token);
	try {
		return observe(token, inspection, options);
	} catch {
		// observe throws only a failure that is not a Graph answer at all: nothing to judge the token by.
		throw new NodeOperationError(context.getNode(), 'The token could not be checked');
	}
}
