import { isRecord, optionalNumber, optionalString } from '../../nodes/meta/wire';

describe('wire readers', () => {
	it('isRecord takes plain objects only', () => {
		expect([{}, { a: 1 }].map(isRecord)).toEqual([true, true]);
		expect([null, [], 'x', 1, undefined].map(isRecord)).toEqual([false, false, false, false, false]);
	});

	it('optionalNumber takes finite numbers and digit strings', () => {
		expect([190, ' 463 ', '0'].map(optionalNumber)).toEqual([190, 463, 0]);
		expect([NaN, Infinity, '-1', '1.5', '', null].map(optionalNumber)).toEqual(Array.from({ length: 6 }, () => undefined));
	});

	it('optionalString takes strings only', () => {
		expect(['', 'x', 1, null].map(optionalString)).toEqual(['', 'x', undefined, undefined]);
	});
});
