/**
 * Meta's rate-limit headers, read: the usage figures (`x-app-usage`, `x-business-use-case-usage`)
 * and how long Meta asks us to wait. Their own file because both the classifier (a rate-limit
 * error's wait) and the pacer (every answer's usage) read them, and neither owns the other.
 */
import type { GraphHttpResponse } from './types';
import { isRecord } from './wire';

type Headers = GraphHttpResponse['headers'];

export interface AppUsage {
	call_count?: number;
	total_time?: number;
	total_cputime?: number;
}

export interface BusinessUseCaseUsage {
	type?: string;
	call_count?: number;
	total_time?: number;
	total_cputime?: number;
	/** Minutes until calls are accepted again. */
	estimated_time_to_regain_access?: number;
}

/** The rate-limit headers Meta sends, parsed; a header that is absent or not JSON is left out. */
export interface GraphUsage {
	app?: AppUsage;
	/** Keyed by business id. */
	businessUseCase?: Record<string, BusinessUseCaseUsage[]>;
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

export function parseUsageHeaders(headers: Headers | undefined): GraphUsage {
	const usage: GraphUsage = {};
	const app = jsonHeader(headers, 'x-app-usage');
	if (app) usage.app = app as AppUsage;
	const business = jsonHeader(headers, 'x-business-use-case-usage');
	if (business) {
		usage.businessUseCase = {};
		for (const [id, entries] of Object.entries(business)) {
			if (Array.isArray(entries)) usage.businessUseCase[id] = entries.filter(isRecord);
		}
	}
	return usage;
}

/**
 * How long Meta asks us to wait: the longest `estimated_time_to_regain_access` (minutes) across the
 * business-use-case entries, else `retry-after` (seconds or an HTTP date), else unknown.
 */
export function retryAfterMsFromHeaders(headers: Headers | undefined, nowMs: number): number | undefined {
	const minutes = Object.values(parseUsageHeaders(headers).businessUseCase ?? {})
		.flat()
		.map((entry) => Number(entry.estimated_time_to_regain_access))
		.filter((value) => Number.isFinite(value) && value > 0);
	if (minutes.length > 0) return Math.max(...minutes) * 60_000;

	const retryAfter = headerValue(headers, 'retry-after')?.trim();
	if (!retryAfter) return undefined;
	if (/^\d+(\.\d+)?$/.test(retryAfter)) return Number(retryAfter) * 1000;
	const date = Date.parse(retryAfter);
	return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/**
 * The highest `call_count`, `total_time` or `total_cputime` in `x-app-usage` and
 * `x-business-use-case-usage` (Meta throttles when any one reaches 100), or undefined when the
 * answer carries neither header.
 */
export function usagePercentOf(headers: Headers | undefined): number | undefined {
	const usage = parseUsageHeaders(headers);
	const entries: Array<Record<string, unknown>> = [];
	if (usage.app) entries.push(usage.app as Record<string, unknown>);
	for (const list of Object.values(usage.businessUseCase ?? {})) entries.push(...(list as Array<Record<string, unknown>>));
	if (entries.length === 0) return undefined;
	let highest = 0;
	for (const entry of entries) {
		for (const field of ['call_count', 'total_time', 'total_cputime']) {
			const value = Number(entry[field]);
			if (Number.isFinite(value)) highest = Math.max(highest, value);
		}
	}
	return highest;
}
