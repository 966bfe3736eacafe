/**
 * Defensive readers of JSON that came over the wire. Meta documents numbers that arrive as
 * strings and objects that arrive as anything; every parser in the package reads with these, so
 * they all tolerate the same shapes. Their own file (in nodes/meta) because the Graph layer and
 * the policy layer both read Meta's answers and neither should carry a copy.
 */

/** A plain object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A finite number, or a string of digits (Meta sends `"190"` as often as `190`). */
export function optionalNumber(value: unknown): number | undefined {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (typeof value === 'string' && /^\d+$/.test(value.trim())) return Number(value);
	return undefined;
}

export function optionalString(value: unknown): string | undefined {
	return typeof value === 'string' ? value : undefined;
}
