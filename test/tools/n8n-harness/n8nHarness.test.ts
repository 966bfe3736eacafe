/**
 * The harness saves an action node's static data exactly when n8n does (n8nHarness.ts says where in n8n's code): after a
 * run in any mode but `manual`, whether the node returned or threw, and only when the data
 * changed — and every run reads it back from JSON, as n8n reads it from its database. A tiny node
 * type writes what it is told, so each rule is seen on its own.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';

import { runNode } from '../../../tools/n8n-harness/n8nHarness';

const KEY = 'node:Node Under Test';

/** Writes `{ runs: n + 1, at }` into its static data unless told to only read; may throw after. */
const writer: INodeType = {
	description: {
		displayName: 'Writer',
		name: 'writer',
		group: ['transform'],
		version: 1,
		description: '',
		defaults: {},
		inputs: [],
		outputs: [],
		properties: [
			{ displayName: 'Write', name: 'write', type: 'boolean', default: true },
			{ displayName: 'Fail', name: 'fail', type: 'boolean', default: false },
		],
	},
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const data = this.getWorkflowStaticData('node');
		const seen = { runs: data.runs ?? 0, isDate: data.at instanceof Date };
		if (this.getNodeParameter('write', 0) === true) {
			data.runs = ((data.runs as number | undefined) ?? 0) + 1;
			data.at = new Date(0);
		}
		if (this.getNodeParameter('fail', 0) === true) throw new Error('failed after writing');
		return [[{ json: seen }]];
	},
};

async function run(staticData: IDataObject, mode: 'trigger' | 'manual' | 'cli', write = true, fail = false) {
	const output = await runNode(writer, { parameters: { write, fail }, credentials: {}, staticData, mode });
	return output[0].json;
}

it('saves after non-manual runs, as JSON read back at the next run', async () => {
	const staticData: IDataObject = {};
	expect(await run(staticData, 'trigger')).toEqual({ runs: 0, isDate: false });
	expect(staticData).toEqual({ [KEY]: { runs: 1, at: '1970-01-01T00:00:00.000Z' } });
	// What the next run sees came through JSON: the Date is a string now.
	expect(await run(staticData, 'cli')).toEqual({ runs: 1, isDate: false });
	expect((staticData[KEY] as IDataObject).runs).toBe(2);
});

it('never saves a manual run, though the node changed its static data', async () => {
	const staticData: IDataObject = { [KEY]: { runs: 5 } };
	expect(await run(staticData, 'manual')).toEqual({ runs: 5, isDate: false });
	expect(staticData).toEqual({ [KEY]: { runs: 5 } });
});

it('saves what a node wrote before it threw', async () => {
	const staticData: IDataObject = {};
	await expect(run(staticData, 'trigger', true, true)).rejects.toThrow('failed after writing');
	expect((staticData[KEY] as IDataObject).runs).toBe(1);
});

it('leaves the stored data alone when the run changed nothing', async () => {
	const stored = { [KEY]: { runs: 3, other: { kept: true } } };
	const staticData: IDataObject = JSON.parse(JSON.stringify(stored));
	await run(staticData, 'trigger', false);
	expect(staticData).toEqual(stored);
});
