/**
 * What the bench needs from the Graph double beyond e2e/support/graphDoubleProcess.ts (which it
 * reuses to start the process): latency, the app quota and the request log, through the double's
 * control API under /_double/ (test/graph-double/README.md).
 */
import type { LoggedRequest } from '../../test/graph-double/model';

async function control<T>(url: string, method: string, route: string, body?: unknown): Promise<T> {
	const response = await fetch(`${url}/_double/${route}`, {
		method,
		headers: body === undefined ? {} : { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await response.text();
	if (!response.ok) throw new Error(`double ${method} /_double/${route} → ${response.status} ${text}`);
	return JSON.parse(text) as T;
}

export interface Quota {
	calls: number;
	windowMs: number;
}

export async function setLatency(url: string, ms: number): Promise<void> {
	await control(url, 'POST', 'latency', { ms });
}

/** Setting a quota (again) opens a fresh window with nothing used. */
export async function setQuota(url: string, quota: Quota | null): Promise<void> {
	await control(url, 'POST', 'quota', quota);
}

export async function clearRequests(url: string): Promise<void> {
	await control(url, 'DELETE', 'requests');
}

/** What the double saw in one run: Graph round trips and the calls (batch sub-requests counted). */
export interface DoubleTraffic {
	/** HTTP requests to the Graph API (a batch call is one). */
	roundTrips: number;
	/** Every call Meta would count: single calls plus batch sub-requests. */
	countedCalls: number;
	/** Round trips by HTTP status. */
	byStatus: Record<string, number>;
}

export async function traffic(url: string): Promise<DoubleTraffic> {
	const requests = await control<LoggedRequest[]>(url, 'GET', 'requests');
	const byStatus: Record<string, number> = {};
	let countedCalls = 0;
	for (const request of requests) {
		byStatus[String(request.status)] = (byStatus[String(request.status)] ?? 0) + 1;
		countedCalls += request.batchSize ?? 1;
	}
	return { roundTrips: requests.length, countedCalls, byStatus };
}
