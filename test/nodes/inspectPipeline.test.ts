/**
 * The pipelined Inspect (batch calls leaving while later items are read,
 * per-run options read once) puts out exactly what the Inspect before it did, item for item —
 * records, error items, duplicates, bad input, Continue On Fail, per-item options, and the error
 * that stops a run. Both run through n8n-core's ExecuteContext against the same Graph double.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';

import { MetaToken } from '../../nodes/MetaToken/MetaToken.node';
import { graphSession } from '../../nodes/shared/graphSession';
import { GraphDouble } from '../../tools/graph-double/GraphDouble';
import { runNode, type CredentialStore, type NodeRunOptions } from '../../tools/n8n-harness/n8nHarness';
import { execute as inspectBefore } from './support/unpipelinedInspect';

const APP = { id: '1234567890', name: 'Reporting App', secret: 'app-secret-pipeline-5e1' };
const DAY = 86_400;

let double: GraphDouble;
const pipelined = new MetaToken();
/** The same node, its Inspect without pipelining (support/unpipelinedInspect.ts). */
const before: INodeType = {
	description: pipelined.description,
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [await inspectBefore.call(this, this.getInputData(), await graphSession(this))];
	},
};

beforeAll(async () => {
	double = await GraphDouble.start();
	double.addApp(APP);
});
afterAll(async () => await double.stop());
beforeEach(() => {
	double.clearFaults();
	double.clearRequests();
	double.setQuota(null);
});

function credentials(extra: IDataObject = {}): CredentialStore {
	return {
		metaTokenApi: {
			accessToken: 'EAAunusedCredentialToken0001',
			appId: APP.id,
			appSecret: APP.secret,
			graphApiVersion: 'v25.0',
			proofMode: 'auto',
			baseUrl: double.url,
			...extra,
		},
	};
}

function userToken(days: number, extra: Partial<Parameters<GraphDouble['addToken']>[0]> = {}): string {
	return double.addToken({
		type: 'USER',
		appId: APP.id,
		userId: '10215241773831025',
		scopes: ['ads_read', 'public_profile'],
		expiresAt: double.now() + days * DAY + 60,
		dataAccessExpiresAt: 0,
		...extra,
	});
}

/** 130 items of every kind: live, expiring, expired, invalidated, unknown, duplicates, bad input. */
function mixedItems(): IDataObject[] {
	const items: IDataObject[] = [];
	const live = Array.from({ length: 100 }, (_, index) => userToken(index + 1));
	const expired = userToken(-2);
	const invalidated = userToken(30);
	double.invalidate(invalidated, 'passwordChanged');
	for (let index = 0; index < 130; index++) {
		const scopes = index % 3 === 0 ? 'ads_read,ads_management' : '';
		const days = index % 4;
		let token: unknown = live[index % live.length];
		if (index % 17 === 5) token = expired;
		if (index % 19 === 7) token = invalidated;
		if (index % 23 === 11) token = 'EAAneverIssuedByTheDouble000000';
		if (index % 29 === 13) token = 42;
		if (index % 31 === 17) token = '   ';
		if (index % 37 === 19) token = 'Bearer';
		if (index === 64) token = { nested: true };
		items.push({ token: token as IDataObject['token'], scopes, days });
	}
	return items;
}

async function outcome(nodeType: INodeType, options: NodeRunOptions): Promise<unknown> {
	try {
		return { output: await runNode(nodeType, options) };
	} catch (error) {
		const failure = error as { message: string; description?: string; context?: IDataObject };
		return { thrown: { message: failure.message, description: failure.description, itemIndex: failure.context?.itemIndex } };
	}
}

/** Runs both with the same inputs and expects the same outcome; returns it. */
async function same(options: NodeRunOptions): Promise<unknown> {
	const old = await outcome(before, options);
	const now = await outcome(pipelined, options);
	expect(now).toEqual(old);
	return now;
}

describe('the pipelined Inspect puts out what the Inspect before it did', () => {
	it('for 130 mixed items under Continue On Fail, with fixed options', async () => {
		const result = (await same({
			parameters: {
				operation: 'inspect',
				tokenSource: 'input',
				token: '={{ $json.token }}',
				options: { requiredScopes: 'ads_read,ads_management', expiringWithinDays: 14 },
			},
			items: mixedItems(),
			credentials: credentials(),
			continueOnFail: true,
		})) as { output: INodeExecutionData[] };
		// Not vacuous: records, error items and both kinds of failed input are in it.
		const outputs = result.output.map((item) => item.json);
		expect(outputs).toHaveLength(130);
		expect(outputs.filter((json) => json.status === 'expiring').length).toBeGreaterThan(0);
		expect(outputs.filter((json) => json.status === 'invalid').length).toBeGreaterThan(0);
		expect(outputs.filter((json) => json.error && json.isValid === undefined).length).toBeGreaterThanOrEqual(4);
	});

	it('with options given per item by expressions', async () => {
		await same({
			parameters: {
				operation: 'inspect',
				tokenSource: 'input',
				token: '={{ $json.token }}',
				options: { requiredScopes: '={{ $json.scopes }}', expiringWithinDays: '={{ $json.days }}', concurrency: 2 },
			},
			items: mixedItems(),
			credentials: credentials(),
			continueOnFail: true,
		});
	});

	it('when an item stops the run (no Continue On Fail): the same error, for the same item', async () => {
		const result = (await same({
			parameters: { operation: 'inspect', tokenSource: 'input', token: '={{ $json.token }}' },
			items: mixedItems(),
			credentials: credentials(),
		})) as { thrown?: { message: string } };
		expect(result.thrown?.message).toBeDefined();
	});

	it('when the Token expression itself fails for some items', async () => {
		const items = mixedItems().map((item, index) => (index % 10 === 3 ? { other: true } : item));
		await same({
			parameters: { operation: 'inspect', tokenSource: 'input', token: '={{ $json.token.trim() }}' },
			items,
			credentials: credentials(),
			continueOnFail: true,
		});
	});

	it('when the batch call itself is refused (a wrong App Secret): every item says so', async () => {
		await same({
			parameters: { operation: 'inspect', tokenSource: 'input', token: '={{ $json.token }}' },
			items: mixedItems(),
			credentials: credentials({ appSecret: 'not-the-secret' }),
			continueOnFail: true,
		});
	});

	it('for tokens inspecting themselves (no App Secret), one token, and one token many times', async () => {
		await same({
			parameters: { operation: 'inspect', tokenSource: 'input', token: '={{ $json.token }}' },
			items: mixedItems().slice(0, 40),
			credentials: credentials({ appSecret: '' }),
			continueOnFail: true,
		});
		const one = userToken(10);
		await same({
			parameters: { operation: 'inspect', tokenSource: 'input', token: '={{ $json.token }}' },
			items: [{ token: one }],
			credentials: credentials(),
		});
		await same({
			parameters: { operation: 'inspect', tokenSource: 'input', token: '={{ $json.token }}' },
			items: Array.from({ length: 70 }, () => ({ token: one })),
			credentials: credentials(),
		});
	});

	it('for the credential’s own token, and with an invalid Concurrency', async () => {
		const own = userToken(3);
		await same({ parameters: { operation: 'inspect' }, items: [{}, {}, {}], credentials: credentials({ accessToken: own }) });
		await same({
			parameters: { operation: 'inspect', tokenSource: 'input', token: '={{ $json.token }}', options: { concurrency: 0 } },
			items: mixedItems().slice(0, 5),
			credentials: credentials(),
		});
	});
});
