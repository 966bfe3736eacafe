/**
 * Work over a list with a bounded number in flight, and how many in flight by default. Its own
 * file because the batch runner (its calls, and items tried alone) and the batched inspection of
 * Inspect and Check for Alerts (tokens that inspect themselves) both need it.
 */

/** In flight at once unless the user's Concurrency option says otherwise. */
export const DEFAULT_CONCURRENCY = 4;
/** The most the Concurrency option accepts: more would only hit Meta's rate limits sooner. */
export const MAX_CONCURRENCY = 16;

/** Runs `work` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapWithConcurrency<T, R>(
	items: readonly T[],
	limit: number,
	work: (item: T) => Promise<R>,
): Promise<R[]> {
	const results = new Array<R>(items.length);
	let next = 0;
	const worker = async (): Promise<void> => {
		while (next < items.length) {
			const index = next++;
			results[index] = await work(items[index]);
		}
	};
	const workers = Math.min(Math.max(1, Math.floor(limit)), items.length);
	await Promise.all(Array.from({ length: workers }, worker));
	return results;
}
