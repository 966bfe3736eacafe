/**
 * Inspecting the tokens of all input items at once — what Inspect and Check for Alerts share, so
 * that both make the same Graph calls by construction: each distinct token of the items inspected
 * once, ≤ 50 per Graph batch call with the app token (App ID and App Secret in the credential) —
 * the first calls leaving while later items' tokens are still being read — else each token
 * inspecting itself.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import type { DebugTokenRun } from '../../graph/GraphClient';
import { DEFAULT_CONCURRENCY, MAX_CONCURRENCY, mapWithConcurrency } from '../../graph/concurrency';
import { META_PLATFORMS, type MetaPlatform } from '../../meta/platform';
import type { Inspection } from '../../meta/types';
import type { GraphSession } from '../../shared/graphSession';
import { tokenReader } from './tokenSource';

/** The `concurrency` option of every operation that inspects many tokens (in its Options), on Facebook. */
const concurrencyOption: INodeProperties = {
	displayName: 'Concurrency',
	name: 'concurrency',
	type: 'number',
	default: DEFAULT_CONCURRENCY,
	typeOptions: { minValue: 1, maxValue: MAX_CONCURRENCY },
	description:
		`How many Graph calls may run at once: batch calls of up to 50 tokens each, or, without an App Secret in the credential, tokens inspecting themselves. A whole number from 1 to ${MAX_CONCURRENCY}. Every token still counts against Meta's app rate limit.`,
};

/** The same option on Instagram and Threads, whose hosts take no batch calls: one call per token. */
const perTokenConcurrencyOption: INodeProperties = {
	...concurrencyOption,
	description: `How many tokens are inspected at once, one call each. A whole number from 1 to ${MAX_CONCURRENCY}. Every call counts against Meta's rate limits.`,
};

/** Options fields of one platform that differ from those of the others (see inspectOptions). */
export type PlatformOptions = Partial<Record<MetaPlatform, INodeProperties[]>>;

/**
 * The Options collections of an operation that inspects many tokens: Concurrency, then `extra`
 * (or a platform's own fields from `perPlatform`). One collection per wording, each shown for its
 * platforms, because Facebook's words (Graph batches, debug_token) do not hold on the others.
 */
export function inspectOptions(operation: string, extra: INodeProperties[] = [], perPlatform: PlatformOptions = {}): INodeProperties[] {
	const collection = (platforms: MetaPlatform[], options: INodeProperties[]): INodeProperties => ({
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: [operation], platform: platforms } },
		options,
	});
	const others = META_PLATFORMS.filter((platform) => platform !== 'facebook');
	const shared = others.filter((platform) => perPlatform[platform] === undefined);
	return [
		collection(['facebook'], [concurrencyOption, ...(perPlatform.facebook ?? extra)]),
		...(shared.length > 0 ? [collection(shared, [perTokenConcurrencyOption, ...extra])] : []),
		...others
			.filter((platform) => perPlatform[platform] !== undefined)
			.map((platform) => collection([platform], [perTokenConcurrencyOption, ...(perPlatform[platform] ?? [])])),
	];
}

/**
 * The run's Concurrency (read from the first item: it shapes one run of calls), a whole number
 * from 1 to MAX_CONCURRENCY. Anything else — NaN from an expression, 0, 2.5, "four" — stops the node naming the
 * field, instead of starting no workers or too many.
 */
function readConcurrency(context: IExecuteFunctions): number {
	const options = context.getNodeParameter('options', 0, {}) as { concurrency?: unknown };
	const raw: unknown = options.concurrency ?? DEFAULT_CONCURRENCY;
	const value = typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : raw;
	if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_CONCURRENCY) return value;
	throw new NodeOperationError(
		context.getNode(),
		`Concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}: got ${typeof raw === 'string' ? JSON.stringify(raw) : String(raw)}.`,
		{ description: `Fix the option "Concurrency" (Options → Concurrency), or remove it for the default of ${DEFAULT_CONCURRENCY}.` },
	);
}

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
 * How long reading tokens may hold the thread before the event loop turns (see {@link inspectItems}),
 * in ms. A token that is a plain field reference is read in microseconds, an expression n8n
 * evaluates in about a millisecond (n8n 2.41.1): turning after a fixed count of tokens would cost
 * the fast reads a timer each (≥ 1 ms apiece); turning by the clock lets ready batch calls leave
 * while slow reads go on. Measured in n8n 2.41.1 (bench, 100 ms latency): turning every 10 tokens,
 * every 50 or every 4 ms took the same; never turning was slower.
 */
const TURN_EVERY_MS = 4;

/**
 * Reads every item's token (or what reading it threw) and inspects each distinct one once,
 * `readConcurrency` calls at a time. With the app token the batch calls start while later items
 * are still being read: n8n evaluates each item's Token expression on this one thread, so every
 * few milliseconds of reading the loop lets the event loop turn (`sleep(0)`, a timer: a microtask
 * would not let a request leave or an answer in).
 */
export async function inspectItems(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	session: GraphSession,
): Promise<ItemInspections> {
	const { client } = session;
	const concurrency = readConcurrency(context);
	const readToken = tokenReader(context, session, items);
	const tokens: unknown[] = new Array(items.length);
	// Instagram and Threads have no app token and no Graph batch: each token inspects itself.
	const appToken = client.platform === 'facebook' ? client.appToken() : undefined;
	const pending = new Map<string, Promise<Inspection> | undefined>();
	let run: DebugTokenRun | undefined;
	const inspectWithApp = (token: string): Promise<Inspection> =>
		(run as DebugTokenRun).inspect(token).then(
			(answer): Inspection => (answer.ok ? answer : { ...answer, selfInspected: false }),
			(error: unknown): Inspection => ({ ok: false, error, selfInspected: false }),
		);
	let first: string | undefined;
	let lastTurn = Date.now();
	try {
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			let token: unknown;
			try {
				token = readToken(itemIndex);
			} catch (error) {
				token = error;
			}
			tokens[itemIndex] = token;
			if (typeof token !== 'string' || pending.has(token)) continue;
			if (!appToken || first === undefined) {
				// Without the app token the tokens inspect themselves below; with it, one token needs
				// no batch envelope, so the run starts with the second.
				first ??= token;
				pending.set(token, undefined);
				continue;
			}
			if (!run) {
				run = client.debugTokenRun({ accessToken: appToken, concurrency, expected: items.length });
				pending.set(first, inspectWithApp(first));
			}
			pending.set(token, inspectWithApp(token));
			if (Date.now() - lastTurn >= TURN_EVERY_MS) {
				await sleep(0);
				lastTurn = Date.now();
			}
		}
	} finally {
		await run?.close();
	}
	const inspections = new Map<string, Inspection>();
	if (appToken && run) {
		for (const [token, inspection] of pending) inspections.set(token, await (inspection as Promise<Inspection>));
	} else if (appToken && first !== undefined) {
		inspections.set(first, await client.inspectToken(first));
	} else {
		// Without the app token each token inspects itself: one call per token, Concurrency at a time.
		const unique = [...pending.keys()];
		const answers = await mapWithConcurrency(unique, concurrency, async (token) => await client.inspectToken(token));
		unique.forEach((token, index) => inspections.set(token, answers[index]));
	}
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
