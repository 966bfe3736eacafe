/**
 * The fault matrix in the nodes, run through n8n-core's ExecuteContext / PollContext against the Graph
 * API double over real HTTP: a run with Meta unreachable, words that keep n8n's own message and
 * show a description once, bad parameters named, a never-expiring token refused by Refresh, and
 * output fields that mean one thing in Inspect and the trigger.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { ExpressionError } from 'n8n-workflow';

import { GraphDouble } from '../../tools/graph-double/GraphDouble';
import { runNode, type CredentialStore } from '../../tools/n8n-harness/n8nHarness';
import { pollOnce } from '../support/pollers';
import { MetaToken } from '../../nodes/MetaToken/MetaToken.node';
import { MetaTokenTrigger } from '../../nodes/MetaTokenTrigger/MetaTokenTrigger.node';
import { errorJson } from '../../nodes/shared/failures';

const APP = { id: '1234500012', name: 'Faults App', secret: 'faults-app-secret-canary-12' };
const DAY = 86_400;
const node = new MetaToken();
const trigger = new MetaTokenTrigger();
let double: GraphDouble;
let refusedUrl: string;

beforeAll(async () => {
	double = await GraphDouble.start();
	double.addApp(APP);
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	refusedUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	await new Promise<void>((resolve) => server.close(() => resolve()));
});
afterAll(async () => await double.stop());
beforeEach(() => {
	double.clearFaults();
	double.clearRequests();
	double.setLatency(0);
});

function credentials(accessToken: string, extra: IDataObject = {}): CredentialStore {
	return {
		metaTokenApi: { accessToken, appId: APP.id, appSecret: APP.secret, graphApiVersion: 'v25.0', proofMode: 'auto', baseUrl: double.url, ...extra },
	};
}

function user(extra: Partial<Parameters<GraphDouble['addToken']>[0]> = {}): string {
	return double.addToken({ type: 'USER', appId: APP.id, userId: '77', scopes: ['ads_read'], expiresAt: double.now() + 50 * DAY, ...extra });
}

const json = (items: INodeExecutionData[]) => items.map((item) => item.json);
const errorOf = (item: IDataObject) => item.error as { class: string; reason: string | null; message: string; mayHaveMinted?: boolean };

async function thrown(promise: Promise<unknown>): Promise<Error & { description?: string; context?: IDataObject }> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(Error);
	return error as Error & { description?: string };
}

describe('Meta unreachable (point 3)', () => {
	it('one item pays the retries, the others fail at once with the same classified error, one error item each', async () => {
		const tokens = Array.from({ length: 6 }, () => user());
		const items = await runNode(node, {
			parameters: { operation: 'getPageTokens', tokenSource: 'input', token: '={{ $json.token }}' },
			credentials: credentials(tokens[0], { baseUrl: refusedUrl }),
			items: tokens.map((token) => ({ token })),
			continueOnFail: true,
		});
		expect(items).toHaveLength(6);
		const errors = json(items).map(errorOf);
		expect(errors.every((error) => error.class === 'network')).toBe(true);
		expect(errors[0].message).toContain('ECONNREFUSED');
		expect(errors[0].message).toContain('tried 4 times');
		for (const error of errors.slice(1)) expect(error.message).toContain('Not sent: an earlier call of this run');
		expect(items.map((item) => item.pairedItem)).toEqual(tokens.map((_, i) => ({ item: i })));
		for (const token of tokens) expect(JSON.stringify(items)).not.toContain(token);
	}, 20_000);
});

describe('minting (point 1)', () => {
	it('an exchange whose answer was lost is not retried; the error item says a token may exist and how to check', async () => {
		const short = user({ issuedAt: double.now(), expiresAt: double.now() + 3600 });
		double.injectFault({ fault: { type: 'reset' }, path: '/oauth/access_token', token: short, times: Infinity });
		const good = user({ issuedAt: double.now(), expiresAt: double.now() + 3600 });
		const items = json(
			await runNode(node, {
				parameters: { operation: 'exchange', tokenSource: 'input', token: '={{ $json.token }}' },
				credentials: credentials(good),
				items: [{ token: short }, { token: good }],
				continueOnFail: true,
			}),
		);
		expect(errorOf(items[0])).toMatchObject({ class: 'network', mayHaveMinted: true });
		expect(errorOf(items[0]).message).toContain('A new token may have been created anyway');
		expect(items[1].expiresIn).toBe(60 * DAY);
		expect(double.requests.filter((request) => request.query.fb_exchange_token === short)).toHaveLength(1);
	});

	it.each(['exchange', 'refreshSystemUserToken', 'generateSystemUserToken'])(
		'%s refuses to run under n8n\'s Retry On Fail (a re-run mints every item again), before sending anything',
		async (operation) => {
			const token = user({ issuedAt: double.now(), expiresAt: double.now() + 3600 });
			const error = await thrown(
				runNode(node, {
					parameters: { operation, tokenSource: 'input', token: '={{ $json.token }}', systemUserId: '61550000000000', scopes: 'ads_read' },
					credentials: credentials(token),
					items: [{ token }],
					retryOnFail: true,
					continueOnFail: true,
				}),
			);
			expect(error.message).toMatch(/^Retry On Fail is on for this node/);
			expect(error.description).toMatch(/Turn off Retry On Fail/);
			expect(double.requests).toHaveLength(0);
		},
	);

	it('Inspect runs under Retry On Fail as usual (it mints nothing)', async () => {
		const token = user();
		const items = await runNode(node, { parameters: { operation: 'inspect' }, credentials: credentials(token), retryOnFail: true });
		expect(items[0].json.isValid).toBe(true);
	});
});

describe('words (points 7 and 8)', () => {
	it("keeps n8n's own message for an expression that failed, instead of a generic one", async () => {
		const token = user();
		const parameters = { operation: 'exchange', tokenSource: 'input', token: '={{ $json.ok ? $json.token : $("No Such Node").item.json.token }}' };
		const items = json(
			await runNode(node, {
				parameters,
				credentials: credentials(token),
				items: [{ ok: true, token: user({ issuedAt: double.now(), expiresAt: double.now() + 3600 }) }, { ok: false }],
				continueOnFail: true,
			}),
		);
		expect(items[0].expiresIn).toBe(60 * DAY);
		expect(errorOf(items[1])).toEqual({ class: 'node', reason: null, message: "Referenced node doesn't exist" });
		const error = await thrown(runNode(node, { parameters, credentials: credentials(token), items: [{ ok: false }] }));
		expect(error.message).toBe("Referenced node doesn't exist");
		expect(error.constructor.name).toBe('ExpressionError');
	});

	it("scrubs anything token-shaped and the session's secrets out of n8n's own message", () => {
		const token = 'EAAscrubbedcanary0123456789';
		const raw = new ExpressionError(`Bad value ${token} with ${APP.secret}`, { description: `see ${token}` });
		const item = errorJson(raw, [APP.secret]);
		expect(item).toEqual({ error: { class: 'node', reason: null, message: 'Bad value [redacted] with [redacted]' } });
		expect(errorJson(new Error(`plain ${token}`))).toEqual({ error: { class: 'unknown', reason: null, message: 'Unexpected failure while handling the token' } });
	});

	it("shows what to do once: the panel's message is what happened, the description what to do", async () => {
		const expired = user({ expiresAt: double.now() - 10 });
		const error = await thrown(runNode(node, { parameters: { operation: 'exchange' }, credentials: credentials(expired) }));
		expect(error.message).toContain('The Meta access token has expired.');
		expect(error.description).toContain('Generate a new token');
		expect(error.message).not.toContain(error.description!);
		expect(error.message).toContain('Meta said:');
	});
});

describe('bad parameters (point 9)', () => {
	it.each([NaN, 0, 2.5, 17, 'four'])('Concurrency %p stops the node naming the field', async (concurrency) => {
		const token = user();
		const error = await thrown(
			runNode(node, { parameters: { operation: 'inspect', options: { concurrency } }, credentials: credentials(token) }),
		);
		expect(error.message).toMatch(/^Concurrency must be a whole number from 1 to 16: got /);
		expect(double.requests).toHaveLength(0);
	});

	it('Concurrency from an expression that gives NaN is named too', async () => {
		const error = await thrown(
			runNode(node, { parameters: { operation: 'inspect', options: { concurrency: '={{ Number("x") }}' } }, credentials: credentials(user()) }),
		);
		expect(error.message).toContain('Concurrency must be a whole number');
	});

	it('an empty Events list fails the trigger instead of never firing', async () => {
		const token = user();
		const error = await thrown(
			pollOnce(trigger, { parameters: { events: [] }, credentials: credentials(token) }),
		);
		expect(error.message).toMatch(/^Events: none selected/);
		expect(double.requests).toHaveLength(0);
	});
});

describe('self-inspection uses Concurrency (point 5)', () => {
	it('tokens that inspect themselves go Concurrency at a time', async () => {
		const tokens = Array.from({ length: 8 }, () => user());
		double.setLatency(150);
		const items = await runNode(node, {
			parameters: { operation: 'inspect', tokenSource: 'input', token: '={{ $json.token }}', options: { concurrency: 4 } },
			credentials: credentials(tokens[0], { appId: '', appSecret: '', proofMode: 'off' }),
			items: tokens.map((token) => ({ token })),
		});
		expect(json(items).every((record) => record.isValid === true)).toBe(true);
		expect(double.requests.map((request) => request.callingToken)).toEqual(expect.arrayContaining(tokens));
		expect(double.peakInFlight).toBe(4);
	});
});

describe('refresh of a token that never expires (point 10)', () => {
	it('is refused after inspecting it, and nothing is sent to refresh it', async () => {
		const permanent = double.addToken({ type: 'SYSTEM_USER', appId: APP.id, userId: '616', expiresAt: 0 });
		const expiring = double.addToken({ type: 'SYSTEM_USER', appId: APP.id, userId: '617', expiringSystemUser: true, expiresAt: double.now() + 5 * DAY });
		const items = json(
			await runNode(node, {
				parameters: { operation: 'refreshSystemUserToken', tokenSource: 'input', token: '={{ $json.token }}' },
				credentials: credentials(expiring),
				items: [{ token: permanent }, { token: expiring }],
				continueOnFail: true,
			}),
		);
		expect(errorOf(items[0])).toMatchObject({ class: 'input', reason: 'neverExpires' });
		expect(errorOf(items[0]).message).toContain('never expires');
		expect(items[1].expiresIn).toBe(60 * DAY);
		expect(double.requests.filter((request) => request.query.fb_exchange_token === permanent)).toHaveLength(0);
		// What it would have done: the double models Meta, where the permanent token comes back expiring.
	});
});

describe('output fields mean one thing (point 11)', () => {
	it('a dead token does not "never expire"', async () => {
		const revoked = double.addToken({ type: 'SYSTEM_USER', appId: APP.id, userId: '618', expiresAt: 0 });
		double.invalidate(revoked, 'invalid');
		const [record] = json(await runNode(node, { parameters: { operation: 'inspect' }, credentials: credentials(revoked) }));
		expect(record).toMatchObject({ isValid: false, status: 'invalid', neverExpires: false });
	});

	it("trigger items keep the record's expiresAt and missingScopes; the countdown date is effectiveExpiresAt", async () => {
		const now = double.now();
		// Data access ends (in 5 days) before the token (in 40): alerts count down to data access.
		const token = user({ scopes: ['ads_read'], expiresAt: now + 40 * DAY, dataAccessExpiresAt: now + 5 * DAY + 3600 });
		const result = await pollOnce(trigger, {
			parameters: { thresholds: '7', requiredScopes: 'ads_read,ads_management' },
			credentials: credentials(token),
		});
		const alerts = (result?.[0] ?? []).map((item) => item.json);
		expect(alerts.map((alert) => alert.event)).toEqual(['dataAccessExpiring', 'scopesLost']);
		for (const alert of alerts) {
			expect(alert.expiresAt).toBe(new Date((now + 40 * DAY) * 1000).toISOString());
			expect(alert.effectiveExpiresAt).toBe(new Date((now + 5 * DAY + 3600) * 1000).toISOString());
			expect(alert.missingScopes).toEqual(['ads_management']);
			expect(alert.expiryCause).toBe('dataAccess');
		}
		// The same fields in Inspect's output mean the same.
		const [record] = json(
			await runNode(node, { parameters: { operation: 'inspect', options: { requiredScopes: 'ads_read,ads_management' } }, credentials: credentials(token) }),
		);
		expect([record.expiresAt, record.effectiveExpiresAt, record.missingScopes]).toEqual([
			alerts[0].expiresAt,
			alerts[0].effectiveExpiresAt,
			alerts[0].missingScopes,
		]);
	});
});
