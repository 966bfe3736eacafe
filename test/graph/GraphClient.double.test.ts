/**
 * The Graph client over real HTTP against the Graph API double, signed exactly as n8n's credential
 * signs requests (token in the Authorization header, appsecret_proof for that token).
 */
import { GraphClient, type GraphClientOptions } from '../../nodes/graph/GraphClient';
import { GraphError } from '../../nodes/graph/GraphError';
import type { GraphRequestLogEntry } from '../../nodes/graph/sender';
import type { GraphErrorClass, MetaCredentials } from '../../nodes/meta/types';
import { GraphDouble, type Fault, type LoggedRequest } from '../../tools/graph-double/GraphDouble';
import { authorizedTransport, fetchTransport } from '../support/fetchTransport';
import { runBatch, inspectAll } from './fakes';

/** 2026-09-21, unix seconds: the double's clock, which moves only when told. */
const NOW = 1_790_000_000;
const DAY = 86_400;

const APP = { id: '1000000001', name: 'Reporting App', secret: 'dummy-app-secret-open' };
const LOCKED = { id: '1000000002', name: 'Locked App', secret: 'dummy-app-secret-locked', requireAppSecret: true };

let double: GraphDouble;

beforeAll(async () => {
	double = await GraphDouble.start({ now: NOW });
	double.addApp(APP);
	double.addApp(LOCKED);
});

afterAll(async () => {
	await double.stop();
});

beforeEach(() => {
	double.clearFaults();
	double.clearRequests();
	double.setNow(NOW);
});

interface Harness {
	client: GraphClient;
	sleeps: number[];
	log: GraphRequestLogEntry[];
}

/** A client as the node builds it: the credential signs, the client knows the app and the secrets. */
function clientFor(credentials: MetaCredentials, options: Partial<GraphClientOptions> = {}): Harness {
	const sleeps: number[] = [];
	const log: GraphRequestLogEntry[] = [];
	let clock = Date.now();
	const client = new GraphClient({
		transport: authorizedTransport(credentials, fetchTransport, () => double.now() * 1000),
		baseUrl: `${double.url}/`,
		appId: credentials.appId,
		appSecret: credentials.appSecret,
		secrets: [credentials.accessToken],
		// Waits are recorded, not slept: retries run at once, on a client clock that only waits move.
		now: () => clock,
		sleep: async (ms) => {
			sleeps.push(ms);
			clock += ms;
		},
		timeoutMs: 2000,
		onRequest: (entry) => log.push(entry),
		...options,
	});
	return { client, sleeps, log };
}

function userToken(app = APP, extra: Partial<Parameters<GraphDouble['addToken']>[0]> = {}): string {
	return double.addToken({
		type: 'USER',
		appId: app.id,
		userId: '10215241773831025',
		scopes: ['ads_read', 'business_management'],
		expiresAt: NOW + 50 * DAY,
		dataAccessExpiresAt: NOW + 80 * DAY,
		...extra,
	});
}

function openClient(options: Partial<GraphClientOptions> = {}, token = userToken()): Harness & { token: string } {
	return { token, ...clientFor({ accessToken: token, appId: APP.id, appSecret: APP.secret }, options) };
}

async function failure(promise: Promise<unknown>): Promise<GraphError> {
	try {
		await promise;
	} catch (error) {
		expect(error).toBeInstanceOf(GraphError);
		return error as GraphError;
	}
	throw new Error('expected a GraphError');
}

const graphCalls = (): LoggedRequest[] => double.requests;
const batchCalls = (): LoggedRequest[] => double.requests.filter((request) => request.path === '/');

describe('endpoints', () => {
	it('debugToken inspects with the app token, the token in the header, never in the query', async () => {
		const { client, token } = openClient();
		const data = await client.debugToken(token);
		expect(data).toMatchObject({ app_id: APP.id, type: 'USER', is_valid: true, expires_at: NOW + 50 * DAY });
		const [request] = graphCalls();
		expect(request).toMatchObject({ method: 'GET', path: '/debug_token', version: 'v25.0', status: 200 });
		expect(request.callingToken).toBe(`${APP.id}|${APP.secret}`);
		expect(request.query.access_token).toBeUndefined();
		expect(request.query.input_token).toBe(token);
		expect(request.headers.authorization).toBe(`Bearer ${APP.id}|${APP.secret}`);
	});

	it('debugToken reports a dead token as data, not as an error', async () => {
		const { client, token } = openClient();
		double.invalidate(token, 'passwordChanged');
		const data = await client.debugToken(token);
		expect(data.is_valid).toBe(false);
		expect(data.error).toMatchObject({ code: 190, subcode: 460 });
	});

	it('debugToken lets a token inspect itself when no app secret is known', async () => {
		const token = userToken();
		const { client } = clientFor({ accessToken: token });
		await expect(client.debugToken(token)).resolves.toMatchObject({ is_valid: true });
		expect(graphCalls()[0].callingToken).toBe(token);
	});

	it('exchangeToken turns a short-lived user token into a 60-day one', async () => {
		const short = userToken(APP, { expiresAt: NOW + 3600, issuedAt: NOW });
		const { client } = clientFor({ accessToken: short, appId: APP.id, appSecret: APP.secret });
		const answer = await client.exchangeToken(short);
		expect(answer.access_token).not.toBe(short);
		expect(answer.expires_in).toBe(60 * DAY);
		const data = await client.debugToken(answer.access_token);
		expect(data).toMatchObject({ is_valid: true, expires_at: NOW + 60 * DAY });
		expect(graphCalls()[0]).toMatchObject({
			path: '/oauth/access_token',
			query: { grant_type: 'fb_exchange_token', client_id: APP.id, fb_exchange_token: short },
		});
	});

	it('refreshSystemUserToken renews an expiring system-user token', async () => {
		const systemUser = double.addToken({
			type: 'SYSTEM_USER',
			appId: APP.id,
			userId: '61550000000001',
			scopes: ['ads_read'],
			expiringSystemUser: true,
			expiresAt: NOW + 5 * DAY,
		});
		const { client } = clientFor({ accessToken: systemUser, appId: APP.id, appSecret: APP.secret });
		double.advance(DAY);
		const answer = await client.refreshSystemUserToken(systemUser);
		expect(answer.expires_in).toBe(60 * DAY);
		expect(graphCalls()[0].query.set_token_expires_in_60_days).toBe('true');
		await expect(client.debugToken(answer.access_token)).resolves.toMatchObject({
			type: 'SYSTEM_USER',
			expires_at: NOW + DAY + 60 * DAY,
		});
	});

	it('generateSystemUserToken makes permanent and expiring tokens with an admin token and its proof', async () => {
		const admin = double.addToken({ type: 'SYSTEM_USER', appId: APP.id, userId: '61550000000009', scopes: ['business_management'] });
		const { client } = clientFor({ accessToken: admin, appId: APP.id, appSecret: APP.secret });
		const permanent = await client.generateSystemUserToken({ systemUserId: '61550000000002', scopes: ['ads_read'], expiring: false });
		const expiring = await client.generateSystemUserToken({
			systemUserId: '61550000000002',
			scopes: ['ads_read', 'ads_management'],
			expiring: true,
			adminToken: admin,
		});
		const [first, second] = graphCalls();
		expect(first).toMatchObject({ method: 'POST', path: '/61550000000002/access_tokens', callingToken: admin });
		expect(first.form).toEqual({ business_app: APP.id, scope: 'ads_read' });
		expect(first.query.appsecret_proof).toMatch(/^[0-9a-f]{64}$/);
		expect(second.form.set_token_expires_in_60_days).toBe('true');
		await expect(client.debugToken(permanent.access_token)).resolves.toMatchObject({ type: 'SYSTEM_USER', expires_at: 0 });
		await expect(client.debugToken(expiring.access_token)).resolves.toMatchObject({
			scopes: ['ads_read', 'ads_management'],
			expires_at: NOW + 60 * DAY,
		});
	});

	it('generateSystemUserToken without a proof fails as proofRequired', async () => {
		const admin = double.addToken({ type: 'SYSTEM_USER', appId: APP.id, scopes: ['business_management'] });
		const { client } = clientFor({ accessToken: admin, appId: APP.id, appSecret: APP.secret, proofMode: 'off' });
		const error = await failure(client.generateSystemUserToken({ systemUserId: '1', scopes: ['ads_read'], expiring: true }));
		expect(error.errorClass).toBe('proofRequired');
		expect(graphCalls()).toHaveLength(1);
	});

	it('getPageAccounts pages with its own cursor URL, never Meta`s next link', async () => {
		const pages = Array.from({ length: 5 }, (_, index) => ({
			id: `10000000000000${index}`,
			name: `Page ${index}`,
			category: 'Brand',
			tasks: ['ADVERTISE', 'ANALYZE'],
		}));
		const { client, log } = openClient({}, userToken(APP, { pages }));
		const accounts = await client.getPageAccounts({ pageSize: 2 });
		expect(accounts.map((account) => account.id)).toEqual(pages.map((page) => page.id));
		expect(accounts[0]).toMatchObject({ name: 'Page 0', category: 'Brand', tasks: ['ADVERTISE', 'ANALYZE'] });
		expect(accounts.every((account) => account.access_token?.startsWith('EAA'))).toBe(true);
		const calls = graphCalls();
		expect(calls).toHaveLength(3);
		expect(calls.map((call) => call.query.after === undefined)).toEqual([true, false, false]);
		for (const call of calls) {
			expect(call.query.access_token).toBeUndefined();
			expect(call.query.limit).toBe('2');
		}
		expect(log.every((entry) => !entry.url.includes('EAA'))).toBe(true);
	});

	it('getPageAccounts of a user without a Page role fails as auth/noPageRole', async () => {
		const { client, token } = openClient();
		double.invalidate(token, 'noPageRole');
		expect((await failure(client.getPageAccounts())).reason).toBe('noPageRole');
	});

	it('revokeUserToken de-authorises the app for that user', async () => {
		const { client, token } = openClient();
		await client.revokeUserToken(token);
		expect(graphCalls()[0]).toMatchObject({ method: 'DELETE', path: '/me/permissions', callingToken: token });
		await expect(client.debugToken(token)).resolves.toMatchObject({ is_valid: false, error: { subcode: 458 } });
	});

	it('revokeSystemUserToken revokes (Meta answers success as a string)', async () => {
		const admin = double.addToken({ type: 'SYSTEM_USER', appId: APP.id, scopes: ['business_management'] });
		const doomed = double.addToken({ type: 'SYSTEM_USER', appId: APP.id, scopes: ['ads_read'] });
		const { client } = clientFor({ accessToken: admin, appId: APP.id, appSecret: APP.secret });
		await client.revokeSystemUserToken(doomed);
		expect(graphCalls()[0]).toMatchObject({ path: '/oauth/revoke', callingToken: admin, query: { revoke_token: doomed } });
		await expect(client.debugToken(doomed)).resolves.toMatchObject({ is_valid: false });
	});

	it.each<['passwordChanged' | 'checkpoint' | 'inactive' | 'invalid' | 'expired', string]>([
		['passwordChanged', 'passwordChanged'],
		['checkpoint', 'checkpoint'],
		['inactive', 'inactive'],
		['invalid', 'invalid'],
		['expired', 'expired'],
	])('a credential token invalidated as %s fails as auth/%s, once', async (reason, expected) => {
		const { client, token } = openClient();
		double.invalidate(token, reason);
		const error = await failure(client.getPageAccounts());
		expect(error).toMatchObject({ errorClass: 'auth', reason: expected, retryable: false });
		expect(graphCalls()).toHaveLength(1);
	});
});

describe('appsecret_proof modes against an app with "Require App Secret"', () => {
	const lockedToken = (): string => userToken(LOCKED, { pages: [{ id: '1', name: 'P' }] });

	it('auto sends the classic proof', async () => {
		const token = lockedToken();
		const { client } = clientFor({ accessToken: token, appId: LOCKED.id, appSecret: LOCKED.secret, proofMode: 'auto' });
		await expect(client.getPageAccounts()).resolves.toHaveLength(1);
		expect(graphCalls()[0].query.appsecret_proof).toMatch(/^[0-9a-f]{64}$/);
		expect(graphCalls()[0].query.appsecret_time).toBeUndefined();
	});

	it('timestamped sends the proof with appsecret_time from the clock', async () => {
		const token = lockedToken();
		const { client } = clientFor({ accessToken: token, appId: LOCKED.id, appSecret: LOCKED.secret, proofMode: 'timestamped' });
		await expect(client.getPageAccounts()).resolves.toHaveLength(1);
		expect(graphCalls()[0].query.appsecret_time).toBe(String(NOW));
	});

	it('off fails as proofRequired, explaining the setting, not retried', async () => {
		const token = lockedToken();
		const { client } = clientFor({ accessToken: token, appId: LOCKED.id, appSecret: LOCKED.secret, proofMode: 'off' });
		const error = await failure(client.getPageAccounts());
		expect(error.errorClass).toBe('proofRequired');
		expect(error.message).toContain('Require App Secret');
		expect(graphCalls()).toHaveLength(1);
	});

	it('a wrong App Secret fails as proofRequired', async () => {
		const token = lockedToken();
		const { client } = clientFor({ accessToken: token, appSecret: 'dummy-wrong-secret' });
		expect((await failure(client.getPageAccounts())).errorClass).toBe('proofRequired');
	});

	it('a batch carries the proof for its sub-requests', async () => {
		const tokens = [lockedToken(), lockedToken()];
		const { client } = clientFor({ accessToken: tokens[0], appId: LOCKED.id, appSecret: LOCKED.secret });
		const results = await runBatch(client, 
			[{ method: 'GET', relativeUrl: 'me/accounts?fields=id' }, { method: 'GET', relativeUrl: 'me/accounts' }],
			{ accessToken: tokens[1] },
		);
		expect(results.map((result) => result.ok && result.status)).toEqual([200, 200]);
		expect(batchCalls()).toHaveLength(1);
	});
});

describe('batches', () => {
	const manyTokens = (count: number): string[] => Array.from({ length: count }, () => userToken());

	it('inspects 120 tokens in batch calls of at most 50, the first a tenth of the run, results in input order', async () => {
		const tokens = manyTokens(120);
		double.invalidate(tokens[77], 'passwordChanged');
		const { client } = openClient();
		const results = await inspectAll(client, tokens);
		// A tenth goes first: its usage headers tell how much of the app's quota the rest may take.
		expect(batchCalls().map((call) => call.batchSize)).toEqual([12, 50, 50, 8]);
		expect(graphCalls()).toHaveLength(4);
		expect(results.every((result) => result.ok)).toBe(true);
		expect(results.map((result) => result.ok && result.data.is_valid)).toEqual(tokens.map((_, index) => index !== 77));
	});

	it('asks again, in a later batch, for items answered null', async () => {
		const tokens = manyTokens(5);
		double.injectFault({ fault: { type: 'batchNull', indexes: [1, 3] }, path: '/' });
		const { client, sleeps } = openClient();
		const results = await inspectAll(client, tokens);
		expect(results.every((result) => result.ok && result.data.is_valid)).toBe(true);
		expect(batchCalls().map((call) => call.batchSize)).toEqual([5, 2]);
		expect(sleeps).toEqual([1000]);
	});

	it('falls back to single calls for items that stay null', async () => {
		const tokens = manyTokens(3);
		double.injectFault({ fault: { type: 'batchNull', indexes: [0] }, path: '/', times: Infinity });
		const { client } = openClient({ maxAttempts: 3 });
		const results = await inspectAll(client, tokens);
		expect(results.every((result) => result.ok && result.data.is_valid)).toBe(true);
		expect(batchCalls().map((call) => call.batchSize)).toEqual([3, 1, 1]);
		expect(graphCalls().filter((call) => call.path === '/debug_token')).toHaveLength(1);
	});

	it('falls back to single calls when the batch answer is unusable', async () => {
		const tokens = manyTokens(4);
		double.injectFault({ fault: { type: 'batchUnusable' }, path: '/' });
		const { client } = openClient();
		const results = await inspectAll(client, tokens);
		expect(results.every((result) => result.ok && result.data.is_valid)).toBe(true);
		expect(graphCalls().map((call) => call.path)).toEqual(['/', '/debug_token', '/debug_token', '/debug_token', '/debug_token']);
	});

	it('retries a rate-limited item after the wait, in a later batch', async () => {
		const tokens = manyTokens(3);
		double.injectFault({ fault: { type: 'rateLimit', code: 17 }, path: '/debug_token' });
		const { client, sleeps } = openClient();
		const results = await inspectAll(client, tokens);
		expect(results.every((result) => result.ok && result.data.is_valid)).toBe(true);
		expect(batchCalls().map((call) => call.batchSize)).toEqual([3, 1]);
		expect(sleeps).toEqual([1000]);
	});

	it('classifies an item error and leaves the other items alone', async () => {
		const tokens = manyTokens(3);
		double.injectFault({ fault: { type: 'graphError', code: 200 }, path: '/debug_token' });
		const { client } = openClient();
		const results = await inspectAll(client, tokens);
		expect(results[0]).toMatchObject({ ok: false, error: { errorClass: 'permission' } });
		expect(!results[0].ok && results[0].error.message).toContain('business_management');
		expect(results.slice(1).every((result) => result.ok)).toBe(true);
		expect(batchCalls()).toHaveLength(1);
	});

	it('fails every item when the calling token is dead, without single calls', async () => {
		const tokens = manyTokens(3);
		const { client } = openClient();
		const results = await inspectAll(client, tokens, { accessToken: `${APP.id}|dummy-not-the-secret` });
		expect(results.map((result) => !result.ok && result.error.errorClass)).toEqual(['auth', 'auth', 'auth']);
		expect(graphCalls()).toHaveLength(1);
	});

	it('retries a batch call that failed transiently', async () => {
		const tokens = manyTokens(2);
		double.injectFault({ fault: { type: 'html' }, path: '/' });
		const { client } = openClient();
		const results = await inspectAll(client, tokens);
		expect(results.every((result) => result.ok)).toBe(true);
		expect(batchCalls().map((call) => call.status)).toEqual([502, 200]);
	});
});

describe('app quota over real HTTP', () => {
	afterEach(() => {
		double.setQuota(null);
	});

	// A window longer than the old fixed retries (0.1 + 0.2 + 0.4 s) lost items here; pacing on the
	// headers and a wait budget instead of an attempt count gets every one through — and cutting
	// batches to the room left, with one-item probes after a pause, wastes few counted calls
	// however Meta refuses a throttled batch.
	it.each(['partial', 'whole'] as const)(
		'inspects 300 tokens through a quota of 120 calls per 1 s window, batches refused %s: every one, no error, ≤ 10 %% wasted',
		async (batches) => {
			const tokens = Array.from({ length: 300 }, () => userToken());
			tokens.slice(0, 30).forEach((token) => double.invalidate(token, 'passwordChanged'));
			double.setQuota({ calls: 120, windowMs: 1000, batches });
			const { client } = openClient({
				// Real waits on the real clock: the double's quota window runs on it.
				now: Date.now,
				sleep: async (ms) => await new Promise((resolve) => setTimeout(resolve, ms)),
				baseDelayMs: 250,
			});
			const started = Date.now();
			const results = await inspectAll(client, tokens, { concurrency: 4 });
			const elapsedMs = Date.now() - started;

			expect(results.filter((result) => !result.ok)).toEqual([]);
			expect(results.map((result) => result.ok && result.data.is_valid)).toEqual(tokens.map((_, index) => index >= 30));
			const counted = graphCalls().reduce((sum, call) => sum + (call.batchSize ?? 1), 0);
			// The quota was really hit (two waits for a new window), yet little was spent on refusals.
			expect(counted).toBeGreaterThanOrEqual(300);
			expect(counted).toBeLessThanOrEqual(330);
			expect(Math.max(...graphCalls().map((call) => call.batchSize ?? 1))).toBeLessThanOrEqual(50);
			// Three windows of 120: the last opens two windows (2 s) after the first.
			expect(elapsedMs).toBeGreaterThanOrEqual(2000);
			expect(elapsedMs).toBeLessThan(5000);
		},
	);
});

describe('every injected fault', () => {
	interface Case {
		name: string;
		fault: Fault;
		/** Error class when the fault persists; undefined = the call succeeds despite it. */
		errorClass: GraphErrorClass;
		/** Requests the double sees when the fault persists. */
		requests: number;
	}

	const cases: Case[] = [
		{ name: 'auth', fault: { type: 'graphError', code: 190, subcode: 463, status: 401 }, errorClass: 'auth', requests: 1 },
		{ name: 'session 102', fault: { type: 'graphError', code: 102 }, errorClass: 'auth', requests: 1 },
		{ name: 'inactive 2500', fault: { type: 'graphError', code: 2500 }, errorClass: 'auth', requests: 1 },
		{ name: 'permission', fault: { type: 'graphError', code: 200 }, errorClass: 'permission', requests: 1 },
		{ name: 'permission 10', fault: { type: 'graphError', code: 10 }, errorClass: 'permission', requests: 1 },
		{
			name: 'proof',
			fault: { type: 'graphError', code: 100, message: 'API calls from the server require an appsecret_proof argument' },
			errorClass: 'proofRequired',
			requests: 1,
		},
		{ name: 'bad parameter', fault: { type: 'graphError', code: 100 }, errorClass: 'badRequest', requests: 1 },
		{ name: 'policy', fault: { type: 'graphError', code: 368 }, errorClass: 'policy', requests: 1 },
		{ name: 'unknown error', fault: { type: 'graphError', code: 1 }, errorClass: 'transient', requests: 4 },
		{ name: 'service down', fault: { type: 'graphError', code: 2 }, errorClass: 'transient', requests: 4 },
		{ name: 'flagged transient', fault: { type: 'graphError', code: 100, isTransient: true }, errorClass: 'transient', requests: 4 },
		{ name: 'app rate limit', fault: { type: 'rateLimit' }, errorClass: 'rateLimit', requests: 7 },
		{ name: 'page rate limit', fault: { type: 'rateLimit', code: 32, appUsage: { call_count: 100 } }, errorClass: 'rateLimit', requests: 7 },
		// Meta announces 2 minutes (capped to maxDelayMs, 60 s): more than the 7 s budget, so no retry.
		{ name: 'business use case', fault: { type: 'rateLimit', businessUseCaseMinutes: 2 }, errorClass: 'rateLimit', requests: 1 },
		{ name: 'code 613 as a graph error', fault: { type: 'graphError', code: 613 }, errorClass: 'rateLimit', requests: 7 },
		{ name: '503 without body', fault: { type: 'status', status: 503 }, errorClass: 'transient', requests: 4 },
		{ name: '400 plain text', fault: { type: 'status', status: 400, body: 'Bad Request' }, errorClass: 'badResponse', requests: 1 },
		{ name: '429 from a proxy', fault: { type: 'status', status: 429, body: 'slow down' }, errorClass: 'rateLimit', requests: 7 },
		{
			name: '200 JSON without data',
			fault: { type: 'status', status: 200, body: '{"nothing":true}', contentType: 'application/json' },
			errorClass: 'badResponse',
			requests: 1,
		},
		{ name: 'HTML proxy page', fault: { type: 'html' }, errorClass: 'transient', requests: 4 },
		{ name: 'malformed JSON', fault: { type: 'malformedJson' }, errorClass: 'badResponse', requests: 1 },
		{ name: 'empty body', fault: { type: 'emptyBody' }, errorClass: 'badResponse', requests: 1 },
		{ name: 'connection reset', fault: { type: 'reset' }, errorClass: 'network', requests: 4 },
		{ name: 'timeout', fault: { type: 'delay', ms: 400 }, errorClass: 'network', requests: 4 },
	];

	// Rate limits are retried within a wait budget, not maxAttempts: 7 s holds five probes a second
	// apart and a pause of 2 s, so a persisting rate limit ends after 7 requests.
	const clientForFaults = (): Harness & { token: string } => openClient({ timeoutMs: 150, maxRateLimitWaitMs: 7000 });

	it.each(cases)('$name, when it persists, fails as $errorClass after $requests request(s)', async (testCase) => {
		const { client, token, sleeps, log } = clientForFaults();
		double.injectFault({ fault: testCase.fault, path: '/debug_token', times: Infinity });
		const error = await failure(client.debugToken(token));
		expect(error.errorClass).toBe(testCase.errorClass);
		expect(graphCalls()).toHaveLength(testCase.requests);
		expect(log).toHaveLength(testCase.requests);
		expect(sleeps).toHaveLength(testCase.requests - 1);
		expect(error.message).not.toContain(token);
	});

	it.each(cases.filter((testCase) => testCase.requests > 1))('$name, once, is retried and the call succeeds', async (testCase) => {
		const { client, token } = clientForFaults();
		double.injectFault({ fault: testCase.fault, path: '/debug_token' });
		await expect(client.debugToken(token)).resolves.toMatchObject({ is_valid: true });
		expect(graphCalls()).toHaveLength(2);
	});

	it('waits the business-use-case time Meta announces, whole, while it fits the budget', async () => {
		const { client, token, sleeps } = openClient({ maxDelayMs: 10_000 });
		double.injectFault({ fault: { type: 'rateLimit', businessUseCaseMinutes: 1 }, path: '/debug_token' });
		double.injectFault({ fault: { type: 'rateLimit', businessUseCaseMinutes: 2 }, path: '/debug_token' });
		await client.debugToken(token);
		expect(sleeps).toEqual([60_000, 120_000]);
	});

	it('fails at once on an announced wait beyond the budget, saying how long and which limit', async () => {
		const { client, token, sleeps } = openClient();
		double.injectFault({ fault: { type: 'rateLimit', businessUseCaseMinutes: 30 }, path: '/debug_token' });
		const error = (await client.debugToken(token).catch((e: unknown) => e)) as GraphError;
		expect(sleeps).toEqual([]);
		expect(graphCalls()).toHaveLength(1);
		expect(error.message).toContain(`the business use case limit "ads_management" of business ${APP.id}`);
		expect(error.message).toContain('Meta asked to wait 30 minutes');
		expect(error.message).toContain('so it stopped at once');
	});

	it('logs a reset and a timeout with no status', async () => {
		const { client, token, log } = clientForFaults();
		double.injectFault({ fault: { type: 'reset' }, path: '/debug_token' });
		double.injectFault({ fault: { type: 'delay', ms: 400 }, path: '/debug_token' });
		await client.debugToken(token);
		expect(log.map((entry) => [entry.status, entry.errorClass ?? null])).toEqual([
			[null, 'network'],
			[null, 'network'],
			[200, null],
		]);
	});
});

describe('redaction canary over real HTTP', () => {
	// Unique, not Meta-shaped, so only the client's own bookkeeping can keep them out.
	const CANARY_APP = { id: '1000000099', name: 'Canary App', secret: 'canaryDummyAppSecret77' };
	const CREDENTIAL = 'canaryDummyCredential71';
	const INPUT = 'canaryDummyInput72';
	const ADMIN = 'canaryDummyAdmin73';
	const CANARIES = [CANARY_APP.secret, CREDENTIAL, INPUT, ADMIN];

	beforeAll(() => {
		double.addApp(CANARY_APP);
		double.addToken({ token: CREDENTIAL, type: 'USER', appId: CANARY_APP.id, userId: '7', scopes: ['ads_read'] });
		double.addToken({ token: INPUT, type: 'USER', appId: CANARY_APP.id, userId: '8', scopes: ['ads_read'] });
		double.addToken({ token: ADMIN, type: 'SYSTEM_USER', appId: CANARY_APP.id, userId: '9', scopes: ['business_management'] });
	});

	/**
	 * A fault per operation, echoing back the secrets that operation sends (Meta cannot echo one it
	 * never received): the credential's token and the app secret ride along with every call.
	 */
	type FaultFor = (echo: string) => Fault;
	const faults: Array<[string, FaultFor]> = [
		['auth', (echo) => ({ type: 'graphError', code: 190, subcode: 463, message: echo })],
		['permission', (echo) => ({ type: 'graphError', code: 200, message: echo })],
		['proofRequired', (echo) => ({ type: 'graphError', code: 100, message: `Invalid appsecret_proof ${echo}` })],
		['badRequest', (echo) => ({ type: 'graphError', code: 100, message: echo })],
		['policy', (echo) => ({ type: 'graphError', code: 368, message: echo })],
		['transient', (echo) => ({ type: 'graphError', code: 2, message: echo })],
		['rateLimit', (echo) => ({ type: 'graphError', code: 4, message: echo })],
		['400 text', (echo) => ({ type: 'status', status: 400, body: echo })],
		['503 HTML', (echo) => ({ type: 'status', status: 503, body: `<html>${echo}</html>`, contentType: 'text/html' })],
		['html', () => ({ type: 'html' })],
		['malformedJson', () => ({ type: 'malformedJson' })],
		['emptyBody', () => ({ type: 'emptyBody' })],
		['reset', () => ({ type: 'reset' })],
		['timeout', () => ({ type: 'delay', ms: 300 })],
		['batchUnusable', () => ({ type: 'batchUnusable' })],
		['batchNull', () => ({ type: 'batchNull', indexes: [0, 1] })],
	];

	it.each(faults)('no secret leaves the client on a %s fault, for any operation', async (_name, faultFor) => {
		const { client, log } = clientFor(
			{ accessToken: CREDENTIAL, appId: CANARY_APP.id, appSecret: CANARY_APP.secret },
			{ timeoutMs: 100, maxAttempts: 2 },
		);
		const always = [CREDENTIAL, CANARY_APP.secret, `${CANARY_APP.id}|${CANARY_APP.secret}`];
		const operations: Array<[string[], () => Promise<unknown>]> = [
			[[INPUT], () => client.debugToken(INPUT)],
			[[INPUT], () => client.exchangeToken(INPUT)],
			[[ADMIN], () => client.refreshSystemUserToken(ADMIN)],
			[[ADMIN], () => client.generateSystemUserToken({ systemUserId: '9', scopes: ['ads_read'], expiring: true, adminToken: ADMIN })],
			[[ADMIN], () => client.getPageAccounts({ accessToken: ADMIN })],
			[[INPUT], () => client.revokeUserToken(INPUT)],
			[[INPUT, ADMIN], () => client.revokeSystemUserToken(INPUT, { accessToken: ADMIN })],
			[[INPUT], () => inspectAll(client, [INPUT, CREDENTIAL])],
		];
		const errors: GraphError[] = [];
		for (const [sent, operation] of operations) {
			const echo = [...always, ...sent].flatMap((secret) => [secret, encodeURIComponent(secret)]).join(' ');
			double.clearFaults();
			double.injectFault({ fault: faultFor(`Echo ${echo}`), times: Infinity });
			try {
				const outcome = await operation();
				if (Array.isArray(outcome)) {
					for (const result of outcome as Array<{ ok: boolean; error?: GraphError }>) {
						if (result.error) errors.push(result.error);
					}
				}
			} catch (error) {
				expect(error).toBeInstanceOf(GraphError);
				errors.push(error as GraphError);
			}
		}

		const texts = [
			...errors.flatMap((error) => [error.message, error.description, error.stack ?? '', JSON.stringify({ ...error, json: error })]),
			...log.map((entry) => entry.url),
		];
		const forbidden = [...CANARIES, ...CANARIES.map(encodeURIComponent)];
		for (const text of texts) for (const secret of forbidden) expect(text).not.toContain(secret);
		// The secrets did travel to the double, in headers, query and form.
		expect(JSON.stringify(double.requests)).toContain(INPUT);
	});
});
