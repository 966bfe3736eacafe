import { parseUsageHeaders, retryAfterMsFromHeaders, usagePercentOf } from '../../nodes/graph/usage';

const NOW = Date.UTC(2026, 0, 1);

describe('retryAfterMsFromHeaders', () => {
	it('falls back to retry-after (seconds or HTTP date), then to unknown', () => {
		expect(retryAfterMsFromHeaders({ 'retry-after': '12' }, NOW)).toBe(12_000);
		expect(retryAfterMsFromHeaders({ 'retry-after': new Date(NOW + 90_000).toUTCString() }, NOW)).toBe(90_000);
		expect(retryAfterMsFromHeaders({ 'retry-after': 'soon' }, NOW)).toBeUndefined();
		expect(
			retryAfterMsFromHeaders(
				{ 'x-business-use-case-usage': '{"1":[{"estimated_time_to_regain_access":0}]}', 'retry-after': '2' },
				NOW,
			),
		).toBe(2000);
		expect(retryAfterMsFromHeaders({}, NOW)).toBeUndefined();
	});
});

describe('usage headers', () => {
	it('parses the app and business-use-case headers', () => {
		const usage = parseUsageHeaders({
			'x-app-usage': '{"call_count":28,"total_time":25,"total_cputime":25}',
			'x-business-use-case-usage': '{"123":[{"type":"ads_management","call_count":95}]}',
			'x-ad-account-usage': ['{"acc_id_util_pct":9.67}'],
		});
		expect(usage.app).toEqual({ call_count: 28, total_time: 25, total_cputime: 25 });
		expect(usage.businessUseCase).toEqual({ '123': [{ type: 'ads_management', call_count: 95 }] });
	});

	it('ignores bad JSON and odd shapes', () => {
		expect(
			parseUsageHeaders({
				'x-app-usage': '{call_count:',
				'x-business-use-case-usage': '{"1":"not a list","2":[1,{"call_count":5}]}',
				'x-ad-account-usage': '[1,2]',
			}),
		).toEqual({ businessUseCase: { '2': [{ call_count: 5 }] } });
		expect(parseUsageHeaders(undefined)).toEqual({});
	});
});

describe('usagePercentOf', () => {
	it('is the highest figure of either header, or undefined without them', () => {
		expect(
			usagePercentOf({
				'x-app-usage': '{"call_count":28,"total_time":91,"total_cputime":25}',
				'x-business-use-case-usage': '{"123":[{"type":"ads_management","call_count":95}]}',
			}),
		).toBe(95);
		expect(usagePercentOf({ 'x-app-usage': '{"call_count":28,"total_time":91}' })).toBe(91);
		expect(usagePercentOf({})).toBeUndefined();
	});
});
