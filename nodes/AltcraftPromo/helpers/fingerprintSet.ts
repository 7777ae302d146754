/**
 * A set of texts that keeps only a 64-bit fingerprint of each one: 8 bytes a code in one typed
 * array instead of a JavaScript string in a Set (about 60 bytes a code), so remembering the
 * 1,000,000 codes of one import costs 16 MB and no garbage collection work.
 *
 * Equal texts always have equal fingerprints, so a repeat is never missed. Two different texts
 * share one with probability about n² / 2^65 for n texts (1 in 37 million for 1,000,000); the
 * callers say what such a false "repeat" costs them (a code drawn again, or one file line skipped).
 */
export class FingerprintSet {
	/** Slot i holds one fingerprint in [2i] and [2i + 1]: both halves in one cache line. */
	private slots: Int32Array;
	private mask: number;
	private stored = 0;

	constructor(expected = 1024) {
		let capacity = 1024;
		// Kept at most half full: open addressing stays fast and a lookup probes ~1.5 slots.
		while (capacity < expected * 2) capacity *= 2;
		this.slots = new Int32Array(capacity * 2);
		this.mask = capacity - 1;
	}

	get size(): number {
		return this.stored;
	}

	/** Adds `text`; false when it (or a text with the same fingerprint) was already there. */
	add(text: string): boolean {
		const [high, low] = fingerprint(text);
		if (!this.insert(high, low)) return false;
		this.stored++;
		if (this.stored * 2 > this.mask + 1) this.grow();
		return true;
	}

	has(text: string): boolean {
		const [high, low] = fingerprint(text);
		return this.find(high, low) < 0;
	}

	/** The free slot's index for a fingerprint that is not there, or -1 when it is. */
	private find(high: number, low: number): number {
		const slots = this.slots;
		let slot = low & this.mask;
		while (slots[slot * 2] !== 0 || slots[slot * 2 + 1] !== 0) {
			if (slots[slot * 2] === high && slots[slot * 2 + 1] === low) return -1;
			slot = (slot + 1) & this.mask;
		}
		return slot;
	}

	private insert(high: number, low: number): boolean {
		const slot = this.find(high, low);
		if (slot < 0) return false;
		this.slots[slot * 2] = high;
		this.slots[slot * 2 + 1] = low;
		return true;
	}

	private grow(): void {
		const old = this.slots;
		this.slots = new Int32Array(old.length * 2);
		this.mask = old.length - 1;
		for (let index = 0; index < old.length; index += 2) {
			if (old[index] !== 0 || old[index + 1] !== 0) this.insert(old[index], old[index + 1]);
		}
	}
}

/**
 * Two 32-bit lanes mixed into each other (the cyrb53 construction, kept at 64 bits). Not a
 * cryptographic hash: nobody gains anything by making two of their own codes collide.
 * (0, 0) marks an empty slot, so that value is moved to (0, 1).
 */
export function fingerprint(text: string): [number, number] {
	let h1 = 0xdeadbeef;
	let h2 = 0x41c6ce57;
	for (let index = 0; index < text.length; index++) {
		const unit = text.charCodeAt(index);
		h1 = Math.imul(h1 ^ unit, 2654435761);
		h2 = Math.imul(h2 ^ unit, 1597334677);
	}
	h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
	h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
	h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
	h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
	// Signed 32-bit halves: they fit an Int32Array as they are.
	const high = h2 | 0;
	const low = h1 | 0;
	return high === 0 && low === 0 ? [0, 1] : [high, low];
}
