/**
 * Observations: what one check of a token saw — an inspected token, or a check that failed — and
 * the one step (`observe`) that turns an inspection into one.
 *
 * Its own file because this is the boundary between the nodes (which talk to Meta) and the alert
 * policy (which only judges): the trigger and Check for Alerts both build their observations with
 * `observe`, evaluateAlerts reads them, and Inspect reads a dead token's answer with `answerOf`.
 */
import { GRAPH_ERROR_CLASSES, type AuthReason, type DebugTokenData, type GraphErrorClass, type Inspection } from '../meta/types';
import type { InspectOptions, InspectRecord, TokenStatus } from './inspectRecord';
import { recordAuthReason, toInspectRecord } from './inspectRecord';
import { redactSecrets } from '../meta/redact';
import { parseScopeList } from './scopes';
import { tokenFingerprint } from './tokenIdentity';

/** The token was inspected: `record` says what Meta answered (alive, expiring or dead). */
export interface OkObservation {
	kind: 'ok';
	/** Identity of the token (`tokenFingerprint(token)`, equal to `record.tokenFingerprint`). */
	fingerprint: string;
	record: InspectRecord;
	credentialName?: string | null;
	/** Why the token is dead when the Graph layer classified it (see observationFromAuthError). */
	reason?: AuthReason;
}

/** The check itself failed: nothing is known about the token from this poll. */
export interface CheckFailedObservation {
	kind: 'checkFailed';
	errorClass: GraphErrorClass;
	reason?: AuthReason;
	/** What went wrong; secrets are scrubbed again before it goes into an alert. */
	message: string;
	fingerprint: string;
	credentialName?: string | null;
}

export type Observation = OkObservation | CheckFailedObservation;

export interface ObservationOptions {
	nowMs: number;
	credentialName?: string | null;
	requiredScopes?: string | string[];
	/** The credential's platform and token record: how an Instagram or Threads answer is read (inspectRecord.ts). */
	platform?: InspectOptions['platform'];
	tokenRecord?: InspectOptions['tokenRecord'];
}

function recordOptions(options: ObservationOptions): InspectOptions {
	const record: InspectOptions = { nowMs: options.nowMs, requiredScopes: parseScopeList(options.requiredScopes) };
	if (options.platform !== undefined) record.platform = options.platform;
	if (options.tokenRecord !== undefined) record.tokenRecord = options.tokenRecord;
	return record;
}

/** A successful `debug_token` answer (alive or dead token) as an observation. */
export function observationFromInspection(
	token: string,
	data: DebugTokenData,
	options: ObservationOptions,
): OkObservation {
	const record = toInspectRecord(token, data, recordOptions(options));
	return {
		kind: 'ok',
		fingerprint: record.tokenFingerprint,
		record,
		credentialName: options.credentialName ?? null,
	};
}

/** What the Graph layer knows about a failed call (a `GraphError` fits this shape). */
export interface CheckFailure {
	errorClass: GraphErrorClass;
	reason?: AuthReason;
	message: string;
	/** Meta's own text, when there is one: preferred over `message` for the record's error. */
	metaMessage?: string;
	code?: number | null;
	subcode?: number | null;
}

/**
 * A token that inspected ITSELF (no app secret, so `debug_token` ran with the token as the caller)
 * and was refused with an auth error (code 190/102/2500): that refusal is Meta's verdict on the
 * token, so it becomes a dead-token observation (`expired` or `invalid` with the reason), exactly as
 * if an app token had inspected it and got `is_valid: false`.
 */
export function observationFromAuthError(
	token: string,
	error: Omit<CheckFailure, 'errorClass'>,
	options: ObservationOptions,
): OkObservation {
	const record = toInspectRecord(token, deadTokenAnswer(error), recordOptions(options));
	const reason = error.reason ?? (record.status === 'expired' ? 'expired' : recordAuthReason(record) ?? 'invalid');
	const status: TokenStatus = reason === 'expired' ? 'expired' : 'invalid';
	return {
		kind: 'ok',
		fingerprint: record.tokenFingerprint,
		record: { ...record, status },
		credentialName: options.credentialName ?? null,
		reason,
	};
}

/** The `data` of a `debug_token` answer saying "not valid, because": the dead token's own auth error. */
function deadTokenAnswer(error: Omit<CheckFailure, 'errorClass'>): DebugTokenData {
	return {
		is_valid: false,
		error: {
			code: typeof error.code === 'number' ? error.code : undefined,
			subcode: typeof error.subcode === 'number' ? error.subcode : undefined,
			message: error.metaMessage ?? error.message,
		},
	};
}

/** A failed check as an observation; the message is scrubbed of the token. */
export function observationFromCheckFailure(
	token: string,
	failure: CheckFailure,
	options: Omit<ObservationOptions, 'nowMs'> = {},
): CheckFailedObservation {
	return {
		kind: 'checkFailed',
		errorClass: failure.errorClass,
		reason: failure.reason,
		message: redactSecrets(failure.message, [token]),
		fingerprint: tokenFingerprint(token),
		credentialName: options.credentialName ?? null,
	};
}

/**
 * The one mapping every caller needs when `debug_token` fails:
 * - `inspectedWith: 'self'` and an `auth` error → the token is dead (observationFromAuthError);
 * - anything else (network, rateLimit, transient, badResponse, proofRequired, appSecret, permission, policy,
 *   badRequest, and `auth` of the APP token, which says nothing about the inspected token) → a
 *   failed check, which can only ever raise `checkFailing`.
 */
export function observationFromFailure(
	token: string,
	failure: CheckFailure,
	options: ObservationOptions & { inspectedWith: 'appToken' | 'self' },
): Observation {
	if (failure.errorClass === 'auth' && options.inspectedWith === 'self') {
		return observationFromAuthError(token, failure, options);
	}
	return observationFromCheckFailure(token, failure, options);
}

/**
 * A classified Graph failure (a GraphError fits), recognised by its shape so that the policy needs
 * no Graph import: an error class of the Graph layer and a message. Our own failures (Save to
 * Credential, the history read, bad input) carry other classes and are not check failures.
 */
function isCheckFailure(error: unknown): error is CheckFailure {
	if (typeof error !== 'object' || error === null) return false;
	const { errorClass, message } = error as { errorClass?: unknown; message?: unknown };
	return (GRAPH_ERROR_CLASSES as readonly unknown[]).includes(errorClass) && typeof message === 'string';
}

/**
 * What one inspection says for the alert policy: the record of Meta's answer; for a failure, a dead
 * token when it inspected itself and Meta refused it for auth, else a failed check. Throws the
 * inspection's error when it is not a classified Graph failure: there is nothing to judge the
 * token by, so the caller fails (the trigger's poll, or the item).
 */
export function observe(token: string, inspection: Inspection, options: ObservationOptions): Observation {
	if (inspection.ok) return observationFromInspection(token, inspection.data, options);
	if (!isCheckFailure(inspection.error)) throw inspection.error;
	return observationFromFailure(token, inspection.error, {
		...options,
		inspectedWith: inspection.selfInspected ? 'self' : 'appToken',
	});
}

/**
 * Inspect's answer for a token: Meta's answer, or — for a token that inspected itself and was
 * refused for auth — that refusal as a "not valid" answer (it is still an answer about the token, so
 * it becomes a record, not a failed item). Any other failure is thrown.
 */
export function answerOf(inspection: Inspection): DebugTokenData {
	if (inspection.ok) return inspection.data;
	const { error } = inspection;
	if (inspection.selfInspected && isCheckFailure(error) && error.errorClass === 'auth') return deadTokenAnswer(error);
	throw error;
}
