/** Inspect: `debug_token` for every item's token, ≤ 50 per Graph batch call. */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { mapWithConcurrency } from '../../graph/concurrency';
import type { DebugTokenRun } from '../../graph/GraphClient';
import { GraphError } from '../../graph/GraphError';
import type { DebugTokenData } from '../../graph/types';
import { toInspectRecord } from '../../policy/inspectRecord';
import { parseScopeList } from '../../policy/scopes';
import type { GraphSession } from '../../shared/graphSession';
import { runParameter } from '../../shared/runParameters';
import { tokenReader } from './fields';
import { forEachItem } from './itemLoop';

export const description: INodeProperties[] = [
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: ['inspect'] } },
		options: [
			{
				displayName: 'Concurrency',
				name: 'concurrency',
				type: 'number',
				default: 4,
				typeOptions: { minValue: 1, maxValue: 16 },
				description:
					'How many Graph calls may run at once: batch calls of up to 50 tokens each, or, without an App Secret in the credential, tokens inspecting themselves. A whole number from 1 to 16. Every token still counts against Meta\'s app rate limit.',
			},
			{
				displayName: 'Expiring Within Days',
				name: 'expiringWithinDays',
				type: 'number',
				default: 7,
				typeOptions: { minValue: 0 },
				description: 'A valid token that dies within this many days gets status "expiring"',
			},
			{
				displayName: 'Required Scopes',
				name: 'requiredScopes',
				type: 'string',
				default: '',
				placeholder: 'ads_read,ads_management',
				description:
					'Comma-separated permissions the token must hold; those it lacks are listed in missingScopes',
			},
		],
	},
];

interface InspectOptions {
	concurrency?: number;
	expiringWithinDays?: number;
	requiredScopes?: string;
}

const DEFAULT_CONCURRENCY = 4;
const MAX_CONCURRENCY = 16;

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
	const { tokens, inspections } = await inspectItems(this, items, session, readConcurrency(this));
	const nowMs = Date.now();
	const options = runParameter<InspectOptions>(this, 'options', {});
	return await forEachItem(this, items, async (itemIndex) => {
		const token = tokens[itemIndex];
		if (typeof token !== 'string') throw token;
		const inspection = inspections.get(token) as Inspection;
		const { requiredScopes, expiringWithinDays } = options(itemIndex);
		const data = inspection.ok ? inspection.data : deadTokenData(inspection);
		return toInspectRecord(token, data, {
			nowMs,
			requiredScopes: parseScopeList(requiredScopes),
			expiringWithinDays: expiringWithinDays ?? 7,
		}) as unknown as IDataObject;
	}, session.secrets);
}

/**
 * How many new tokens are read between two turns of the event loop (see {@link inspectItems}).
 * Measured in n8n 2.41.1 at N = 1,000 and 5,000 (bench): every 10, every 50 and every 4 ms all
 * took ≈ 670–700 ms and ≈ 3.0 s; never turning took ≈ 880 ms and 3.7 s.
 */
const TOKENS_PER_TURN = 10;

/**
 * Reads every item's token (or what reading it threw) and inspects each distinct one once. With the
 * app token the batch calls start while later items are still being read: n8n evaluates each
 * item's Token expression on this one thread, so after every few new tokens the loop lets the
 * event loop turn (`sleep(0)`, a timer: a microtask would not let a request leave or an answer in).
 */
async function inspectItems(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	session: GraphSession,
	concurrency: number,
): Promise<{ tokens: unknown[]; inspections: Map<string, Inspection> }> {
	const { client } = session;
	const readToken = tokenReader(context, session);
	const tokens: unknown[] = new Array(items.length);
	const appToken = client.appToken();
	const pending = new Map<string, Promise<Inspection> | undefined>();
	let run: DebugTokenRun | undefined;
	const inspectWithApp = (token: string): Promise<Inspection> =>
		(run as DebugTokenRun).inspect(token).then(
			(answer): Inspection => (answer.ok ? answer : { ...answer, selfInspected: false }),
			(error: unknown): Inspection => ({ ok: false, error, selfInspected: false }),
		);
	let first: string | undefined;
	let sinceTurn = 0;
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
			if (!appToken) {
				pending.set(token, undefined);
				continue;
			}
			if (first === undefined) {
				// One token needs no batch envelope: the run starts with the second.
				first = token;
				pending.set(token, undefined);
				continue;
			}
			if (!run) {
				run = client.debugTokenRun({ accessToken: appToken, concurrency, expected: items.length });
				pending.set(first, inspectWithApp(first));
			}
			pending.set(token, inspectWithApp(token));
			if (++sinceTurn >= TOKENS_PER_TURN) {
				sinceTurn = 0;
				await sleep(0);
			}
		}
	} finally {
		await run?.close();
	}
	const inspections = new Map<string, Inspection>();
	if (appToken && !run && first !== undefined) {
		inspections.set(first, await inspectOne(session, first, appToken));
		return { tokens, inspections };
	}
	if (appToken) {
		for (const [token, inspection] of pending) inspections.set(token, await (inspection as Promise<Inspection>));
		return { tokens, inspections };
	}
	// Without the app token each token inspects itself: one call per token, Concurrency at a time.
	const unique = [...pending.keys()];
	const answers = await mapWithConcurrency(unique, concurrency, async (token) => await inspectOne(session, token, token));
	unique.forEach((token, index) => inspections.set(token, answers[index]));
	return { tokens, inspections };
}

/** One token in a plain GET, with `accessToken` (the app token, or the token itself). */
async function inspectOne(session: GraphSession, token: string, accessToken: string): Promise<Inspection> {
	try {
		return { ok: true, data: await session.client.debugToken(token, { accessToken }) };
	} catch (error) {
		return { ok: false, error, selfInspected: accessToken === token };
	}
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
