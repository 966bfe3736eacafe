/** Batch calls: chunks, concurrency, items asked again, rate-limited items, single-call fallback. */
import { GraphClient, type GraphClientOptions } from '../../nodes/graph/GraphClient';
import type { GraphHttpRequest, GraphHttpResponse, GraphTransport } from '../../nodes/graph/http';
import { APP_ID, APP_SECRET, APP_TOKEN, appUsage, batchForm, FakeTransport, graphError, type Harness, harness, inspectAll, item, json, raw, recorder, type Reply, type Route, runBatch, START } from './fakes';

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
	it('inspects 120 tokens in calls of at most 50, the first a tenth of the run, results in input order', async () => {
		const fake = new FakeTransport(
			batchRoute((relativeUrl) => {
				const token = new URLSearchParams(relativeUrl.split('?')[1]).get('input_token');
				return item({ data: { is_valid: true, type: 'USER', user_id: token } });
			}),
		);
		const { client } = harness(fake);
		const results = await inspectAll(client, tokens(120));
		// Until Meta's first answer tells how much of the app's quota is used, a run risks a tenth of it.
		expect(fake.requests.map((request) => batchForm(request).length)).toEqual([12, 50, 50, 8]);
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
		await expect(runBatch(client, [])).resolves.toEqual([]);
		expect(fake.requests).toHaveLength(0);
	});

	it('keeps at most `concurrency` batch calls in flight', async () => {
		let inFlight = 0;
		let most = 0;
		const route = batchRoute(() => item({ ok: true }));
		const transport: GraphTransport = async (request) => {
			inFlight++;
			most = Math.max(most, inFlight);
			await new Promise<void>((resolve) => setImmediate(resolve));
			inFlight--;
			return (await route(request)) as GraphHttpResponse;
		};
		const requests = Array.from({ length: 200 }, () => ({ method: 'GET' as const, relativeUrl: 'me' }));
		const { client } = harness(new FakeTransport(), { transport });
		const results = await runBatch(client, requests, { concurrency: 2 });
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
		const results = await runBatch(client, [
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
		const results = await runBatch(client, [
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
		const results = await runBatch(client, [
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
		const results = await runBatch(client, [
			{ method: 'GET', relativeUrl: 'busy' },
			{ method: 'GET', relativeUrl: 'calm' },
		]);
		expect(results.every((result) => result.ok)).toBe(true);
		expect(sleeps).toEqual([60_000]);
		expect(fake.requests).toHaveLength(2);
	});

	it('gives a rate-limited item its error once the wait budget is spent, whatever maxAttempts says', async () => {
		const fake = new FakeTransport(batchRoute(() => item({ error: { code: 17, message: 'User request limit reached' } }, 400)));
		// Five pauses of 1 s and one of 2 s fit a 7 s budget; the next one (4 s) would not.
		const { client, sleeps } = harness(fake, { maxAttempts: 2, maxRateLimitWaitMs: 7000 });
		const [result] = await runBatch(client, [{ method: 'GET', relativeUrl: 'busy' }]);
		expect(result).toMatchObject({ ok: false, error: { errorClass: 'rateLimit' } });
		expect(fake.requests).toHaveLength(7);
		expect(sleeps).toEqual([1000, 1000, 1000, 1000, 1000, 2000]);
	});

	it.each<[string, Reply]>([
		['not an array', json({ data: [] })],
		['an array of the wrong length', json([item({})])],
		['an HTML page', raw(200, '<html>proxy</html>')],
		['cut-off JSON', raw(200, '[{"code":200,"bo')],
	])('falls back to single calls when the batch answer is %s', async (_name, answer) => {
		const fake = new FakeTransport((request) => (request.form?.batch ? answer : json({ single: request.url })));
		const { client } = harness(fake);
		const results = await runBatch(client, [
			{ method: 'GET', relativeUrl: 'a' },
			{ method: 'DELETE', relativeUrl: 'b' },
		]);
		expect(results).toEqual([
			{ ok: true, status: 200, body: { single: 'https://graph.facebook.com/v25.0/a' } },
			{ ok: true, status: 200, body: { single: 'https://graph.facebook.com/v25.0/b' } },
		]);
		expect(fake.requests.map((request) => request.method)).toEqual(['POST', 'GET', 'DELETE']);
	});

	it.each<[string, Reply, string]>([
		['a bad request', graphError(100, { message: 'Invalid batch parameter' }), 'badRequest'],
		['an unknown API version', graphError(2635, { message: '(#2635) You are calling a deprecated version' }), 'badRequest'],
		['a missing proof', graphError(100, { message: 'API calls from the server require an appsecret_proof argument' }), 'proofRequired'],
		['a 404 without a Graph error', raw(404, 'Not Found'), 'badResponse'],
	])('gives every item the error when the batch call itself is refused (%s), with no single calls', async (_name, answer, errorClass) => {
		const fake = new FakeTransport(() => answer);
		const { client } = harness(fake);
		const results = await runBatch(client, [
			{ method: 'GET', relativeUrl: 'a' },
			{ method: 'GET', relativeUrl: 'b' },
		]);
		expect(results.map((result) => !result.ok && result.error.errorClass)).toEqual([errorClass, errorClass]);
		expect(fake.requests).toHaveLength(1);
	});

	it('retries the batch call itself like any call', async () => {
		let calls = 0;
		const fake = new FakeTransport((request) =>
			++calls === 1 ? graphError(2, { status: 500 }) : json(batchForm(request).map(() => item({ ok: 1 }))),
		);
		const { client } = harness(fake);
		const results = await runBatch(client, [{ method: 'GET', relativeUrl: 'a' }]);
		expect(results).toEqual([{ ok: true, status: 200, body: { ok: 1 } }]);
		expect(fake.requests).toHaveLength(2);
	});

	it('fails every item with the batch call error when the calling token is dead', async () => {
		const fake = new FakeTransport().reply(graphError(190, { subcode: 463 }));
		const { client } = harness(fake);
		const results = await inspectAll(client, ['EAAa', 'EAAb']);
		expect(results.map((result) => !result.ok && result.error.reason)).toEqual(['expired', 'expired']);
		expect(fake.requests).toHaveLength(1);
	});

	it('debugTokens reports an item without data as badResponse', async () => {
		const fake = new FakeTransport(batchRoute(() => item({ nope: true })));
		const { client } = harness(fake);
		const [result] = await inspectAll(client, ['EAAa']);
		expect(result).toMatchObject({ ok: false, error: { errorClass: 'badResponse' } });
	});

	it('debugTokens runs with the token it is given', async () => {
		const fake = new FakeTransport(batchRoute(() => item({ data: { is_valid: true } })));
		const { client } = harness(fake, { appSecret: undefined });
		await inspectAll(client, ['EAAa'], { accessToken: 'EAAcaller' });
		expect(fake.requests[0].headers).toEqual({ Authorization: 'Bearer EAAcaller' });
	});
});

describe('rate-limit pacing of batches', () => {
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
		const { now, sleep, sleeps } = recorder();
		const { transport, sends } = pacedTransport(now, answer);
		const client = new GraphClient({ transport, appId: APP_ID, appSecret: APP_SECRET, now, sleep, ...options });
		return { client, fake: new FakeTransport(), sleeps, log: [], sends, clock: now };
	}

	it('sends one full round before the first answer when that round is at most a fifth of the run, else a tenth', async () => {
		// The calls sent before any answer came back: those with no earlier answer to go by.
		const blind = (sends: Send[]): number[] => sends.filter((send, index) => send.inFlight === index + 1).map((send) => send.size);
		const calm = (_n: number, size: number) => json(Array.from({ length: size }, () => item({ data: { is_valid: true } })), 200, appUsage(1));
		const cases: Array<[tokens: number, concurrency: number, blind: number[]]> = [
			// 1,000 at Concurrency 4: a round of 200 is a fifth: four calls of 50, not two (a tenth).
			[1000, 4, [50, 50, 50, 50]],
			// 999: a round would be more than a fifth; a tenth (100) as before.
			[999, 4, [50, 50]],
			[5000, 4, [50, 50, 50, 50]],
			// 5,000 at Concurrency 16: a round of 800 is less than a fifth, and more than a tenth.
			[5000, 16, Array(16).fill(50)],
			[200, 4, [20]],
			// 3,999 at Concurrency 16: a round of 800 would be more than a fifth: a tenth (400).
			[3999, 16, Array(8).fill(50)],
		];
		for (const [count, concurrency, expected] of cases) {
			const { client, sends } = pacedHarness(calm);
			const results = await inspectAll(client, tokens(count), { accessToken: APP_TOKEN, concurrency });
			expect(results.every((result) => result.ok)).toBe(true);
			expect([count, concurrency, blind(sends)]).toEqual([count, concurrency, expected]);
			expect(sends.reduce((sum, send) => sum + send.size, 0)).toBe(count);
		}
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
		const results = await runBatch(client, [
			{ method: 'GET', relativeUrl: 'calm' },
			{ method: 'GET', relativeUrl: 'busy1' },
			{ method: 'GET', relativeUrl: 'busy2' },
		]);
		expect(results[0]).toEqual({ ok: true, status: 200, body: { id: 'calm' } });
		expect(results.slice(1).map((result) => !result.ok && result.error.errorClass)).toEqual(['rateLimit', 'rateLimit']);
		expect(sleeps).toEqual([1000, 1000, 1000]);
	});

	it('once an announced wait outlasts the budget, the rest go in whole batches and fail together, not one call per item', async () => {
		// Every call refused whole (code 4) with a 30-minute wait: nothing can succeed in this run.
		const refused = { ...appUsage(100), 'retry-after': '1800' };
		const { client, sends } = pacedHarness(
			() => json({ error: { code: 4, message: '(#4) Application request limit reached' } }, 400, refused),
			{ maxRateLimitWaitMs: 60_000 },
		);
		const results = await inspectAll(client, tokens(1000), { accessToken: APP_TOKEN });
		expect(results.every((result) => !result.ok && result.error.errorClass === 'rateLimit')).toBe(true);
		// 20 calls of 50, as with no quota at all (it used to be 900 one-token calls, one at a time).
		expect(sends.map((send) => send.size)).toEqual(Array(20).fill(50));
	});

	it('makes every call in flight wait out the pause Meta announced, then probes with one item', async () => {
		const announced = {
			...appUsage(120),
			// The items are refused for the app limit (code 4): its wait is retry-after. A full
			// business-use-case entry that announces no wait does not add one.
			'retry-after': '60',
			'x-business-use-case-usage': JSON.stringify({ 9: [{ type: 'ads_management', call_count: 120, estimated_time_to_regain_access: 0 }] }),
		};
		const { client, sleeps, sends } = pacedHarness((n, size) =>
			n === 2
				? json(Array.from({ length: size }, busyItem), 200, announced)
				: json(Array.from({ length: size }, () => item({ ok: true })), 200, appUsage(n === 3 ? 60 : 10)),
		);
		const requests = Array.from({ length: 220 }, (_, index) => ({ method: 'GET' as const, relativeUrl: `r${index}` }));
		const results = await runBatch(client, requests, { concurrency: 2 });

		expect(results.every((result) => result.ok)).toBe(true);
		// A tenth of the run goes first; its answer opens the room, and two calls go together. The
		// first of them is refused with "1 minute"; the second's calm answer was sent before the
		// pause and does not lift it.
		expect(sends.slice(0, 3).map((send) => [send.at, send.inFlight, send.size])).toEqual([
			[START, 1, 22],
			[START, 1, 50],
			[START, 2, 50],
		]);
		for (const send of sends.slice(3)) expect(send.at).toBeGreaterThanOrEqual(START + 60_000);
		expect(sleeps).toEqual([60_000]);
		// After the pause one probe of one item goes; its calm answer lets both calls go again.
		expect([sends[3].inFlight, sends[3].size]).toEqual([1, 1]);
		expect(sends.slice(4).map((send) => send.inFlight)).toContain(2);
		expect(sends.reduce((sum, send) => sum + send.size, 0)).toBe(220 + 50);
	});

	it('is not slowed by a business-use-case entry at 100 % that concerns other calls', async () => {
		const otherCalls = {
			...appUsage(10),
			'x-business-use-case-usage': JSON.stringify({ 9: [{ type: 'ads_insights', call_count: 100, total_time: 100, estimated_time_to_regain_access: 30 }] }),
			'x-ad-account-usage': JSON.stringify({ acc_id_util_pct: 100, reset_time_duration: 300 }),
		};
		const { client, sends, sleeps } = pacedHarness((_n, size) =>
			json(Array.from({ length: size }, () => item({ ok: true })), 200, otherCalls),
		);
		const requests = Array.from({ length: 400 }, (_, index) => ({ method: 'GET' as const, relativeUrl: `r${index}` }));
		const results = await runBatch(client, requests, { concurrency: 4 });
		expect(results.every((result) => result.ok)).toBe(true);
		expect(sleeps).toEqual([]);
		expect(Math.max(...sends.map((send) => send.inFlight))).toBe(4);
	});

	/**
	 * An app quota on the fake clock: `calls` per window of `windowMs`, every sub-request counted
	 * (refused ones too), usage in whole percent; past it, a batch is answered partly or refused whole.
	 */
	function quotaAnswers(quota: { calls: number; windowMs: number; batches: 'partial' | 'whole' }, clock: () => number) {
		let window = { startedMs: clock(), used: 0 };
		const counted: number[] = [];
		/** The size of every call with a sub-request refused. */
		const refused: number[] = [];
		const usage = () => appUsage(Math.floor((window.used * 100) / quota.calls));
		const answer = (_n: number, size: number): GraphHttpResponse => {
			if (clock() - window.startedMs >= quota.windowMs) window = { startedMs: clock(), used: 0 };
			counted.push(size);
			if (window.used + size > quota.calls) refused.push(size);
			if (quota.batches === 'whole' && window.used + size > quota.calls) {
				window.used += size;
				return graphError(4, { status: 403, message: '(#4) Application request limit reached', headers: usage() });
			}
			const items = Array.from({ length: size }, () => {
				window.used += 1;
				return window.used > quota.calls ? { ...busyItem(), headers: [{ name: 'x-app-usage', value: usage()['x-app-usage'] }] } : item({ ok: true });
			});
			return json(items, 200, usage());
		};
		return { answer, counted, refused };
	}

	it.each(['partial', 'whole'] as const)(
		'spends a quota refused %s with few calls wasted: batches cut to the room left, one-item probes after a pause',
		async (batches) => {
			let clockOf: () => number = () => START;
			let quota: ReturnType<typeof quotaAnswers> | undefined;
			const { client, sends, sleeps } = pacedHarness((n, size) => {
				quota ??= quotaAnswers({ calls: 400, windowMs: 5000, batches }, clockOf);
				return quota.answer(n, size);
			});
			clockOf = () => START + sleeps.reduce((sum, ms) => sum + ms, 0);
			const requests = Array.from({ length: 1000 }, (_, index) => ({ method: 'GET' as const, relativeUrl: `r${index}` }));
			const results = await runBatch(client, requests, { concurrency: 4 });

			expect(results.every((result) => result.ok)).toBe(true);
			const counted = quota?.counted.reduce((sum, size) => sum + size, 0) ?? 0;
			// What the quota refused were one-item probes: a handful of calls, never a batch.
			expect(quota?.refused.every((size) => size === 1)).toBe(true);
			expect(counted).toBeGreaterThanOrEqual(1000);
			expect(counted).toBeLessThanOrEqual(1010);
			expect(Math.max(...sends.map((send) => send.size))).toBeLessThanOrEqual(50);
			// Three windows of 400: two waits of about 5 s, probed once a second.
			const waited = sleeps.reduce((sum, ms) => sum + ms, 0);
			expect(waited).toBeGreaterThanOrEqual(10_000);
			expect(waited).toBeLessThanOrEqual(12_000);
			expect(sleeps.every((ms) => ms === 1000)).toBe(true);
		},
	);

});
