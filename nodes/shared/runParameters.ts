/**
 * How the operations that run over many items read their parameters: the one place that decides
 * between n8n's full parameter resolution and something cheaper with the same result.
 *
 * - A parameter holding no expression resolves to the same value for every item, yet each read
 *   costs n8n a full parameter resolution — a bulk run of thousands of items pays that per item
 *   (bench/profile-a-1000.md): it is read once per run. A parameter with an expression anywhere
 *   inside (a collection's field, say) is read per item, exactly as n8n would.
 * - A parameter that is exactly a plain field reference — `={{ $json.token }}`, `={{ $json["token"] }}`
 *   — is what users write for a token per item, and evaluating it costs n8n about a millisecond per
 *   item (its expression engine, in an isolate in n8n 2.x): at a thousand items that, not the
 *   network, paced the run. Its value is the item's field as it stands, so it is taken from the
 *   item directly when it is a string, a number, a boolean, null or missing — what n8n's evaluation
 *   hands back unchanged (n8n 1.x and 2.x, legacy and isolate engines alike) — and anything else
 *   (an object, a list, a name n8n treats specially) goes through n8n's evaluation as before.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { isToolNode } from './toolNode';

/**
 * Whether the readers below take their shortcuts (a fixed value read once, a plain field reference
 * read from the item). Always on in n8n; the tests switch it off to prove that a run puts out
 * exactly the same with them as with n8n's `getNodeParameter` for every item.
 */
export const readShortcuts = { enabled: true };

/** Whether a raw parameter value holds an n8n expression (a string starting with "="), at any depth. */
function holdsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(holdsExpression);
	if (value !== null && typeof value === 'object') return Object.values(value).some(holdsExpression);
	return false;
}

/**
 * A reader of parameter `name` per item: n8n's `getNodeParameter`, called once for the run when the
 * parameter holds no expression (later items get the same value, which callers must not change).
 */
export function runParameter<T>(context: IExecuteFunctions, name: string, fallback: T): (itemIndex: number) => T {
	const read = (itemIndex: number): T => context.getNodeParameter(name, itemIndex, fallback) as T;
	if (!readShortcuts.enabled || holdsExpression(context.getNode().parameters[name])) return read;
	let once: { value: T } | undefined;
	return (itemIndex) => (once ??= { value: read(itemIndex) }).value;
}

/**
 * `={{ $json.name }}`, `={{ $json["name"] }}` or `={{ $json['name'] }}`, spaces and tabs inside the
 * braces aside — nothing before `{{` or after `}}` (text around an expression makes n8n join it
 * into a string) and no path deeper than one field.
 */
const FIELD_REFERENCE = /^=\{\{[ \t]*\$json(?:\.([A-Za-z][A-Za-z0-9_]*)|\[[ \t]*(?:"([^"'\\{}\p{Cc}]+)"|'([^"'\\{}\p{Cc}]+)')[ \t]*\])[ \t]*\}\}$/u;

/**
 * Property names n8n's expression sandbox refuses or treats specially (n8n-workflow's
 * `isSafeObjectProperty`, 1.x to 2.41), and any name starting with "_" (where n8n may add more):
 * such a reference is left to n8n, which answers it as it always has.
 */
const LEFT_TO_N8N = new Set([
	'prototype',
	'constructor',
	'getPrototypeOf',
	'setPrototypeOf',
	'getOwnPropertyDescriptor',
	'getOwnPropertyDescriptors',
	'defineProperty',
	'defineProperties',
	'mainModule',
	'binding',
	'prepareStackTrace',
	'caller',
	'callee',
	'arguments',
	'getBuiltinModule',
	'dlopen',
	'execve',
	'loadEnvFile',
]);

/** The field a raw parameter value reads from the item, when it is exactly a plain field reference. */
export function plainFieldReference(raw: unknown): string | undefined {
	if (typeof raw !== 'string') return undefined;
	const match = FIELD_REFERENCE.exec(raw);
	const field = match?.[1] ?? match?.[2] ?? match?.[3];
	if (field === undefined || field.startsWith('_') || LEFT_TO_N8N.has(field)) return undefined;
	return field;
}

/** `value` when n8n's evaluation of a plain field reference returns it unchanged; else undefined. */
function asEvaluated(json: INodeExecutionData['json'] | undefined, field: string): { value: unknown } | undefined {
	if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
	if (!Object.prototype.hasOwnProperty.call(json, field)) {
		// Missing: n8n's answer is undefined — unless the name is inherited (toString…), which n8n resolves.
		return field in json ? undefined : { value: undefined };
	}
	const value: unknown = json[field];
	const type = typeof value;
	if (value === null || value === undefined || type === 'string' || type === 'number' || type === 'boolean') return { value };
	return undefined;
}

/**
 * A reader of parameter `name` per item, the value exactly as `getNodeParameter(name, itemIndex,
 * fallback)` returns it: a plain field reference is read from `items` (the node's input, what
 * n8n's `$json` refers to) where that is certain to give n8n's answer, anything else is read as
 * {@link runParameter} reads it. Errors are n8n's, thrown by n8n's evaluation.
 */
export function itemParameter(
	context: IExecuteFunctions,
	items: INodeExecutionData[],
	name: string,
	fallback: unknown,
): (itemIndex: number) => unknown {
	const viaN8n = runParameter<unknown>(context, name, fallback);
	const node = context.getNode();
	// As an AI agent's tool (a node type "…Tool") the node's input comes from the agent, assembled
	// differently across n8n versions: there `$json` is left to n8n.
	const field = readShortcuts.enabled && !isToolNode(context) ? plainFieldReference(node.parameters[name]) : undefined;
	if (field === undefined) return viaN8n;
	return (itemIndex) => {
		const direct = asEvaluated(items[itemIndex]?.json, field);
		return direct ? direct.value : viaN8n(itemIndex);
	};
}
