/**
 * Reading what the Graph API answered: the raw body into JSON, and each endpoint's JSON into the
 * shape the rest of the package relies on (or a `badResponse` GraphError when it is not that
 * shape). Its own file because these readers are pure functions of an answer: the endpoints
 * (GraphClient.ts) decide what to ask, the sender how to ask it, these what the answer means.
 */
import { classifyBadAnswer, type BadAnswerKind, type ClassifyContext } from './classify';
import type { GraphError } from './GraphError';
import { scrubSecrets } from '../meta/redact';
import type { AccessTokenAnswer, DebugTokenData, PageAccount } from '../meta/types';
import type { GraphHttpResponse } from './http';
import { isRecord, optionalNumber } from '../meta/wire';

/** What a reader needs to word a failure: the secrets to keep out of it, and the clock. */
export type AnswerContext = Pick<ClassifyContext, 'nowMs' | 'secrets'>;

type ParsedBody = { json: unknown } | { bad: BadAnswerKind };

/** The body as JSON, or why it is not JSON (a transport may also hand over parsed JSON). */
export function parseBody(body: GraphHttpResponse['body']): ParsedBody {
	if (body === null || body === undefined) return { bad: 'empty' };
	if (typeof body !== 'string') return { json: body };
	const text = body.trim();
	if (text === '') return { bad: 'empty' };
	try {
		return { json: JSON.parse(text) };
	} catch {
		return { bad: text.startsWith('<') ? 'html' : 'malformedJson' };
	}
}

function unexpectedShape(detail: string, context: AnswerContext): GraphError {
	// No status and no headers: an answer that parsed but is not what the endpoint returns.
	return classifyBadAnswer('unexpectedShape', { detail, nowMs: context.nowMs, secrets: context.secrets });
}

/** `data` of a `debug_token` answer, cleaned; returned (not thrown) so a batch can keep going. */
export function debugDataOf(body: unknown, context: AnswerContext): DebugTokenData | GraphError {
	if (!isRecord(body) || !isRecord(body.data)) {
		return unexpectedShape('The debug_token answer had no "data" object.', context);
	}
	const data = { ...body.data } as DebugTokenData;
	// Documented as ints, seen as strings: always strings.
	if (Array.isArray(data.granular_scopes)) {
		data.granular_scopes = data.granular_scopes.map((grant) =>
			Array.isArray(grant.target_ids)
				? { ...grant, target_ids: grant.target_ids.map((id) => String(id)) }
				: grant,
		);
	}
	// The node outputs this message: it must be as clean as our own.
	if (isRecord(data.error) && typeof data.error.message === 'string') {
		data.error = { ...data.error, message: scrubSecrets(data.error.message, context.secrets) };
	}
	return data;
}

/** The answer of `oauth/access_token` and `POST /{system-user-id}/access_tokens`. */
export function accessTokenAnswerOf(body: unknown, context: AnswerContext): AccessTokenAnswer {
	if (!isRecord(body) || typeof body.access_token !== 'string' || body.access_token === '') {
		throw unexpectedShape('It had no access_token.', context);
	}
	const answer: AccessTokenAnswer = { access_token: body.access_token };
	if (typeof body.token_type === 'string') answer.token_type = body.token_type;
	// Absent means "never expires, or unknown": debug_token tells which.
	const expiresIn = optionalNumber(body.expires_in);
	if (expiresIn !== undefined) answer.expires_in = expiresIn;
	return answer;
}

function pageAccountOf(item: Record<string, unknown>): PageAccount[] {
	if (typeof item.id !== 'string' && typeof item.id !== 'number') return [];
	const account: PageAccount = { id: String(item.id) };
	if (typeof item.name === 'string') account.name = item.name;
	if (typeof item.category === 'string') account.category = item.category;
	if (typeof item.access_token === 'string') account.access_token = item.access_token;
	if (Array.isArray(item.tasks)) {
		account.tasks = item.tasks.filter((task): task is string => typeof task === 'string');
	}
	return [account];
}

/** The `after` cursor, only when Meta says there is a next page. */
function nextCursor(paging: unknown): string | undefined {
	if (!isRecord(paging) || !paging.next || !isRecord(paging.cursors)) return undefined;
	const after = paging.cursors.after;
	return typeof after === 'string' && after !== '' ? after : undefined;
}

/** One page of `/me/accounts`: its Pages (items without an id skipped) and the next cursor. */
export function pageAccountsOf(
	body: unknown,
	context: AnswerContext,
): { accounts: PageAccount[]; after?: string } {
	if (!isRecord(body) || !Array.isArray(body.data)) {
		throw unexpectedShape('The list of Pages had no "data" array.', context);
	}
	return {
		accounts: body.data.filter(isRecord).flatMap(pageAccountOf),
		after: nextCursor(body.paging),
	};
}

/** Throws unless Meta confirmed a revocation. */
export function requireSuccess(body: unknown, context: AnswerContext): void {
	// `{"success":true}`, `{"success":"true"}` (oauth/revoke) or a bare `true` (older versions).
	const success = isRecord(body) ? body.success : body;
	if (success === true || success === 'true') return;
	throw unexpectedShape('Meta did not confirm the revocation (no "success": true).', context);
}
