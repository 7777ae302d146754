/**
 * Concurrent executions in one process that carry the same key share one attempt and its answer:
 * a shop that resends an order while the first delivery is still running gets the same code
 * without a second walk. The entry goes when the attempt settles; later deliveries find their
 * answer in Altcraft itself (see the keyed walk).
 */
const inFlight = new Map<string, Promise<unknown>>();

export async function singleFlight<T>(
	key: string,
	attempt: () => Promise<T>,
): Promise<{ value: T; joined: boolean }> {
	const running = inFlight.get(key) as Promise<T> | undefined;
	if (running) return { value: await running, joined: true };
	const started = attempt();
	inFlight.set(key, started);
	try {
		return { value: await started, joined: false };
	} finally {
		inFlight.delete(key);
	}
}
