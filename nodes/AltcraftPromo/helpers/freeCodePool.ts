import type { ReadAltcraft } from '../transport';

/** The free codes of one program, in random order; each `take` hands out a different one. */
export interface FreeCodePool {
	take(): string | undefined;
	readonly size: number;
}

/** Fisher–Yates with Math.random: concurrent processes start at different codes. */
function shuffle<T>(values: T[]): T[] {
	for (let index = values.length - 1; index > 0; index--) {
		const other = Math.floor(Math.random() * (index + 1));
		[values[index], values[other]] = [values[other], values[index]];
	}
	return values;
}

/**
 * Reads the program (export_all has no filter or paging) and keeps the codes nobody holds:
 * no `attached`, and neither activated nor expired where Altcraft says so.
 */
export async function loadFreeCodePool(
	read: ReadAltcraft,
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

/**
 * How long executions in this n8n process share one list of a program. A sale sends its orders
 * as many executions at once; sharing spares each of them a download of the whole program and
 * hands them different codes. A list this old can only be stale in one way that matters (codes
 * taken meanwhile elsewhere), and every code is checked by attaching it by name and reading it
 * back, so staleness costs a retry, never a wrong answer.
 */
const DEFAULT_SHARED_POOL_SECONDS = 15;

/** `ALTCRAFT_FREE_CODE_LIST_SECONDS` in n8n's environment changes it; 0 turns sharing off. */
function sharedPoolTtlMs(): number {
	const configured = Number(process.env.ALTCRAFT_FREE_CODE_LIST_SECONDS);
	const seconds = Number.isFinite(configured) && configured >= 0 ? configured : DEFAULT_SHARED_POOL_SECONDS;
	return seconds * 1000;
}

interface SharedPool {
	pool: Promise<FreeCodePool>;
	loadedAt: number;
}

const sharedPools = new Map<string, SharedPool>();

/**
 * The program's pool shared by this process's executions for the same Altcraft account, loaded
 * when absent, expired, or when `reload` asks (an execution that found the shared pool empty
 * reads the program itself once before it says no code is left).
 */
export async function sharedFreeCodePool(
	key: string,
	load: () => Promise<FreeCodePool>,
	reload = false,
	now: number = Date.now(),
): Promise<FreeCodePool> {
	const ttlMs = sharedPoolTtlMs();
	for (const [entryKey, entry] of sharedPools) {
		if (now - entry.loadedAt >= ttlMs) sharedPools.delete(entryKey);
	}
	if (ttlMs === 0) return await load();
	const cached = sharedPools.get(key);
	if (cached && !reload) return await cached.pool;
	const entry: SharedPool = { pool: load(), loadedAt: now };
	sharedPools.set(key, entry);
	// A failed load must not be handed to the next execution.
	entry.pool.catch(() => {
		if (sharedPools.get(key) === entry) sharedPools.delete(key);
	});
	return await entry.pool;
}

/** This execution's view of a program's free codes. */
export interface FreeCodeListing {
	readonly current: Promise<FreeCodePool>;
	/** Whether this execution read the program itself (then an empty list is the truth). */
	readonly readHere: boolean;
	/** Reads the program once more for this execution (once: later calls return the same read). */
	reread(): Promise<FreeCodePool>;
}

/**
 * The list is read at most once per execution, and shared for a few seconds with this process's
 * other executions for the same account (see freeCodePool.ts).
 */
export function freeCodeListing(accountKey: string, read: ReadAltcraft, loyaltyId: number): FreeCodeListing {
	const key = `${accountKey}:${loyaltyId}`;
	let readHere = false;
	const load = async () => {
		readHere = true;
		return await loadFreeCodePool(read, loyaltyId);
	};
	let current = sharedFreeCodePool(key, load);
	return {
		get current() {
			return current;
		},
		get readHere() {
			return readHere;
		},
		reread: async () => {
			if (!readHere) current = sharedFreeCodePool(key, load, true);
			return await current;
		},
	};
}
