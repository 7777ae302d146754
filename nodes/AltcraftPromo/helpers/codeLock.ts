/**
 * A mutex per key within this process: runs that share a key (one promo code of one account) take
 * turns, so the second one reads the state the first one left. Unlike singleFlight, nobody shares
 * an answer: each run decides for itself after the previous one has finished.
 */
const tails = new Map<string, Promise<void>>();

export async function withCodeLock<T>(key: string, run: () => Promise<T>): Promise<T> {
	const previous = tails.get(key) ?? Promise.resolve();
	let release!: () => void;
	const mine = new Promise<void>((resolve) => {
		release = resolve;
	});
	const tail = previous.then(async () => await mine);
	tails.set(key, tail);
	try {
		await previous;
		return await run();
	} finally {
		release();
		// The last in line removes the key, so the map holds only codes being redeemed right now.
		if (tails.get(key) === tail) tails.delete(key);
	}
}
