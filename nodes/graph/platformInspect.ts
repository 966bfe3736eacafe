/**
 * Inspecting an Instagram or Threads token: one call per token, with the token itself as the
 * caller (these hosts have no app token to inspect with, and Meta documents no Graph batch on them).
 *
 * - Instagram (graph.instagram.com) has no debug_token: `GET /{version}/me?fields=user_id,username`
 *   answering is the proof the token works; it tells who, never when the token expires or what
 *   it may do. An auth refusal is the token's own death, as for a Facebook token inspecting itself.
 * - Threads (graph.threads.net) has `GET /v1.0/debug_token?input_token=…`, answered for the token
 *   of one of the app's Threads testers; for anyone else Meta refuses the call (a permission or
 *   request error, not an auth one), and `/me?fields=id,username` then says whether the token works.
 *
 * The answer is shaped as a debug_token `data` (without the fields the call did not tell), so the
 * one inspect record (policy/inspectRecord.ts) reads all three platforms; what it cannot know
 * stays absent, never guessed. Its own file because it is the one place these two hosts' answers
 * are read; the sender does the sending, retries and scrubbing.
 */
import { debugDataOf, type AnswerContext } from './answers';
import { classifyBadAnswer } from './classify';
import { GraphError } from './GraphError';
import type { GraphSender } from './sender';
import { PLATFORM_FACTS, type MetaPlatform } from '../meta/platform';
import type { DebugTokenData, Inspection } from '../meta/types';
import { isRecord } from '../meta/wire';

/**
 * Refusals of Threads' debug_token that say "not for this caller" rather than "this token is
 * dead": a permission error (Meta's answer to a token of someone who is not a tester) or a request
 * error. Then `/me` can still tell whether the token works.
 */
function mayFallBackToMe(error: GraphError): boolean {
	return error.errorClass === 'permission' || error.errorClass === 'badRequest';
}

function text(value: unknown): string | undefined {
	if (typeof value === 'string' && value.trim() !== '') return value.trim();
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return undefined;
}

/** A `/me` answer as the `data` of a working token: who it is, nothing about expiry or scopes. */
function meDataOf(body: unknown, context: AnswerContext): DebugTokenData | GraphError {
	const userId = isRecord(body) ? (text(body.user_id) ?? text(body.id)) : undefined;
	if (!isRecord(body) || userId === undefined) {
		return classifyBadAnswer('unexpectedShape', { detail: 'The /me answer named no user.', ...context });
	}
	const data: DebugTokenData = { is_valid: true, user_id: userId };
	const username = text(body.username);
	if (username !== undefined) data.username = username;
	return data;
}

/**
 * One Instagram or Threads token, inspected by itself. Never throws: a failure is the answer, and
 * `selfInspected` is always true (the token was the caller, so an auth refusal is its verdict).
 */
export async function inspectPlatformToken(
	sender: GraphSender,
	platform: Exclude<MetaPlatform, 'facebook'>,
	token: string,
): Promise<Inspection> {
	const ask = async (
		path: string,
		qs: Record<string, string>,
		read: (body: unknown, context: AnswerContext) => DebugTokenData | GraphError,
	): Promise<DebugTokenData | GraphError> => {
		const request = { effect: 'idempotent' as const, method: 'GET' as const, path, qs, accessToken: token };
		const secrets = sender.secretsOf(request, [token]);
		const outcome = await sender.sendWithRetries(request, secrets);
		if (outcome instanceof GraphError) return outcome;
		return read(outcome.body, { secrets, nowMs: sender.now() });
	};
	const me = async () => await ask('/me', { fields: PLATFORM_FACTS[platform].meFields ?? 'id' }, meDataOf);
	let data: DebugTokenData | GraphError;
	if (platform === 'threads') {
		data = await ask('/debug_token', { input_token: token }, debugDataOf);
		if (data instanceof GraphError && mayFallBackToMe(data)) data = await me();
	} else {
		data = await me();
	}
	return data instanceof GraphError ? { ok: false, error: data, selfInspected: true } : { ok: true, data };
}
