/**
 * Inspecting the tokens of all input items at once — what Inspect and Check for Alerts share, so
 * that both make the same Graph calls by construction: every item's token read and cleaned first,
 * then each distinct token inspected once, ≤ 50 per Graph batch call with the app token (App ID
 * and App Secret in the credential), else each token inspecting itself.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { mapWithConcurrency } from '../../graph/concurrency';
import type { DebugTokenData } from '../../graph/types';
import type { GraphSession } from '../../shared/graphSession';
import { itemToken } from './fields';

export const DEFAULT_CONCURRENCY = 4;
const MAX_CONCURRENCY = 16;

/** The `concurrency` option of every operation that inspects many tokens (in its Options). */
export const concurrencyOption: INodeProperties = {
	displayName: 'Concurrency',
	name: 'concurrency',
	type: 'number',
	default: DEFAULT_CONCURRENCY,
	typeOptions: { minValue: 1, maxValue: MAX_CONCURRENCY },
	description:
		"How many Graph calls may run at once: batch calls of up to 50 tokens each, or, without an App Secret in the credential, tokens inspecting themselves. A whole number from 1 to 16. Every token still counts against Meta's app rate limit.",
};

/**
 * The run's Concurrency (read from the first item: it shapes one run of calls), a whole number
 * from 1 to 16. Anything else — NaN from an expression, 0, 2.5, "four" — stops the node naming the
 * field, instead of starting no workers or too many.
 */
export function readConcurrency(context: IExecuteFunctions): number {
	const options = context.getNodeParameter('options', 0, {}) as { concurrency?: unknown };
	const raw: unknown = options.concurrency ?? DEFAULT_CONCURRENCY;
	const value = typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : raw;
	if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_CONCURRENCY) return value;
	throw new NodeOperationError(
		context.getNode(),
		`Concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}: got ${typeof raw === 'string' ? JSON.stringify(raw) : String(raw)}.`,
		{ description: 'Fix the option "Concurrency" (Options → Concurrency), or remove it for the default of 4.' },
	);
}

export type Inspection =
	| { ok: true; data: DebugTokenData }
	// selfInspected: the token was also the calling token, so an auth error speaks of the token itself.
	| { ok: false; error: unknown; selfInspected: boolean };

/** What inspecting the items' tokens found. */
export interface ItemInspections {
	/** The item's token; throws what reading it threw (a TokenInputError naming the field). */
	token(itemIndex: number): string;
	/** The inspection of a token returned by `token()`. */
	inspection(token: string): Inspection;
	/** When the answers came in (ms): the "now" their records and alerts are judged at. */
	nowMs: number;
}

/**
 * Reads every item's token and inspects each distinct one once, `readConcurrency` calls at a time. A token that appears on several items is inspected once.
 */
export async function inspectItems(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	session: GraphSession,
): Promise<ItemInspections> {
	const tokens = items.map((_, itemIndex): string | unknown => {
		try {
			return itemToken(context, session, itemIndex);
		} catch (error) {
			return error;
		}
	});
	const unique = [...new Set(tokens.filter((t): t is string => typeof t === 'string'))];
	const inspections = await inspectAll(session, unique, readConcurrency(context));
	return {
		token(itemIndex) {
			const token = tokens[itemIndex];
			if (typeof token !== 'string') throw token;
			return token;
		},
		inspection: (token) => inspections.get(token) as Inspection,
		nowMs: Date.now(),
	};
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
			const answers =
				tokens.length === 1
					? [{ ok: true as const, data: await client.debugToken(tokens[0], { accessToken: appToken }) }]
					: await client.debugTokens(tokens, { accessToken: appToken, concurrency });
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
