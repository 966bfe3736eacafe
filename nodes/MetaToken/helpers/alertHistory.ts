/**
 * Where Check for Alerts finds the history it saved: this node's workflow static data, or — when
 * "Read History Through Public API" is on and that is empty — what n8n holds in its database for this
 * node, read through n8n's public API. Needed in queue mode: n8n's workers start every new
 * execution without the workflow's static data (n8n 2.41.1 workflow-runner.js and
 * scaling/job-processor.js), yet save it back after the run, so each run would start from nothing
 * and send every alert again. A read that fails stops the run: alerts sent again, silently, are
 * what the option exists to prevent.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { isRecord } from '../../meta/wire';
import { OperationFailure } from '../../shared/failures';
import {
	n8nApiBaseUrl,
	n8nApiBlockedMessage,
	readNodeStaticData,
	refusedKeyWords,
	unreachedWords,
	workflowPath,
	type StaticDataAnswer,
} from '../transport/n8nPublicApi';

export const READ_HISTORY_FIELD = 'readHistoryThroughN8nApi';

export const readHistoryField: INodeProperties = {
	// n8n's lint rules title-case "n8n" into "N8n"; the description names the n8n public API.
	displayName: 'Read History Through Public API',
	name: READ_HISTORY_FIELD,
	type: 'boolean',
	default: false,
	displayOptions: { show: { operation: ['checkAlerts'] } },
	description:
		"Whether to read this node's saved alert history through the n8n public API when a run starts without it. Turn it on in queue mode: workers start executions without the workflow's static data, so every run would repeat every alert. Needs an n8n API key with the scope workflow:read; if the read fails, the run fails and sends nothing.",
};

const NOTHING_SENT = 'No alerts were sent, so none are repeated; they come once the history can be read.';

function readFailure(reason: string, message: string, status?: number): OperationFailure {
	return new OperationFailure('readHistory', reason, `${message} ${NOTHING_SENT}`, status);
}

/** Why n8n's answer gives no history, or undefined when it does. */
function answerProblem(answer: StaticDataAnswer, workflowId: string, baseUrl: string): OperationFailure | undefined {
	const origin = new URL(baseUrl).origin;
	if (!answer.reached && answer.ssrfBlock) {
		return readFailure('blockedBySsrfProtection', n8nApiBlockedMessage(baseUrl, answer.ssrfBlock, "to read this workflow's alert history"));
	}
	if (!answer.reached) {
		return readFailure('unreachable', `${unreachedWords(baseUrl, "to read this workflow's alert history")}: check the n8n API credential's Base URL (an address of this n8n that its workers can reach).`);
	}
	const { status } = answer;
	const request = `GET ${workflowPath(workflowId)}`;
	if (status === 401 || status === 403) {
		return readFailure('unauthorized', refusedKeyWords(status, "reading this workflow's alert history", 'the scope workflow:read', 'see this workflow'), status);
	}
	if (status === 404) {
		return readFailure('notFound', `n8n at ${origin} answered 404 to ${request}: it has no workflow ${workflowId}, or the API key's user may not see it. The n8n API credential must point at this n8n.`, status);
	}
	if (!answer.isWorkflow) {
		return readFailure('failed', `n8n at ${origin} answered ${status} to ${request} without the workflow's static data.`, status);
	}
	return undefined;
}

/**
 * The history this run starts from (whatever was stored under `key`: the policy validates it).
 * Reads through the API only when the option is on and the node's static data holds none.
 */
export async function readAlertHistory(context: IExecuteFunctions, staticData: IDataObject, key: string): Promise<unknown> {
	if (staticData[key] !== undefined || !context.getNodeParameter(READ_HISTORY_FIELD, 0, false)) return staticData[key];
	const workflowId = context.getWorkflow().id;
	if (!workflowId) throw readFailure('noWorkflowId', 'This workflow has no ID yet, so its history cannot be read: save the workflow.');
	const baseUrl = await n8nApiBaseUrl(context, 'Reading the history through the n8n API');
	if (typeof baseUrl !== 'string') throw readFailure(baseUrl.reason, baseUrl.message);
	const answer = await readNodeStaticData(context, baseUrl, workflowId, context.getNode().name);
	const problem = answerProblem(answer, workflowId, baseUrl);
	if (problem) throw problem;
	const nodeData = answer.reached ? answer.nodeData : undefined;
	return isRecord(nodeData) ? nodeData[key] : undefined;
}
