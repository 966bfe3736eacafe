/**
 * The item loop every per-item operation runs in: output paired with its input item, a failing
 * item an error item under Continue On Fail, the node stopped with the classified error otherwise.
 * (A minted token whose save failed is not a failing item: mintedToken.ts puts it out.)
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { errorJson, nodeError } from '../../shared/failures';
import type { GraphSession } from '../../shared/graphSession';
import type { OperationExecute } from './operation';

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
			if (!context.continueOnFail()) throw nodeError(context, error, itemIndex, secrets);
			output.push({ json: errorJson(error, secrets), pairedItem: { item: itemIndex } });
		}
	}
	return output;
}

/** The `execute` of an operation that handles each input item on its own. */
export function perItemOperation(
	run: (context: IExecuteFunctions, session: GraphSession, itemIndex: number) => Promise<IDataObject | IDataObject[]>,
): OperationExecute {
	return async function (this: IExecuteFunctions, items: INodeExecutionData[], session: GraphSession) {
		return await forEachItem(this, items, async (itemIndex) => await run(this, session, itemIndex), session.secrets);
	};
}
