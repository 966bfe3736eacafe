/**
 * The one error type of the Graph layer. Its own file because everything throws or returns it —
 * the classifier, the sender, the batch runner, the endpoints and the nodes — while only the
 * classifier knows how one is worded.
 */
import { scrubSecrets } from '../meta/redact';
import type { AuthReason, GraphErrorClass } from '../meta/types';

interface GraphErrorInit {
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
	/** No request went out, or the connection failed before it could (refused, DNS): nothing reached Meta. */
	neverReachedMeta?: boolean;
	/** No answer came within the timeout (a transport failure). */
	timedOut?: boolean;
	/** A minting call failed in a way that leaves open whether Meta created a token. */
	mayHaveMinted?: boolean;
	/** Overrides what the class says: a failure of a class retries can fix that must not be retried. */
	retryable?: boolean;
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
	/** What happened (scrubbed). */
	readonly summary: string;
	/** What to do about it. */
	readonly description: string;
	/**
	 * What happened and what Meta said, without what to do: the message of n8n's error panel, which
	 * shows the description on its own line (`message` holds all three, for logs and error items).
	 */
	readonly headline: string;
	readonly retryable: boolean;
	readonly neverReachedMeta: boolean;
	readonly timedOut: boolean;
	readonly mayHaveMinted: boolean;

	constructor(init: GraphErrorInit) {
		const secrets = init.secrets ?? [];
		const metaMessage =
			init.metaMessage === undefined ? undefined : scrubSecrets(init.metaMessage, secrets);
		const summary = scrubSecrets(init.summary, secrets);
		const description = scrubSecrets(init.description, secrets);
		const said = metaMessage ? ` Meta said: "${metaMessage}"` : '';
		super(`${summary} ${description}${said}`);
		this.name = 'GraphError';
		this.errorClass = init.errorClass;
		this.reason = init.reason;
		this.code = init.code;
		this.subcode = init.subcode;
		this.httpStatus = init.httpStatus;
		this.fbtraceId = init.fbtraceId;
		this.metaMessage = metaMessage;
		this.retryAfterMs = init.retryAfterMs;
		this.summary = summary;
		this.description = description;
		this.headline = `${summary}${said}`;
		this.neverReachedMeta = init.neverReachedMeta === true;
		this.timedOut = init.timedOut === true;
		this.mayHaveMinted = init.mayHaveMinted === true;
		this.retryable = init.retryable ?? RETRYABLE.has(init.errorClass);
	}

	/** The same failure with some facts changed (a longer summary, another description…). */
	derive(changes: Partial<Omit<GraphErrorInit, 'secrets'>>): GraphError {
		return new GraphError({
			errorClass: this.errorClass,
			reason: this.reason,
			summary: this.summary,
			description: this.description,
			code: this.code,
			subcode: this.subcode,
			httpStatus: this.httpStatus,
			fbtraceId: this.fbtraceId,
			metaMessage: this.metaMessage,
			retryAfterMs: this.retryAfterMs,
			neverReachedMeta: this.neverReachedMeta,
			timedOut: this.timedOut,
			mayHaveMinted: this.mayHaveMinted,
			// Derived from a settled failure: retryable only when the change says so.
			retryable: this.retryable,
			...changes,
		});
	}
}
