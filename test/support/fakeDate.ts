/**
 * Fakes `Date` only: timers, sockets, axios and fetch keep real time, so HTTP (and a client's
 * retry pause) behaves as in production while the clock the trigger reads is set by the test.
 */
const REAL_TIMERS = [
	'hrtime',
	'nextTick',
	'performance',
	'queueMicrotask',
	'requestAnimationFrame',
	'cancelAnimationFrame',
	'requestIdleCallback',
	'cancelIdleCallback',
	'setImmediate',
	'clearImmediate',
	'setInterval',
	'clearInterval',
	'setTimeout',
	'clearTimeout',
] as const;

/** From now on `Date.now()` is `nowMs` until moved with jest.setSystemTime; undo with jest.useRealTimers(). */
export function fakeDateOnly(nowMs: number): void {
	jest.useFakeTimers({ doNotFake: [...REAL_TIMERS], now: nowMs });
}
