import type { ExecutionOptions } from '../helpers/executionOptions';
import { sleepUnlessCancelled, throwIfCancelled } from '../transport';

interface ItemFailure {
	index: number;
	error: unknown;
}

export type PoolSettings = Pick<ExecutionOptions, 'concurrency' | 'batching'> & {
	/** Once it fires, no further item starts and the batch pause ends at once. */
	signal?: AbortSignal;
};

/**
 * Runs `work` for item indexes 0..count-1 with at most `concurrency` at once, batch by batch
 * with a pause between batches. When `work` throws, no further item starts; the items already
 * running finish, then the error of the lowest failing index is thrown, so a failed run stops
 * where a sequential run would have, give or take the items that were in flight. A stop
 * (the cancel signal) ends it the same way, with the stop as the error.
 */
export async function runItemPool(
	count: number,
	settings: PoolSettings,
	work: (index: number) => Promise<void>,
): Promise<void> {
	const { signal } = settings;
	const batchSize = settings.batching?.size ?? count;
	// An object, not a `let`, because the runners set it from their own closures.
	const state: { failure?: ItemFailure } = {};
	const fail = (index: number, error: unknown) => {
		// Read afresh: another runner may have failed while this item ran.
		const earlier = state.failure as ItemFailure | undefined;
		if (!earlier || index < earlier.index) state.failure = { index, error };
	};
	for (let batchStart = 0; batchStart < count && !state.failure; batchStart += batchSize) {
		if (batchStart > 0 && settings.batching) {
			try {
				await sleepUnlessCancelled(settings.batching.intervalMs, signal);
			} catch (error) {
				fail(batchStart, error);
				break;
			}
		}
		const batchEnd = Math.min(count, batchStart + batchSize);
		let next = batchStart;
		const runner = async () => {
			while (next < batchEnd && !state.failure) {
				const index = next++;
				try {
					throwIfCancelled(signal);
					await work(index);
				} catch (error) {
					fail(index, error);
				}
			}
		};
		const runners = Math.min(settings.concurrency, batchEnd - batchStart);
		await Promise.all(Array.from({ length: runners }, runner));
	}
	if (state.failure) throw state.failure.error;
}
