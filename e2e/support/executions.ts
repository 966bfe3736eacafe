/**
 * Reading n8n's execution records through its public API: waiting for a workflow's executions to
 * finish, and what each one ran. The record says how an execution started (`mode`) but not which
 * process ran it; that is in the worker's log (queueCluster.ts).
 */
import type { ExecutionRecord, N8nInstance } from './n8n';
import { waitFor } from './processes';

/** The workflow's executions that have ended, oldest first. */
export async function endedExecutions(n8n: N8nInstance, apiKey: string, workflowId: string): Promise<ExecutionRecord[]> {
	const all = await n8n.executions(apiKey, workflowId);
	return all.filter((execution) => execution.stoppedAt !== null && execution.status !== 'running' && execution.status !== 'new').reverse();
}

/** Waits until at least `count` executions of the workflow have ended; returns them, oldest first. */
export async function waitForEnded(
	n8n: N8nInstance,
	apiKey: string,
	workflowId: string,
	count: number,
	timeoutMs = 120_000,
): Promise<ExecutionRecord[]> {
	return await waitFor(
		`${count} ended execution(s) of workflow ${workflowId}`,
		async () => {
			const ended = await endedExecutions(n8n, apiKey, workflowId);
			return ended.length >= count ? ended : undefined;
		},
		timeoutMs,
		1_000,
	);
}

/** The names of the nodes that ran in an execution. */
export function ranNodes(execution: ExecutionRecord): string[] {
	return Object.keys(execution.data?.resultData.runData ?? {});
}

/** The items a node put out in an execution (first run, first output). */
export function outputOf(execution: ExecutionRecord, nodeName: string): Array<Record<string, unknown>> {
	const run = execution.data?.resultData.runData[nodeName]?.[0];
	return (run?.data?.main[0] ?? []).map((item) => item.json);
}
