/**
 * No behaviour change from the read shortcuts (nodes/shared/runParameters.ts: a fixed parameter
 * read once per run, a plain `$json` field reference read from the item): Inspect and Check for
 * Alerts put out exactly the same — every output field, error item, paired item, the error that
 * stops a run, and Check for Alerts' saved history — with the shortcuts on as with n8n's
 * `getNodeParameter` for every item (shortcuts off), over the bench's mix of tokens (valid,
 * expiring, expired, invalidated, unknown, page and system-user tokens) and bad input. Both run
 * through n8n-core's ExecuteContext against the same Graph double.
 */
import { ExecuteContext } from 'n8n-core';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { MetaToken } from '../../nodes/MetaToken/MetaToken.node';
import { readShortcuts } from '../../nodes/shared/runParameters';
import { benchSeed, benchTokens } from '../../scripts/bench/seed';
import { GraphDouble } from '../../tools/graph-double/GraphDouble';
import { runNode, type CredentialStore, type NodeRunOptions } from '../../tools/n8n-harness/n8nHarness';

const node = new MetaToken();
const [APP] = benchSeed([]).apps;
const TOKENS = benchTokens(240);

let double: GraphDouble;

beforeAll(async () => {
	double = await GraphDouble.start();
	const seed = benchSeed(TOKENS);
	for (const app of seed.apps) double.addApp(app);
	for (const spec of seed.tokens) double.addToken(spec);
});
afterAll(async () => await double.stop());
afterEach(() => {
	readShortcuts.enabled = true;
	jest.restoreAllMocks();
});

function credentials(extra: IDataObject = {}): CredentialStore {
	return {
		metaTokenApi: {
			accessToken: TOKENS[7],
			appId: APP.id,
			appSecret: APP.secret,
			graphApiVersion: 'v25.0',
			proofMode: 'auto',
			baseUrl: double.url,
			...extra,
		},
	};
}

/** The bench's items ({token, name}), with pasted forms, duplicates and bad input mixed in. */
function benchItems(): IDataObject[] {
	return TOKENS.map((token, index): IDataObject => {
		const name = `Client ${index + 1}`;
		switch (index % 25) {
			case 3:
				return { token: `  Bearer ${token}\n`, name: `  ${name} ü🔑 ` };
			case 8:
				return { token: '', name };
			case 9:
				return { name };
			case 11:
				return { token: null, name: null };
			case 12:
				return { token: 12345, name: 678 };
			case 14:
				return { token: { token }, name: { first: name } };
			case 16:
				return { token, name: [name] };
			case 17:
				return { token: `${token} ${TOKENS[0]}`, name };
			case 19:
				// The same token twice under two names, and a name given twice.
				return { token: TOKENS[index - 1], name: index % 2 === 0 ? `Client ${index}` : `Client twin ${index}` };
			case 21:
				return { token, name: 'Client 1' };
			case 22:
				return { token, name: '' };
			default:
				return { token, name };
		}
	});
}

type Outcome = { output: INodeExecutionData[]; staticData?: IDataObject } | { thrown: unknown };

/** A run's outcome, with the shortcuts on or off; counts n8n's evaluations of the per-item fields. */
async function outcome(shortcuts: boolean, options: NodeRunOptions, evaluated: string[] = []): Promise<Outcome> {
	readShortcuts.enabled = shortcuts;
	// ExecuteContext's getNodeParameter is an own arrow function calling _getNodeParameter (n8n-core).
	const prototype = ExecuteContext.prototype as unknown as { _getNodeParameter: (...args: unknown[]) => unknown };
	const original = prototype._getNodeParameter;
	const spy = jest.spyOn(prototype, '_getNodeParameter').mockImplementation(function (this: unknown, ...args: unknown[]) {
		evaluated.push(args[0] as string);
		return original.apply(this, args);
	});
	try {
		const output = await runNode(node, options);
		return { output: stable(output), staticData: options.staticData === undefined ? undefined : stable(options.staticData) };
	} catch (error) {
		const failure = error as { message: string; description?: string; context?: IDataObject };
		return { thrown: { message: failure.message, description: failure.description, itemIndex: failure.context?.itemIndex } };
	} finally {
		spy.mockRestore();
		readShortcuts.enabled = true;
	}
}

/**
 * Output and saved history with readings of the clock (seconds or ms since 1970, or ISO text, within
 * an hour of now) replaced: the two runs happen a moment apart. Expiry times are days away and stay.
 */
function stable<T>(data: T): T {
	const nowMs = Date.now();
	const isNow = (ms: number): boolean => Math.abs(ms - nowMs) < 3_600_000;
	return JSON.parse(JSON.stringify(data), (_key, value: unknown) => {
		if (typeof value === 'number' && (isNow(value) || isNow(value * 1000))) return '<now>';
		if (typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value) && isNow(Date.parse(value))) return '<now>';
		return value;
	}) as T;
}

/** Runs both ways with the same inputs (a fresh copy of the static data each) and expects the same outcome. */
async function same(options: Omit<NodeRunOptions, 'staticData'> & { staticData?: IDataObject }): Promise<{ on: Outcome; evaluatedOn: string[]; evaluatedOff: string[] }> {
	const copy = (): IDataObject | undefined => (options.staticData === undefined ? undefined : (JSON.parse(JSON.stringify(options.staticData)) as IDataObject));
	const evaluatedOff: string[] = [];
	const evaluatedOn: string[] = [];
	const off = await outcome(false, { ...options, staticData: copy() }, evaluatedOff);
	const on = await outcome(true, { ...options, staticData: copy() }, evaluatedOn);
	expect(on).toEqual(off);
	return { on, evaluatedOn, evaluatedOff };
}

const inspect = { operation: 'inspect', tokenSource: 'input', token: '={{ $json.token }}' };
const checkAlerts = { operation: 'checkAlerts', tokenSource: 'input', token: '={{ $json.token }}', tokenName: '={{ $json.name }}' };

describe('the read shortcuts change nothing a run puts out', () => {
	it('Inspect over the bench mix under Continue On Fail, and with the shortcut really taken', async () => {
		const { on, evaluatedOn, evaluatedOff } = await same({ parameters: inspect, items: benchItems(), credentials: credentials(), continueOnFail: true });
		const output = (on as { output: INodeExecutionData[] }).output;
		expect(output).toHaveLength(TOKENS.length);
		expect(output.map((item) => item.pairedItem)).toEqual(TOKENS.map((_, item) => ({ item })));
		const statuses = new Set(output.map((item) => item.json.status ?? 'error'));
		expect(statuses).toEqual(new Set(['valid', 'expiring', 'expired', 'invalid', 'error']));
		// Off: n8n evaluates the Token of every item; on: only the objects and lists.
		expect(evaluatedOff.filter((name) => name === 'token')).toHaveLength(TOKENS.length);
		expect(evaluatedOn.filter((name) => name === 'token')).toHaveLength(benchItems().filter((item) => typeof item.token === 'object' && item.token !== null).length);
	});

	it('Inspect with the bracket form, per-item options, and when an item stops the run', async () => {
		await same({
			parameters: { ...inspect, token: '={{ $json["token"] }}', options: { requiredScopes: '={{ $json.name }}', expiringWithinDays: 60 } },
			items: benchItems(),
			credentials: credentials(),
			continueOnFail: true,
		});
		const { on } = await same({ parameters: inspect, items: benchItems(), credentials: credentials() });
		expect(on).toHaveProperty('thrown');
	});

	it('Inspect without the App Secret (tokens inspect themselves)', async () => {
		await same({ parameters: inspect, items: benchItems().slice(0, 60), credentials: credentials({ appSecret: '' }), continueOnFail: true });
	});

	it('Check for Alerts over the bench mix: alerts, error items, duplicates and the saved history, twice', async () => {
		const staticData: IDataObject = {};
		const first = await same({ parameters: checkAlerts, items: benchItems(), credentials: credentials(), continueOnFail: true, mode: 'trigger', staticData });
		const output = (first.on as { output: INodeExecutionData[] }).output;
		const events = new Set(output.map((item) => item.json.event ?? 'error'));
		expect([...events]).toEqual(expect.arrayContaining(['expiring', 'expired', 'invalid', 'error']));
		expect(output.some((item) => String((item.json.error as IDataObject | undefined)?.message ?? '').includes('was already given'))).toBe(true);
		// The name is read per item too (for each item whose token could be read): off, n8n evaluates
		// it every time; on, only for a name that is a list.
		const named = first.evaluatedOff.filter((name) => name === 'tokenName').length;
		expect(named).toBeGreaterThan(TOKENS.length * 0.7);
		expect(first.evaluatedOn.filter((name) => name === 'tokenName')).toHaveLength(benchItems().filter((item) => Array.isArray(item.name)).length);
		expect(first.evaluatedOn.filter((name) => name === 'thresholds')).toHaveLength(1);

		// The second run starts from the history the first one saved (the same both ways).
		const saved = (first.on as { staticData: IDataObject }).staticData;
		expect(Object.keys(saved).length).toBeGreaterThan(0);
		const { on } = await runFromSaved(staticData);
		expect(on).toBeDefined();
	});

	it('Check for Alerts when an item stops the run, in a manual run, and with per-item settings', async () => {
		await same({ parameters: checkAlerts, items: benchItems(), credentials: credentials(), mode: 'trigger', staticData: {} });
		await same({ parameters: checkAlerts, items: benchItems(), credentials: credentials(), continueOnFail: true });
		await same({
			parameters: { ...checkAlerts, token: "={{ $json['token'] }}", thresholds: '={{ $json.name === "Client 5" ? "1d" : "60d, 7d" }}' },
			items: benchItems(),
			credentials: credentials(),
			continueOnFail: true,
			mode: 'trigger',
			staticData: {},
		});
	});
});

/** A second Check for Alerts run both ways from one saved history (the first run's, saved with the shortcuts on). */
async function runFromSaved(staticData: IDataObject): Promise<{ on: Outcome }> {
	await outcome(true, { parameters: checkAlerts, items: benchItems(), credentials: credentials(), continueOnFail: true, mode: 'trigger', staticData });
	const { on } = await same({ parameters: checkAlerts, items: benchItems().reverse(), credentials: credentials(), continueOnFail: true, mode: 'trigger', staticData });
	return { on };
}
