/**
 * n8n's pollers as they run a poll trigger and SAVE its static data — the part the trigger's
 * guarantees across restarts depend on — modelled on n8n 2.41.1's own code (
 * n8n/dist/workflows/triggers/trigger-execution-context.factory.js, n8n-core's
 * poll-trigger-executor.js, n8n/dist/scheduling/poll-trigger-node/poll-trigger-task-handler.js,
 * poll-cursor.service.js). `poll` itself runs in n8n-core's real PollContext (tools/n8n-harness/n8nHarness.ts).
 *
 * What "the database" holds is kept as JSON strings, so a restart is exactly what survives in it:
 * - `legacy` (the default, `N8N_SCHEDULER_ENABLED` off; also n8n 1.x): one Workflow object per
 *   activation, kept in memory and reused by every tick. Its static data is saved (the whole
 *   column, when changed) only when `poll` returns a result. A quiet poll's changes live on in
 *   memory and are lost when n8n restarts. Every activation — each n8n start — polls at once.
 * - `durable` (`N8N_SCHEDULER_ENABLED` + `N8N_SCHEDULER_POLL_TRIGGERS_ENABLED`, no durable
 *   cursors): every tick builds a fresh Workflow from the database; a result saves the column, a
 *   quiet poll's changes are discarded. A tick that outlives `N8N_SCHEDULER_POLL_TIMEOUT` is
 *   abandoned: nothing saved. Only the first activation polls at once (the job row is new);
 *   a restart does not.
 * - `durableCursors` (the same plus `N8N_POLLER_DURABLE_CURSORS_ENABLED`): the node's static data
 *   is a cursor row, seeded from the column at first use; each tick works on a copy and commits it
 *   when changed — with the execution when there is a result, alone after a quiet tick. The
 *   activation poll (a "testing" poll) commits only with a result. The column is left alone.
 * Errors thrown by `poll` propagate (n8n turns them into an error execution; nothing is saved).
 */
import { PollContext } from 'n8n-core';
import type { IDataObject, INode, INodeExecutionData, INodeType, Workflow, WorkflowExecuteMode } from 'n8n-workflow';

import type { CredentialStore } from '../../tools/n8n-harness/n8nHarness';
import { additionalDataOf, buildNode, workflowOf } from '../../tools/n8n-harness/n8nHarness';

export type PollerKind = 'legacy' | 'durable' | 'durableCursors';

export const POLLER_KINDS: readonly PollerKind[] = ['legacy', 'durable', 'durableCursors'];

export interface PollOutcome {
	/** What `poll` returned (null: nothing; also for an abandoned tick). */
	items: INodeExecutionData[][] | null;
	/** n8n created an execution: `poll` returned a result (even an empty one) in time. */
	executed: boolean;
	/** Something reached the database: the workflow's static data or the cursor. */
	saved: boolean;
	/** The durable scheduler abandoned the tick (it outlived the poll timeout). */
	timedOut: boolean;
}

export interface PolledTriggerOptions {
	parameters: IDataObject;
	credentialIds?: Record<string, string>;
	/** N8N_SCHEDULER_POLL_TIMEOUT in ms (default 45 s); the durable scheduler only. */
	pollTimeoutMs?: number;
	/** N8N_SCHEDULER_LEASE_DURATION in ms (default 60 s). */
	leaseMs?: number;
	/** The node's "Always Output Data" setting. */
	alwaysOutputData?: boolean;
}

export interface PollRun {
	credentials: CredentialStore;
}

const LEGACY_BUDGET_MS = 5 * 60_000;
const TIMED_OUT = Symbol('timed out');

/** `getPollBudgetMs` of a durable tick, computed as n8n computes it. */
export function durablePollBudgetMs(pollTimeoutMs: number, leaseMs: number): number {
	const ceiling = Math.min(pollTimeoutMs, leaseMs);
	const margin = Math.min(Math.max(0.2 * ceiling, 5_000), ceiling / 2);
	return ceiling - margin;
}

/** One active workflow holding one poll trigger, under one of n8n's pollers. */
export class PolledTrigger {
	/** workflow_entity.staticData, as JSON ('null' for a workflow that never saved any). */
	private column = 'null';
	/** The poller_state cursor (durable cursors), as JSON; null until first used. */
	private cursorRow: string | null = null;
	/** Legacy: the Workflow object of the current activation, with its in-memory static data. */
	private live: Workflow | undefined;
	private node: INode;
	private activated = false;
	private readonly pollTimeoutMs: number;
	private readonly leaseMs: number;

	constructor(
		private readonly nodeType: INodeType,
		readonly kind: PollerKind,
		private readonly options: PolledTriggerOptions,
	) {
		this.node = this.nodeWith(options.parameters);
		this.pollTimeoutMs = options.pollTimeoutMs ?? 45_000;
		this.leaseMs = options.leaseMs ?? 60_000;
	}

	/** The node's static data as the database holds it now (the cursor when there is one). */
	stored(): IDataObject {
		if (this.cursorRow !== null) return JSON.parse(this.cursorRow) as IDataObject;
		const column = (JSON.parse(this.column) as IDataObject | null) ?? {};
		return (column[`node:${this.node.name}`] as IDataObject | undefined) ?? {};
	}

	/** The first activation (publish): both pollers poll at once, as a "testing" poll. */
	async activate(run: PollRun): Promise<PollOutcome> {
		if (this.activated) throw new Error('already active: use restart() or poll()');
		this.activated = true;
		return await this.activationPoll(run);
	}

	/**
	 * n8n stops and starts (or the workflow is saved with new parameters and re-activated).
	 * Legacy: the in-memory state is gone, the workflow comes back from the database and polls at
	 * once. Durable: the job row exists, so no poll; the next tick reads the database anyway.
	 */
	async restart(run: PollRun, changes: { parameters?: IDataObject } = {}): Promise<PollOutcome | null> {
		if (!this.activated) throw new Error('not active yet: activate() first');
		if (changes.parameters) this.node = this.nodeWith(changes.parameters);
		this.live = undefined;
		if (this.kind !== 'legacy') return null;
		return await this.activationPoll(run);
	}

	/** One scheduled tick. */
	async poll(run: PollRun): Promise<PollOutcome> {
		if (!this.activated) throw new Error('not active yet: activate() first');
		if (this.kind === 'legacy') return await this.legacyPoll(run);
		return await this.durableTick(run);
	}

	/** "Fetch Test Event" in the editor: a manual poll on the saved workflow; n8n saves nothing. */
	async manualPoll(run: PollRun): Promise<INodeExecutionData[][] | null> {
		const workflow = this.workflowFromDatabase();
		return await this.runPoll(workflow, run, 'manual', LEGACY_BUDGET_MS);
	}

	// -------------------------------------------------------------------------------------------

	private nodeWith(parameters: IDataObject): INode {
		const node = buildNode(this.nodeType, { ...this.options, parameters });
		return this.options.alwaysOutputData === undefined ? node : { ...node, alwaysOutputData: this.options.alwaysOutputData };
	}

	private async activationPoll(run: PollRun): Promise<PollOutcome> {
		if (this.kind === 'legacy') return await this.legacyPoll(run);
		// The durable path polls once through the legacy executor, on the activation's Workflow.
		if (this.kind === 'durable') {
			const workflow = this.workflowFromDatabase();
			const items = await this.runPoll(workflow, run, 'trigger', LEGACY_BUDGET_MS);
			const saved = items !== null && this.saveColumn(workflow);
			return { items, executed: items !== null, saved, timedOut: false };
		}
		const { workflow, seed } = this.stagedCursor();
		const items = await this.runPoll(workflow, run, 'trigger', LEGACY_BUDGET_MS);
		// A testing poll commits its cursor only together with an execution.
		const saved = items !== null && this.commitCursor(workflow, seed);
		return { items, executed: items !== null, saved, timedOut: false };
	}

	private async legacyPoll(run: PollRun): Promise<PollOutcome> {
		this.live ??= this.workflowFromDatabase();
		const items = await this.runPoll(this.live, run, 'trigger', LEGACY_BUDGET_MS);
		// __emit → saveStaticData(workflow); a null poll saves nothing (no cursor row in legacy).
		const saved = items !== null && this.saveColumn(this.live);
		return { items, executed: items !== null, saved, timedOut: false };
	}

	private async durableTick(run: PollRun): Promise<PollOutcome> {
		const budget = durablePollBudgetMs(this.pollTimeoutMs, this.leaseMs);
		const staged = this.kind === 'durableCursors' ? this.stagedCursor() : { workflow: this.workflowFromDatabase(), seed: null };
		const poll = this.runPoll(staged.workflow, run, 'trigger', budget);
		poll.catch(() => undefined);
		let timer: NodeJS.Timeout | undefined;
		const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
			timer = setTimeout(() => resolve(TIMED_OUT), this.pollTimeoutMs);
		});
		let outcome: INodeExecutionData[][] | null | typeof TIMED_OUT;
		try {
			outcome = await Promise.race([poll, deadline]);
		} finally {
			clearTimeout(timer);
		}
		// Abandoned: the poll runs on against a Workflow (or cursor copy) nobody reads again.
		if (outcome === TIMED_OUT) return { items: null, executed: false, saved: false, timedOut: true };
		const items = outcome;
		let saved: boolean;
		if (this.kind === 'durableCursors') saved = this.commitCursor(staged.workflow, staged.seed);
		else saved = items !== null && this.saveColumn(staged.workflow);
		return { items, executed: items !== null, saved, timedOut: false };
	}

	/** A Workflow built from the database's column, as n8n loads an active workflow. */
	private workflowFromDatabase(): Workflow {
		const column = JSON.parse(this.column) as IDataObject | null;
		return workflowOf(this.nodeType, this.node, column ?? undefined);
	}

	/**
	 * Durable cursors: the cursor row (created from the column's node data at first use) and a
	 * Workflow whose node static data is a plain copy of it — what `getWorkflowStaticData('node')`
	 * returns in a staged poll.
	 */
	private stagedCursor(): { workflow: Workflow; seed: string } {
		if (this.cursorRow === null) {
			const column = (JSON.parse(this.column) as IDataObject | null) ?? {};
			this.cursorRow = JSON.stringify(column[`node:${this.node.name}`] ?? {});
		}
		const seed = this.cursorRow;
		const workflow = workflowOf(this.nodeType, this.node, { [`node:${this.node.name}`]: JSON.parse(seed) as IDataObject });
		return { workflow, seed };
	}

	/** saveStaticData: the whole column, only when the in-memory data changed (`__dataChanged`). */
	private saveColumn(workflow: Workflow): boolean {
		const data = workflow.staticData as IDataObject & { __dataChanged?: boolean };
		if (data.__dataChanged !== true) return false;
		this.column = JSON.stringify(data);
		data.__dataChanged = false;
		return true;
	}

	/** advanceCursor: only when the staged copy differs from what the poll started from. */
	private commitCursor(workflow: Workflow, seed: string | null): boolean {
		const staged = JSON.stringify(workflow.getStaticData('node', this.node));
		if (seed !== null && sameJson(staged, seed)) return false;
		this.cursorRow = staged;
		return true;
	}

	private async runPoll(
		workflow: Workflow,
		run: PollRun,
		mode: WorkflowExecuteMode,
		budgetMs: number,
	): Promise<INodeExecutionData[][] | null> {
		const context = new PollContext(workflow, this.node, additionalDataOf(run.credentials), mode, 'activate');
		// n8n-core 2.11.1 predates getPollBudgetMs; 2.41.1 gives every PollContext one.
		Object.assign(context, { getPollBudgetMs: () => budgetMs });
		return await this.nodeType.poll!.call(context);
	}
}

/** lodash isEqual on JSON data: the same value whatever the key order. */
function sameJson(a: string, b: string): boolean {
	const canonical = (value: unknown): unknown => {
		if (Array.isArray(value)) return value.map(canonical);
		if (typeof value !== 'object' || value === null) return value;
		return Object.fromEntries(
			Object.keys(value)
				.sort()
				.map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
		);
	};
	return JSON.stringify(canonical(JSON.parse(a))) === JSON.stringify(canonical(JSON.parse(b)));
}

/** One activation poll of a fresh workflow under the legacy poller: what `poll` returned. */
export async function pollOnce(
	nodeType: INodeType,
	options: PolledTriggerOptions & PollRun,
): Promise<INodeExecutionData[][] | null> {
	const { credentials, ...triggerOptions } = options;
	return (await new PolledTrigger(nodeType, 'legacy', triggerOptions).activate({ credentials })).items;
}
