import type { IDataObject } from 'n8n-workflow';

import {
	type AltcraftRequestBody,
	ExecutionCancelledError,
	isAltcraftRefusal,
	type ReadAltcraft,
	throwIfCancelled,
} from '../transport';
import { walkOrder } from './codeWalk';
import type { ListingHandle, ProgramListing } from './freeCodePool';
import { readCodeState } from './promoState';

/** What Attach Free Code needs from the router for one item. */
export interface FreeCodeItem {
	loyaltyId: number;
	databaseId: number;
	matching: AltcraftRequestBody;
	/** The customer's Altcraft profile ID, read before any code is touched. */
	profileId: string;
	read: ReadAltcraft;
	/** Attaches one named code through the transport (retries, read-back); throws what it cannot settle. */
	attach(code: string): Promise<void>;
	/** An error for this item (the message names it). */
	error(message: string, description: string): Error;
	/** The outcome was settled by reading Altcraft back, not by its answer. */
	confirmedByReadBack(): void;
	/** A message shown once under the node's output. */
	hint(message: string): void;
	signal: AbortSignal | undefined;
}

export interface FreeCodeOutcome {
	code: string;
	/** The code's record after the attach, read back. */
	state: IDataObject;
	/** The code was already this customer's for this key: an earlier or concurrent delivery attached it. */
	replay: boolean;
}

/** A code taken by another workflow between the list and the attach costs one more try; this bounds them. */
const MAX_TAKEN_CODES_PER_ITEM = 25;
const STALE_LIST_AFTER_TAKEN = 3;
/** Codes attached within the replay window whose holder a keyed walk reads before it gives up. */
const MAX_HOLDER_READS = 500;
/** Altcraft's attach times have whole seconds, and two clocks may differ a little. */
const CLOCK_TOLERANCE_MS = 2_000;

type TryResult = { outcome: FreeCodeOutcome } | { takenBy: string | undefined; attachedAt: number };

function heldBy(state: IDataObject, profileId: string): boolean {
	return state.is_attached === true && state.profile_id === profileId;
}

/**
 * Attaches one named code and reads it back. A refusal is looked into by reading the code, never by
 * Altcraft's error text: held by this customer means an earlier or concurrent attempt got it.
 */
async function tryCode(item: FreeCodeItem, code: string): Promise<TryResult> {
	const refusal = await item.attach(code).then(
		() => undefined,
		(error: unknown) => {
			// Lost answers were already settled by the transport; only Altcraft's own refusal is looked into.
			if (!isAltcraftRefusal(error)) throw error;
			return error;
		},
	);
	if (!refusal) return { outcome: await readAttached(item, code) };
	const state = await readCodeState(item.read, code, item.loyaltyId);
	if (heldBy(state, item.profileId)) {
		item.confirmedByReadBack();
		return { outcome: { code, state, replay: true } };
	}
	if (state.is_attached === true || state.is_expired === true || state.is_activated === true) {
		const attachedAt = typeof state.attached === 'string' ? Date.parse(state.attached) : Number.NaN;
		return {
			takenBy: typeof state.profile_id === 'string' ? state.profile_id : undefined,
			attachedAt,
		};
	}
	throw refusal;
}

/**
 * Altcraft said the attach was applied; the read-back adds its times and checks the holder. When
 * that read itself fails (Altcraft went away right after answering), the attach still stands: the
 * code is reported, without its times, rather than failing an item whose customer holds the code.
 */
async function readAttached(item: FreeCodeItem, code: string): Promise<FreeCodeOutcome> {
	const read = await readCodeState(item.read, code, item.loyaltyId).then(
		(state) => ({ state }),
		(error: unknown) => ({ error }),
	);
	if ('error' in read) {
		if (read.error instanceof ExecutionCancelledError) throw read.error;
		item.hint(
			'Altcraft confirmed an attach, but reading the code back failed, so "attached" and "expire_date" are empty for that item.',
		);
		return { code, state: { is_attached: true, profile_id: item.profileId }, replay: false };
	}
	if (read.state.is_attached !== true) {
		throw item.error(
			`Altcraft accepted the attach of promo code "${code}" but reports it as not attached`,
			`Check promo code "${code}" in loyalty program ${item.loyaltyId} and the customer's profile in Altcraft.`,
		);
	}
	return { code, state: read.state, replay: false };
}

function noCodeLeft(item: FreeCodeItem): Error {
	return item.error(
		`No free promo codes left in loyalty program ${item.loyaltyId}`,
		`Every code of loyalty program ${item.loyaltyId} is attached to a profile (or was taken by another run meanwhile); nothing was attached. Import new codes into the program, then run this item again.`,
	);
}

function tooManyTaken(item: FreeCodeItem): Error {
	return item.error(
		`${MAX_TAKEN_CODES_PER_ITEM} free promo codes of loyalty program ${item.loyaltyId} were taken by other runs first`,
		'Other workflows are attaching codes of this program at the same moment; nothing was attached to this customer. Run this item again.',
	);
}

/** Other executions of this process that walk the same list then know the code's holder without a read. */
function noted(
	listing: ProgramListing,
	item: FreeCodeItem,
	outcome: FreeCodeOutcome,
): FreeCodeOutcome {
	const attachedAt =
		typeof outcome.state.attached === 'string' ? Date.parse(outcome.state.attached) : Date.now();
	listing.noteAttached(
		outcome.code,
		Number.isNaN(attachedAt) ? Date.now() : attachedAt,
		item.profileId,
	);
	return outcome;
}

/** Without a key: a random free code of the shared list, as in 0.2. */
export async function attachRandomFreeCode(
	item: FreeCodeItem,
	listing: ListingHandle,
): Promise<FreeCodeOutcome> {
	for (let taken = 0; taken < MAX_TAKEN_CODES_PER_ITEM; ) {
		throwIfCancelled(item.signal);
		let code = (await listing.current).take();
		if (code === undefined && !listing.readHere) {
			// A list shared by another execution may be out of date: read the program before saying none is left.
			code = (await listing.reread()).take();
		}
		if (code === undefined) throw noCodeLeft(item);
		const result = await tryCode(item, code);
		if ('outcome' in result) return noted(await listing.current, item, result.outcome);
		taken++;
		// Several taken codes in a row from a list another execution read: it is out of date
		// (codes went out elsewhere, e.g. on another worker), so this execution reads its own.
		if (taken >= STALE_LIST_AFTER_TAKEN && !listing.readHere) await listing.reread();
	}
	throw tooManyTaken(item);
}

/**
 * With an idempotency key: the codes are tried in the key's own order (codeWalk.ts), so every
 * delivery of one order, in any process, heads for the same code. On the way, a code attached
 * within the replay window is read: held by this customer, and every code before it on the walk
 * already attached when it was, it is this key's code from an earlier delivery (a replay). The
 * first free code is attached; if another delivery of the key got it first, the refusal is read
 * back and answered with it. Nothing is remembered outside Altcraft.
 */
export async function attachKeyedFreeCode(
	item: FreeCodeItem,
	listingHandle: ListingHandle,
	walkKey: string,
	replayWindowMs: number,
): Promise<FreeCodeOutcome> {
	const budget = { taken: 0, holderReads: 0 };
	const found = await walkListing(
		item,
		await listingHandle.current,
		walkKey,
		replayWindowMs,
		budget,
	);
	if (found) return found;
	// A list shared by another execution may be out of date (e.g. codes detached since): read the
	// program before saying none is left.
	if (!listingHandle.readHere) {
		const again = await walkListing(
			item,
			await listingHandle.reread(),
			walkKey,
			replayWindowMs,
			budget,
		);
		if (again) return again;
	}
	throw noCodeLeft(item);
}

/** One walk over one listing; undefined when it reached the end without a code. */
async function walkListing(
	item: FreeCodeItem,
	listing: ProgramListing,
	walkKey: string,
	replayWindowMs: number,
	budget: { taken: number; holderReads: number },
): Promise<FreeCodeOutcome | undefined> {
	const now = Date.now();
	// The latest attach time among the codes passed so far: a code of ours cannot be older than them.
	let latestPassedAttach = Number.NEGATIVE_INFINITY;
	for (const index of walkOrder(listing.codes, walkKey)) {
		throwIfCancelled(item.signal);
		const code = listing.codes[index];
		const attachedAt = listing.attachedAt[index];
		if (!Number.isNaN(attachedAt)) {
			const known = listing.knownHolder(index);
			// A redeemed (or expired) code is not given to an order again: an earlier order's code is
			// the likelier explanation than a resend after the customer already used it.
			const maybeOurs =
				!listing.unusable[index] &&
				now - attachedAt <= replayWindowMs &&
				(known === undefined || known === item.profileId) &&
				latestPassedAttach <= attachedAt + CLOCK_TOLERANCE_MS;
			if (maybeOurs) {
				if (++budget.holderReads > MAX_HOLDER_READS) {
					throw item.error(
						`Could not check the idempotency key within ${MAX_HOLDER_READS} reads in loyalty program ${item.loyaltyId}`,
						'Almost every code of the program was attached within the replay window; nothing was attached. Import new codes, or shorten Options → Replay Window, then run this item again.',
					);
				}
				const state = await readCodeState(item.read, code, item.loyaltyId);
				if (heldBy(state, item.profileId)) return { code, state, replay: true };
				listing.noteAttached(
					code,
					attachedAt,
					typeof state.profile_id === 'string' ? state.profile_id : undefined,
				);
			}
			latestPassedAttach = Math.max(latestPassedAttach, attachedAt);
			continue;
		}
		if (listing.unusable[index]) continue;
		const result = await tryCode(item, code);
		if ('outcome' in result) return noted(listing, item, result.outcome);
		listing.noteAttached(code, result.attachedAt, result.takenBy);
		latestPassedAttach = Math.max(
			latestPassedAttach,
			Number.isNaN(result.attachedAt) ? now : result.attachedAt,
		);
		if (++budget.taken >= MAX_TAKEN_CODES_PER_ITEM) throw tooManyTaken(item);
	}
	return undefined;
}
