import {
	announcedWaitMs,
	durationWords,
	highestUsage,
	limitHit,
	limitWords,
	usageFiguresOf,
} from '../../nodes/graph/usage';

const NOW = Date.UTC(2026, 0, 1);
const BUC = (entries: object[]) => ({ 'x-business-use-case-usage': JSON.stringify({ '77': entries }) });

describe('announcedWaitMs', () => {
	it('is retry-after (seconds or HTTP date), else unknown', () => {
		expect(announcedWaitMs({ 'retry-after': '12' }, NOW)).toBe(12_000);
		expect(announcedWaitMs({ 'retry-after': new Date(NOW + 90_000).toUTCString() }, NOW)).toBe(90_000);
		expect(announcedWaitMs({ 'retry-after': 'soon' }, NOW)).toBeUndefined();
		expect(announcedWaitMs({}, NOW)).toBeUndefined();
	});

	it('ignores a business-use-case wait on an answer that was not refused for it', () => {
		expect(announcedWaitMs(BUC([{ type: 'ads_insights', estimated_time_to_regain_access: 30 }]), NOW)).toBeUndefined();
	});
});

describe('limitHit', () => {
	it('names the limit by the error code', () => {
		expect([4, 341, 17, 32, 613, 80004, 1].map((code) => limitHit(code, undefined, NOW).kind)).toEqual([
			'app',
			'app',
			'user',
			'page',
			'custom',
			'businessUseCase',
			'unknown',
		]);
	});

	it('reads a business-use-case refusal: its type, business and wait (minutes)', () => {
		const hit = limitHit(
			80004,
			BUC([
				{ type: 'ads_insights', call_count: 40, estimated_time_to_regain_access: 0 },
				{ type: 'ads_management', call_count: 100, estimated_time_to_regain_access: 30 },
			]),
			NOW,
		);
		expect(hit).toEqual({ kind: 'businessUseCase', type: 'ads_management', id: '77', waitMs: 30 * 60_000 });
		expect(limitWords(hit)).toBe('the business use case limit "ads_management" of business 77 (x-business-use-case-usage)');
	});

	it('takes the business-use-case wait of a refusal whatever its code (32, 4), the longest announced wait naming the limit', () => {
		const pages = BUC([{ type: 'pages', call_count: 100, estimated_time_to_regain_access: 5 }]);
		expect(limitHit(32, pages, NOW)).toEqual({ kind: 'businessUseCase', type: 'pages', id: '77', waitMs: 5 * 60_000 });
		const headers = { ...BUC([{ type: 'ads_management', estimated_time_to_regain_access: 30 }]), 'retry-after': '20' };
		expect(limitHit(4, headers, NOW)).toEqual({ kind: 'businessUseCase', type: 'ads_management', id: '77', waitMs: 30 * 60_000 });
		// An entry that announces no wait leaves the code's limit and retry-after in charge.
		const calm = { ...BUC([{ type: 'ads_management', call_count: 100, estimated_time_to_regain_access: 0 }]), 'retry-after': '20' };
		expect(limitHit(4, calm, NOW)).toEqual({ kind: 'app', waitMs: 20_000 });
	});

	it('reads reset_time_duration (seconds) of x-ad-account-usage for the ad-account codes 17 and 613, not for an app limit', () => {
		const account = { 'x-ad-account-usage': '{"acc_id_util_pct":100,"reset_time_duration":240,"ads_api_access_tier":"standard_access"}' };
		expect(limitHit(17, account, NOW)).toEqual({ kind: 'adAccount', waitMs: 240_000 });
		expect(limitHit(613, account, NOW)).toEqual({ kind: 'adAccount', waitMs: 240_000 });
		expect(limitHit(4, account, NOW)).toEqual({ kind: 'app' });
	});

	it('names a full x-fb-ads-insights-throttle when no wait was announced, never one below 100', () => {
		const full = { 'x-fb-ads-insights-throttle': '{"app_id_util_pct":100,"acc_id_util_pct":12.5}' };
		const hit = limitHit(4, full, NOW);
		expect(hit).toEqual({ kind: 'insights', insights: { app: 100, account: 12.5 } });
		expect(limitWords(hit)).toBe('the Ads Insights load limit (x-fb-ads-insights-throttle: app 100 %, ad account 12.5 %)');
		expect(limitHit(17, { 'x-fb-ads-insights-throttle': '{"app_id_util_pct":0,"acc_id_util_pct":0}' }, NOW)).toEqual({ kind: 'user' });
	});

	it('names 368 with subcode 1390008 as the "going too fast" block', () => {
		const hit = limitHit(368, {}, NOW, 1390008);
		expect(hit).toEqual({ kind: 'tooFast' });
		expect(limitWords(hit)).toContain('going too fast');
	});

	it('reads an ad-account refusal from x-ad-account-usage (seconds)', () => {
		const hit = limitHit(undefined, { 'x-ad-account-usage': '{"acc_id_util_pct":100,"reset_time_duration":120}' }, NOW);
		expect(hit).toEqual({ kind: 'adAccount', waitMs: 120_000 });
		expect(limitWords(hit)).toContain('x-ad-account-usage');
	});
});

describe('usage headers', () => {
	it('reads each figure of the app and Page headers', () => {
		expect(
			usageFiguresOf({
				'x-app-usage': '{"call_count":28,"total_time":25,"total_cputime":25}',
				'x-page-usage': '{"call_count":3}',
				'x-business-use-case-usage': '{"123":[{"type":"ads_management","call_count":95}]}',
				'x-ad-account-usage': ['{"acc_id_util_pct":9.67}'],
			}),
		).toEqual({ 'app.call_count': 28, 'app.total_time': 25, 'app.total_cputime': 25, 'page.call_count': 3 });
	});

	it('ignores bad JSON and odd shapes', () => {
		expect(
			usageFiguresOf({
				'x-app-usage': '{call_count:',
				'x-business-use-case-usage': '{"1":"not a list","2":[1,{"call_count":5}]}',
				'x-ad-account-usage': '[1,2]',
			}),
		).toBeUndefined();
		expect(usageFiguresOf({ 'x-page-usage': '[1,2]' })).toBeUndefined();
		expect(usageFiguresOf(undefined)).toBeUndefined();
	});
});

describe('highestUsage', () => {
	const highestOf = (headers: Record<string, string>) => {
		const figures = usageFiguresOf(headers);
		return figures && highestUsage(figures);
	};

	it('is the highest figure of the app and Page headers, or undefined without them', () => {
		expect(highestOf({ 'x-app-usage': '{"call_count":28,"total_time":91}' })).toBe(91);
		expect(highestOf({ 'x-app-usage': '{"call_count":28}', 'x-page-usage': '{"call_count":96}' })).toBe(96);
		expect(highestOf({})).toBeUndefined();
	});

	it('leaves out business-use-case and ad-account entries: they pace other calls than ours', () => {
		expect(
			highestOf({
				'x-app-usage': '{"call_count":28,"total_time":25,"total_cputime":25}',
				...BUC([{ type: 'ads_management', call_count: 100 }]),
				'x-ad-account-usage': '{"acc_id_util_pct":100}',
			}),
		).toBe(28);
		expect(highestOf(BUC([{ type: 'ads_management', call_count: 100 }]))).toBeUndefined();
	});
});

describe('durationWords', () => {
	it('says seconds, minutes or hours', () => {
		expect([1000, 45_000, 30 * 60_000, 5 * 3_600_000].map(durationWords)).toEqual([
			'1 second',
			'45 seconds',
			'30 minutes',
			'5 hours',
		]);
	});
});
