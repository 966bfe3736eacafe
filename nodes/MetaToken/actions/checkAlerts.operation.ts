/**
 * Check for Alerts: inspects every item's token as Inspect does (helpers/inspectItems.ts, ≤ 50 per
 * Graph batch call), runs each result through the trigger's alert policy with a history per token
 * (nodes/policy/watchList.ts), and puts out one item per alert — nothing when nothing needs
 * attention — so a Slack node after it posts only news. The histories live in this node's
 * workflow static data, which n8n saves after every run that is not manual (read back through
 * n8n's API where n8n does not load it: helpers/alertHistory.ts).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { MetaPlatform } from '../../meta/platform';
import { alertItem } from '../../policy/alertItem';
import type { Alert } from '../../policy/alerts';
import { platformReadingOf } from '../../policy/inspectRecord';
import type { ObservationOptions } from '../../policy/observations';
import { observe } from '../../policy/observations';
import { tokenHint } from '../../policy/tokenIdentity';
import { TokenInputError } from '../../policy/tokenInput';
import type { WatchEntry } from '../../policy/watchList';
import { TOKEN_NAME_FIELD, evaluateWatchList, normalizeTokenName } from '../../policy/watchList';
import type { ResolvedAlertSettings } from '../../shared/alertFields';
import { alertSettingFields, alertSettingsReader } from '../../shared/alertFields';
import { metaCredentialOf } from '../../shared/credentialTypes';
import { nodeError } from '../../shared/failures';
import type { GraphSession } from '../../shared/graphSession';
import { itemParameter, runParameter } from '../../shared/runParameters';
import { readAlertHistory, readHistoryField } from '../helpers/alertHistory';
import type { ItemInspections } from '../helpers/inspectItems';
import { inspectItems, inspectOptions } from '../helpers/inspectItems';
import { forEachItem } from '../helpers/itemLoop';
import { defineOperation, operationNotice } from '../helpers/operation';
import type { TokenSource } from '../helpers/tokenSource';

/** Where in the node's static data the histories are kept (nodes/policy/watchListState.ts). */
const WATCH_LIST_KEY = 'watchList';

const show = { operation: ['checkAlerts'] };

/**
 * Required Scopes once per platform: Facebook's as it always was; Threads' with its own permissions
 * as example; Instagram's saying that Scopes Lost never comes, since Instagram tells no token's
 * permissions (policy/alertPolicy.ts raises it only from scopes Meta told).
 */
function perPlatformScopes(field: INodeProperties): INodeProperties[] {
	if (field.name !== 'requiredScopes') return [field];
	const on = (platform: MetaPlatform) => ({ show: { ...show, platform: [platform] } });
	return [
		{ ...field, displayOptions: on('facebook') },
		{ ...field, placeholder: 'threads_basic,threads_content_publish', displayOptions: on('threads') },
		{
			...field,
			placeholder: 'instagram_business_basic,instagram_business_content_publish',
			displayOptions: on('instagram'),
			description:
				"Comma-separated permissions your workflows need. Instagram does not tell a token's permissions, so on Instagram Scopes Lost is never raised.",
		},
	];
}

const description: INodeProperties[] = [
	operationNotice(
		'checkAlertsNotice',
		'checkAlerts',
		'Puts out one item per alert, each threshold once per token, and nothing when no token needs attention. The history is saved after the runs of the active workflow (a Schedule Trigger, say). A run you start by hand (Execute step, Execute workflow) shows what would alert now and changes nothing: n8n does not save it.',
	),
	{
		displayName: 'Token Name',
		name: 'tokenName',
		type: 'string',
		// n8n's lint rules (the verification scanner runs them) take every string parameter whose name
		// holds "token" for a secret; the parameter's name is part of saved workflows, so it is masked like one. An
		// expression, its usual form, shows unmasked in the editor.
		typeOptions: { password: true },
		default: '',
		placeholder: 'e.g. Acme Shoes',
		displayOptions: { show },
		description:
			"What the alerts call the token, usually an expression reading the client's name of each item. The token's alert history is kept under this name, so a renewed token under the same name raises Renewed once. Empty: the token is known by its fingerprint, and alerts show its hint.",
	},
	...alertSettingFields({ show }).flatMap(perPlatformScopes),
	readHistoryField,
	...inspectOptions('checkAlerts'),
];

/** An item made ready for the policy, or why it cannot be checked. */
type Prepared = { entry: WatchEntry } | { error: unknown };

/** How each item's parameters are read (runParameters.ts: fixed values once, a plain `$json` field from the item). */
interface ItemReaders {
	settings: (itemIndex: number) => ResolvedAlertSettings;
	tokenName: (itemIndex: number) => unknown;
	/** Instagram and Threads: the platform and the credential's record of the token (inspectRecord.ts). */
	platformReading: (token: string) => Pick<ObservationOptions, 'platform' | 'tokenRecord'>;
}

function prepare(readers: ItemReaders, inspected: ItemInspections, itemIndex: number, nowMs: number): Prepared {
	try {
		const token = inspected.token(itemIndex);
		const settings = readers.settings(itemIndex);
		const name = normalizeTokenName(readers.tokenName(itemIndex));
		// observe throws a failure that is not a Graph answer (nothing to judge the token by): the item fails.
		const observation = observe(token, inspected.inspection(token), {
			nowMs,
			// The label of every message about this token: its name, else its hint (never the token).
			credentialName: name ?? tokenHint(token),
			requiredScopes: settings.requiredScopes,
			...readers.platformReading(token),
		});
		return { entry: { name, observation, settings: settings.input } };
	} catch (error) {
		return { error };
	}
}

function duplicateError(name: string | null, firstItem: number): TokenInputError {
	const message =
		name === null
			? `This token was already checked by item ${firstItem} of this run, without a ${TOKEN_NAME_FIELD}: give each item a ${TOKEN_NAME_FIELD}, or list the token once.`
			: `${TOKEN_NAME_FIELD} "${name}" was already given to item ${firstItem} of this run: each token needs a name of its own, because the name keeps its alert history.`;
	return new TokenInputError(TOKEN_NAME_FIELD, message);
}

/**
 * An alert item as the trigger builds one (alertItem: the alert with the record of its check,
 * fields meaning the same as in Inspect), plus which token of the list it is about.
 */
function alertJson(alert: Alert, entry: WatchEntry, credentialName: string | null): IDataObject {
	return { ...(alertItem(alert, entry.observation) as unknown as IDataObject), tokenName: entry.name, credentialName };
}

async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	session: GraphSession,
): Promise<INodeExecutionData[]> {
	const staticData = this.getWorkflowStaticData('node');
	// First: a history that cannot be read stops the run before any Graph call.
	const history = await readAlertHistory(this, staticData, WATCH_LIST_KEY).catch((error: unknown) => {
		throw nodeError(this, error);
	});
	const inspected = await inspectItems(this, items, session);
	const { nowMs } = inspected;
	// The whole list first: the policy needs every name of the run to refuse duplicates and forget.
	const readers: ItemReaders = {
		settings: alertSettingsReader(this),
		tokenName: itemParameter(this, items, 'tokenName', ''),
		platformReading: (token) => platformReadingOf(session.credentials, token),
	};
	const prepared = items.map((_, itemIndex) => prepare(readers, inspected, itemIndex, nowMs));
	const entryOf: number[] = [];
	const itemOf: number[] = [];
	const entries: WatchEntry[] = [];
	prepared.forEach((item, itemIndex) => {
		if ('entry' in item) {
			entryOf[itemIndex] = entries.push(item.entry) - 1;
			itemOf.push(itemIndex);
		}
	});
	const { results, nextState } = evaluateWatchList(history, entries, nowMs);

	const credential = metaCredentialOf(this)?.name ?? null;
	const tokenSource = runParameter<TokenSource>(this, 'tokenSource', 'credential');
	const output = await forEachItem(this, items, async (itemIndex) => {
		const item = prepared[itemIndex];
		if ('error' in item) throw item.error;
		const result = results[entryOf[itemIndex]];
		if (result.kind === 'duplicate') throw duplicateError(item.entry.name, itemOf[result.firstEntry]);
		if (result.alerts.length === 0) return [];
		// The credential's name only when the token is the credential's own.
		const credentialName = tokenSource(itemIndex) === 'credential' ? credential : null;
		return result.alerts.map((alert) => alertJson(alert, item.entry, credentialName));
	}, session.secrets);

	// Only now, after every item went through (or Continue On Fail kept the run going): a run that
	// stops on an error records nothing, so its alerts come again at the next run.
	if (this.getMode() === 'manual') {
		this.addExecutionHints({
			message:
				'Manual run: nothing was recorded (n8n does not save the static data of manual runs), so the alerts shown here come again at the next run of the active workflow.',
			location: 'outputPane',
		});
	} else {
		staticData[WATCH_LIST_KEY] = nextState as unknown as IDataObject;
	}
	return output;
}

export const checkAlerts = defineOperation({
	value: 'checkAlerts',
	option: {
		name: 'Check for Alerts',
		action: 'Check tokens and report what needs attention',
		description:
			'Inspect many tokens and put out one item per alert (nears expiry, expired, invalid, lost permissions), each threshold once per token, as the Meta Token Trigger does for one',
	},
	// Instagram tells no token's permissions, so none can be lost; its expiry may be unknown instead.
	platformOption: {
		instagram: {
			description:
				'Inspect many tokens and put out one item per alert (nears expiry, expired, invalid, expiry unknown), each threshold once per token, as the Meta Token Trigger does for one',
		},
	},
	token: 'the token',
	usesN8nApi: true,
	description,
	execute,
});
