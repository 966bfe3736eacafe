/**
 * The poller models against what n8n 2.41.1's code does (pollers.ts header): which poll's static
 * data reaches the database, under each poller, through restarts. A tiny poll node stands in for
 * the trigger: it counts its polls in node static data and returns items only when told to.
 */
import type { INodeType, IPollFunctions } from 'n8n-workflow';

import { PolledTrigger, durablePollBudgetMs } from './pollers';

interface Script {
	emit: boolean;
	delayMs?: number;
}

let script: Script = { emit: false };
let budgetsSeen: number[] = [];

const counter: INodeType = {
	description: {
		displayName: 'Counter',
		name: 'counter',
		group: ['trigger'],
		version: 1,
		description: '',
		defaults: {},
		polling: true,
		inputs: [],
		outputs: ['main'],
		properties: [],
	},
	async poll(this: IPollFunctions) {
		budgetsSeen.push((this as unknown as { getPollBudgetMs: () => number }).getPollBudgetMs());
		const data = this.getWorkflowStaticData('node');
		data.polls = ((data.polls as number | undefined) ?? 0) + 1;
		if (script.delayMs) await new Promise((resolve) => setTimeout(resolve, script.delayMs));
		data.finished = data.polls;
		return script.emit ? [[{ json: { polls: data.polls as number } }]] : null;
	},
};

const run = { credentials: {} };
const quiet = (): void => {
	script = { emit: false };
};
const emitting = (): void => {
	script = { emit: true };
};

beforeEach(() => {
	quiet();
	budgetsSeen = [];
});

function trigger(kind: 'legacy' | 'durable' | 'durableCursors', options: { pollTimeoutMs?: number } = {}) {
	return new PolledTrigger(counter, kind, { parameters: {}, ...options });
}

describe('legacy poller', () => {
	it('keeps a quiet poll in memory only, saves the whole state with a result, and loses unsaved changes on restart', async () => {
		const t = trigger('legacy');
		expect(await t.activate(run)).toEqual({ items: null, executed: false, saved: false, timedOut: false });
		await t.poll(run);
		expect(t.stored()).toEqual({});
		emitting();
		const third = await t.poll(run);
		// The in-memory object carried the two quiet polls: this one is the third.
		expect(third).toMatchObject({ executed: true, saved: true, items: [[{ json: { polls: 3 } }]] });
		expect(t.stored()).toEqual({ polls: 3, finished: 3 });
		quiet();
		await t.poll(run);
		await t.poll(run);
		expect(t.stored()).toEqual({ polls: 3, finished: 3 });
		// Restart: the database's 3, then the activation poll at once (4), quiet, so not saved.
		expect(await t.restart(run)).toMatchObject({ executed: false, saved: false });
		emitting();
		expect((await t.poll(run)).items).toEqual([[{ json: { polls: 5 } }]]);
		expect(budgetsSeen.every((ms) => ms === 300_000)).toBe(true);
	});

	it('saves nothing for a result when the poll changed nothing (__dataChanged)', async () => {
		const unchanged: INodeType = { ...counter, poll: async () => [[{ json: {} }]] };
		const t = new PolledTrigger(unchanged, 'legacy', { parameters: {} });
		expect(await t.activate(run)).toMatchObject({ executed: true, saved: false });
	});
});

describe('durable scheduler without durable cursors', () => {
	it('starts every tick from the database: a quiet tick changes nothing, a result saves', async () => {
		const t = trigger('durable');
		await t.activate(run);
		await t.poll(run);
		await t.poll(run);
		emitting();
		expect((await t.poll(run)).items).toEqual([[{ json: { polls: 1 } }]]);
		expect(t.stored()).toEqual({ polls: 1, finished: 1 });
		quiet();
		expect(await t.poll(run)).toMatchObject({ executed: false, saved: false });
		expect(t.stored()).toEqual({ polls: 1, finished: 1 });
	});

	it('does not poll on restart (the job row exists)', async () => {
		const t = trigger('durable');
		await t.activate(run);
		expect(await t.restart(run)).toBeNull();
		expect(budgetsSeen).toHaveLength(1);
	});

	it('abandons a tick that outlives the poll timeout: nothing saved, the budget told to the poll', async () => {
		const t = trigger('durable', { pollTimeoutMs: 300 });
		emitting();
		await t.activate(run);
		expect(t.stored()).toEqual({ polls: 1, finished: 1 });
		script = { emit: true, delayMs: 600 };
		expect(await t.poll(run)).toEqual({ items: null, executed: false, saved: false, timedOut: true });
		await new Promise((resolve) => setTimeout(resolve, 500));
		expect(t.stored()).toEqual({ polls: 1, finished: 1 });
		// The activation poll runs outside the scheduler (5 min); a tick gets n8n's budget.
		expect(budgetsSeen).toEqual([300_000, durablePollBudgetMs(300, 60_000)]);
		expect(durablePollBudgetMs(45_000, 60_000)).toBe(36_000);
	});
});

describe('durable scheduler with durable cursors', () => {
	it('commits after quiet ticks too, seeded from the static data the workflow had', async () => {
		const legacy = trigger('durableCursors');
		emitting();
		await legacy.activate(run);
		expect(legacy.stored()).toEqual({ polls: 1, finished: 1 });
		quiet();
		expect(await legacy.poll(run)).toMatchObject({ executed: false, saved: true });
		expect(await legacy.poll(run)).toMatchObject({ executed: false, saved: true });
		expect(legacy.stored()).toEqual({ polls: 3, finished: 3 });
		expect(await legacy.restart(run)).toBeNull();
		expect((await legacy.poll(run)).saved).toBe(true);
		expect(legacy.stored()).toEqual({ polls: 4, finished: 4 });
	});

	it('a quiet activation poll is a testing poll: not committed', async () => {
		const t = trigger('durableCursors');
		expect(await t.activate(run)).toMatchObject({ executed: false, saved: false });
		expect(t.stored()).toEqual({});
	});
});

it('a manual poll ("Fetch Test Event") saves nothing under any poller', async () => {
	for (const kind of ['legacy', 'durable', 'durableCursors'] as const) {
		const t = trigger(kind);
		emitting();
		await t.activate(run);
		const before = t.stored();
		await t.manualPoll(run);
		expect(t.stored()).toEqual(before);
	}
});
