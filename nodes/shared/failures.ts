/**
 * How the package's own failures become n8n's: the error that stops a node (NodeApiError for a
 * Graph answer, NodeOperationError for bad input) and the `{error: {class, reason, message}}` an
 * item carries under Continue On Fail. Built from our classified fields only — the raw HTTP error
 * (which may hold headers and tokens) never gets in. Shared glue: both nodes report through it.
 */
import type { IDataObject, IExecuteFunctions, IPollFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { GraphError } from '../graph/GraphError';
import { TokenInputError } from '../policy/tokenInput';

/** A failure of ours that is worded for users and free of secrets. */
export interface WordedFailure {
	errorClass: string;
	reason: string | null;
	message: string;
	description?: string;
	httpStatus?: number;
}

/**
 * A failure an operation raises itself (e.g. saving a token into n8n) with its own class and
 * wording; GraphError and TokenInputError are known here already.
 */
export class OperationFailure extends Error {
	constructor(
		readonly errorClass: string,
		readonly reason: string | null,
		message: string,
		readonly httpStatus?: number,
	) {
		super(message);
		this.name = 'OperationFailure';
	}
}

/** Our own failures, each already worded for the user; anything else is unexpected. */
function worded(error: unknown): WordedFailure | undefined {
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
	if (error instanceof OperationFailure) {
		return { errorClass: error.errorClass, reason: error.reason, message: error.message, httpStatus: error.httpStatus };
	}
	return undefined;
}

const UNEXPECTED = 'Unexpected failure while handling the token';

/** The JSON a failed item carries under Continue On Fail: what happened, never a token. */
export function errorJson(error: unknown): IDataObject {
	const failure = worded(error);
	if (failure) {
		return { error: { class: failure.errorClass, reason: failure.reason, message: failure.message } };
	}
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		return { error: { class: 'node', reason: null, message: error.message } };
	}
	return { error: { class: 'unknown', reason: null, message: UNEXPECTED } };
}

/** Converts a failure into the n8n error that stops the node, with the classified message. */
export function nodeError(
	context: IExecuteFunctions | IPollFunctions,
	error: unknown,
	itemIndex?: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	const failure = worded(error);
	if (!failure) return new NodeOperationError(context.getNode(), UNEXPECTED, { itemIndex });
	if (failure.errorClass === 'input') {
		return new NodeOperationError(context.getNode(), failure.message, { itemIndex, description: failure.description });
	}
	return new NodeApiError(
		context.getNode(),
		{ class: failure.errorClass, reason: failure.reason, message: failure.message } as JsonObject,
		{
			message: failure.message,
			description: failure.description,
			httpCode: failure.httpStatus ? String(failure.httpStatus) : undefined,
			itemIndex,
		},
	);
}
