/**
 * Dispatches a Meta Token run to its operation (actions/description.ts lists them), with the
 * Graph session (the credential read once, the client built once) that every operation shares.
 * As an agent's tool, what the tool may do is checked first and no whole token leaves
 * (helpers/toolMode.ts).
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { PLATFORM_FACTS, platformOf, type MetaPlatform } from '../../meta/platform';
import { graphSession } from '../../shared/graphSession';
import type { MetaTokenOperation } from '../helpers/operation';
import { isToolNode } from '../../shared/toolNode';
import { assertToolMayRun, withoutWholeTokens } from '../helpers/toolMode';
import { OPERATIONS, PLATFORM_OPERATIONS, type OperationValue } from './description';

const byValue = new Map<string, MetaTokenOperation<OperationValue>>(
	OPERATIONS.map((operation) => [operation.value, operation]),
);

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const value = this.getNodeParameter('operation', 0) as string;
	const operation = byValue.get(value);
	if (!operation) {
		throw new NodeOperationError(this.getNode(), `The operation "${value}" is not supported`);
	}
	// A workflow saved before the node had a Platform has none: Facebook, as it always was.
	const platform = platformOf(this.getNodeParameter('platform', 0, 'facebook'));
	if (!PLATFORM_OPERATIONS[platform].includes(operation.value)) {
		throw new NodeOperationError(
			this.getNode(),
			`"${operation.option.name}" is not an operation for ${PLATFORM_FACTS[platform].label} tokens. Nothing was sent.`,
			{ description: `Choose one of the operations the node offers for ${PLATFORM_FACTS[platform].label}, or another Platform.` },
		);
	}
	const asTool = isToolNode(this);
	if (asTool) assertToolMayRun(this, operation, items.length);
	const session = await graphSession(this);
	assertSamePlatform(this, platform, session.client.platform);
	const output = await operation.execute.call(this, items, session);
	return [asTool ? withoutWholeTokens(output) : output];
}

/**
 * The node's Platform decides what it offers, the credential's where it sends: they must agree, or
 * an Instagram token would go to Facebook's endpoints (or the reverse). Checked before any call.
 */
function assertSamePlatform(context: IExecuteFunctions, node: MetaPlatform, credential: MetaPlatform): void {
	if (node === credential) return;
	const [nodeLabel, credentialLabel] = [PLATFORM_FACTS[node].label, PLATFORM_FACTS[credential].label];
	throw new NodeOperationError(
		context.getNode(),
		`This node's Platform is ${nodeLabel}, but its Meta Token API credential is for ${credentialLabel}. Nothing was sent.`,
		{
			description: `Set the node's Platform to ${credentialLabel}, or choose a Meta Token API credential whose Platform is ${nodeLabel}.`,
		},
	);
}
