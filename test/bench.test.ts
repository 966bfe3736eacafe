/** The bench's arithmetic (scripts/bench): limits, the careful batching of (c), and the verdicts. */
import type { BenchResults, RunSample } from '../scripts/bench/report';
import { physicalLimitMs, quotaFloorMs, rows, targets } from '../scripts/bench/report';
import { carefulBatching } from '../scripts/bench/workflows';

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
	const sample = (variant: 'a' | 'b' | 'c', condition: 'unthrottled' | 'quota', extra: Partial<RunSample>): RunSample => ({
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
		quota: { share: 0.4, windowMs: 5000 },
		cpu: { items: 5000, runs: 3, cpuMsPerItem: 0.4, wallMs: 2000, profile: [] },
		package: { filename: 'x.tgz', packedBytes: 42_000, unpackedBytes: 160_000, files: 36, runtimeDependencies: [] },
		samples: [
			sample('a', 'unthrottled', { nodeMs: 700 }),
			sample('a', 'unthrottled', { nodeMs: 900 }),
			sample('a', 'unthrottled', { nodeMs: 1500 }),
			sample('b', 'unthrottled', { nodeMs: 2400, roundTrips: 1000 }),
			sample('a', 'quota', { nodeMs: 15_000, tokensOk: 1000 }),
			sample('a', 'quota', { nodeMs: 14_000, tokensOk: 990 }),
		],
	} as unknown as BenchResults;

	it('takes medians per condition, N and variant, and the ratio to (a)', () => {
		const table = rows(results);
		const a = table.find((row) => row.condition === 'unthrottled' && row.variant === 'a');
		const b = table.find((row) => row.condition === 'unthrottled' && row.variant === 'b');
		expect(a).toMatchObject({ nodeMs: 900, runs: 3, physicalLimitMs: 500 });
		expect(b?.ratioToA).toBeCloseTo(2400 / 900);
		expect(table.find((row) => row.condition === 'quota')).toMatchObject({ tokensOkMin: 990, quotaFloorMs: 10_100 });
	});

	it('says which targets are met and which are missed', () => {
		const verdicts = Object.fromEntries(targets(results, rows(results)).map((t) => [t.target, t.met]));
		expect(verdicts['N = 1,000 unthrottled: ≤ 20 Graph round trips, 50× fewer than (b)']).toBe(true);
		expect(verdicts['N = 1,000 unthrottled: wall time ≥ 3× faster than (b)']).toBe(false);
		expect(verdicts['N = 1,000 unthrottled: within 2× of the physical limit']).toBe(true);
		expect(verdicts['Under the quota: (a) inspects 100 % of tokens with zero errors']).toBe(false);
		expect(verdicts['Packed package ≤ 60 KB']).toBe(true);
	});
});
