/**
 * Save to Credential: writes a newly minted token into a stored Meta Token API credential through
 * n8n's public API, so the next run — of this workflow or any other using that credential — sends
 * it. The option's fields; the preflight that decides, before anything is minted, where each item
 * may save (one item per credential, a Meta Token API credential, an n8n API reachable without
 * sending its key in clear); and the write itself.
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { META_CREDENTIAL_TYPE } from '../../shared/credentialTypes';
import { OperationFailure } from '../../shared/failures';
import { credentialPath, lookUpCredential, n8nApiBaseUrl, n8nApiBlockedMessage, patchAccessToken, type N8nApiAnswer } from './n8nPublicApi';

export const MINTING_OPERATIONS = ['exchange', 'refreshSystemUserToken', 'generateSystemUserToken'];

export const saveToCredentialFields: INodeProperties[] = [
	{
		displayName: 'Save to Credential',
		name: 'saveToCredential',
		type: 'boolean',
		default: false,
		displayOptions: { show: { operation: MINTING_OPERATIONS } },
		description:
			'Whether to write the new token into a stored Meta Token API credential through the n8n public API (PATCH /api/v1/credentials/{ID}), so the next run uses it. Needs an n8n API credential and n8n 2.x. Send one item per credential: a run in which several items would save into the same credential is refused before anything is minted.',
	},
	{
		displayName: 'Credential ID to Update',
		name: 'credentialId',
		type: 'string',
		default: '',
		placeholder: 'Leave empty for this node\'s own credential',
		displayOptions: { show: { operation: MINTING_OPERATIONS, saveToCredential: [true] } },
		description:
			'ID of the Meta Token API credential to update (from its URL in n8n). Empty updates the very credential this node runs with. Other credential types are refused.',
	},
	{
		displayName: 'Include Token in Output',
		name: 'includeTokenInOutput',
		type: 'boolean',
		default: false,
		displayOptions: { show: { operation: MINTING_OPERATIONS, saveToCredential: [true], '@tool': [false] } },
		description:
			'Whether a saved item also carries the new token in accessToken. Off, it carries only tokenHint and tokenFingerprint, so the token is not stored in the execution history; it is in the credential. A token whose save failed is always in the output.',
	},
];

export type SaveFailureReason =
	| 'noUpdateEndpoint'
	| 'unauthorized'
	| 'failed'
	| 'unreachable'
	| 'blockedBySsrfProtection'
	| 'noCredentialId'
	| 'noApiCredential'
	| 'insecureApiUrl'
	| 'notFound'
	| 'notMetaCredential'
	| 'sameCredentialTwice';

/** Saving failed, or may not be tried; the message says whether a token was minted. */
export class CredentialSaveError extends OperationFailure {
	constructor(
		readonly reason: SaveFailureReason,
		message: string,
		httpStatus?: number,
	) {
		super('saveToCredential', reason, message, httpStatus);
		this.name = 'CredentialSaveError';
	}
}

/** Where one item's new token will be written: checked before anything was minted. */
export interface SaveTarget {
	credentialId: string;
	/** The n8n API credential's Base URL, normalized (https, or http on loopback). */
	baseUrl: string;
}

/** Per input item: where it saves, null when it does not, or why it may not. */
export type SavePlan = SaveTarget | null | CredentialSaveError;

const NOTHING_MINTED = 'Nothing was minted.';

/** The credential to update: the one given, else the Meta Token API credential this node runs with. */
export function targetCredentialId(context: IExecuteFunctions, itemIndex: number): string | undefined {
	const given = String(context.getNodeParameter('credentialId', itemIndex, '') ?? '').trim();
	return given || context.getNode().credentials?.[META_CREDENTIAL_TYPE]?.id || undefined;
}

function refused(reason: SaveFailureReason, message: string, status?: number): CredentialSaveError {
	return new CredentialSaveError(reason, `${message} ${NOTHING_MINTED}`, status);
}

/**
 * The preflight: for each item that wants to save, where it may. A save that cannot work is
 * found here, before the minting call, so it mints nothing. Refuses every item of a run in which
 * several would save into the same credential (the last write would win, the other new tokens
 * would be lost), and any target n8n does not confirm as a Meta Token API credential.
 */
export async function planSaves(context: IExecuteFunctions, itemCount: number): Promise<SavePlan[]> {
	const plans: SavePlan[] = [];
	const wanting = new Map<string, number[]>();
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		if (!context.getNodeParameter('saveToCredential', itemIndex, false)) {
			plans.push(null);
			continue;
		}
		const credentialId = targetCredentialId(context, itemIndex);
		if (!credentialId) {
			plans.push(
				refused(
					'noCredentialId',
					'This node runs without a stored Meta Token API credential ID, so there is nothing to update: set "Credential ID to Update".',
				),
			);
			continue;
		}
		plans.push({ credentialId, baseUrl: '' });
		wanting.set(credentialId, [...(wanting.get(credentialId) ?? []), itemIndex]);
	}
	if (wanting.size === 0) return plans;

	const shared = [...wanting.entries()].find(([, items]) => items.length > 1);
	if (shared) {
		const [credentialId, items] = shared;
		const error = refused(
			'sameCredentialTwice',
			`${items.length} input items would save a new token into the same credential ${credentialId}: the last write would win and the other new tokens would be lost. Send one item to this node (e.g. through a Limit node), or give each item its own "Credential ID to Update".`,
		);
		return plans.map((plan) => (plan === null ? null : error));
	}

	const setup = await n8nApiBaseUrl(context, 'Saving to a credential');
	if (typeof setup !== 'string') {
		const error = refused(setup.reason, setup.message);
		return plans.map((plan) => (plan === null || plan instanceof CredentialSaveError ? plan : error));
	}
	const baseUrl = setup;

	return await Promise.all(
		plans.map(async (plan) => {
			if (plan === null || plan instanceof CredentialSaveError) return plan;
			const problem = confirmedTarget(await lookUpCredential(context, baseUrl, plan.credentialId), plan.credentialId, baseUrl);
			return problem ?? { credentialId: plan.credentialId, baseUrl };
		}),
	);
}

/** Why n8n's answer to the type lookup forbids the save, or undefined when it is a Meta Token API credential. */
function confirmedTarget(answer: N8nApiAnswer, credentialId: string, baseUrl: string): CredentialSaveError | undefined {
	const path = credentialPath(credentialId);
	if (!answer.reached && answer.ssrfBlock) {
		return refused('blockedBySsrfProtection', n8nApiBlockedMessage(baseUrl, answer.ssrfBlock, `to check credential ${credentialId}`));
	}
	if (!answer.reached) {
		return refused('unreachable', `Could not reach n8n at ${new URL(baseUrl).origin} to check credential ${credentialId}: check the n8n API credential's Base URL.`);
	}
	const { status, type } = answer;
	if (status >= 200 && status < 300) {
		if (type === META_CREDENTIAL_TYPE) return undefined;
		return refused(
			'notMetaCredential',
			type
				? `Credential ${credentialId} is a "${type}" credential, not a Meta Token API credential: Save to Credential writes only into Meta Token API credentials.`
				: `n8n's answer to GET ${path} did not say which type credential ${credentialId} is, so it is not written.`,
			status,
		);
	}
	if (status === 405) return refused('noUpdateEndpoint', noEndpoint('GET', path, status), status);
	if (status === 404) {
		return refused('notFound', `n8n answered 404 to GET ${path}: no credential has ID ${credentialId}, or the API key's user may not see it.`, status);
	}
	if (status === 401 || status === 403) return refused('unauthorized', unauthorized(status, 'checking the credential to update'), status);
	return refused('failed', `n8n answered ${status} when checking credential ${credentialId}.`, status);
}

function noEndpoint(method: string, path: string, status: number): string {
	return `n8n answered ${status} to ${method} ${path}: this n8n instance has no credential lookup or update endpoint (n8n 1.x lacks them; upgrade to a current 2.x).`;
}

function unauthorized(status: number, doing: string): string {
	return `n8n refused the API key (${status}) when ${doing}: create an API key with the scopes credential:read and credential:update (Settings → n8n API), for a user who may edit that credential.`;
}

export type SaveOutcome = { ok: true; savedToCredentialId: string } | { ok: false; error: CredentialSaveError };

/**
 * Merges the new token into the checked target, leaving its other fields (app id, secret,
 * version) as they are. Only a failure after the preflight reaches here; the caller says where
 * the minted token is kept.
 */
export async function saveTokenToCredential(
	context: IExecuteFunctions,
	target: SaveTarget,
	accessToken: string,
): Promise<SaveOutcome> {
	const { credentialId, baseUrl } = target;
	const answer = await patchAccessToken(context, baseUrl, credentialId, accessToken);
	const failed = (reason: SaveFailureReason, message: string, status?: number): SaveOutcome => ({
		ok: false,
		error: new CredentialSaveError(reason, message, status),
	});
	if (!answer.reached && answer.ssrfBlock) {
		return failed('blockedBySsrfProtection', n8nApiBlockedMessage(baseUrl, answer.ssrfBlock, `to save the new token into credential ${credentialId}`));
	}
	if (!answer.reached) {
		return failed('unreachable', `Could not reach n8n at ${new URL(baseUrl).origin} to save the new token into credential ${credentialId}.`);
	}
	const { status } = answer;
	if (status >= 200 && status < 300) return { ok: true, savedToCredentialId: credentialId };
	const path = credentialPath(credentialId);
	if (status === 404 || status === 405) return failed('noUpdateEndpoint', noEndpoint('PATCH', path, status), status);
	if (status === 401 || status === 403) return failed('unauthorized', unauthorized(status, 'saving the new token'), status);
	return failed('failed', `n8n answered ${status} when saving the new token into credential ${credentialId}.`, status);
}
