/**
 * Faults in the Graph layer, over real HTTP against the Graph API double: minting calls are not
 * retried when they may have reached Meta, a run stops at once once Meta is unreachable, and a
 * batch call refused for a reason every single call shares costs one call per chunk, not a
 * fallback per token. (Announced waits beyond the budget: GraphClient.double.test.ts.)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { GraphClient, type GraphClientOptions } from '../../nodes/graph/GraphClient';
import { GraphError } from '../../nodes/graph/GraphError';
import type { MetaCredentials } from '../../nodes/meta/types';
import type { GraphTransport } from '../../nodes/graph/http';
import { GraphDouble, type Fault } from '../../tools/graph-double/GraphDouble';
import { authorizedTransport, fetchTransport } from '../support/fetchTransport';
import { inspectAll } from './fakes';

const NOW = 1_790_000_000;
const DAY = 86_400;
const APP = { id: '1000000012', name: 'Faults App', secret: 'dummy-app-secret-faults' };

let double: GraphDouble;
/** A port nothing listens on: connections to it are refused. */
let refusedUrl: string;

beforeAll(async () => {
	double = await GraphDouble.start({ now: NOW });
	double.addApp(APP);
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	refusedUrl = `http://127.0.0.1:${port}`;
});
afterAll(async () => await double.stop());
beforeEach(() => {
	double.clearFaults();
	double.clearRequests();
	double.setNow(NOW);
});

interface Harness {
	client: GraphClient;
	sleeps: number[];
	/** Requests handed to the transport (sent, or tried). */
	sent: () => number;
}

function clientFor(credentials: MetaCredentials, options: Partial<GraphClientOptions> = {}): Harness {
	const sleeps: number[] = [];
	let clock = Date.now();
	let sent = 0;
	const signed = authorizedTransport(credentials, fetchTransport, () => double.now() * 1000);
	const counting: GraphTransport = async (request) => {
		sent++;
		return await signed(request);
	};
	const client = new GraphClient({
		transport: counting,
		baseUrl: double.url,
		appId: credentials.appId,
		appSecret: credentials.appSecret,
		secrets: [credentials.accessToken],
		now: () => clock,
		sleep: async (ms) => {
			sleeps.push(ms);
			clock += ms;
		},
		timeoutMs: 300,
		...options,
	});
	return { client, sleeps, sent: () => sent };
}

const appClient = (token: string, options: Partial<GraphClientOptions> = {}) =>
	clientFor({ accessToken: token, appId: APP.id, appSecret: APP.secret }, options);

function shortLived(): string {
	return double.addToken({ type: 'USER', appId: APP.id, userId: '7', issuedAt: NOW, expiresAt: NOW + 3600 });
}

function expiringSystemUser(): string {
	return double.addToken({ type: 'SYSTEM_USER', appId: APP.id, userId: '615', expiringSystemUser: true, expiresAt: NOW + 5 * DAY });
}

async function failure(promise: Promise<unknown>): Promise<GraphError> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(GraphError);
	return error as GraphError;
}

/** Waits (up to 5 s of real time) until `condition` holds; the assertion after it says what was wrong. */
async function seen(condition: () => boolean): Promise<void> {
	for (let waited = 0; waited < 5000 && !condition(); waited += 20) {
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
}

/** Tokens the double issued that nobody seeded: what a lost answer would orphan. */
const minted = () => double.requests.filter((request) => request.status === 200 && request.path === '/oauth/access_token').length;

describe('minting calls are never retried once they may have reached Meta', () => {
	const mayHaveReachedMeta: Array<[string, Fault, string]> = [
		['a reset after sending', { type: 'reset' }, 'network'],
		['a timeout (slow answer)', { type: 'delay', ms: 1500 }, 'network'],
		['a 5xx Graph error', { type: 'graphError', code: 2 }, 'transient'],
		['a 5xx with no JSON body', { type: 'status', status: 503, body: 'upstream down' }, 'transient'],
		['an HTML page from a proxy', { type: 'html' }, 'transient'],
		['cut-off JSON', { type: 'malformedJson' }, 'badResponse'],
		['an empty body', { type: 'emptyBody' }, 'badResponse'],
	];

	it.each(mayHaveReachedMeta)('exchange: %s → one request, and a message that a token may exist', async (_name, fault, errorClass) => {
		const token = shortLived();
		const { client, sleeps } = appClient(token);
		double.injectFault({ fault, path: '/oauth/access_token', times: Infinity });
		const error = await failure(client.exchangeToken(token));
		// On a loaded machine the client's 300 ms timeout can fire before the double has read the
		// request: wait until it has seen one, then check that no second one follows.
		const exchanges = () => double.requests.filter((request) => request.path === '/oauth/access_token');
		await seen(() => exchanges().length >= 1);
		await new Promise((resolve) => setTimeout(resolve, 100));
		expect(exchanges()).toHaveLength(1);
		expect(sleeps).toEqual([]);
		expect(error).toMatchObject({ errorClass, mayHaveMinted: true, retryable: false });
		expect(error.summary).toContain('A new token may have been created anyway');
		expect(error.description).toContain('check whether a token was created');
		expect(error.description).toContain('debug_token');
		expect(error.message).not.toContain(token);
	});

	it('refresh and generate are minting calls too', async () => {
		const su = expiringSystemUser();
		const admin = double.addToken({ type: 'USER', appId: APP.id, userId: '42', scopes: ['business_management'] });
		double.injectFault({ fault: { type: 'reset' }, times: Infinity, method: 'GET', path: '/oauth/access_token' });
		double.injectFault({ fault: { type: 'reset' }, times: Infinity, path: '/61550000000009/access_tokens' });
		const refresh = await failure(appClient(su).client.refreshSystemUserToken(su));
		const generate = await failure(
			appClient(admin).client.generateSystemUserToken({ systemUserId: '61550000000009', scopes: ['ads_read'], expiring: true, adminToken: admin }),
		);
		expect([refresh.mayHaveMinted, generate.mayHaveMinted]).toEqual([true, true]);
		await seen(() => double.requests.length >= 2);
		expect(double.requests).toHaveLength(2);
	});

	it('a rate limit (Meta did not process it) is retried, and exactly one token comes out', async () => {
		const token = shortLived();
		const { client, sleeps } = appClient(token);
		double.injectFault({ fault: { type: 'rateLimit' }, path: '/oauth/access_token' });
		const answer = await client.exchangeToken(token);
		expect(answer.expires_in).toBe(60 * DAY);
		expect(double.requests).toHaveLength(2);
		expect(minted()).toBe(1);
		expect(sleeps).toHaveLength(1);
	});

	it('a refused connection (nothing reached Meta) is retried, and says nothing of a token', async () => {
		const token = shortLived();
		const { client, sleeps, sent } = appClient(token, { baseUrl: refusedUrl });
		const error = await failure(client.exchangeToken(token));
		expect(sent()).toBe(4);
		expect(sleeps).toEqual([1000, 2000, 4000]);
		expect(error).toMatchObject({ errorClass: 'network', mayHaveMinted: false, neverReachedMeta: true });
		expect(error.summary).toContain('ECONNREFUSED');
		expect(error.summary).toContain('tried 4 times');
		expect(error.message).not.toContain('may have been created');
	});

	it('a Graph refusal (expired token) created nothing and says so by saying nothing of a token', async () => {
		const token = shortLived();
		double.advance(7200);
		const error = await failure(appClient(token).client.exchangeToken(token));
		expect(error).toMatchObject({ errorClass: 'auth', reason: 'expired', mayHaveMinted: false });
	});

	it('idempotent calls keep their retries: revoke after a reset, inspect after a timeout', async () => {
		const user = double.addToken({ type: 'USER', appId: APP.id, userId: '8' });
		const { client } = appClient(user);
		double.injectFault({ fault: { type: 'reset' }, path: '/me/permissions' });
		double.injectFault({ fault: { type: 'delay', ms: 1500 }, path: '/debug_token' });
		await expect(client.debugToken(user)).resolves.toMatchObject({ is_valid: true });
		await client.revokeUserToken(user);
		expect(double.requests.map((request) => [request.path, request.status])).toEqual([
			['/debug_token', 0],
			['/debug_token', 200],
			['/me/permissions', 0],
			['/me/permissions', 200],
		]);
	});
});

describe('Meta unreachable: the rest of the run fails at once', () => {
	it('after one call used up its retries, later calls are not sent and carry the same classified error', async () => {
		const token = shortLived();
		const { client, sleeps, sent } = appClient(token, { baseUrl: refusedUrl });
		const first = await failure(client.debugToken(token));
		expect(sent()).toBe(4);
		const later = await Promise.all(
			Array.from({ length: 20 }, async () => await failure(client.getPageAccounts({ accessToken: token }))),
		);
		const exchange = await failure(client.exchangeToken(token));
		expect(sent()).toBe(4);
		expect(sleeps).toEqual([1000, 2000, 4000]);
		for (const error of [...later, exchange]) {
			expect(error).toMatchObject({ errorClass: first.errorClass, mayHaveMinted: false, retryable: false });
			expect(error.summary).toContain('ECONNREFUSED');
			expect(error.summary).toContain('Not sent: an earlier call of this run could not reach the Graph API');
		}
	});

	it('a minting call with no answer within the timeout stops the run; one reset alone does not', async () => {
		const [a, b, c] = [shortLived(), shortLived(), shortLived()];
		const reset = appClient(a);
		double.injectFault({ fault: { type: 'reset' }, token: a, path: '/oauth/access_token' });
		expect((await failure(reset.client.exchangeToken(a))).mayHaveMinted).toBe(true);
		await expect(reset.client.exchangeToken(b)).resolves.toMatchObject({ expires_in: 60 * DAY });

		const blackhole = appClient(a);
		double.injectFault({ fault: { type: 'delay', ms: 1500 }, path: '/oauth/access_token', times: Infinity });
		const first = await failure(blackhole.client.exchangeToken(a));
		expect(first).toMatchObject({ timedOut: true, mayHaveMinted: true });
		const sentBefore = blackhole.sent();
		const next = await failure(blackhole.client.exchangeToken(c));
		expect(blackhole.sent()).toBe(sentBefore);
		expect(next).toMatchObject({ errorClass: 'network', mayHaveMinted: false });
		expect(next.summary).toContain('Not sent');
	});

	it('a failure Meta answered (not a transport failure) does not stop the run', async () => {
		const token = shortLived();
		const { client } = appClient(token);
		double.injectFault({ fault: { type: 'graphError', code: 2 }, path: '/debug_token', times: 4 });
		await failure(client.debugToken(token));
		await expect(client.debugToken(token)).resolves.toMatchObject({ is_valid: true });
	});

	it('a batch inspection fails every item with it, at no more than one call sequence per chunk', async () => {
		const token = shortLived();
		const { client, sent } = appClient(token, { baseUrl: refusedUrl });
		const results = await inspectAll(client, Array.from({ length: 120 }, (_, i) => `EAAunreachable${i}xxxxxxxx`), { concurrency: 1 });
		expect(results.every((result) => !result.ok && result.error.errorClass === 'network')).toBe(true);
		// The first chunk's batch call used up its 4 tries; chunks 2 and 3 were never sent.
		expect(sent()).toBe(4);
	});
});

describe('a batch call refused for every item alike costs one call per chunk', () => {
	it('an unknown API version with 1,000 tokens: 20 batch calls, no single calls, a message naming the version field', async () => {
		const app = double.addToken({ type: 'USER', appId: APP.id, userId: '9' });
		const tokens = Array.from({ length: 1000 }, (_, i) => double.addToken({ type: 'USER', appId: APP.id, userId: String(1000 + i) }));
		double.clearRequests();
		const { client } = appClient(app, { version: 'v99.0' });
		const results = await inspectAll(client, tokens, { concurrency: 4 });
		expect(double.requests).toHaveLength(20);
		expect(double.requests.every((request) => request.path === '/' && request.batchSize === 50)).toBe(true);
		const errors = results.map((result) => (result.ok ? null : result.error));
		expect(errors.every((error) => error?.errorClass === 'badRequest' && error.code === 2635)).toBe(true);
		expect(errors[0]?.message).toContain("Set the credential's Graph API Version to a current one");
	});

	it('a refused app token (wrong secret): every item says so, one call', async () => {
		const token = shortLived();
		const { client } = clientFor({ accessToken: token, appId: APP.id, appSecret: 'not-the-secret-at-all' });
		const results = await inspectAll(client, [token, shortLived(), shortLived()]);
		expect(results.map((result) => !result.ok && result.error.errorClass)).toEqual(['auth', 'auth', 'auth']);
		expect(double.requests).toHaveLength(1);
	});

	it('an unusable batch answer still falls back to single calls', async () => {
		const token = shortLived();
		const others = [shortLived(), shortLived()];
		const { client } = appClient(token);
		double.injectFault({ fault: { type: 'batchUnusable' }, path: '/' });
		const results = await inspectAll(client, others);
		expect(results.every((result) => result.ok && result.data.is_valid === true)).toBe(true);
		expect(double.requests.map((request) => request.path)).toEqual(['/', '/debug_token', '/debug_token']);
	});
});
