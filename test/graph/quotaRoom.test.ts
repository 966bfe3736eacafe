/** The room left in the app's quota, from usage figures in whole percent (nodes/graph/quotaRoom.ts). */
import { QuotaRoom } from '../../nodes/graph/quotaRoom';

/** What Meta reports after `used` calls of a quota of `quota`: floored percent. */
const callCount = (used: number, quota: number) => ({ 'app.call_count': Math.floor((used * 100) / quota) });

describe('QuotaRoom', () => {
	it('knows nothing before an answer with usage', () => {
		const room = new QuotaRoom();
		expect(room.room(0)).toBeUndefined();
		room.observe(50, undefined);
		expect(room.room(0)).toBeUndefined();
	});

	it('never promises more than is left, whatever the quota and the rounding', () => {
		for (const quota of [40, 120, 400, 2000, 17_000]) {
			const room = new QuotaRoom();
			let used = 0;
			for (let step = 0; step < 1000 && used < quota; step++) {
				// Before any usage is known a run risks a tenth (batch.ts); here 10 calls.
				const free = room.room(0) ?? 10;
				const calls = Math.max(1, Math.min(50, free));
				if (used + calls > quota) break;
				used += calls;
				room.observe(calls, callCount(used, quota));
				expect(room.room(0)).toBeLessThanOrEqual(quota - used);
			}
			// And it leaves little unused: at most the 1 % kept in hand, and a few calls of rounding.
			expect(used).toBeGreaterThanOrEqual(Math.floor(quota * 0.97) - 3);
		}
	});

	it('counts the calls in flight against the room', () => {
		const room = new QuotaRoom();
		room.observe(50, callCount(50, 400));
		const free = room.room(0) as number;
		expect(room.room(100)).toBe(free - 100);
		expect(room.room(10_000)).toBe(0);
	});

	it('lets the fullest figure decide, and a figure our calls do not move stops limiting', () => {
		const room = new QuotaRoom();
		let used = 0;
		for (let step = 0; step < 4; step++) {
			used += 50;
			// total_time stays at 1 % (light calls), call_count rises: 400 calls per window.
			room.observe(50, { ...callCount(used, 400), 'app.total_time': 1 });
		}
		expect(room.room(0)).toBeLessThanOrEqual(400 - used);
		expect(room.room(0)).toBeGreaterThanOrEqual(400 - used - 10);
		// Once total_time is the fuller figure and rises with the calls, it decides.
		room.observe(50, { ...callCount(used + 50, 400), 'app.total_time': 90 });
		room.observe(10, { ...callCount(used + 60, 400), 'app.total_time': 95 });
		expect(room.room(0)).toBeLessThan(400 - used - 60);
	});

	it('starts a new rise when usage falls (the window moved on), keeping what it learnt', () => {
		const room = new QuotaRoom();
		for (let used = 50; used <= 350; used += 50) room.observe(50, callCount(used, 400));
		// A new window: one call, 0 %. The calls per percent learnt before still hold.
		room.observe(1, callCount(1, 400));
		const free = room.room(0) as number;
		expect(free).toBeLessThanOrEqual(399);
		expect(free).toBeGreaterThanOrEqual(380);
	});
});
