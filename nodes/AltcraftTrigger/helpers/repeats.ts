import { createHash } from 'node:crypto';

import type { AltcraftEvent } from './batch';

/**
 * Batches seen recently, by content, so a batch Altcraft sends again (it may resend one it considers
 * failed; not documented) starts no second execution. In memory of this n8n process only: a restart
 * forgets it, and each process that receives webhooks keeps its own (in queue mode: the main process,
 * or each webhook process).
 */
export class RepeatWindow {
	/** Content hash → when it was last seen (ms); Map order = order of last sighting, oldest first. */
	private readonly seen = new Map<string, number>();

	constructor(private readonly maxEntries = 10_000) {}

	/**
	 * True when `fingerprint` was seen less than `windowMs` before `now`. Either way it counts as seen now,
	 * so a batch that keeps coming back keeps being ignored.
	 */
	seenWithin(fingerprint: string, windowMs: number, now: number): boolean {
		this.forgetOlderThan(now - windowMs);
		const last = this.seen.get(fingerprint);
		this.seen.delete(fingerprint);
		this.seen.set(fingerprint, now);
		// Bounded: a flood of distinct batches drops the oldest entries, never grows without end.
		while (this.seen.size > this.maxEntries)
			this.seen.delete(this.seen.keys().next().value as string);
		return last !== undefined && now - last < windowMs;
	}

	get size(): number {
		return this.seen.size;
	}

	private forgetOlderThan(cutoff: number): void {
		for (const [fingerprint, at] of this.seen) {
			if (at > cutoff) break; // ordered by last sighting: the rest are newer
			this.seen.delete(fingerprint);
		}
	}
}

/** The content of a batch as one hash: equal batches (same events, same order, same fields) hash equal. */
export function batchFingerprint(events: AltcraftEvent[]): string {
	return createHash('sha256').update(JSON.stringify(events), 'utf8').digest('hex');
}

const windows = new Map<string, RepeatWindow>();

/** The window of one trigger node (key: workflow, node and test/production mode). */
export function repeatWindowFor(key: string): RepeatWindow {
	let window = windows.get(key);
	if (!window) {
		window = new RepeatWindow();
		windows.set(key, window);
	}
	return window;
}
