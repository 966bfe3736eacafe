/**
 * The alert settings as node parameters — Thresholds, Events, Required Scopes, Check Failing
 * After Hours, and the trigger's Renewal Link — and reading them back for the alert policy. Shared so that every node that
 * alerts (the trigger, and any operation that applies the same policy) offers the same names,
 * defaults and words, and a bad value fails the same way, naming the field.
 */
import type { IDisplayOptions, IExecuteFunctions, INodeProperties, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { AlertSettings, AlertSettingsInput } from '../policy/alertSettings';
import { ALERT_EVENTS, DEFAULT_CHECK_FAILING_AFTER_HOURS, DEFAULT_THRESHOLDS, resolveAlertSettings } from '../policy/alertSettings';
import { runParameter } from './runParameters';

const EVENT_OPTIONS: Array<{ name: string; value: string; description: string }> = [
	{ name: 'Check Failing', value: 'checkFailing', description: 'The token could not be checked for the set number of hours (Meta down, rate limits, network)' },
	{ name: 'Data Access Expiring', value: 'dataAccessExpiring', description: 'Data access (90 days after the user\'s last activity) ends before the token does, within a threshold' },
	{ name: 'Expired', value: 'expired', description: 'The token has expired' },
	{ name: 'Expiry Unknown', value: 'expiryUnknown', description: 'Once per token: nothing tells when an Instagram or Threads token expires (no record from a refresh or exchange with Save to Credential, no debug_token)' },
	{ name: 'Expiring', value: 'expiring', description: 'The token dies within one of the thresholds' },
	{ name: 'Invalid', value: 'invalid', description: 'The token was invalidated: password changed, app removed, revoked, checkpoint…' },
	{ name: 'Renewed', value: 'renewed', description: 'After an alert, a new token or a later expiry appeared in the credential' },
	{ name: 'Scopes Lost', value: 'scopesLost', description: 'A required permission is no longer granted' },
];

const DEFAULT_THRESHOLDS_TEXT = DEFAULT_THRESHOLDS.join(',');

/** The four alert parameters, shown where `displayOptions` says (everywhere when omitted). */
export function alertSettingFields(displayOptions?: IDisplayOptions): INodeProperties[] {
	const fields: INodeProperties[] = [
		{
			displayName: 'Thresholds (Days)',
			name: 'thresholds',
			type: 'string',
			default: DEFAULT_THRESHOLDS_TEXT,
			placeholder: DEFAULT_THRESHOLDS_TEXT,
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
			default: DEFAULT_CHECK_FAILING_AFTER_HOURS,
			typeOptions: { minValue: 0 },
			description:
				'Raise Check Failing once the token could not be checked for this many hours in a row. Temporary Meta errors and rate limits never count as an invalid token.',
		},
	];
	return displayOptions ? fields.map((field) => ({ ...field, displayOptions })) : fields;
}

/**
 * Renewal Link (`renewalUrl`): where an alert about an expiring or expired Facebook USER token sends the
 * reader — typically the production URL of the form of the renew-user-token-form example. Its own
 * field, not one of alertSettingFields, because it belongs to the trigger (whose alerts people
 * read in Slack); readAlertSettings reads it with an empty default wherever it is not offered.
 */
export const renewalUrlField: INodeProperties = {
	displayName: 'Renewal Link',
	name: 'renewalUrl',
	type: 'string',
	default: '',
	placeholder: 'https://n8n.example.com/form/renew-meta-token',
	description:
		'Address of a form that renews a user token, e.g. the production URL of the "Renew a Meta user token" example\'s form. When set, Expiring and Expired alerts about Facebook user tokens say to open it and paste a new token (the form exchanges Facebook tokens; Instagram and Threads alerts keep their own instructions). Leave empty for the usual instructions.',
};

export type ResolvedAlertSettings = AlertSettings & { input: AlertSettingsInput };

/**
 * The alert settings this node is configured with, validated (a trigger's, or one item's of an
 * operation). A bad value stops the node with an error naming the field: a typo in Thresholds
 * must fail activation, not silently never alert.
 */
export function readAlertSettings(context: IPollFunctions): ResolvedAlertSettings;
export function readAlertSettings(context: IExecuteFunctions, itemIndex: number): ResolvedAlertSettings;
export function readAlertSettings(context: IPollFunctions | IExecuteFunctions, itemIndex?: number): ResolvedAlertSettings {
	return resolveSettings(context, itemIndex, (name, fallback) =>
		itemIndex === undefined
			? (context as IPollFunctions).getNodeParameter(name, fallback)
			: (context as IExecuteFunctions).getNodeParameter(name, itemIndex, fallback),
	);
}

/**
 * readAlertSettings for each item of an operation's run, each setting read as runParameter reads
 * it: once for the run unless it holds an expression (n8n's resolution of a fixed value costs the
 * same per item as an expression's).
 */
export function alertSettingsReader(context: IExecuteFunctions): (itemIndex: number) => ResolvedAlertSettings {
	const readers = new Map<string, (itemIndex: number) => unknown>();
	return (itemIndex) =>
		resolveSettings(context, itemIndex, (name, fallback) => {
			let read = readers.get(name);
			if (!read) readers.set(name, (read = runParameter<unknown>(context, name, fallback)));
			return read(itemIndex);
		});
}

function resolveSettings(
	context: IPollFunctions | IExecuteFunctions,
	itemIndex: number | undefined,
	parameter: (name: string, fallback: unknown) => unknown,
): ResolvedAlertSettings {
	const input: AlertSettingsInput = {
		thresholds: parameter('thresholds', DEFAULT_THRESHOLDS_TEXT) as string,
		events: parameter('events', [...ALERT_EVENTS]) as string[],
		requiredScopes: parameter('requiredScopes', '') as string,
		checkFailingAfterHours: parameter('checkFailingAfterHours', DEFAULT_CHECK_FAILING_AFTER_HOURS) as number,
		renewalUrl: parameter('renewalUrl', '') as string,
	};
	try {
		return { ...resolveAlertSettings(input), input };
	} catch (error) {
		throw new NodeOperationError(context.getNode(), (error as Error).message, {
			description: 'Fix the parameter named in the message.',
			itemIndex,
		});
	}
}
