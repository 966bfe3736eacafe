/** Injected faults: which rule hits which request, and what a faulted request answers. */
import { defaultMessage, defaultStatus, errorAnswer, JSON_CONTENT_TYPE } from './errors';
import type { Answer, Fault, FaultRule, GraphRequest } from './model';

/** Where a request sits: a whole HTTP call, or one sub-request inside a batch call. */
export type Level = 'call' | 'batchItem';

/** Faults that replace the answer (the others act on the connection or on the batch as a whole). */
export type AnswerFault = Extract<
	Fault,
	{ type: 'graphError' | 'rateLimit' | 'status' | 'html' | 'malformedJson' | 'emptyBody' }
>;

const ANSWER_FAULTS: ReadonlySet<Fault['type']> = new Set<AnswerFault['type']>([
	'graphError',
	'rateLimit',
	'status',
	'html',
	'malformedJson',
	'emptyBody',
]);

export function isAnswerFault(fault: Fault): fault is AnswerFault {
	return ANSWER_FAULTS.has(fault.type);
}

/** Only graph.facebook.com has the batch endpoint. */
export function isBatchCall(request: Pick<GraphRequest, 'platform' | 'method' | 'path'>): boolean {
	return request.platform === 'facebook' && request.method === 'POST' && request.path === '/';
}

interface ActiveRule {
	rule: FaultRule;
	remaining: number;
}

export class FaultBook {
	private readonly rules: ActiveRule[] = [];

	add(rule: FaultRule): void {
		this.rules.push({ rule, remaining: rule.times ?? 1 });
	}

	clear(): void {
		this.rules.length = 0;
	}

	/** The first rule that applies to the request, counted down (and dropped when used up). */
	take(request: GraphRequest, level: Level): Fault | undefined {
		const index = this.rules.findIndex(({ rule }) => applies(rule, request, level));
		if (index < 0) return undefined;
		const active = this.rules[index];
		active.remaining -= 1;
		if (active.remaining <= 0) this.rules.splice(index, 1);
		return active.rule.fault;
	}
}

/** Parameters whose value is a token the request is about. */
const TOKEN_PARAMETERS = ['input_token', 'fb_exchange_token', 'revoke_token'] as const;

function carriesToken(request: GraphRequest, token: string): boolean {
	return request.callingToken === token || TOKEN_PARAMETERS.some((name) => request.params[name] === token);
}

function applies(rule: FaultRule, request: GraphRequest, level: Level): boolean {
	if (rule.platform !== undefined && rule.platform !== request.platform) return false;
	if (rule.method !== undefined && rule.method.toUpperCase() !== request.method) return false;
	if (rule.token !== undefined && !carriesToken(request, rule.token)) return false;
	if (typeof rule.path === 'string' && rule.path !== request.path) return false;
	if (rule.path instanceof RegExp) {
		// A /g or /y pattern remembers where it stopped; every request is a fresh subject.
		rule.path.lastIndex = 0;
		if (!rule.path.test(request.path)) return false;
	}
	const { type } = rule.fault;
	if (type === 'batchNull' || type === 'batchUnusable') {
		return level === 'call' && isBatchCall(request);
	}
	// Inside a batch there is no connection to delay or reset: only the item's answer can change.
	return level === 'call' || isAnswerFault(rule.fault);
}

/** What a proxy in front of the Graph API answers when the backend is unreachable. */
const PROXY_PAGE =
	'<html><head><title>502 Bad Gateway</title></head><body>' +
	'<center><h1>502 Bad Gateway</h1></center><hr><center>proxygen</center></body></html>';

/** A JSON answer cut short, as when a connection drops mid-body behind a proxy. */
const TRUNCATED_JSON = '{"data":{"app_id":"1234567890","type":"USER","is_valid":tr';

export interface RateLimitOptions {
	code?: number;
	appUsage?: Record<string, number>;
	businessUseCaseMinutes?: number;
}

/**
 * A throttled answer. With business-use-case minutes it is the Marketing API's 80004 ("too many
 * calls to this ad-account"), which tells the wait in `x-business-use-case-usage`.
 */
export function rateLimitAnswer(options: RateLimitOptions, businessId: string): Answer {
	const minutes = options.businessUseCaseMinutes;
	const code = options.code ?? (minutes === undefined ? 4 : 80004);
	const answer = errorAnswer(defaultStatus(code), {
		code,
		subcode: code === 80004 ? 2446079 : undefined,
		message: defaultMessage(code),
		isTransient: true,
	});
	answer.headers['x-app-usage'] = JSON.stringify({
		call_count: 100,
		total_time: 25,
		total_cputime: 25,
		...options.appUsage,
	});
	if (minutes !== undefined) {
		answer.headers['x-business-use-case-usage'] = JSON.stringify({
			[businessId]: [
				{
					type: 'ads_management',
					call_count: 100,
					total_time: 25,
					total_cputime: 25,
					estimated_time_to_regain_access: minutes,
				},
			],
		});
	}
	return answer;
}

/** Faults that come from something in front of the Graph API, not from it: no Graph headers. */
export function isForeignFault(fault: AnswerFault): boolean {
	return fault.type === 'html' || fault.type === 'status';
}

export function faultAnswer(fault: AnswerFault, businessId: string): Answer {
	switch (fault.type) {
		case 'graphError': {
			const answer = errorAnswer(fault.status ?? defaultStatus(fault.code), {
				code: fault.code,
				subcode: fault.subcode,
				message: fault.message ?? defaultMessage(fault.code),
				isTransient: fault.isTransient ?? (fault.code === 1 || fault.code === 2),
				userTitle: fault.userTitle,
				userMessage: fault.userMessage,
			});
			for (const [name, value] of Object.entries(fault.headers ?? {})) {
				answer.headers[name.toLowerCase()] = value;
			}
			return answer;
		}
		case 'rateLimit':
			return rateLimitAnswer(fault, businessId);
		case 'status':
			return {
				status: fault.status,
				headers: { 'content-type': fault.contentType ?? 'text/plain; charset=utf-8' },
				body: fault.body ?? '',
			};
		case 'html':
			return { status: 502, headers: { 'content-type': 'text/html; charset=utf-8' }, body: PROXY_PAGE };
		case 'malformedJson':
			return { status: 200, headers: { 'content-type': JSON_CONTENT_TYPE }, body: TRUNCATED_JSON };
		case 'emptyBody':
			return { status: 200, headers: { 'content-type': JSON_CONTENT_TYPE }, body: '' };
	}
}
