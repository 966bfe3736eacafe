/**
 * Work over a list with a bounded number in flight. Its own file because the batch runner (chunks
 * of a batch inspection) and the Inspect operation (tokens that inspect themselves) both need it.
 */

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
