/**
 * The control API under `/_double/`, for suites that run the double in another process (the CLI).
 * It only calls GraphDouble's public methods, so in-process tests and remote ones drive the same
 * double the same way. Also the JSON readers the CLI uses for its seed file.
 */
import { jsonAnswer } from './errors';
import type { GraphDouble } from './GraphDouble';
import type { Answer, DoubleApp, DoublePlatform, DoubleTokenSpec, Fault, FaultRule, InvalidationReason } from './model';

/** Unversioned, so it can never collide with a Graph path (those start with `/vNN.N/`). */
export const CONTROL_PREFIX = '/_double/';

type JsonObject = Record<string, unknown>;

function object(value: unknown, what: string): JsonObject {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new Error(`${what} must be a JSON object`);
	}
	return value as JsonObject;
}

function stringField(value: JsonObject, name: string, what: string): string {
	const found = value[name];
	if (typeof found !== 'string') throw new Error(`${what}.${name} must be a string`);
	return found;
}

function numberField(value: JsonObject, name: string, what: string): number {
	const found = value[name];
	if (typeof found !== 'number') throw new Error(`${what}.${name} must be a number`);
	return found;
}

const PLATFORMS: ReadonlyArray<DoublePlatform> = ['facebook', 'instagram', 'threads'];

const TOKEN_TYPES: ReadonlyArray<DoubleTokenSpec['type']> = ['USER', 'PAGE', 'SYSTEM_USER', 'APP'];

const FAULT_TYPES: ReadonlyArray<Fault['type']> = [
	'graphError',
	'status',
	'html',
	'malformedJson',
	'emptyBody',
	'delay',
	'reset',
	'rateLimit',
	'batchNull',
	'batchUnusable',
];

const REASONS: ReadonlyArray<InvalidationReason> = [
	'passwordChanged',
	'revoked',
	'expired',
	'checkpoint',
	'noPageRole',
	'inactive',
	'invalid',
];

export function appFromJson(value: unknown): DoubleApp {
	const app = object(value, 'app');
	for (const name of ['id', 'name', 'secret']) stringField(app, name, 'app');
	return app as unknown as DoubleApp;
}

/** Checks what the double relies on; the optional fields are taken as given. */
export function tokenSpecFromJson(value: unknown): DoubleTokenSpec {
	const spec = object(value, 'token spec');
	stringField(spec, 'appId', 'token spec');
	if (!TOKEN_TYPES.includes(spec.type as DoubleTokenSpec['type'])) {
		throw new Error(`token spec.type must be one of ${TOKEN_TYPES.join(', ')}`);
	}
	if (spec.platform !== undefined && !PLATFORMS.includes(spec.platform as DoublePlatform)) {
		throw new Error(`token spec.platform must be one of ${PLATFORMS.join(', ')}`);
	}
	return spec as unknown as DoubleTokenSpec;
}

/**
 * A FaultRule from JSON. A RegExp path comes as `"pathRegex": "..."` (beside or inside `path`).
 * JSON has no Infinity and JSON.stringify writes it as null, so `"times": null` (or "Infinity")
 * means always; an absent `times` means once.
 */
export function faultRuleFromJson(value: unknown): FaultRule {
	const rule = object(value, 'fault rule');
	const fault = object(rule.fault, 'fault rule.fault');
	if (!FAULT_TYPES.includes(fault.type as Fault['type'])) {
		throw new Error(`fault rule.fault.type must be one of ${FAULT_TYPES.join(', ')}`);
	}
	const nested = typeof rule.path === 'object' && rule.path !== null ? (rule.path as JsonObject) : {};
	const pathRegex = rule.pathRegex ?? nested.pathRegex;
	const path =
		typeof pathRegex === 'string'
			? new RegExp(pathRegex)
			: typeof rule.path === 'string'
				? rule.path
				: undefined;
	const times =
		rule.times === null || rule.times === 'Infinity'
			? Infinity
			: typeof rule.times === 'number'
				? rule.times
				: undefined;
	return {
		fault: fault as unknown as Fault,
		path,
		platform: PLATFORMS.includes(rule.platform as DoublePlatform) ? (rule.platform as DoublePlatform) : undefined,
		method: typeof rule.method === 'string' ? rule.method : undefined,
		token: typeof rule.token === 'string' ? rule.token : undefined,
		times,
	};
}

export interface Seed {
	apps: DoubleApp[];
	tokens: DoubleTokenSpec[];
}

export function seedFromJson(value: unknown): Seed {
	const seed = object(value, 'seed');
	const list = (name: string): unknown[] => {
		const entries = seed[name] ?? [];
		if (!Array.isArray(entries)) throw new Error(`seed.${name} must be an array`);
		return entries;
	};
	return { apps: list('apps').map(appFromJson), tokens: list('tokens').map(tokenSpecFromJson) };
}

/** Answers one control call; `route` is the path after `/_double/`. Bad input answers 400. */
export function controlAnswer(
	double: GraphDouble,
	method: string,
	route: string,
	body: string,
): Answer {
	const done = jsonAnswer({ success: true });
	try {
		const input: unknown = body.trim() === '' ? null : JSON.parse(body);
		switch (`${method} ${route}`) {
			case 'GET requests':
				return jsonAnswer(double.requests);
			case 'DELETE requests':
				double.clearRequests();
				return done;
			case 'POST apps':
				return jsonAnswer(double.addApp(appFromJson(input)));
			case 'POST tokens':
				return jsonAnswer({ token: double.addToken(tokenSpecFromJson(input)) });
			case 'POST invalidate': {
				const request = object(input, 'invalidate');
				const token = stringField(request, 'token', 'invalidate');
				const reason = request.reason as InvalidationReason;
				if (!REASONS.includes(reason)) {
					throw new Error(`invalidate.reason must be one of ${REASONS.join(', ')}`);
				}
				double.invalidate(token, reason);
				return done;
			}
			case 'POST faults':
				double.injectFault(faultRuleFromJson(input));
				return done;
			case 'DELETE faults':
				double.clearFaults();
				return done;
			case 'GET clock':
				return jsonAnswer({ now: double.now() });
			case 'POST clock': {
				const clock = object(input, 'clock');
				if (typeof clock.now === 'number') double.setNow(clock.now);
				else double.advance(numberField(clock, 'advance', 'clock'));
				return jsonAnswer({ now: double.now() });
			}
			case 'POST latency':
				double.setLatency(numberField(object(input, 'latency'), 'ms', 'latency'));
				return done;
			case 'POST quota': {
				if (input === null) {
					double.setQuota(null);
					return done;
				}
				const quota = object(input, 'quota');
				const batches = quota.batches ?? 'partial';
				if (batches !== 'partial' && batches !== 'whole') throw new Error('quota.batches must be "partial" or "whole"');
				double.setQuota({
					calls: numberField(quota, 'calls', 'quota'),
					windowMs: numberField(quota, 'windowMs', 'quota'),
					batches,
				});
				return done;
			}
			default:
				return jsonAnswer({ error: `no control route ${method} ${CONTROL_PREFIX}${route}` }, 404);
		}
	} catch (error) {
		return jsonAnswer({ error: error instanceof Error ? error.message : String(error) }, 400);
	}
}
