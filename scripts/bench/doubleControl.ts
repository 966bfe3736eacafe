/**
 * What the bench needs from the Graph double beyond e2e/support/graphDoubleProcess.ts (which it
 * reuses to start the process): latency, the app quota and the request log, through the double's
 * control API under /_double/ (tools/graph-double/README.md).
 */
import type { LoggedRequest } from '../../tools/graph-double/model';

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
	/** How the double refuses a throttled batch (tools/graph-double/README.md). */
	batches?: 'partial' | 'whole';
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

export async function requestLog(url: string): Promise<LoggedRequest[]> {
	return await control<LoggedRequest[]>(url, 'GET', 'requests');
}

/** How the Graph calls of one run lay in time (the double's real-time stamps). */
export interface Timeline {
	calls: number;
	/** First call in → last answer out, ms. */
	spanMs: number;
	/** Mean calls in flight over the span. */
	meanInFlight: number;
	/** Time within the span with no call in flight, ms: the network idle between calls. */
	idleMs: number;
	/** Each call: when it arrived and was answered (ms after the first arrived), and its batch size. */
	each: Array<{ inMs: number; outMs: number; size: number }>;
}

export function timelineOf(requests: LoggedRequest[]): Timeline | undefined {
	const answered = requests.filter((request) => request.answeredMs !== undefined);
	if (answered.length === 0) return undefined;
	const events = answered.flatMap((request) => [
		{ at: request.receivedMs, delta: 1 },
		{ at: request.answeredMs as number, delta: -1 },
	]);
	events.sort((x, y) => x.at - y.at || y.delta - x.delta);
	let inFlight = 0;
	let weighted = 0;
	let idleMs = 0;
	for (let index = 0; index < events.length; index++) {
		const next = events[index + 1];
		inFlight += events[index].delta;
		if (!next) break;
		const duration = next.at - events[index].at;
		weighted += inFlight * duration;
		if (inFlight === 0) idleMs += duration;
	}
	const spanMs = events[events.length - 1].at - events[0].at;
	const first = events[0].at;
	const each = answered.map((request) => ({
		inMs: request.receivedMs - first,
		outMs: (request.answeredMs as number) - first,
		size: request.batchSize ?? 1,
	}));
	return { calls: answered.length, spanMs, meanInFlight: spanMs > 0 ? weighted / spanMs : 0, idleMs, each };
}

export async function traffic(url: string): Promise<DoubleTraffic> {
	return trafficOf(await requestLog(url));
}

export function trafficOf(requests: LoggedRequest[]): DoubleTraffic {
	const byStatus: Record<string, number> = {};
	let countedCalls = 0;
	for (const request of requests) {
		byStatus[String(request.status)] = (byStatus[String(request.status)] ?? 0) + 1;
		countedCalls += request.batchSize ?? 1;
	}
	return { roundTrips: requests.length, countedCalls, byStatus };
}
