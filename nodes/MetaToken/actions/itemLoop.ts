/**
 * The item loop every per-item operation runs in: output paired with its input item, a failing
 * item an error item under Continue On Fail, the node stopped with the classified error otherwise.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { errorJson, nodeError } from '../../shared/failures';
import type { GraphSession } from '../../shared/graphSession';
import type { OperationModule } from './fields';

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

/**
 * Runs `run` for each input item; one result may be several output items (one per Page, say).
 * `secrets` (the session's) are kept out of any message n8n itself worded.
 */
export async function forEachItem(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	run: (itemIndex: number) => Promise<IDataObject | IDataObject[]>,
	secrets: readonly string[] = [],
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
			if (!context.continueOnFail()) throw nodeError(context, failure, itemIndex, secrets);
			const kept = error instanceof PartialResultError ? error.result : {};
			output.push({ json: { ...kept, ...errorJson(failure, secrets) }, pairedItem: { item: itemIndex } });
		}
	}
	return output;
}

/** The `execute` of an operation that handles each input item on its own. */
export function perItemOperation(
	run: (context: IExecuteFunctions, session: GraphSession, itemIndex: number) => Promise<IDataObject | IDataObject[]>,
): OperationModule['execute'] {
	return async function (this: IExecuteFunctions, items: INodeExecutionData[], session: GraphSession) {
		return await forEachItem(this, items, async (itemIndex) => await run(this, session, itemIndex), session.secrets);
	};
}
