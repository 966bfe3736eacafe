import type {
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { GraphError } from '../graph/GraphError';
import { evaluateAlerts } from '../policy/alertPolicy';
import type { AlertSettingsInput } from '../policy/alertSettings';
import { ALERT_EVENTS, resolveAlertSettings } from '../policy/alertSettings';
import { describeStatus } from '../policy/alertStatus';
import type { Observation } from '../policy/observations';
import { observationFromFailure, observationFromInspection } from '../policy/observations';
import { TokenInputError, normalizeToken } from '../policy/tokenInput';
import { metaTokenApiTest } from '../shared/credentialTest';
import { graphSession } from '../shared/graphSession';

const EVENT_OPTIONS: Array<{ name: string; value: string; description: string }> = [
	{ name: 'Check Failing', value: 'checkFailing', description: 'The token could not be checked for the set number of hours (Meta down, rate limits, network)' },
	{ name: 'Data Access Expiring', value: 'dataAccessExpiring', description: 'Data access (90 days after the user\'s last activity) ends before the token does, within a threshold' },
	{ name: 'Expired', value: 'expired', description: 'The token has expired' },
	{ name: 'Expiring', value: 'expiring', description: 'The token dies within one of the thresholds' },
	{ name: 'Invalid', value: 'invalid', description: 'The token was invalidated: password changed, app removed, revoked, checkpoint…' },
	{ name: 'Renewed', value: 'renewed', description: 'After an alert, a new token or a later expiry appeared in the credential' },
	{ name: 'Scopes Lost', value: 'scopesLost', description: 'A required permission is no longer granted' },
];

/**
 * Polls the credential's token with `debug_token` and fires — once per threshold, never twice,
 * never missed — when it nears expiry, expires, is invalidated or loses permissions. Every decision
 * is the alert policy's (lib/token/alertPolicy); this file reads parameters, inspects, and keeps
 * the policy's state in the workflow's static data.
 */
export class MetaTokenTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Meta Token Trigger',
		name: 'metaTokenTrigger',
		icon: { light: 'file:../MetaToken/metaToken.svg', dark: 'file:../MetaToken/metaToken.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ "alerts at " + $parameter["thresholds"] + " days" }}',
		description: 'Fires when a Meta (Facebook) access token nears expiry, expires, is invalidated or loses permissions',
		defaults: { name: 'Meta Token Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'metaTokenApi', required: true, testedBy: 'metaTokenApiTest' }],
		properties: [
			{
				displayName:
					'Checks the token in the credential at every poll and emits one item per alert: connect a Slack or e-mail node and put the message and action fields of each item in the text. Each threshold alerts once per token; a new token resets the history.',
				name: 'triggerNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Thresholds (Days)',
				name: 'thresholds',
				type: 'string',
				default: '14,7,3,1',
				placeholder: '14,7,3,1',
				description:
					'Days before the token (or its data access) expires at which to alert, comma-separated. When n8n was down across several, one alert comes for the lowest crossed.',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				default: [...ALERT_EVENTS],
				options: EVENT_OPTIONS,
				description: 'Which alerts to emit',
			},
			{
				displayName: 'Required Scopes',
				name: 'requiredScopes',
				type: 'string',
				default: '',
				placeholder: 'ads_read,ads_management',
				description: 'Comma-separated permissions your workflows need; losing one raises Scopes Lost',
			},
			{
				displayName: 'Check Failing After Hours',
				name: 'checkFailingAfterHours',
				type: 'number',
				default: 24,
				typeOptions: { minValue: 0 },
				description:
					'Raise Check Failing once the token could not be checked for this many hours in a row. Temporary Meta errors and rate limits never count as an invalid token.',
			},
		],
	};

	methods = {
		credentialTest: { metaTokenApiTest },
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const settings: AlertSettingsInput = {
			thresholds: this.getNodeParameter('thresholds', '14,7,3,1') as string,
			events: this.getNodeParameter('events', [...ALERT_EVENTS]) as string[],
			requiredScopes: this.getNodeParameter('requiredScopes', '') as string,
			checkFailingAfterHours: this.getNodeParameter('checkFailingAfterHours', 24) as number,
		};
		validateSettings(this, settings);

		const observation = await observe(this, settings);
		const staticData = this.getWorkflowStaticData('node');
		const nowMs = Date.now();

		// "Fetch Test Event": show where things stand without touching the alert history.
		if (this.getMode() === 'manual') {
			const status = describeStatus(staticData.alertState, observation, settings, nowMs);
			return [[{ json: withRecord(observation, status as unknown as IDataObject) }]];
		}

		const { alerts, nextState } = evaluateAlerts(staticData.alertState, observation, settings, nowMs);
		staticData.alertState = nextState as unknown as IDataObject;
		if (alerts.length === 0) return null;
		return [alerts.map((alert) => ({ json: withRecord(observation, alert as unknown as IDataObject) }))];
	}
}

function validateSettings(context: IPollFunctions, settings: AlertSettingsInput): void {
	try {
		resolveAlertSettings(settings);
	} catch (error) {
		throw new NodeOperationError(context.getNode(), (error as Error).message, {
			description: 'Fix the parameter named in the message.',
		});
	}
}

/** One `debug_token` of the credential's token, as the policy's observation. */
async function observe(context: IPollFunctions, settings: AlertSettingsInput): Promise<Observation> {
	// One retry at most (a rate limit: one 1-s pause): the next poll is the real retry, and a poll
	// waiting out a long backoff only holds up n8n's poller.
	const { client, credentials } = await graphSession(context, { maxAttempts: 2, maxRateLimitWaitMs: 1000 });
	const credentialName = context.getNode().credentials?.metaTokenApi?.name ?? null;
	let token: string;
	try {
		token = normalizeToken(credentials.accessToken, 'Access Token');
	} catch (error) {
		throw new NodeOperationError(context.getNode(), (error as TokenInputError).message, {
			description: 'Fix the Access Token in the Meta Token API credential.',
		});
	}
	const appToken = client.appToken();
	const nowMs = Date.now();
	const options = { nowMs, credentialName, requiredScopes: settings.requiredScopes };
	let failure: GraphError | undefined;
	try {
		// The app token can read a token that already died; without it the token inspects itself.
		const data = await client.debugToken(token, { accessToken: appToken ?? token });
		return observationFromInspection(token, data, options);
	} catch (error) {
		if (!(error instanceof GraphError)) {
			throw new NodeOperationError(context.getNode(), 'The token could not be checked');
		}
		failure = error;
	}
	return observationFromFailure(token, failure, {
		...options,
		inspectedWith: appToken ? 'appToken' : 'self',
	});
}

/** An alert item: the inspect record (when this poll has one) under the alert's own fields. */
function withRecord(observation: Observation, alert: IDataObject): IDataObject {
	const record = observation.kind === 'ok' ? (observation.record as unknown as IDataObject) : {};
	return { ...record, ...alert };
}
