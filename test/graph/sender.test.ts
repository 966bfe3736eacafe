/** The sender: one call on the wire, its retries, its pacing and its request log. */
import type { GraphError } from '../../nodes/graph/GraphError';
import { GraphSender, type GraphCallRequest, type GraphRequestLogEntry, type GraphSenderOptions } from '../../nodes/graph/sender';
import type { GraphErrorClass } from '../../nodes/meta/types';
import type { GraphHttpResponse, GraphTransport } from '../../nodes/graph/http';
import { appUsage, failure, FakeTransport, graphError, json, networkError, raw, recorder } from './fakes';

interface SenderHarness {
	sender: GraphSender;
	/** Sends like an endpoint does and resolves with the answer's body. */
	call: (request: GraphCallRequest) => Promise<unknown>;
	fake: FakeTransport;
	sleeps: number[];
	log: GraphRequestLogEntry[];
}

function harness(fake: FakeTransport, options: Partial<GraphSenderOptions> = {}): SenderHarness {
	const { now, sleep, onRequest, sleeps, log } = recorder();
	const sender = new GraphSender({ transport: fake.transport, now, sleep, onRequest, ...options });
	const call = async (request: GraphCallRequest): Promise<unknown> => (await sender.send(request)).body;
	return { sender, call, fake, sleeps, log };
}

describe('send', () => {
	it('builds the URL from base, version and path, and passes qs, form and timeout', async () => {
		const { call, fake } = harness(new FakeTransport().reply(json({ id: '1' })));
		await expect(call({ effect: 'idempotent', method: 'GET', path: '/me', qs: { fields: 'id' } })).resolves.toEqual({ id: '1' });
		expect(fake.requests[0]).toEqual({
			method: 'GET',
			url: 'https://graph.facebook.com/v25.0/me',
			qs: { fields: 'id' },
			form: undefined,
			headers: {},
			timeoutMs: 30_000,
		});
	});

	it('tolerates a trailing slash, takes a version and timeout, and a path without slash', async () => {
		const { call, fake } = harness(new FakeTransport().reply(json({ ok: 1 })), {
			baseUrl: 'http://127.0.0.1:8080/',
			version: 'v21.0',
			timeoutMs: 500,
		});
		await call({ effect: 'idempotent', method: 'POST', path: 'act_1/things', form: { a: 'b' } });
		expect(fake.requests[0]).toMatchObject({
			url: 'http://127.0.0.1:8080/v21.0/act_1/things',
			form: { a: 'b' },
			timeoutMs: 500,
		});
	});

	it('sets Authorization only when a token is given for the call', async () => {
		const { call, fake } = harness(new FakeTransport().reply(json({})));
		await call({ effect: 'idempotent', method: 'GET', path: '/me' });
		await call({ effect: 'idempotent', method: 'GET', path: '/me', accessToken: 'EAAother' });
		expect(fake.requests[0].headers).toEqual({});
		expect(fake.requests[1].headers).toEqual({ Authorization: 'Bearer EAAother' });
	});

	it('accepts a body the transport already parsed', async () => {
		const { call } = harness(new FakeTransport().reply({ statusCode: 200, headers: {}, body: { id: '7' } }));
		await expect(call({ effect: 'idempotent', method: 'GET', path: '/me' })).resolves.toEqual({ id: '7' });
	});

	it('retries a transient error with doubling waits, then succeeds', async () => {
		const { call, fake, sleeps, log } = harness(
			new FakeTransport().reply(graphError(2, { status: 500 }), graphError(1, { status: 500 }), json({ id: '1' })),
		);
		await expect(call({ effect: 'idempotent', method: 'GET', path: '/me' })).resolves.toEqual({ id: '1' });
		expect(fake.requests).toHaveLength(3);
		expect(sleeps).toEqual([1000, 2000]);
		expect(log.map((entry) => [entry.attempt, entry.status, entry.errorClass])).toEqual([
			[1, 500, 'transient'],
			[2, 500, 'transient'],
			[3, 200, undefined],
		]);
	});

	it('gives up after maxAttempts and throws the last error', async () => {
		const { call, fake, sleeps } = harness(new FakeTransport().reply(graphError(2, { status: 503 })));
		const error = await failure(call({ effect: 'idempotent', method: 'GET', path: '/me' }));
		expect(error.errorClass).toBe('transient');
		expect(fake.requests).toHaveLength(4);
		expect(sleeps).toEqual([1000, 2000, 4000]);
	});

	it('caps one wait at maxDelayMs and honours maxAttempts and baseDelayMs', async () => {
		const { call, sleeps } = harness(new FakeTransport().reply(graphError(1, { status: 500 })), {
			maxAttempts: 6,
			baseDelayMs: 300,
			maxDelayMs: 2000,
		});
		await failure(call({ effect: 'idempotent', method: 'GET', path: '/me' }));
		expect(sleeps).toEqual([300, 600, 1200, 2000, 2000]);
	});


	it('waits the whole announced time for a rate limit while it fits the wait budget', async () => {
		const usage = { 'x-business-use-case-usage': '{"1":[{"type":"ads_management","estimated_time_to_regain_access":2}]}' };
		const { call, sleeps } = harness(
			new FakeTransport().reply(graphError(80004, { headers: usage }), graphError(4, { headers: { 'retry-after': '7' } }), json({})),
			{ maxDelayMs: 200_000 },
		);
		await call({ effect: 'idempotent', method: 'GET', path: '/me' });
		expect(sleeps).toEqual([120_000, 7000]);

		// No longer cut to maxDelayMs: retrying before Meta's time is up only earns refusals.
		const whole = harness(new FakeTransport().reply(graphError(80004, { headers: usage }), json({})));
		await whole.call({ effect: 'idempotent', method: 'GET', path: '/me' });
		expect(whole.sleeps).toEqual([120_000]);
	});

	it('fails at once when the announced wait is longer than what is left of the budget, naming wait and limit', async () => {
		const usage = { 'x-business-use-case-usage': '{"42":[{"type":"ads_management","estimated_time_to_regain_access":30}]}' };
		const fake = new FakeTransport().reply(graphError(80004, { headers: usage }), json({}));
		const { call, sleeps } = harness(fake);
		const error = (await call({ effect: 'idempotent', method: 'GET', path: '/me' }).catch((e: unknown) => e)) as GraphError;
		expect(sleeps).toEqual([]);
		expect(fake.requests).toHaveLength(1);
		expect(error).toMatchObject({ errorClass: 'rateLimit', retryAfterMs: 30 * 60_000, retryable: false });
		expect(error.summary).toContain('the business use case limit "ads_management" of business 42 (x-business-use-case-usage) was reached');
		expect(error.summary).toContain('Meta asked to wait 30 minutes');
		expect(error.summary).toContain('more than this run may still wait for rate limits (5 minutes of 5 minutes left)');
		expect(error.description).toContain('Run it again after 30 minutes');
	});

	it('probes again every second after a rate limit with no announced wait', async () => {
		const { call, sleeps } = harness(new FakeTransport().reply(graphError(17), graphError(17), json({})));
		await call({ effect: 'idempotent', method: 'GET', path: '/me' });
		expect(sleeps).toEqual([1000, 1000]);
	});

	it.each<[string, GraphHttpResponse, GraphErrorClass]>([
		['auth', graphError(190, { subcode: 463 }), 'auth'],
		['permission', graphError(200, { message: 'Requires ads_read permission' }), 'permission'],
		['proof', graphError(100, { message: 'API calls from the server require an appsecret_proof argument' }), 'proofRequired'],
		['bad request', graphError(100), 'badRequest'],
		['policy', graphError(368), 'policy'],
		['HTML on 200', raw(200, '<html>proxy</html>'), 'badResponse'],
		['empty body', raw(200, '', 'application/json'), 'badResponse'],
		['malformed JSON', raw(200, '{"data": [', 'application/json'), 'badResponse'],
		['4xx without envelope', json({ nothing: true }, 404), 'badResponse'],
	])('never retries %s', async (_name, reply, errorClass) => {
		const { call, fake, sleeps } = harness(new FakeTransport().reply(reply));
		const error = await failure(call({ effect: 'idempotent', method: 'GET', path: '/me' }));
		expect(error.errorClass).toBe(errorClass);
		expect(fake.requests).toHaveLength(1);
		expect(sleeps).toEqual([]);
	});

	it.each<[string, GraphHttpResponse]>([
		['HTML 502', raw(502, '<html>Bad Gateway</html>')],
		['empty 503', raw(503, '')],
		['JSON 500 without envelope', json({ oops: 1 }, 500)],
	])('retries %s as transient', async (_name, reply) => {
		const { call, fake } = harness(new FakeTransport().reply(reply, json({ id: '1' })));
		await expect(call({ effect: 'idempotent', method: 'GET', path: '/me' })).resolves.toEqual({ id: '1' });
		expect(fake.requests).toHaveLength(2);
	});

	it('retries network failures, including a transport that throws synchronously', async () => {
		let calls = 0;
		const transport: GraphTransport = (request) => {
			calls++;
			if (calls === 1) throw networkError('ECONNREFUSED');
			if (calls === 2) return Promise.reject(networkError('ECONNRESET'));
			return Promise.resolve(json({ url: request.url }));
		};
		const { call, log } = harness(new FakeTransport(), { transport });
		await expect(call({ effect: 'idempotent', method: 'GET', path: '/me' })).resolves.toEqual({
			url: 'https://graph.facebook.com/v25.0/me',
		});
		expect(log.map((entry) => [entry.status, entry.errorClass])).toEqual([
			[null, 'network'],
			[null, 'network'],
			[200, undefined],
		]);
	});

	it('reports a network failure that outlasts the attempts as network', async () => {
		const { call } = harness(new FakeTransport().reply(networkError('ETIMEDOUT')));
		const error = await failure(call({ effect: 'idempotent', method: 'GET', path: '/me' }));
		expect(error.errorClass).toBe('network');
		expect(error.message).toContain('ETIMEDOUT');
	});

	it('logs redacted URLs with the duration on the injected clock', async () => {
		let clock = 0;
		const log: GraphRequestLogEntry[] = [];
		const sender = new GraphSender({
			transport: async () => {
				clock += 25;
				return json({});
			},
			sleep: async () => undefined,
			now: () => clock,
			onRequest: (entry) => log.push(entry),
		});
		await sender.send({ effect: 'idempotent', method: 'GET', path: '/debug_token', qs: { input_token: 'EAAsecret', fields: 'id' } });
		expect(log).toEqual([
			{
				method: 'GET',
				url: 'https://graph.facebook.com/v25.0/debug_token?input_token=[redacted]&fields=id',
				status: 200,
				attempt: 1,
				durationMs: 25,
			},
		]);
	});

	it('is not broken by a failing logger', async () => {
		const { call } = harness(new FakeTransport().reply(json({ id: '1' })), {
			onRequest: () => {
				throw new Error('logger down');
			},
		});
		await expect(call({ effect: 'idempotent', method: 'GET', path: '/me' })).resolves.toEqual({ id: '1' });
	});

	it('hands the transport a fresh request per attempt', async () => {
		const seen: Array<Record<string, string>> = [];
		const transport: GraphTransport = async (request) => {
			seen.push({ ...request.qs });
			request.qs.appsecret_proof = 'added by an authenticator';
			return seen.length === 1 ? graphError(2, { status: 500 }) : json({});
		};
		const { call } = harness(new FakeTransport(), { transport });
		await call({ effect: 'idempotent', method: 'GET', path: '/me', qs: { a: '1' } });
		expect(seen).toEqual([{ a: '1' }, { a: '1' }]);
	});
});

describe('rate-limit pacing of single calls', () => {
	it('retries a rate-limited call within the wait budget, not maxAttempts', async () => {
		const { call, fake, sleeps } = harness(new FakeTransport().reply(graphError(4, { status: 403 })), {
			maxAttempts: 1,
			maxRateLimitWaitMs: 7000,
		});
		const error = await failure(call({ effect: 'idempotent', method: 'GET', path: '/me' }));
		expect(error.errorClass).toBe('rateLimit');
		// Five pauses of 1 s and one of 2 s fit the 7 s budget; the next (4 s) would not.
		expect(sleeps).toEqual([1000, 1000, 1000, 1000, 1000, 2000]);
		expect(fake.requests).toHaveLength(7);
	});

	it('keeps waiting out a long throttled stretch by default (5 minutes of pauses)', async () => {
		const replies = [...Array.from({ length: 8 }, () => graphError(4, { status: 403 })), json({ id: '1' })];
		const { call, sleeps } = harness(new FakeTransport().reply(...replies));
		await expect(call({ effect: 'idempotent', method: 'GET', path: '/me' })).resolves.toEqual({ id: '1' });
		// A probe a second for the first five, then exponential backoff.
		expect(sleeps).toEqual([1000, 1000, 1000, 1000, 1000, 2000, 4000, 8000]);
	});

	it('pauses after a successful answer that reports the quota used up', async () => {
		const { call, sleeps, fake } = harness(
			new FakeTransport().reply(json({ id: '1' }, 200, appUsage(100)), json({ id: '2' }, 200, appUsage(3))),
		);
		await call({ effect: 'idempotent', method: 'GET', path: '/a' });
		expect(sleeps).toEqual([]);
		await call({ effect: 'idempotent', method: 'GET', path: '/b' });
		expect(sleeps).toEqual([1000]);
		expect(fake.requests).toHaveLength(2);
	});

	it('backs off exponentially across a long stretch with no announced wait, and starts over after it', async () => {
		const replies = [
			...Array.from({ length: 7 }, (_, index) => graphError(4, { status: 403, headers: appUsage(140 + index) })),
			json({ id: '1' }, 200, appUsage(20)),
			graphError(4, { status: 403, headers: appUsage(110) }),
			json({ id: '2' }, 200, appUsage(20)),
		];
		const { call, sleeps } = harness(new FakeTransport().reply(...replies));
		await call({ effect: 'idempotent', method: 'GET', path: '/a' });
		await call({ effect: 'idempotent', method: 'GET', path: '/b' });
		expect(sleeps).toEqual([1000, 1000, 1000, 1000, 1000, 2000, 4000, 1000]);
	});
});
