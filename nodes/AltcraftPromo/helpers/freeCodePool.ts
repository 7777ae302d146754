import type { ReadAltcraft } from '../transport';
import { isActivatedEntry, isAttachedEntry, isExpiredEntry } from './programStats';

/**
 * One read of a program (`export_all` has no filter or paging): every code with what the list says
 * about it. Attach Free Code hands out its free codes in random order (`take`), and walks all codes
 * in a key's own order when an idempotency key is given (codeWalk.ts).
 */
export interface ProgramListing {
	readonly codes: readonly string[];
	/** When the code was first attached (ms), NaN while free. */
	readonly attachedAt: Float64Array;
	/** Activated or expired codes: no attach can get them, and no order is answered with them again. */
	readonly unusable: Uint8Array;
	/** A different free code each call, in random order; undefined when none is left in this list. */
	take(): string | undefined;
	readonly size: number;
	/** What this process learned after the read: a code attached meanwhile (by a refusal or a read). */
	noteAttached(code: string, attachedAtMs: number, profileId: string | undefined): void;
	/** The holder this process saw for a code after the read, if any. */
	knownHolder(index: number): string | undefined;
	indexOf(code: string): number | undefined;
}

/** Fisher–Yates with Math.random: concurrent processes start at different codes. */
function shuffled(count: number): Uint32Array {
	const order = new Uint32Array(count);
	for (let index = 0; index < count; index++) order[index] = index;
	for (let index = count - 1; index > 0; index--) {
		const other = Math.floor(Math.random() * (index + 1));
		const swap = order[index];
		order[index] = order[other];
		order[other] = swap;
	}
	return order;
}

function timeOf(value: unknown): number {
	if (typeof value !== 'string' || value === '') return Number.NaN;
	const ms = Date.parse(value);
	// A key with an unreadable time still means "attached"; the epoch keeps it out of every window.
	return Number.isNaN(ms) ? 0 : ms;
}

/**
 * Reads the program and keeps, per code, whether it is free: not attached, activated or expired
 * where Altcraft says so, by the rule Get Stats counts "free" with (programStats.ts).
 */
export async function loadProgramListing(
	read: ReadAltcraft,
	loyaltyId: number,
): Promise<ProgramListing> {
	const envelope = await read({ method: 'promocodes/export_all', body: { loyalty_id: loyaltyId } });
	const entries = (Array.isArray(envelope.data) ? envelope.data : []).filter(
		(entry) => typeof entry.code === 'string' && entry.code !== '',
	);
	const codes = entries.map((entry) => entry.code as string);
	const attachedAt = new Float64Array(codes.length);
	const unusable = new Uint8Array(codes.length);
	entries.forEach((entry, index) => {
		// The rule Get Stats counts "free" with (programStats.ts); an attached code without a readable time gets the epoch.
		attachedAt[index] = isAttachedEntry(entry) ? timeOf(entry.attached) || 0 : Number.NaN;
		unusable[index] = isActivatedEntry(entry) || isExpiredEntry(entry) ? 1 : 0;
	});
	const holders = new Map<number, string>();
	let positions: Map<string, number> | undefined;
	const indexOf = (code: string) => {
		positions ??= new Map(codes.map((value, index) => [value, index]));
		return positions.get(code);
	};
	const order = shuffled(codes.length);
	let next = 0;
	let free = 0;
	for (let index = 0; index < codes.length; index++)
		if (Number.isNaN(attachedAt[index]) && !unusable[index]) free++;
	return {
		codes,
		attachedAt,
		unusable,
		take() {
			while (next < order.length) {
				const index = order[next++];
				if (Number.isNaN(attachedAt[index]) && !unusable[index]) {
					free--;
					return codes[index];
				}
			}
			return undefined;
		},
		get size() {
			return free;
		},
		noteAttached(code, attachedAtMs, profileId) {
			const index = indexOf(code);
			if (index === undefined) return;
			if (Number.isNaN(attachedAt[index])) attachedAt[index] = attachedAtMs;
			if (profileId !== undefined) holders.set(index, profileId);
		},
		knownHolder: (index) => holders.get(index),
		indexOf,
	};
}

/**
 * How long executions in this n8n process share one list of a program. A sale sends its orders
 * as many executions at once; sharing spares each of them a download of the whole program and
 * hands them different codes. A list this old can only be stale in one way that matters (codes
 * taken meanwhile elsewhere), and every code is checked by attaching it by name and reading it
 * back, so staleness costs a retry, never a wrong answer.
 */
const DEFAULT_SHARED_LIST_SECONDS = 15;

/** `ALTCRAFT_FREE_CODE_LIST_SECONDS` in n8n's environment changes it; 0 turns sharing off. */
function sharedListTtlMs(): number {
	const configured = Number(process.env.ALTCRAFT_FREE_CODE_LIST_SECONDS);
	const seconds =
		Number.isFinite(configured) && configured >= 0 ? configured : DEFAULT_SHARED_LIST_SECONDS;
	return seconds * 1000;
}

interface SharedListing {
	listing: Promise<ProgramListing>;
	loadedAt: number;
}

const sharedListings = new Map<string, SharedListing>();

/**
 * The program's listing shared by this process's executions for the same Altcraft account, loaded
 * when absent, expired, or when `reload` asks (an execution that found the shared list empty
 * reads the program itself once before it says no code is left).
 */
export async function sharedProgramListing(
	key: string,
	load: () => Promise<ProgramListing>,
	reload = false,
	now: number = Date.now(),
): Promise<ProgramListing> {
	const ttlMs = sharedListTtlMs();
	for (const [entryKey, entry] of sharedListings) {
		if (now - entry.loadedAt >= ttlMs) sharedListings.delete(entryKey);
	}
	if (ttlMs === 0) return await load();
	const cached = sharedListings.get(key);
	if (cached && !reload) return await cached.listing;
	const entry: SharedListing = { listing: load(), loadedAt: now };
	sharedListings.set(key, entry);
	// A failed load must not be handed to the next execution.
	entry.listing.catch(() => {
		if (sharedListings.get(key) === entry) sharedListings.delete(key);
	});
	return await entry.listing;
}

/** This execution's view of a program's listing. */
export interface ListingHandle {
	readonly current: Promise<ProgramListing>;
	/** Whether this execution read the program itself (then an empty list is the truth). */
	readonly readHere: boolean;
	/** Reads the program once more for this execution (once: later calls return the same read). */
	reread(): Promise<ProgramListing>;
}

/**
 * The list is read at most once per execution, and shared for a few seconds with this process's
 * other executions for the same account.
 */
export function programListing(
	accountKey: string,
	read: ReadAltcraft,
	loyaltyId: number,
): ListingHandle {
	const key = `${accountKey}:${loyaltyId}`;
	let readHere = false;
	const load = async () => {
		readHere = true;
		return await loadProgramListing(read, loyaltyId);
	};
	// Read on first use: an execution that joins another's attempt never needs the list, and a read
	// started for nobody would fail unheard once the execution closed its connections.
	let current: Promise<ProgramListing> | undefined;
	return {
		get current() {
			current ??= sharedProgramListing(key, load);
			return current;
		},
		get readHere() {
			return readHere;
		},
		reread: async () => {
			if (!readHere) current = sharedProgramListing(key, load, true);
			current ??= sharedProgramListing(key, load);
			return await current;
		},
	};
}
