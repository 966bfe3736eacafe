/**
 * The one error type of the Graph layer. Its own file because everything throws or returns it —
 * the classifier, the sender, the batch runner, the endpoints and the nodes — while only the
 * classifier knows how one is worded.
 */
import { scrubSecrets } from './redact';
import type { AuthReason, GraphErrorClass } from './types';

export interface GraphErrorInit {
	errorClass: GraphErrorClass;
	reason?: AuthReason;
	/** What happened, in plain words. */
	summary: string;
	/** What to do about it. */
	description: string;
	code?: number;
	subcode?: number;
	httpStatus?: number;
	fbtraceId?: string;
	metaMessage?: string;
	retryAfterMs?: number;
	/** Every secret the caller knows: scrubbed from summary, description and Meta's message. */
	secrets?: readonly string[];
}

const RETRYABLE: ReadonlySet<GraphErrorClass> = new Set(['rateLimit', 'transient', 'network']);

/** Every failure of the Graph layer: classified, explained, and free of secrets. */
export class GraphError extends Error {
	readonly errorClass: GraphErrorClass;
	readonly reason?: AuthReason;
	readonly code?: number;
	readonly subcode?: number;
	readonly httpStatus?: number;
	readonly fbtraceId?: string;
	/** Meta's own text, scrubbed of secrets. */
	readonly metaMessage?: string;
	readonly retryAfterMs?: number;
	/** What to do about it. */
	readonly description: string;
	readonly retryable: boolean;

	constructor(init: GraphErrorInit) {
		const secrets = init.secrets ?? [];
		const metaMessage =
			init.metaMessage === undefined ? undefined : scrubSecrets(init.metaMessage, secrets);
		const description = scrubSecrets(init.description, secrets);
		const said = metaMessage ? ` Meta said: "${metaMessage}"` : '';
		super(scrubSecrets(`${init.summary} ${init.description}`, secrets) + said);
		this.name = 'GraphError';
		this.errorClass = init.errorClass;
		this.reason = init.reason;
		this.code = init.code;
		this.subcode = init.subcode;
		this.httpStatus = init.httpStatus;
		this.fbtraceId = init.fbtraceId;
		this.metaMessage = metaMessage;
		this.retryAfterMs = init.retryAfterMs;
		this.description = description;
		this.retryable = RETRYABLE.has(init.errorClass);
	}
}
