/** The bench's arithmetic (scripts/bench): limits, the careful batching of (c), and the verdicts. */
import type { BenchResults, Condition, RunSample } from '../../../scripts/bench/report';
import { physicalLimitMs, quotaFloorMs, rows, targets } from '../../../scripts/bench/report';
import { carefulBatching } from '../../../scripts/bench/workflows';
import type { Variant } from '../../../scripts/bench/workflows';

describe('bench arithmetic', () => {
	it('physical limit is ⌈N/50/4⌉ round trips of latency', () => {
		expect(physicalLimitMs(100, 100)).toBe(100);
		expect(physicalLimitMs(1000, 100)).toBe(500);
		expect(physicalLimitMs(5000, 100)).toBe(2500);
		expect(physicalLimitMs(201, 100)).toBe(200);
	});

	it('a quota of 40 % per window needs three windows for any N', () => {
		for (const n of [100, 1000, 5000]) expect(quotaFloorMs(n, 0.4, 5000, 100)).toBe(10_100);
	});

	it("(c)'s batching stays under 90 % of the quota per 5-s window even if a sixth batch were late", () => {
		for (const n of [100, 1000, 5000]) {
			const { batchSize, batchInterval } = carefulBatching(n);
			const quota = Math.ceil(0.4 * n);
			expect(batchSize * 5).toBeLessThanOrEqual(0.9 * quota);
			// Batches start batchInterval apart: at most five start within any 5-s window.
			expect(batchInterval * 5).toBeGreaterThan(5000);
		}
	});
});

describe('bench verdicts', () => {
	const sample = (variant: Variant, condition: Condition, extra: Partial<RunSample>): RunSample => ({
		variant,
		n: 1000,
		condition,
		nodeMs: 800,
		executionMs: 1500,
		processMs: 9000,
		tokensOk: 1000,
		items: 1000,
		roundTrips: 20,
		countedCalls: 1000,
		byStatus: { 200: 20 },
		peakRssBytes: 400 * 2 ** 20,
		status: 'success',
		...extra,
	});
	const results = {
		latencyMs: 100,
		concurrency: 4,
		batchSize: 50,
		quota: { share: 0.4, windowMs: 5000 },
		cpu: { items: 5000, runs: 3, cpuMsPerItem: 0.4, wallMs: 2000, profile: [] },
		package: { filename: 'x.tgz', packedBytes: 42_000, unpackedBytes: 160_000, files: 36, runtimeDependencies: [] },
		samples: [
			sample('a', 'unthrottled', { nodeMs: 700 }),
			sample('a', 'unthrottled', { nodeMs: 740 }),
			sample('a', 'unthrottled', { nodeMs: 1500 }),
			sample('b', 'unthrottled', { nodeMs: 9000, roundTrips: 1000 }),
			sample('q', 'unthrottled', { nodeMs: 2000, roundTrips: 1000 }),
			sample('a', 'quota-partial', { nodeMs: 12_000, countedCalls: 1030 }),
			sample('a', 'quota-partial', { nodeMs: 14_000, tokensOk: 990, countedCalls: 1040 }),
			sample('c', 'quota-partial', { nodeMs: 24_000, roundTrips: 1000 }),
			sample('a', 'quota-whole', { nodeMs: 16_000, countedCalls: 1200 }),
			sample('k', 'unthrottled', { nodeMs: 600 }),
			sample('n', 'unthrottled', { nodeMs: 40, roundTrips: 0, countedCalls: 0 }),
			sample('a', 'unthrottled', { n: 5000, nodeMs: 3000, roundTrips: 100, timeline: { meanInFlight: 3.9, idleMs: 0, spanMs: 2600, arrivalsMs: [0, 1, 2, 3], sizes: [50, 50, 50, 50] } }),
			sample('q', 'unthrottled', { n: 5000, nodeMs: 12_000, roundTrips: 5000 }),
			sample('a', 'unthrottled-0ms', { nodeMs: 150 }),
			sample('a', 'unthrottled-0ms', { nodeMs: 250 }),
			sample('a', 'unthrottled-0ms', { nodeMs: 190 }),
			sample('k', 'unthrottled-0ms', { nodeMs: 260 }),
			sample('n', 'unthrottled-0ms', { nodeMs: 30, roundTrips: 0 }),
		],
	} as unknown as BenchResults;

	it('takes medians per condition, N and variant, the ratio to the limit and the HTTP Request node', () => {
		const table = rows(results);
		const a = table.find((row) => row.condition === 'unthrottled' && row.variant === 'a');
		expect(a).toMatchObject({ nodeMs: 740, runs: 3, limitMs: 500 });
		expect(a?.ofLimit).toBeCloseTo(740 / 500);
		expect(a?.httpRatios.b).toBeCloseTo(9000 / 740);
		expect(a?.httpRatios.q).toBeCloseTo(2000 / 740);
		expect(table.find((row) => row.variant === 'b')?.httpRatios).toEqual({});
		const partial = table.find((row) => row.condition === 'quota-partial' && row.variant === 'a');
		expect(partial).toMatchObject({ tokensOkMin: 990, limitMs: 10_100, nodeMs: 13_000 });
		// (c) runs once under the quota: the refused-whole row is compared with it too.
		const whole = table.find((row) => row.condition === 'quota-whole' && row.variant === 'a');
		expect(whole?.httpRatios.c).toBeCloseTo(24_000 / 16_000);
	});

	it('says which targets are met and which are missed', () => {
		const verdicts = Object.fromEntries(targets(results, rows(results)).map((t) => [t.target, t.met]));
		expect(verdicts['N = 1,000 unthrottled: (a) node time ≤ 1.5× the physical limit (≤ 750 ms)']).toBe(true);
		expect(verdicts['N = 1,000 unthrottled: (a) ≤ N/50 = 20 Graph calls']).toBe(true);
		expect(verdicts['N = 1,000 unthrottled: (a) ≥ 3× faster than (b) HTTP Request, Header Auth']).toBe(true);
		expect(verdicts['N = 1,000 unthrottled: (a) ≥ 3× faster than (q) HTTP Request, token in query']).toBe(false);
		expect(verdicts['Under the quota, batches refused partly: (a) inspects 100 % of tokens with zero errors']).toBe(false);
		expect(verdicts['Under the quota, batches refused partly: (a) counted calls ≤ 1.1 × N']).toBe(true);
		expect(verdicts['Under the quota, batches refused partly: (a) node time ≤ 1.5× the quota bound']).toBe(true);
		expect(verdicts['Under the quota, batches refused whole: (a) counted calls ≤ 1.1 × N']).toBe(false);
		expect(verdicts['Under the quota, batches refused whole: (a) node time ≤ 1.5× the quota bound']).toBe(false);
		expect(verdicts['Packed package ≤ 100 KB']).toBe(true);
		// Check for Alerts has the same targets as Inspect; each N has its own verdicts.
		expect(verdicts['N = 1,000 unthrottled: (k) node time ≤ 1.5× the physical limit (≤ 750 ms)']).toBe(true);
		expect(verdicts['N = 1,000 unthrottled: (k) ≥ 3× faster than (q) HTTP Request, token in query']).toBe(true);
		expect(verdicts['N = 5,000 unthrottled: (a) node time ≤ 1.5× the physical limit (≤ 3750 ms)']).toBe(true);
		expect(verdicts['N = 5,000 unthrottled: (a) ≥ 3× faster than (q) HTTP Request, token in query']).toBe(true);
		expect(verdicts['N = 5,000 unthrottled: (a) ≥ 3× faster than (b) HTTP Request, Header Auth']).toBeUndefined();
	});

	it('at 0 ms latency judges the time per item, beside the pass-through floor, with no limit to divide by', () => {
		const table = rows(results);
		const a = table.find((row) => row.condition === 'unthrottled-0ms' && row.variant === 'a');
		expect(a).toMatchObject({ nodeMs: 190, limitMs: 0, runs: 3 });
		expect(a?.msPerItem).toBeCloseTo(0.19);
		expect(table.find((row) => row.condition === 'unthrottled-0ms' && row.variant === 'n')?.httpRatios).toEqual({});
		const verdicts = targets(results, table);
		const perItem = (variant: Variant) => verdicts.find((t) => t.target === `N = 1,000 at 0 ms latency: (${variant}) node time per item ≤ 0.2 ms`);
		expect(perItem('a')).toMatchObject({ met: true, value: '0.190 ms per item (190 ms); pass-through floor (n): 0.030 ms per item (30 ms)' });
		expect(perItem('k')).toMatchObject({ met: false });
	});

	it('keeps the mean calls in flight of the runs that logged a timeline', () => {
		const table = rows(results);
		expect(table.find((row) => row.condition === 'unthrottled' && row.n === 5000 && row.variant === 'a')?.meanInFlight).toBe(3.9);
		expect(table.find((row) => row.condition === 'unthrottled' && row.n === 1000 && row.variant === 'a')?.meanInFlight).toBeUndefined();
	});
});
