/**
 * Text the policy lets go of (Meta's error messages in the inspect record, failure messages in
 * alerts): free of secrets and on one line.
 *
 * Its own file because both the inspect record and the alerts pass text through it, and what a
 * secret looks like is the Graph layer's fact (nodes/graph/redact.ts): this only adds the policy's
 * one-line rule on top.
 */
import { scrubSecrets } from '../graph/redact';

/**
 * Text fit for output and alerts: the given secrets, and anything shaped like a Meta token (or a
 * piece of one: see META_TOKEN_PATTERN), an app token or an appsecret_proof, removed; newlines folded so a message stays
 * one line.
 */
export function redactSecrets(message: string, secrets: readonly string[] = []): string {
	return scrubSecrets(message, secrets)
		.replace(/\s*[\r\n]+\s*/g, ' ')
		.trim();
}
