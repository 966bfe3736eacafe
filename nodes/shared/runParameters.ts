/**
 * Node parameters read once per run when they hold no expression. n8n resolves such a parameter to
 * the same value for every item, yet each read costs it a full parameter resolution — a bulk run
 * of thousands of items pays that per item (bench/profile-a-1000.md). A parameter with an
 * expression anywhere inside (a collection's field, say) is read per item, exactly as n8n would.
 * Its own file because every operation that runs over many items reads its parameters this way.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

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
	if (holdsExpression(context.getNode().parameters[name])) return read;
	let once: { value: T } | undefined;
	return (itemIndex) => (once ??= { value: read(itemIndex) }).value;
}
