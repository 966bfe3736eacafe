import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { GraphError } from '../../graph/GraphError';
import { TokenInputError, normalizeToken } from '../../policy/tokenInput';
import type { GraphSession } from '../../shared/graphSession';
import { CredentialSaveError } from './saveToCredential';

export type MetaTokenOperation =
	| 'inspect'
	| 'exchange'
	| 'refreshSystemUserToken'
	| 'generateSystemUserToken'
	| 'getPageTokens'
	| 'revoke';

/** Where an operation takes its token from: the credential, or a field filled per item. */
export type TokenSource = 'credential' | 'input';

export const TOKEN_FIELD = 'Token';

/** `tokenSource` and `token`, shown for the given operations. */
export function tokenSourceFields(operations: MetaTokenOperation[], what: string): INodeProperties[] {
	return [
		{
			displayName: 'Token Source',
			name: 'tokenSource',
			type: 'options',
			default: 'credential',
			displayOptions: { show: { operation: operations } },
			description: `Where to take ${what} from`,
			options: [
				{
					name: 'Credential',
					value: 'credential',
					description: 'The Access Token stored in the Meta Token API credential',
				},
				{
					name: 'Input',
					value: 'input',
					description:
						'A token given per item, usually an expression reading the token field of each incoming item, so one run can handle a whole sheet of client tokens',
				},
			],
		},
		{
			displayName: 'Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			displayOptions: { show: { operation: operations, tokenSource: ['input'] } },
			description:
				'The access token to use. Surrounding spaces and a "Bearer " prefix are removed.',
		},
	];
}

/** The token this item works on, cleaned, or a TokenInputError naming the field. */
export function itemToken(
	context: IExecuteFunctions,
	session: GraphSession,
	itemIndex: number,
): string {
	const source = context.getNodeParameter('tokenSource', itemIndex, 'credential') as TokenSource;
	if (source === 'input') {
		return normalizeToken(context.getNodeParameter('token', itemIndex, ''), TOKEN_FIELD);
	}
	return normalizeToken(session.credentials.accessToken, 'Access Token (credential)');
}

interface ClassifiedFailure {
	errorClass: string;
	reason: string | null;
	message: string;
	description?: string;
	httpStatus?: number;
}

/** Our own failures, each already worded for the user; anything else is unexpected. */
function classify(error: unknown): ClassifiedFailure | undefined {
	if (error instanceof GraphError) {
		return {
			errorClass: error.errorClass,
			reason: error.reason ?? null,
			message: error.message,
			description: error.description,
			httpStatus: error.httpStatus,
		};
	}
	if (error instanceof TokenInputError) {
		return {
			errorClass: 'input',
			reason: null,
			message: error.message,
			description: `Check the field "${error.field}".`,
		};
	}
	if (error instanceof CredentialSaveError) {
		return {
			errorClass: error.errorClass,
			reason: error.reason,
			message: error.message,
			httpStatus: error.httpStatus,
		};
	}
	return undefined;
}

/** The JSON a failed item carries under Continue On Fail: what happened, never a token. */
export function errorJson(error: unknown): IDataObject {
	const failure = classify(error);
	if (failure) {
		return { error: { class: failure.errorClass, reason: failure.reason, message: failure.message } };
	}
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		return { error: { class: 'node', reason: null, message: error.message } };
	}
	return { error: { class: 'unknown', reason: null, message: 'Unexpected failure while handling the token' } };
}

/** Converts a failure into the n8n error that stops the node, with the classified message. */
export function nodeError(
	context: IExecuteFunctions,
	error: unknown,
	itemIndex: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	const failure = classify(error);
	if (!failure) {
		return new NodeOperationError(context.getNode(), 'Unexpected failure while handling the token', {
			itemIndex,
		});
	}
	if (failure.errorClass === 'input') {
		return new NodeOperationError(context.getNode(), failure.message, {
			itemIndex,
			description: failure.description,
		});
	}
	// Built from our classified fields only: the raw HTTP error (which may hold headers) never gets in.
	const apiError = new NodeApiError(
		context.getNode(),
		{ class: failure.errorClass, reason: failure.reason, message: failure.message } as JsonObject,
		{
			message: failure.message,
			description: failure.description,
			httpCode: failure.httpStatus ? String(failure.httpStatus) : undefined,
			itemIndex,
		},
	);
	return apiError;
}

/**
 * Runs one operation per input item: every output item is paired with its input; a failing item
 * becomes an error item under Continue On Fail and stops the node otherwise.
 */
export async function forEachItem(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	run: (itemIndex: number) => Promise<IDataObject | IDataObject[]>,
): Promise<INodeExecutionData[]> {
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const result = await run(itemIndex);
			for (const json of Array.isArray(result) ? result : [result]) {
				output.push({ json, pairedItem: { item: itemIndex } });
			}
		} catch (error) {
			const failure = error instanceof PartialResultError ? error.cause : error;
			if (!context.continueOnFail()) throw nodeError(context, failure, itemIndex);
			const kept = error instanceof PartialResultError ? error.result : {};
			output.push({ json: { ...kept, ...errorJson(failure) }, pairedItem: { item: itemIndex } });
		}
	}
	return output;
}

/** A failure that still produced something worth keeping (a minted token whose save failed). */
export class PartialResultError extends Error {
	constructor(
		readonly cause: unknown,
		readonly result: IDataObject,
	) {
		super(cause instanceof Error ? cause.message : 'Operation partly failed');
		this.name = 'PartialResultError';
	}
}
