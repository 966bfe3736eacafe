/**
 * Save to Credential: writes a newly minted token into a stored Meta Token API credential through
 * n8n's public API, so the next run — of this workflow or any other using that credential — sends
 * it. The option's fields, and the one call that makes the write.
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { META_CREDENTIAL_TYPE, N8N_API_CREDENTIAL_TYPE } from '../../shared/credentialTypes';
import { OperationFailure } from '../../shared/failures';

const MINTING_OPERATIONS = ['exchange', 'refreshSystemUserToken', 'generateSystemUserToken'];

export const saveToCredentialFields: INodeProperties[] = [
	{
		displayName: 'Save to Credential',
		name: 'saveToCredential',
		type: 'boolean',
		default: false,
		displayOptions: { show: { operation: MINTING_OPERATIONS } },
		description:
			'Whether to write the new token into a stored n8n credential through the n8n public API (PATCH /api/v1/credentials/{ID}), so the next run uses it. Needs an n8n API credential and n8n 2.x with the credential-update endpoint.',
	},
	{
		displayName: 'Credential ID to Update',
		name: 'credentialId',
		type: 'string',
		default: '',
		placeholder: 'Leave empty for this node\'s own credential',
		displayOptions: { show: { operation: MINTING_OPERATIONS, saveToCredential: [true] } },
		description:
			'ID of the Meta Token API credential to update (from its URL in n8n). Empty updates the very credential this node runs with.',
	},
];

export type SaveFailureReason =
	| 'noUpdateEndpoint'
	| 'unauthorized'
	| 'failed'
	| 'unreachable'
	| 'noCredentialId'
	| 'noApiCredential';

export type SaveOutcome = { ok: true; savedToCredentialId: string } | { ok: false; error: CredentialSaveError };

/** Saving the new token failed; the token itself was minted and stays in the item's output. */
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

interface N8nApiCredentials {
	baseUrl?: string;
}

/** The credential to update: the one given, else the Meta Token API credential this node runs with. */
export function targetCredentialId(context: IExecuteFunctions, itemIndex: number): string | undefined {
	const given = String(context.getNodeParameter('credentialId', itemIndex, '') ?? '').trim();
	return given || context.getNode().credentials?.[META_CREDENTIAL_TYPE]?.id || undefined;
}

/**
 * Merges the new token into a stored credential through n8n's public API, leaving the other
 * fields (app id, secret, version) as they are. n8n 1.x has no such endpoint and answers 404/405.
 */
export async function saveTokenToCredential(
	context: IExecuteFunctions,
	itemIndex: number,
	accessToken: string,
): Promise<SaveOutcome> {
	const failed = (reason: SaveFailureReason, message: string, status?: number): SaveOutcome => ({
		ok: false,
		error: new CredentialSaveError(
			reason,
			`${message} The new token is in the output field accessToken.`,
			status,
		),
	});
	const credentialId = targetCredentialId(context, itemIndex);
	if (!credentialId) {
		return failed(
			'noCredentialId',
			'This node runs without a stored Meta Token API credential ID, so there is nothing to update: set "Credential ID to Update".',
		);
	}
	let baseUrl: string;
	try {
		const n8nApi = (await context.getCredentials(N8N_API_CREDENTIAL_TYPE, itemIndex)) as N8nApiCredentials;
		baseUrl = String(n8nApi.baseUrl ?? '').trim().replace(/\/+$/, '');
	} catch {
		return failed('noApiCredential', 'Saving to a credential needs an n8n API credential: select one in this node.');
	}
	const path = `/api/v1/credentials/${encodeURIComponent(credentialId)}`;

	let status: number;
	try {
		const answer = (await context.helpers.httpRequestWithAuthentication.call(
			context,
			N8N_API_CREDENTIAL_TYPE,
			{
				method: 'PATCH',
				url: `${baseUrl}${path}`,
				body: { data: { accessToken }, isPartialData: true },
				json: true,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
			},
		)) as { statusCode: number };
		status = answer.statusCode;
	} catch {
		return failed('unreachable', `Could not reach n8n at ${baseUrl} to save the new token: check the n8n API credential's Base URL.`);
	}
	if (status >= 200 && status < 300) return { ok: true, savedToCredentialId: credentialId };
	if (status === 404 || status === 405) {
		return failed(
			'noUpdateEndpoint',
			`n8n answered ${status} to PATCH ${path}: this n8n instance has no credential-update endpoint (n8n 1.x lacks it; upgrade to a current 2.x), or no credential has ID ${credentialId}.`,
			status,
		);
	}
	if (status === 401 || status === 403) {
		return failed(
			'unauthorized',
			`n8n refused the API key (${status}) when saving the new token: create an API key with the credential:update scope (Settings → n8n API).`,
			status,
		);
	}
	return failed('failed', `n8n answered ${status} when saving the new token into credential ${credentialId}.`, status);
}
