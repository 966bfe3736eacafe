/**
 * Meta's rate-limit headers, read: the usage figures (`x-app-usage`, `x-page-usage`,
 * `x-business-use-case-usage`, `x-ad-account-usage`), which limit an answer speaks of and how long
 * Meta asks us to wait. Their own file because both the classifier (a rate-limit error's limit and
 * wait) and the pacer (every answer's usage) read them, and neither owns the other.
 *
 * Only the entries that concern a call count: the token endpoints this package calls are paced by
 * the app's limit (and a Page's, for a Page token). A business-use-case or ad-account entry at 100 %
 * on a successful answer belongs to other calls of the same business (ads, insights) and says
 * nothing about ours; once Meta refuses a call for a rate limit, the wait it announced in any of
 * them is the wait for that call.
 */
import { TOO_FAST_SUBCODE } from '../meta/errorCodes';
import type { GraphHttpResponse } from './http';
import { isRecord } from '../meta/wire';

type Headers = GraphHttpResponse['headers'];

interface AppUsage {
	call_count?: number;
	total_time?: number;
	total_cputime?: number;
}

interface BusinessUseCaseUsage {
	type?: string;
	call_count?: number;
	total_time?: number;
	total_cputime?: number;
	/** Minutes until calls are accepted again. */
	estimated_time_to_regain_access?: number;
}

interface AdAccountUsage {
	acc_id_util_pct?: number;
	/** Seconds until the ad account's window resets. */
	reset_time_duration?: number;
}

/** `x-fb-ads-insights-throttle`: the Ads Insights load, in percent, of the app and of the ad account. */
interface InsightsThrottle {
	app_id_util_pct?: number;
	acc_id_util_pct?: number;
}

/** The rate-limit headers Meta sends, parsed; a header that is absent or not JSON is left out. */
interface GraphUsage {
	app?: AppUsage;
	page?: AppUsage;
	/** Keyed by business id. */
	businessUseCase?: Record<string, BusinessUseCaseUsage[]>;
	adAccount?: AdAccountUsage;
	insights?: InsightsThrottle;
}

/** Which of Meta's rate limits an answer speaks of. */
type LimitKind =
	| 'app'
	| 'user'
	| 'page'
	| 'custom'
	| 'businessUseCase'
	| 'adAccount'
	| 'insights'
	| 'tooFast'
	| 'unknown';

/** The limit a rate-limit error was about, and the wait Meta announced for it. */
export interface LimitHit {
	kind: LimitKind;
	/** The business-use-case type, e.g. `ads_management`. */
	type?: string;
	/** The business id of a business-use-case entry. */
	id?: string;
	/** How long Meta asked to wait, when it said so. */
	waitMs?: number;
	/** The Ads Insights load that refused the call (x-fb-ads-insights-throttle), in percent. */
	insights?: { app?: number; account?: number };
}

function headerValue(headers: Headers | undefined, name: string): string | undefined {
	const value = headers?.[name];
	return Array.isArray(value) ? value[0] : value;
}

function jsonHeader(headers: Headers | undefined, name: string): Record<string, unknown> | undefined {
	const raw = headerValue(headers, name);
	if (!raw) return undefined;
	try {
		const parsed: unknown = JSON.parse(raw);
		return isRecord(parsed) ? parsed : undefined;
	} catch {
		// A proxy may mangle the header; usage data is advisory, so a bad one is ignored.
		return undefined;
	}
}

function parseUsageHeaders(headers: Headers | undefined): GraphUsage {
	const usage: GraphUsage = {};
	const app = jsonHeader(headers, 'x-app-usage');
	if (app) usage.app = app as AppUsage;
	const page = jsonHeader(headers, 'x-page-usage');
	if (page) usage.page = page as AppUsage;
	const business = jsonHeader(headers, 'x-business-use-case-usage');
	if (business) {
		usage.businessUseCase = {};
		for (const [id, entries] of Object.entries(business)) {
			if (Array.isArray(entries)) usage.businessUseCase[id] = entries.filter(isRecord);
		}
	}
	const adAccount = jsonHeader(headers, 'x-ad-account-usage');
	if (adAccount) usage.adAccount = adAccount as AdAccountUsage;
	const insights = jsonHeader(headers, 'x-fb-ads-insights-throttle');
	if (insights) usage.insights = insights as InsightsThrottle;
	return usage;
}

/** The kind of limit a rate-limit error code names (Meta's table: 4/341 app, 17 user, 32 page, 613 custom, 80000–80014 business use case, 368/1390008 going too fast). */
function limitKindOfCode(code: number | undefined, subcode?: number): LimitKind {
	if (code === 368 && subcode === TOO_FAST_SUBCODE) return 'tooFast';
	if (code === 4 || code === 341) return 'app';
	if (code === 17) return 'user';
	if (code === 32) return 'page';
	if (code === 613) return 'custom';
	if (code !== undefined && code >= 80000 && code <= 80014) return 'businessUseCase';
	return 'unknown';
}

function positive(value: unknown): number | undefined {
	const number = Number(value);
	return Number.isFinite(number) && number > 0 ? number : undefined;
}

/** `retry-after` (seconds or an HTTP date) in ms, or undefined. */
function retryAfterMs(headers: Headers | undefined, nowMs: number): number | undefined {
	const retryAfter = headerValue(headers, 'retry-after')?.trim();
	if (!retryAfter) return undefined;
	if (/^\d+(\.\d+)?$/.test(retryAfter)) return Number(retryAfter) * 1000;
	const date = Date.parse(retryAfter);
	return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** The business-use-case entry that refused us: the one with the longest announced wait, else the fullest. */
function businessUseCaseHit(usage: GraphUsage): LimitHit {
	let best: { id: string; entry: BusinessUseCaseUsage; wait: number; load: number } | undefined;
	for (const [id, entries] of Object.entries(usage.businessUseCase ?? {})) {
		for (const entry of entries) {
			const wait = positive(entry.estimated_time_to_regain_access) ?? 0;
			const load = highestFigure(entry as Record<string, unknown>);
			if (!best || wait > best.wait || (wait === best.wait && load > best.load)) best = { id, entry, wait, load };
		}
	}
	if (!best) return { kind: 'businessUseCase' };
	return {
		kind: 'businessUseCase',
		type: typeof best.entry.type === 'string' ? best.entry.type : undefined,
		id: best.id,
		waitMs: best.wait > 0 ? best.wait * 60_000 : undefined,
	};
}

/** Meta throttles a limit once one of its figures reaches 100 (percent). */
const FULL = 100;

/** The insights load of the answer, when one of its figures is full: the limit that refused an insights call. */
function insightsHit(usage: GraphUsage): LimitHit | undefined {
	const app = Number(usage.insights?.app_id_util_pct);
	const account = Number(usage.insights?.acc_id_util_pct);
	if (!(app >= FULL) && !(account >= FULL)) return undefined;
	return {
		kind: 'insights',
		insights: {
			...(Number.isFinite(app) ? { app } : {}),
			...(Number.isFinite(account) ? { account } : {}),
		},
	};
}

/**
 * The limit a rate-limited answer was refused by and the wait Meta announced, read wherever Meta
 * put it: `estimated_time_to_regain_access` (minutes) of `x-business-use-case-usage` for any code
 * that carries one (32 and 4 included: Pages and app calls are business-use-case limited too),
 * `reset_time_duration` (seconds) of `x-ad-account-usage` for the ad-account codes (17, 613) or a
 * refusal without a code, `retry-after` for any limit. The longest announced wait names the limit;
 * without one, a full `x-fb-ads-insights-throttle` names the insights load, else the code does.
 * Code 368 with subcode 1390008 is Meta's "going too fast" block.
 */
export function limitHit(
	code: number | undefined,
	headers: Headers | undefined,
	nowMs: number,
	subcode?: number,
): LimitHit {
	const usage = parseUsageHeaders(headers);
	const byCode = limitKindOfCode(code, subcode);
	const candidates: LimitHit[] = [];
	const business = businessUseCaseHit(usage);
	if (business.waitMs !== undefined || byCode === 'businessUseCase') candidates.push(business);
	const adAccountWait = positive(usage.adAccount?.reset_time_duration);
	if (adAccountWait !== undefined && (byCode === 'user' || byCode === 'custom' || byCode === 'unknown')) {
		candidates.push({ kind: 'adAccount', waitMs: adAccountWait * 1000 });
	}
	const announced = candidates
		.filter((hit) => hit.waitMs !== undefined)
		.sort((a, b) => (b.waitMs ?? 0) - (a.waitMs ?? 0))[0];
	const hit: LimitHit =
		announced ?? candidates.find((candidate) => candidate.kind === byCode) ?? insightsHit(usage) ?? { kind: byCode };
	hit.waitMs ??= retryAfterMs(headers, nowMs);
	return hit;
}

/** How long a successful answer asks us to hold off (`retry-after`), or undefined. */
export function announcedWaitMs(headers: Headers | undefined, nowMs: number): number | undefined {
	return retryAfterMs(headers, nowMs);
}

function highestFigure(entry: Record<string, unknown>): number {
	let highest = 0;
	for (const field of ['call_count', 'total_time', 'total_cputime', 'acc_id_util_pct']) {
		const value = Number(entry[field]);
		if (Number.isFinite(value)) highest = Math.max(highest, value);
	}
	return highest;
}

/**
 * Each figure (`call_count`, `total_time`, `total_cputime`, in percent) of the usage headers that
 * concern the package's calls — `x-app-usage` and `x-page-usage` — keyed `app.call_count`,
 * `page.total_time` …, or undefined when the answer carries neither. Meta throttles a limit once
 * one of its figures reaches 100.
 */
export function usageFiguresOf(headers: Headers | undefined): Record<string, number> | undefined {
	const usage = parseUsageHeaders(headers);
	let figures: Record<string, number> | undefined;
	for (const [limit, entry] of [
		['app', usage.app],
		['page', usage.page],
	] as const) {
		if (entry === undefined) continue;
		figures ??= {};
		for (const field of ['call_count', 'total_time', 'total_cputime'] as const) {
			const value = Number(entry[field]);
			if (Number.isFinite(value)) figures[`${limit}.${field}`] = value;
		}
	}
	return figures;
}

/** The highest of the figures (0 for an entry without any): how close the call is to being throttled. */
export function highestUsage(figures: Record<string, number>): number {
	return Math.max(0, ...Object.values(figures));
}

/** A wait in words: "45 seconds", "30 minutes", "2 hours". */
export function durationWords(ms: number): string {
	const seconds = Math.max(1, Math.ceil(ms / 1000));
	if (seconds < 120) return `${seconds} second${seconds === 1 ? '' : 's'}`;
	const minutes = Math.ceil(seconds / 60);
	if (minutes < 120) return `${minutes} minutes`;
	return `${Math.ceil(minutes / 60)} hours`;
}

/** The limit in words, naming the header that reports it. */
export function limitWords(hit: LimitHit): string {
	switch (hit.kind) {
		case 'app':
			return "the app's rate limit (x-app-usage)";
		case 'user':
			return "the user's rate limit (code 17)";
		case 'page':
			return "the Page's rate limit (x-page-usage)";
		case 'custom':
			return 'a custom rate limit on this endpoint (code 613)';
		case 'adAccount':
			return "the ad account's rate limit (x-ad-account-usage)";
		case 'insights': {
			const figures = [
				hit.insights?.app === undefined ? '' : `app ${hit.insights.app} %`,
				hit.insights?.account === undefined ? '' : `ad account ${hit.insights.account} %`,
			].filter((figure) => figure !== '');
			return `the Ads Insights load limit (x-fb-ads-insights-throttle: ${figures.join(', ')})`;
		}
		case 'tooFast':
			return 'Meta\'s "going too fast" block on this action (code 368, subcode 1390008)';
		case 'businessUseCase': {
			const type = hit.type ? ` "${hit.type}"` : '';
			const of = hit.id ? ` of business ${hit.id}` : '';
			return `the business use case limit${type}${of} (x-business-use-case-usage)`;
		}
		case 'unknown':
			return 'a rate limit';
	}
}
