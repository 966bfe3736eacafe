/**
 * Inspect without pipelining: every item's token read first, then every distinct token inspected,
 * then the records — options read per item (the shape of main at 65bf41d). Kept only as the
 * reference whose output the pipelined Inspect must match item for item
 * (test/nodes/inspectPipeline.test.ts); not shipped.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { mapWithConcurrency } from '../../../nodes/graph/concurrency';
import { GraphError } from '../../../nodes/graph/GraphError';
import type { DebugTokenData } from '../../../nodes/meta/types';
import { forEachItem } from '../../../nodes/MetaToken/helpers/itemLoop';
import { toInspectRecord } from '../../../nodes/policy/inspectRecord';
import { parseScopeList } from '../../../nodes/policy/scopes';
import { normalizeToken } from '../../../nodes/policy/tokenInput';
import type { GraphSession } from '../../../nodes/shared/graphSession';

interface InspectOptions {
	concurrency?: number;
	expiringWithinDays?: number;
	requiredScopes?: string;
}

const DEFAULT_CONCURRENCY = 4;
const MAX_CONCURRENCY = 16;

/** The token an item works on, Token Source read per item (no per-run reading). */
function itemToken(context: IExecuteFunctions, session: GraphSession, itemIndex: number): string {
	const source = context.getNodeParameter('tokenSource', itemIndex, 'credential') as string;
	if (source === 'input') return normalizeToken(context.getNodeParameter('token', itemIndex, ''), 'Token');
	return normalizeToken(session.credentials.accessToken, 'Access Token (credential)');
}

type Inspection =
	| { ok: true; data: DebugTokenData }
	// selfInspected: the token was also the calling token, so an auth error speaks of the token itself.
	| { ok: false; error: unknown; selfInspected: boolean };

/**
 * Inspects every item's token with `debug_token`. With the app token (App ID and App Secret in
 * the credential) tokens go ≤ 50 per Graph batch call and dead ones can still be read; without it
 * each token inspects itself, and an auth error *is* the answer (status invalid or expired).
 * A token that appears on several items is inspected once.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	session: GraphSession,
): Promise<INodeExecutionData[]> {
	const tokens = items.map((_, itemIndex) => {
		try {
			return itemToken(this, session, itemIndex);
		} catch (error) {
			return error;
		}
	});
	const unique = [...new Set(tokens.filter((t): t is string => typeof t === 'string'))];
	const inspections = await inspectAll(session, unique, readConcurrency(this));

	const nowMs = Date.now();
	return await forEachItem(this, items, async (itemIndex) => {
		const token = tokens[itemIndex];
		if (typeof token !== 'string') throw token;
		const inspection = inspections.get(token) as Inspection;
		const options = this.getNodeParameter('options', itemIndex, {}) as InspectOptions;
		const data = inspection.ok ? inspection.data : deadTokenData(inspection);
		return toInspectRecord(token, data, {
			nowMs,
			requiredScopes: parseScopeList(options.requiredScopes),
			expiringWithinDays: options.expiringWithinDays ?? 7,
		}) as unknown as IDataObject;
	}, session.secrets);
}

/**
 * The run's Concurrency (read from the first item: it shapes one run of calls), a whole number
 * from 1 to 16. Anything else — NaN from an expression, 0, 2.5, "four" — stops the node naming the
 * field, instead of starting no workers or too many.
 */
function readConcurrency(context: IExecuteFunctions): number {
	const options = context.getNodeParameter('options', 0, {}) as InspectOptions;
	const raw: unknown = options.concurrency ?? DEFAULT_CONCURRENCY;
	const value = typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : raw;
	if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_CONCURRENCY) return value;
	throw new NodeOperationError(
		context.getNode(),
		`Concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}: got ${typeof raw === 'string' ? JSON.stringify(raw) : String(raw)}.`,
		{ description: 'Fix the option "Concurrency" (Options → Concurrency), or remove it for the default of 4.' },
	);
}

async function inspectAll(
	session: GraphSession,
	tokens: string[],
	concurrency: number,
): Promise<Map<string, Inspection>> {
	const { client } = session;
	const appToken = client.appToken();
	const results = new Map<string, Inspection>();
	if (tokens.length === 0) return results;
	if (appToken) {
		try {
			// One token needs no batch envelope: a plain GET is cheaper and needs no fallback.
			let answers: Inspection[];
			if (tokens.length === 1) {
				answers = [{ ok: true, data: await client.debugToken(tokens[0], { accessToken: appToken }) }];
			} else {
				const run = client.debugTokenRun({ accessToken: appToken, concurrency, expected: tokens.length });
				const pending = tokens.map((token) => run.inspect(token));
				await run.close();
				answers = await Promise.all(pending);
			}
			tokens.forEach((token, index) => {
				const answer = answers[index];
				results.set(token, answer.ok ? answer : { ...answer, selfInspected: false });
			});
		} catch (error) {
			// The batch call itself failed (the app token was refused, say): every item reports it.
			for (const token of tokens) results.set(token, { ok: false, error, selfInspected: false });
		}
		return results;
	}
	// Without the app token each token inspects itself: one call per token, Concurrency at a time.
	const answers = await mapWithConcurrency(tokens, concurrency, async (token): Promise<Inspection> => {
		try {
			return { ok: true, data: await client.debugToken(token, { accessToken: token }) };
		} catch (error) {
			return { ok: false, error, selfInspected: true };
		}
	});
	tokens.forEach((token, index) => results.set(token, answers[index]));
	return results;
}

/**
 * A token that inspects itself and is dead gets an auth error instead of `is_valid: false`;
 * that is still an answer about the token, so it becomes a record, not a failed item.
 */
function deadTokenData(inspection: { error: unknown; selfInspected: boolean }): DebugTokenData {
	const { error } = inspection;
	const tokenIsDead =
		inspection.selfInspected && error instanceof GraphError && error.errorClass === 'auth';
	if (!tokenIsDead) throw error;
	return {
		is_valid: false,
		error: { code: error.code, subcode: error.subcode, message: error.metaMessage ?? error.message },
	};
}
