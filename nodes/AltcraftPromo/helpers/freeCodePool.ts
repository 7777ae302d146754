import type { AltcraftEnvelope, AltcraftRequest } from './types';

/** The free codes of one program, in random order; each `take` hands out a different one. */
export interface FreeCodePool {
	take(): string | undefined;
	readonly size: number;
}

/** Fisher–Yates with Math.random: concurrent executions start at different codes. */
function shuffle<T>(values: T[]): T[] {
	for (let index = values.length - 1; index > 0; index--) {
		const other = Math.floor(Math.random() * (index + 1));
		[values[index], values[other]] = [values[other], values[index]];
	}
	return values;
}

/**
 * Reads the program once (export_all has no filter or paging) and keeps the codes nobody holds:
 * no `attached`, and neither activated nor expired where Altcraft says so.
 */
export async function loadFreeCodePool(
	read: (request: AltcraftRequest) => Promise<AltcraftEnvelope>,
	loyaltyId: number,
): Promise<FreeCodePool> {
	const envelope = await read({ method: 'promocodes/export_all', body: { loyalty_id: loyaltyId } });
	const entries = Array.isArray(envelope.data) ? envelope.data : [];
	const free = entries
		.filter((entry) => !entry.attached && !entry.activated && !entry.expired && entry.is_expired !== true)
		.map((entry) => entry.code)
		.filter((code): code is string => typeof code === 'string' && code !== '');
	const codes = shuffle(free);
	let next = 0;
	return {
		take: () => (next < codes.length ? codes[next++] : undefined),
		get size() {
			return codes.length;
		},
	};
}
