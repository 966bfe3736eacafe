import { authorizedTransport } from '../support/fetchTransport';
import { GraphError } from '../../nodes/graph/errors';
import { GraphClient, type GraphClientOptions, type GraphRequestLogEntry } from '../../nodes/graph/GraphClient';
import type { GraphErrorClass, GraphHttpRequest, GraphHttpResponse, GraphTransport } from '../../nodes/graph/types';

const APP_ID = '1234567890';
const APP_SECRET = 'dummy-app-secret-0123';
const APP_TOKEN = `${APP_ID}|${APP_SECRET}`;
const START = Date.UTC(2026, 0, 1);

type Reply = GraphHttpResponse | Error;
type Route = (request: GraphHttpRequest) => Reply | Promise<Reply>;

function json(body: unknown, statusCode = 200, headers: GraphHttpResponse['headers'] = {}): GraphHttpResponse {
	return { statusCode, headers, body: JSON.stringify(body) };
}

function graphError(
	code: number,
	extra: { subcode?: number; message?: string; status?: number; headers?: GraphHttpResponse['headers'] } = {},
): GraphHttpResponse {
	return json(
		{
			error: {
				message: extra.message ?? `(#${code}) error`,
				type: 'OAuthException',
				code,
				error_subcode: extra.subcode,
				fbtrace_id: 'AbC123',
			},
		},
		extra.status ?? 400,
		extra.headers,
	);
}

function raw(statusCode: number, body: string, contentType = 'text/html'): GraphHttpResponse {
	return { statusCode, headers: { 'content-type': contentType }, body };
}

/** An in-memory transport: answers from a route function, or a queue of replies (the last repeats). */
class FakeTransport {
	readonly requests: GraphHttpRequest[] = [];
	private readonly replies: Reply[] = [];

	constructor(private route?: Route) {}

	reply(...replies: Reply[]): this {
		this.replies.push(...replies);
		return this;
	}

	readonly transport: GraphTransport = async (request) => {
		this.requests.push(request);
		const reply = this.route
			? await this.route(request)
			: this.replies.length > 1
				? this.replies.shift()
				: this.replies[0];
		if (reply === undefined) throw new Error('FakeTransport: no reply left');
		if (reply instanceof Error) throw reply;
		return reply;
	};
}

interface Harness {
	client: GraphClient;
	fake: FakeTransport;
	sleeps: number[];
	log: GraphRequestLogEntry[];
}

function harness(fake: FakeTransport, options: Partial<GraphClientOptions> = {}): Harness {
	const sleeps: number[] = [];
	const log: GraphRequestLogEntry[] = [];
	let clock = START;
	const client = new GraphClient({
		transport: fake.transport,
		appId: APP_ID,
		appSecret: APP_SECRET,
		now: () => clock,
		sleep: async (ms) => {
			sleeps.push(ms);
			clock += ms;
		},
		onRequest: (entry) => log.push(entry),
		...options,
	});
	return { client, fake, sleeps, log };
}

function networkError(code: string): Error {
	return Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(code), { code }) });
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

function batchForm(request: GraphHttpRequest): Array<{ method: string; relative_url: string }> {
	return JSON.parse(request.form?.batch ?? '[]') as Array<{ method: string; relative_url: string }>;
}

const item = (body: unknown, code = 200) => ({ code, body: JSON.stringify(body) });

describe('call', () => {
	it('builds the URL from base, version and path, and passes qs, form and timeout', async () => {
		const { client, fake } = harness(new FakeTransport().reply(json({ id: '1' })));
		await expect(client.call({ method: 'GET', path: '/me', qs: { fields: 'id' } })).resolves.toEqual({ id: '1' });
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
		const { client, fake } = harness(new FakeTransport().reply(json({ ok: 1 })), {
			baseUrl: 'http://127.0.0.1:8080/',
			version: 'v21.0',
			timeoutMs: 500,
		});
		await client.call({ method: 'POST', path: 'act_1/things', form: { a: 'b' } });
		expect(fake.requests[0]).toMatchObject({
			url: 'http://127.0.0.1:8080/v21.0/act_1/things',
			form: { a: 'b' },
			timeoutMs: 500,
		});
	});

	it('sets Authorization only when a token is given for the call', async () => {
		const { client, fake } = harness(new FakeTransport().reply(json({})));
		await client.call({ method: 'GET', path: '/me' });
		await client.call({ method: 'GET', path: '/me', accessToken: 'EAAother' });
		expect(fake.requests[0].headers).toEqual({});
		expect(fake.requests[1].headers).toEqual({ Authorization: 'Bearer EAAother' });
	});

	it('accepts a body the transport already parsed', async () => {
		const { client } = harness(new FakeTransport().reply({ statusCode: 200, headers: {}, body: { id: '7' } }));
		await expect(client.call({ method: 'GET', path: '/me' })).resolves.toEqual({ id: '7' });
	});

	it('retries a transient error with doubling waits, then succeeds', async () => {
		const { client, fake, sleeps, log } = harness(
			new FakeTransport().reply(graphError(2, { status: 500 }), graphError(1, { status: 500 }), json({ id: '1' })),
		);
		await expect(client.call({ method: 'GET', path: '/me' })).resolves.toEqual({ id: '1' });
		expect(fake.requests).toHaveLength(3);
		expect(sleeps).toEqual([1000, 2000]);
		expect(log.map((entry) => [entry.attempt, entry.status, entry.errorClass])).toEqual([
			[1, 500, 'transient'],
			[2, 500, 'transient'],
			[3, 200, undefined],
		]);
	});

	it('gives up after maxAttempts and throws the last error', async () => {
		const { client, fake, sleeps } = harness(new FakeTransport().reply(graphError(2, { status: 503 })));
		const error = await failure(client.call({ method: 'GET', path: '/me' }));
		expect(error.errorClass).toBe('transient');
		expect(fake.requests).toHaveLength(4);
		expect(sleeps).toEqual([1000, 2000, 4000]);
	});

	it('caps one wait at maxDelayMs and honours maxAttempts and baseDelayMs', async () => {
		const { client, sleeps } = harness(new FakeTransport().reply(graphError(1, { status: 500 })), {
			maxAttempts: 6,
			baseDelayMs: 300,
			maxDelayMs: 2000,
		});
		await failure(client.call({ method: 'GET', path: '/me' }));
		expect(sleeps).toEqual([300, 600, 1200, 2000, 2000]);
	});

	it('jitters waits when asked', async () => {
		const { client, sleeps } = harness(new FakeTransport().reply(graphError(1, { status: 500 })), {
			maxAttempts: 3,
			jitter: true,
			random: () => 0.5,
		});
		await failure(client.call({ method: 'GET', path: '/me' }));
		expect(sleeps).toEqual([500, 1000]);
	});

	it('waits the announced time for a rate limit, capped by maxDelayMs', async () => {
		const usage = { 'x-business-use-case-usage': '{"1":[{"type":"ads_management","estimated_time_to_regain_access":2}]}' };
		const { client, sleeps } = harness(
			new FakeTransport().reply(graphError(80004, { headers: usage }), graphError(4, { headers: { 'retry-after': '7' } }), json({})),
			{ maxDelayMs: 200_000 },
		);
		await client.call({ method: 'GET', path: '/me' });
		expect(sleeps).toEqual([120_000, 7000]);

		const capped = harness(new FakeTransport().reply(graphError(80004, { headers: usage }), json({})));
		await capped.client.call({ method: 'GET', path: '/me' });
		expect(capped.sleeps).toEqual([60_000]);
	});

	it('backs off exponentially from a rate limit with no announced wait', async () => {
		const { client, sleeps } = harness(new FakeTransport().reply(graphError(17), graphError(17), json({})));
		await client.call({ method: 'GET', path: '/me' });
		expect(sleeps).toEqual([1000, 2000]);
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
		const { client, fake, sleeps } = harness(new FakeTransport().reply(reply));
		const error = await failure(client.call({ method: 'GET', path: '/me' }));
		expect(error.errorClass).toBe(errorClass);
		expect(fake.requests).toHaveLength(1);
		expect(sleeps).toEqual([]);
	});

	it.each<[string, GraphHttpResponse]>([
		['HTML 502', raw(502, '<html>Bad Gateway</html>')],
		['empty 503', raw(503, '')],
		['JSON 500 without envelope', json({ oops: 1 }, 500)],
	])('retries %s as transient', async (_name, reply) => {
		const { client, fake } = harness(new FakeTransport().reply(reply, json({ id: '1' })));
		await expect(client.call({ method: 'GET', path: '/me' })).resolves.toEqual({ id: '1' });
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
		const { client, log } = harness(new FakeTransport(), { transport });
		await expect(client.call({ method: 'GET', path: '/me' })).resolves.toEqual({
			url: 'https://graph.facebook.com/v25.0/me',
		});
		expect(log.map((entry) => [entry.status, entry.errorClass])).toEqual([
			[null, 'network'],
			[null, 'network'],
			[200, undefined],
		]);
	});

	it('reports a network failure that outlasts the attempts as network', async () => {
		const { client } = harness(new FakeTransport().reply(networkError('ETIMEDOUT')));
		const error = await failure(client.call({ method: 'GET', path: '/me' }));
		expect(error.errorClass).toBe('network');
		expect(error.message).toContain('ETIMEDOUT');
	});

	it('logs redacted URLs with the duration on the injected clock', async () => {
		let clock = 0;
		const log: GraphRequestLogEntry[] = [];
		const client = new GraphClient({
			transport: async () => {
				clock += 25;
				return json({});
			},
			sleep: async () => undefined,
			now: () => clock,
			onRequest: (entry) => log.push(entry),
		});
		await client.call({ method: 'GET', path: '/debug_token', qs: { input_token: 'EAAsecret', fields: 'id' } });
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
		const { client } = harness(new FakeTransport().reply(json({ id: '1' })), {
			onRequest: () => {
				throw new Error('logger down');
			},
		});
		await expect(client.call({ method: 'GET', path: '/me' })).resolves.toEqual({ id: '1' });
	});

	it('hands the transport a fresh request per attempt', async () => {
		const seen: Array<Record<string, string>> = [];
		const transport: GraphTransport = async (request) => {
			seen.push({ ...request.qs });
			request.qs.appsecret_proof = 'added by an authenticator';
			return seen.length === 1 ? graphError(2, { status: 500 }) : json({});
		};
		const { client } = harness(new FakeTransport(), { transport });
		await client.call({ method: 'GET', path: '/me', qs: { a: '1' } });
		expect(seen).toEqual([{ a: '1' }, { a: '1' }]);
	});
});

describe('appToken', () => {
	it('is id|secret when both are set', () => {
		expect(harness(new FakeTransport()).client.appToken()).toBe(APP_TOKEN);
		expect(harness(new FakeTransport(), { appSecret: undefined }).client.appToken()).toBeUndefined();
		expect(harness(new FakeTransport(), { appId: '  ' }).client.appToken()).toBeUndefined();
	});
});

describe('debugToken', () => {
	const data = {
		app_id: APP_ID,
		type: 'USER',
		is_valid: false,
		expires_at: 0,
		granular_scopes: [{ scope: 'ads_read', target_ids: [1, '2'] }, { scope: 'public_profile' }],
		error: { code: 190, subcode: 463, message: 'Session has expired for EAAinputTokenValue' },
	};

	it('inspects with the app token and returns data even when the token is dead', async () => {
		const { client, fake } = harness(new FakeTransport().reply(json({ data })));
		const result = await client.debugToken('EAAinputTokenValue');
		expect(fake.requests[0]).toMatchObject({
			url: 'https://graph.facebook.com/v25.0/debug_token',
			qs: { input_token: 'EAAinputTokenValue' },
			headers: { Authorization: `Bearer ${APP_TOKEN}` },
		});
		expect(result.is_valid).toBe(false);
		expect(result.expires_at).toBe(0);
		expect(result.granular_scopes).toEqual([{ scope: 'ads_read', target_ids: ['1', '2'] }, { scope: 'public_profile' }]);
		expect(result.error?.message).toBe('Session has expired for [redacted]');
	});

	it('uses the given token, or the credential token when no app token is known', async () => {
		const withToken = harness(new FakeTransport().reply(json({ data })));
		await withToken.client.debugToken('EAAx', { accessToken: 'EAAcaller' });
		expect(withToken.fake.requests[0].headers).toEqual({ Authorization: 'Bearer EAAcaller' });

		const noApp = harness(new FakeTransport().reply(json({ data })), { appSecret: undefined });
		await noApp.client.debugToken('EAAx');
		expect(noApp.fake.requests[0].headers).toEqual({});
	});

	it('fails with badResponse when the answer has no data', async () => {
		const { client } = harness(new FakeTransport().reply(json({ is_valid: true })));
		const error = await failure(client.debugToken('EAAx'));
		expect(error.errorClass).toBe('badResponse');
		expect(error.message).toContain('"data"');
	});

	it('throws the classified error of the calling token', async () => {
		const { client } = harness(new FakeTransport().reply(graphError(190, { subcode: 467 })));
		const error = await failure(client.debugToken('EAAx'));
		expect(error.reason).toBe('invalid');
	});
});

/** Answers batch calls item by item through `answerItem`, and single calls through `single`. */
function batchRoute(
	answerItem: (relativeUrl: string, batchNumber: number) => unknown,
	single: (request: GraphHttpRequest) => Reply = () => json({ single: true }),
): Route {
	let batchNumber = 0;
	return (request) => {
		if (request.form?.batch === undefined) return single(request);
		batchNumber++;
		return json(batchForm(request).map((entry) => answerItem(entry.relative_url, batchNumber)));
	};
}

const tokens = (count: number): string[] => Array.from({ length: count }, (_, index) => `EAAtoken${index}`);

describe('batch and debugTokens', () => {
	it('inspects 120 tokens in 3 batch calls of at most 50, results in input order', async () => {
		const fake = new FakeTransport(
			batchRoute((relativeUrl) => {
				const token = new URLSearchParams(relativeUrl.split('?')[1]).get('input_token');
				return item({ data: { is_valid: true, type: 'USER', user_id: token } });
			}),
		);
		const { client } = harness(fake);
		const results = await client.debugTokens(tokens(120));
		expect(fake.requests.map((request) => batchForm(request).length)).toEqual([50, 50, 20]);
		expect(results.map((result) => (result.ok ? result.data.user_id : 'failed'))).toEqual(tokens(120));
		const first = fake.requests[0];
		expect(first).toMatchObject({
			method: 'POST',
			url: 'https://graph.facebook.com/v25.0/',
			headers: { Authorization: `Bearer ${APP_TOKEN}` },
			form: { include_headers: 'false' },
		});
		expect(batchForm(first)[0]).toEqual({ method: 'GET', relative_url: 'debug_token?input_token=EAAtoken0' });
	});

	it('returns an empty list without calling for no requests', async () => {
		const { client, fake } = harness(new FakeTransport());
		await expect(client.batch([])).resolves.toEqual([]);
		expect(fake.requests).toHaveLength(0);
	});

	it('keeps at most `concurrency` batch calls in flight', async () => {
		let inFlight = 0;
		let most = 0;
		const route = batchRoute(() => item({ ok: true }));
		const transport: GraphTransport = async (request) => {
			inFlight++;
			most = Math.max(most, inFlight);
			await new Promise<void>((resolve) => queueMicrotask(resolve));
			inFlight--;
			return (await route(request)) as GraphHttpResponse;
		};
		const requests = Array.from({ length: 200 }, () => ({ method: 'GET' as const, relativeUrl: 'me' }));
		const { client } = harness(new FakeTransport(), { transport });
		const results = await client.batch(requests, { concurrency: 2 });
		expect(results).toHaveLength(200);
		expect(most).toBe(2);
	});

	it('parses item bodies and classifies item errors', async () => {
		const fake = new FakeTransport(
			batchRoute((relativeUrl) =>
				relativeUrl === 'denied'
					? item({ error: { code: 200, message: 'Requires business_management permission' } }, 403)
					: relativeUrl === 'garbled'
						? { code: 200, body: '<html>' }
						: item({ id: relativeUrl }),
			),
		);
		const { client } = harness(fake);
		const results = await client.batch([
			{ method: 'GET', relativeUrl: '/ok' },
			{ method: 'GET', relativeUrl: 'denied' },
			{ method: 'GET', relativeUrl: 'garbled' },
		]);
		expect(results[0]).toEqual({ ok: true, status: 200, body: { id: 'ok' } });
		expect(results[1]).toMatchObject({ ok: false, error: { errorClass: 'permission', httpStatus: 403 } });
		expect(results[2]).toMatchObject({ ok: false, error: { errorClass: 'badResponse' } });
		expect(fake.requests).toHaveLength(1);
	});

	it('asks again for items answered null, in a later batch holding only them', async () => {
		const fake = new FakeTransport(
			batchRoute((relativeUrl, batchNumber) => (relativeUrl === 'slow' && batchNumber === 1 ? null : item({ id: relativeUrl }))),
		);
		const { client, sleeps } = harness(fake);
		const results = await client.batch([
			{ method: 'GET', relativeUrl: 'a' },
			{ method: 'GET', relativeUrl: 'slow' },
			{ method: 'GET', relativeUrl: 'b' },
		]);
		expect(results.map((result) => result.ok && result.body)).toEqual([{ id: 'a' }, { id: 'slow' }, { id: 'b' }]);
		expect(fake.requests.map((request) => batchForm(request).map((entry) => entry.relative_url))).toEqual([
			['a', 'slow', 'b'],
			['slow'],
		]);
		expect(sleeps).toEqual([1000]);
	});

	it('falls back to a single call for an item still null after every round', async () => {
		const fake = new FakeTransport(
			batchRoute(
				(relativeUrl) => (relativeUrl.startsWith('slow') ? null : item({ id: relativeUrl })),
				(request) => json({ single: request.url, qs: request.qs }),
			),
		);
		const { client } = harness(fake, { maxAttempts: 3 });
		const results = await client.batch([
			{ method: 'GET', relativeUrl: 'a' },
			{ method: 'GET', relativeUrl: 'slow?fields=id' },
		]);
		expect(fake.requests.filter((request) => request.form?.batch)).toHaveLength(3);
		expect(results[1]).toEqual({
			ok: true,
			status: 200,
			body: { single: 'https://graph.facebook.com/v25.0/slow', qs: { fields: 'id' } },
		});
	});

	it('retries rate-limited items after the wait announced on the batch answer', async () => {
		let batchNumber = 0;
		const usage = { 'x-business-use-case-usage': '{"9":[{"estimated_time_to_regain_access":1}]}' };
		const fake = new FakeTransport((request) => {
			batchNumber++;
			return json(
				batchForm(request).map((entry) =>
					entry.relative_url === 'busy' && batchNumber === 1
						? item({ error: { code: 80004, message: 'too many calls' } }, 400)
						: item({ id: entry.relative_url }),
				),
				200,
				usage,
			);
		});
		const { client, sleeps } = harness(fake);
		const results = await client.batch([
			{ method: 'GET', relativeUrl: 'busy' },
			{ method: 'GET', relativeUrl: 'calm' },
		]);
		expect(results.every((result) => result.ok)).toBe(true);
		expect(sleeps).toEqual([60_000]);
		expect(fake.requests).toHaveLength(2);
	});

	it('gives a rate-limited item its error once the wait budget is spent, whatever maxAttempts says', async () => {
		const fake = new FakeTransport(batchRoute(() => item({ error: { code: 17, message: 'User request limit reached' } }, 400)));
		// Pauses of 1 s, 2 s and 4 s fit a 7 s budget; the next one (8 s) would not.
		const { client, sleeps } = harness(fake, { maxAttempts: 2, maxRateLimitWaitMs: 7000 });
		const [result] = await client.batch([{ method: 'GET', relativeUrl: 'busy' }]);
		expect(result).toMatchObject({ ok: false, error: { errorClass: 'rateLimit' } });
		expect(fake.requests).toHaveLength(4);
		expect(sleeps).toEqual([1000, 2000, 4000]);
	});

	it.each<[string, Reply]>([
		['not an array', json({ data: [] })],
		['an array of the wrong length', json([item({})])],
		['an HTML page', raw(200, '<html>proxy</html>')],
		['a bad request', graphError(100, { message: 'Invalid batch parameter' })],
	])('falls back to single calls when the batch answer is %s', async (_name, answer) => {
		const fake = new FakeTransport((request) => (request.form?.batch ? answer : json({ single: request.url })));
		const { client } = harness(fake);
		const results = await client.batch([
			{ method: 'GET', relativeUrl: 'a' },
			{ method: 'DELETE', relativeUrl: 'b' },
		]);
		expect(results).toEqual([
			{ ok: true, status: 200, body: { single: 'https://graph.facebook.com/v25.0/a' } },
			{ ok: true, status: 200, body: { single: 'https://graph.facebook.com/v25.0/b' } },
		]);
		expect(fake.requests.map((request) => request.method)).toEqual(['POST', 'GET', 'DELETE']);
	});

	it('retries the batch call itself like any call', async () => {
		let calls = 0;
		const fake = new FakeTransport((request) =>
			++calls === 1 ? graphError(2, { status: 500 }) : json(batchForm(request).map(() => item({ ok: 1 }))),
		);
		const { client } = harness(fake);
		const results = await client.batch([{ method: 'GET', relativeUrl: 'a' }]);
		expect(results).toEqual([{ ok: true, status: 200, body: { ok: 1 } }]);
		expect(fake.requests).toHaveLength(2);
	});

	it('fails every item with the batch call error when the calling token is dead', async () => {
		const fake = new FakeTransport().reply(graphError(190, { subcode: 463 }));
		const { client } = harness(fake);
		const results = await client.debugTokens(['EAAa', 'EAAb']);
		expect(results.map((result) => !result.ok && result.error.reason)).toEqual(['expired', 'expired']);
		expect(fake.requests).toHaveLength(1);
	});

	it('debugTokens reports an item without data as badResponse', async () => {
		const fake = new FakeTransport(batchRoute(() => item({ nope: true })));
		const { client } = harness(fake);
		const [result] = await client.debugTokens(['EAAa']);
		expect(result).toMatchObject({ ok: false, error: { errorClass: 'badResponse' } });
	});

	it('debugTokens runs with the token it is given', async () => {
		const fake = new FakeTransport(batchRoute(() => item({ data: { is_valid: true } })));
		const { client } = harness(fake, { appSecret: undefined });
		await client.debugTokens(['EAAa'], { accessToken: 'EAAcaller' });
		expect(fake.requests[0].headers).toEqual({ Authorization: 'Bearer EAAcaller' });
	});
});

describe('exchangeToken and refreshSystemUserToken', () => {
	it('exchanges with the app credentials, signed by the token being exchanged', async () => {
		const { client, fake } = harness(
			new FakeTransport().reply(json({ access_token: 'EAAlong', token_type: 'bearer', expires_in: 5183944 })),
		);
		await expect(client.exchangeToken('EAAshort')).resolves.toEqual({
			access_token: 'EAAlong',
			token_type: 'bearer',
			expires_in: 5183944,
		});
		expect(fake.requests[0]).toMatchObject({
			method: 'GET',
			url: 'https://graph.facebook.com/v25.0/oauth/access_token',
			qs: {
				grant_type: 'fb_exchange_token',
				client_id: APP_ID,
				client_secret: APP_SECRET,
				fb_exchange_token: 'EAAshort',
			},
			headers: { Authorization: 'Bearer EAAshort' },
		});
	});

	it('leaves expires_in out when Meta leaves it out, and reads it from a string', async () => {
		const { client } = harness(
			new FakeTransport().reply(json({ access_token: 'EAAlong' }), json({ access_token: 'EAAlong', expires_in: '60' })),
		);
		await expect(client.exchangeToken('EAAshort')).resolves.toEqual({ access_token: 'EAAlong' });
		await expect(client.exchangeToken('EAAshort')).resolves.toEqual({ access_token: 'EAAlong', expires_in: 60 });
	});

	it('refreshes a system-user token for 60 days', async () => {
		const { client, fake } = harness(new FakeTransport().reply(json({ access_token: 'EAAnew', expires_in: 5183944 })));
		await client.refreshSystemUserToken('EAAsystem');
		expect(fake.requests[0].qs).toEqual({
			grant_type: 'fb_exchange_token',
			client_id: APP_ID,
			client_secret: APP_SECRET,
			fb_exchange_token: 'EAAsystem',
			set_token_expires_in_60_days: 'true',
		});
	});

	it.each<[Partial<GraphClientOptions>, string[], string[]]>([
		[{ appId: undefined }, ["'App ID'"], ["'App Secret'"]],
		[{ appSecret: undefined }, ["'App Secret'"], ["'App ID'"]],
		[{ appId: undefined, appSecret: '' }, ["'App ID' and 'App Secret'"], []],
	])('without %j fails before calling, naming the missing fields', async (options, named, notNamed) => {
		const { client, fake } = harness(new FakeTransport(), options);
		for (const attempt of [client.exchangeToken('EAAx'), client.refreshSystemUserToken('EAAx')]) {
			const error = await failure(attempt);
			expect(error.errorClass).toBe('badRequest');
			expect(error.reason).toBeUndefined();
			for (const field of named) expect(error.message).toContain(field);
			for (const field of notNamed) expect(error.message).not.toContain(field);
		}
		expect(fake.requests).toHaveLength(0);
	});

	it('fails with badResponse when the answer has no token', async () => {
		const { client } = harness(new FakeTransport().reply(json({ token_type: 'bearer' })));
		expect((await failure(client.exchangeToken('EAAx'))).errorClass).toBe('badResponse');
	});

	it('passes on an expired input token as auth/expired', async () => {
		const { client, fake } = harness(new FakeTransport().reply(graphError(190, { subcode: 463 })));
		expect((await failure(client.exchangeToken('EAAx'))).reason).toBe('expired');
		expect(fake.requests).toHaveLength(1);
	});
});

describe('generateSystemUserToken', () => {
	it('posts business_app and scopes, with the 60-day flag when expiring', async () => {
		const { client, fake } = harness(new FakeTransport().reply(json({ access_token: 'EAAsu' })));
		await expect(
			client.generateSystemUserToken({
				systemUserId: '61550000000001',
				scopes: ['ads_read', ' ads_management '],
				expiring: true,
				adminToken: 'EAAadmin',
			}),
		).resolves.toEqual({ access_token: 'EAAsu' });
		expect(fake.requests[0]).toMatchObject({
			method: 'POST',
			url: 'https://graph.facebook.com/v25.0/61550000000001/access_tokens',
			form: { business_app: APP_ID, scope: 'ads_read,ads_management', set_token_expires_in_60_days: 'true' },
			headers: { Authorization: 'Bearer EAAadmin' },
		});
	});

	it('leaves the flag out for a permanent token and runs with the credential token by default', async () => {
		const { client, fake } = harness(new FakeTransport().reply(json({ access_token: 'EAAsu' })));
		await client.generateSystemUserToken({ systemUserId: '1', scopes: ['ads_read'], expiring: false });
		expect(fake.requests[0].form).toEqual({ business_app: APP_ID, scope: 'ads_read' });
		expect(fake.requests[0].headers).toEqual({});
	});

	it('needs the App Secret (Meta always demands a proof here)', async () => {
		const { client, fake } = harness(new FakeTransport(), { appSecret: undefined });
		const error = await failure(client.generateSystemUserToken({ systemUserId: '1', scopes: ['ads_read'], expiring: true }));
		expect(error.errorClass).toBe('badRequest');
		expect(error.message).toContain("'App Secret'");
		expect(fake.requests).toHaveLength(0);
	});

	it('needs a system user and a scope', async () => {
		const { client, fake } = harness(new FakeTransport());
		for (const opts of [
			{ systemUserId: ' ', scopes: ['ads_read'], expiring: true },
			{ systemUserId: '1', scopes: [' '], expiring: true },
		]) {
			expect((await failure(client.generateSystemUserToken(opts))).errorClass).toBe('badRequest');
		}
		expect(fake.requests).toHaveLength(0);
	});

	it('passes on a missing proof as proofRequired', async () => {
		const { client } = harness(
			new FakeTransport().reply(graphError(100, { message: 'API calls from the server require an appsecret_proof argument' })),
		);
		const error = await failure(client.generateSystemUserToken({ systemUserId: '1', scopes: ['ads_read'], expiring: true }));
		expect(error.errorClass).toBe('proofRequired');
	});
});

describe('getPageAccounts', () => {
	const page = (id: string) => ({ id, name: `Page ${id}`, category: 'Brand', access_token: `EAApage${id}`, tasks: ['ADVERTISE', 7] });

	it('follows the after cursor on its own URL, never Meta`s next link', async () => {
		const fake = new FakeTransport().reply(
			json({
				data: [page('1'), page('2')],
				paging: { cursors: { before: 'b0', after: 'c1' }, next: 'https://evil.example/v25.0/me/accounts?access_token=EAAleak&after=c1' },
			}),
			json({ data: [page('3')], paging: { cursors: { before: 'c1', after: 'c2' } } }),
		);
		const { client } = harness(fake);
		const pages = await client.getPageAccounts({ accessToken: 'EAAuser', pageSize: 2 });
		expect(pages).toEqual([
			{ id: '1', name: 'Page 1', category: 'Brand', access_token: 'EAApage1', tasks: ['ADVERTISE'] },
			{ id: '2', name: 'Page 2', category: 'Brand', access_token: 'EAApage2', tasks: ['ADVERTISE'] },
			{ id: '3', name: 'Page 3', category: 'Brand', access_token: 'EAApage3', tasks: ['ADVERTISE'] },
		]);
		expect(fake.requests.map((request) => [request.url, request.qs, request.headers])).toEqual([
			[
				'https://graph.facebook.com/v25.0/me/accounts',
				{ fields: 'id,name,category,access_token,tasks', limit: '2' },
				{ Authorization: 'Bearer EAAuser' },
			],
			[
				'https://graph.facebook.com/v25.0/me/accounts',
				{ fields: 'id,name,category,access_token,tasks', limit: '2', after: 'c1' },
				{ Authorization: 'Bearer EAAuser' },
			],
		]);
	});

	it('stops when a cursor comes back a second time', async () => {
		const fake = new FakeTransport().reply(
			json({ data: [page('1')], paging: { cursors: { after: 'same' }, next: 'n' } }),
			json({ data: [page('2')], paging: { cursors: { after: 'same' }, next: 'n' } }),
		);
		const { client } = harness(fake);
		expect((await client.getPageAccounts()).map((account) => account.id)).toEqual(['1', '2']);
		expect(fake.requests).toHaveLength(2);
	});

	it('stops after 100 pages of a server that never stops paging', async () => {
		let cursor = 0;
		const fake = new FakeTransport(() => json({ data: [page(String(cursor))], paging: { cursors: { after: `c${++cursor}` }, next: 'n' } }));
		const { client } = harness(fake);
		expect(await client.getPageAccounts()).toHaveLength(100);
		expect(fake.requests).toHaveLength(100);
	});

	it('skips items without an id and fails on an answer without data', async () => {
		const ok = harness(new FakeTransport().reply(json({ data: [{ name: 'no id' }, { id: 5 }, 'junk'] })));
		await expect(ok.client.getPageAccounts()).resolves.toEqual([{ id: '5' }]);
		const bad = harness(new FakeTransport().reply(json({ pages: [] })));
		expect((await failure(bad.client.getPageAccounts())).errorClass).toBe('badResponse');
	});

	it('passes on a missing Page role as auth/noPageRole', async () => {
		const { client } = harness(new FakeTransport().reply(graphError(190, { subcode: 492 })));
		expect((await failure(client.getPageAccounts())).reason).toBe('noPageRole');
	});
});

describe('revoking', () => {
	it('revokeUserToken deletes /me/permissions with the token', async () => {
		const { client, fake } = harness(new FakeTransport().reply(json({ success: true }), json(true)));
		await client.revokeUserToken('EAAuser');
		await client.revokeUserToken();
		expect(fake.requests.map((request) => [request.method, request.url, request.headers])).toEqual([
			['DELETE', 'https://graph.facebook.com/v25.0/me/permissions', { Authorization: 'Bearer EAAuser' }],
			['DELETE', 'https://graph.facebook.com/v25.0/me/permissions', {}],
		]);
	});

	it('revokeSystemUserToken accepts success as "true" or true', async () => {
		const { client, fake } = harness(new FakeTransport().reply(json({ success: 'true' }), json({ success: true })));
		await client.revokeSystemUserToken('EAAsu');
		await client.revokeSystemUserToken('EAAsu', { accessToken: 'EAAadmin' });
		expect(fake.requests[0]).toMatchObject({
			method: 'GET',
			url: 'https://graph.facebook.com/v25.0/oauth/revoke',
			qs: { client_id: APP_ID, client_secret: APP_SECRET, revoke_token: 'EAAsu' },
			headers: {},
		});
		expect(fake.requests[1].headers).toEqual({ Authorization: 'Bearer EAAadmin' });
	});

	it('fails with badResponse when Meta does not confirm', async () => {
		const { client } = harness(new FakeTransport().reply(json({ success: false })));
		expect((await failure(client.revokeUserToken('EAAuser'))).errorClass).toBe('badResponse');
		expect((await failure(client.revokeSystemUserToken('EAAsu'))).errorClass).toBe('badResponse');
	});

	it('revokeSystemUserToken needs the app credentials', async () => {
		const { client } = harness(new FakeTransport(), { appId: undefined });
		expect((await failure(client.revokeSystemUserToken('EAAsu'))).message).toContain("'App ID'");
	});
});

describe('rate-limit pacing', () => {
	const appUsage = (callCount: number) => ({ 'x-app-usage': JSON.stringify({ call_count: callCount, total_time: 1, total_cputime: 1 }) });
	const busyItem = () => item({ error: { code: 4, message: '(#4) Application request limit reached' } }, 403);

	interface Send {
		at: number;
		/** Requests in flight when this one was sent, itself included. */
		inFlight: number;
		size: number;
	}

	/**
	 * A batch transport on the harness's fake clock that answers after a macrotask turn, so
	 * concurrent workers really overlap; `answer(n)` gives the n-th batch call's (1-based) answer.
	 */
	function pacedTransport(
		clock: () => number,
		answer: (n: number, size: number) => GraphHttpResponse,
	): { transport: GraphTransport; sends: Send[] } {
		const sends: Send[] = [];
		let inFlight = 0;
		const transport: GraphTransport = async (request) => {
			inFlight++;
			const size = batchForm(request).length;
			sends.push({ at: clock(), inFlight, size });
			const n = sends.length;
			await new Promise<void>((resolve) => setImmediate(resolve));
			inFlight--;
			return answer(n, size);
		};
		return { transport, sends };
	}

	function pacedHarness(
		answer: (n: number, size: number) => GraphHttpResponse,
		options: Partial<GraphClientOptions> = {},
	): Harness & { sends: Send[]; clock: () => number } {
		let clock = START;
		const sleeps: number[] = [];
		const { transport, sends } = pacedTransport(() => clock, answer);
		const client = new GraphClient({
			transport,
			appId: APP_ID,
			appSecret: APP_SECRET,
			now: () => clock,
			sleep: async (ms) => {
				sleeps.push(ms);
				clock += ms;
			},
			...options,
		});
		return { client, fake: new FakeTransport(), sleeps, log: [], sends, clock: () => clock };
	}

	it('retries a rate-limited call within the wait budget, not maxAttempts', async () => {
		const { client, fake, sleeps } = harness(new FakeTransport().reply(graphError(4, { status: 403 })), {
			maxAttempts: 1,
			maxRateLimitWaitMs: 7000,
		});
		const error = await failure(client.call({ method: 'GET', path: '/me' }));
		expect(error.errorClass).toBe('rateLimit');
		// Pauses of 1, 2 and 4 s fit the 7 s budget; the next (8 s) would not.
		expect(sleeps).toEqual([1000, 2000, 4000]);
		expect(fake.requests).toHaveLength(4);
	});

	it('keeps waiting out a long throttled stretch by default (5 minutes of pauses)', async () => {
		const replies = [...Array.from({ length: 8 }, () => graphError(4, { status: 403 })), json({ id: '1' })];
		const { client, sleeps } = harness(new FakeTransport().reply(...replies));
		await expect(client.call({ method: 'GET', path: '/me' })).resolves.toEqual({ id: '1' });
		expect(sleeps).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
	});

	it('gives batch items their rateLimit error once the budget is spent, and keeps the others', async () => {
		const { client, sleeps } = pacedHarness(
			(_n, size) =>
				json(
					Array.from({ length: size }, (_, index) => (size === 3 && index === 0 ? item({ id: 'calm' }) : busyItem())),
					200,
					appUsage(130),
				),
			{ maxRateLimitWaitMs: 3000 },
		);
		const results = await client.batch([
			{ method: 'GET', relativeUrl: 'calm' },
			{ method: 'GET', relativeUrl: 'busy1' },
			{ method: 'GET', relativeUrl: 'busy2' },
		]);
		expect(results[0]).toEqual({ ok: true, status: 200, body: { id: 'calm' } });
		expect(results.slice(1).map((result) => !result.ok && result.error.errorClass)).toEqual(['rateLimit', 'rateLimit']);
		expect(sleeps).toEqual([1000, 2000]);
	});

	it('makes every concurrent chunk wait out the pause Meta announced, then sends one probe first', async () => {
		const announced = {
			...appUsage(120),
			'x-business-use-case-usage': JSON.stringify({ 9: [{ type: 'ads_management', call_count: 120, estimated_time_to_regain_access: 1 }] }),
		};
		const { client, sleeps, sends } = pacedHarness((n, size) =>
			n === 1
				? json(Array.from({ length: size }, busyItem), 200, announced)
				: json(Array.from({ length: size }, () => item({ ok: true })), 200, appUsage(n === 2 ? 60 : 10)),
		);
		const requests = Array.from({ length: 200 }, (_, index) => ({ method: 'GET' as const, relativeUrl: `r${index}` }));
		const results = await client.batch(requests, { concurrency: 2 });

		expect(results.every((result) => result.ok)).toBe(true);
		// Chunks 1 and 2 go together; chunk 1 is refused with "1 minute"; chunk 2's calm answer was
		// sent before the pause and does not lift it. The retry of chunk 1 and chunks 3 and 4 wait.
		expect(sends.slice(0, 2).map((send) => [send.at, send.inFlight])).toEqual([
			[START, 1],
			[START, 2],
		]);
		expect(sends).toHaveLength(5);
		for (const send of sends.slice(2)) expect(send.at).toBeGreaterThanOrEqual(START + 60_000);
		expect(sleeps).toEqual([60_000]);
		// After the pause a single probe goes; its calm answer lets both workers go again.
		expect(sends[2].inFlight).toBe(1);
		expect(sends.slice(3).map((send) => send.inFlight)).toContain(2);
	});

	it('pauses after a successful answer that reports the quota used up', async () => {
		const { client, sleeps, fake } = harness(
			new FakeTransport().reply(json({ id: '1' }, 200, appUsage(100)), json({ id: '2' }, 200, appUsage(3))),
		);
		await client.call({ method: 'GET', path: '/a' });
		expect(sleeps).toEqual([]);
		await client.call({ method: 'GET', path: '/b' });
		expect(sleeps).toEqual([1000]);
		expect(fake.requests).toHaveLength(2);
	});

	it('sends one batch at a time while usage is at 90 % or more', async () => {
		const { client, sends, sleeps } = pacedHarness((_n, size) =>
			json(Array.from({ length: size }, () => item({ ok: true })), 200, appUsage(95)),
		);
		const requests = Array.from({ length: 400 }, (_, index) => ({ method: 'GET' as const, relativeUrl: `r${index}` }));
		const results = await client.batch(requests, { concurrency: 4 });
		expect(results.every((result) => result.ok)).toBe(true);
		expect(sends.map((send) => send.inFlight)).toEqual([1, 2, 3, 4, 1, 1, 1, 1]);
		expect(sleeps).toEqual([]);
	});

	it('backs off exponentially across a stretch with no announced wait, and starts over after it', async () => {
		const replies = [
			graphError(4, { status: 403, headers: appUsage(140) }),
			graphError(4, { status: 403, headers: appUsage(150) }),
			json({ id: '1' }, 200, appUsage(20)),
			graphError(4, { status: 403, headers: appUsage(110) }),
			json({ id: '2' }, 200, appUsage(20)),
		];
		const { client, sleeps } = harness(new FakeTransport().reply(...replies));
		await client.call({ method: 'GET', path: '/a' });
		await client.call({ method: 'GET', path: '/b' });
		expect(sleeps).toEqual([1000, 2000, 1000]);
	});
});

describe('redaction canary', () => {
	// Unique strings that must never come out of the client. The token shapes are deliberately
	// not Meta-like, so only the client's own bookkeeping of secrets can catch them.
	const CREDENTIAL_TOKEN = 'canaryDummyCredential0001';
	const SECRET = 'canaryDummyAppSecret0002';
	const INPUT = 'canaryDummyInput0003';
	const SHORT = 'canaryDummyShort0004';
	const ADMIN = 'canaryDummyAdmin0005';
	const REVOKE = 'canaryDummyRevoke0006';
	const CANARIES = [CREDENTIAL_TOKEN, SECRET, INPUT, SHORT, ADMIN, REVOKE];
	/** Each canary must not appear raw, URL-encoded, or as part of the app token. */
	const forbidden = [...CANARIES, ...CANARIES.map(encodeURIComponent), `${APP_ID}|${SECRET}`];

	/** Echoes the whole signed request back inside Meta's message, the HTML, or the rejection. */
	function echo(request: GraphHttpRequest): string {
		return `${JSON.stringify(request)} ${new URLSearchParams(request.qs).toString()} ${new URLSearchParams(request.form ?? {}).toString()}`;
	}

	const faults: Array<[string, (request: GraphHttpRequest) => Reply]> = [
		['auth', (request) => graphError(190, { subcode: 463, message: echo(request) })],
		['permission', (request) => graphError(200, { message: echo(request) })],
		['proofRequired', (request) => graphError(100, { message: `Invalid appsecret_proof ${echo(request)}` })],
		['rateLimit', (request) => graphError(4, { message: echo(request) })],
		['transient', (request) => graphError(2, { status: 500, message: echo(request) })],
		['badRequest', (request) => graphError(100, { message: echo(request) })],
		['policy', (request) => graphError(368, { message: echo(request) })],
		['network', (request) => Object.assign(new Error(echo(request)), { code: echo(request) })],
		['html', (request) => raw(200, `<html>${echo(request)}</html>`)],
		['html 5xx', (request) => raw(502, `<html>${echo(request)}</html>`)],
		['malformed', (request) => raw(200, `{${echo(request)}`, 'application/json')],
		['no envelope', (request) => json({ echo: echo(request) }, 404)],
		['unexpected shape', (request) => json({ echo: echo(request) })],
	];

	it.each(faults)('keeps every secret out of %s failures of every operation', async (_name, fault) => {
		const log: GraphRequestLogEntry[] = [];
		const route: Route = (request) =>
			// Batch calls answer with items carrying the fault, then fall back to single calls.
			request.form?.batch
				? json(batchForm(request).map(() => {
					const reply = fault(request);
					return reply instanceof Error ? null : { code: reply.statusCode, body: reply.body };
				}))
				: fault(request);
		const client = new GraphClient({
			transport: authorizedTransport(
				{ accessToken: CREDENTIAL_TOKEN, appId: APP_ID, appSecret: SECRET, appsecretProof: 'auto' },
				new FakeTransport(route).transport,
				() => START,
			),
			appId: APP_ID,
			appSecret: SECRET,
			secrets: [CREDENTIAL_TOKEN],
			sleep: async () => undefined,
			maxAttempts: 2,
			onRequest: (entry) => log.push(entry),
		});

		const errors: GraphError[] = [];
		const collect = async (promise: Promise<unknown>): Promise<void> => {
			try {
				await promise;
			} catch (error) {
				expect(error).toBeInstanceOf(GraphError);
				errors.push(error as GraphError);
			}
		};
		await collect(client.call({ method: 'GET', path: '/me', qs: { input_token: INPUT } }));
		await collect(client.debugToken(INPUT));
		await collect(client.exchangeToken(SHORT));
		await collect(client.refreshSystemUserToken(SHORT));
		await collect(client.generateSystemUserToken({ systemUserId: '1', scopes: ['ads_read'], expiring: true, adminToken: ADMIN }));
		await collect(client.getPageAccounts({ accessToken: ADMIN }));
		await collect(client.revokeUserToken(REVOKE));
		await collect(client.revokeSystemUserToken(REVOKE, { accessToken: ADMIN }));
		for (const result of await client.debugTokens([INPUT, SHORT])) if (!result.ok) errors.push(result.error);
		for (const result of await client.batch([{ method: 'GET', relativeUrl: `debug_token?input_token=${INPUT}` }])) {
			if (!result.ok) errors.push(result.error);
		}

		expect(errors.length).toBeGreaterThanOrEqual(8);
		const texts = errors.flatMap((error) => [
			error.message,
			error.description,
			error.metaMessage ?? '',
			error.stack ?? '',
			JSON.stringify(error),
			JSON.stringify({ ...error }),
		]);
		texts.push(...log.map((entry) => entry.url));
		for (const text of texts) {
			for (const secret of forbidden) expect(text).not.toContain(secret);
		}
	});
});
