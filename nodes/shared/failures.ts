/**
 * How failures become n8n's: the error that stops a node (NodeApiError for a Graph answer,
 * NodeOperationError for bad input) and the `{error: {class, reason, message}}` an item carries
 * under Continue On Fail. Built from our classified fields only — the raw HTTP error (which may
 * hold headers and tokens) never gets in. n8n's own errors (an expression that failed, a parameter
 * n8n refused) keep n8n's message, scrubbed of anything shaped like a secret. Shared glue: both
 * nodes report through it.
 */
import type { IDataObject, IExecuteFunctions, IPollFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { GraphError } from '../graph/GraphError';
import { scrubSecrets } from '../meta/redact';
import { TokenInputError } from '../policy/tokenInput';

/** A failure of ours that is worded for users and free of secrets. */
interface WordedFailure {
	errorClass: string;
	reason: string | null;
	/** Everything: what happened, what to do, what Meta said. */
	message: string;
	/** What happened (and what Meta said), when the description is shown apart from it. */
	headline?: string;
	description?: string;
	httpStatus?: number;
	mayHaveMinted?: boolean;
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

/** Our own failures, each already worded for the user; anything else is not ours. */
function worded(error: unknown): WordedFailure | undefined {
	if (error instanceof GraphError) {
		return {
			errorClass: error.errorClass,
			reason: error.reason ?? null,
			message: error.message,
			headline: error.headline,
			description: error.description,
			httpStatus: error.httpStatus,
			mayHaveMinted: error.mayHaveMinted,
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

/** n8n's error classes (by name: the package and n8n may load different copies of n8n-workflow). */
const N8N_ERROR_CLASSES = new Set(['ExecutionBaseError', 'ApplicationError', 'BaseError', 'NodeError']);

/** Whether n8n raised this error itself (an expression, a parameter, a request helper). */
function isN8nError(error: unknown): error is Error & { description?: unknown } {
	if (!(error instanceof Error)) return false;
	for (let proto: unknown = Object.getPrototypeOf(error); proto; proto = Object.getPrototypeOf(proto)) {
		const name = (proto as { constructor?: { name?: string } }).constructor?.name;
		if (name && N8N_ERROR_CLASSES.has(name)) return true;
	}
	return false;
}

/** n8n's own words, with the given secrets and anything shaped like a token removed. */
function n8nWords(error: Error & { description?: unknown }, secrets: readonly string[]): { message: string; description?: string } {
	const description = typeof error.description === 'string' ? scrubSecrets(error.description, secrets) : undefined;
	return { message: scrubSecrets(error.message, secrets), description };
}

/** The JSON a failed item carries under Continue On Fail: what happened, never a token. */
export function errorJson(error: unknown, secrets: readonly string[] = []): IDataObject {
	const failure = worded(error);
	if (failure) {
		const json: IDataObject = { class: failure.errorClass, reason: failure.reason, message: failure.message };
		// Set only when a minting call failed in a way that may hide a created token.
		if (failure.mayHaveMinted) json.mayHaveMinted = true;
		return { error: json };
	}
	if (isN8nError(error)) {
		return { error: { class: 'node', reason: null, message: n8nWords(error, secrets).message } };
	}
	return { error: { class: 'unknown', reason: null, message: UNEXPECTED } };
}

/**
 * Converts a failure into the n8n error that stops the node: the classified message as the
 * panel's message, what to do as its description (shown once, not twice).
 */
export function nodeError(
	context: IExecuteFunctions | IPollFunctions,
	error: unknown,
	itemIndex?: number,
	secrets: readonly string[] = [],
): Error {
	if (isN8nError(error)) {
		const words = n8nWords(error, secrets);
		const description = typeof error.description === 'string' ? error.description : undefined;
		// n8n's own error, as n8n raised it, unless a secret had to come out of its text.
		if (words.message === error.message && words.description === description) return error;
		return new NodeOperationError(context.getNode(), words.message, { itemIndex, description: words.description });
	}
	const failure = worded(error);
	if (!failure) return new NodeOperationError(context.getNode(), UNEXPECTED, { itemIndex });
	if (failure.errorClass === 'input') {
		return new NodeOperationError(context.getNode(), failure.message, { itemIndex, description: failure.description });
	}
	const message = failure.headline ?? failure.message;
	const response: JsonObject = { class: failure.errorClass, reason: failure.reason, message: failure.message };
	if (failure.mayHaveMinted) response.mayHaveMinted = true;
	return new NodeApiError(context.getNode(), response, {
		message,
		description: failure.description,
		httpCode: failure.httpStatus ? String(failure.httpStatus) : undefined,
		itemIndex,
	});
}
