/**
 * Remembers which texts were seen in one run, in a fixed 8 MB whatever their number: a Bloom
 * filter (8 bits per text set among 2^26). Memory is the same for 100 codes and for 10,000,000,
 * which an exact set (8 bytes or more a code) cannot be.
 *
 * A text seen before is always recognised. A text never seen is sometimes taken for a seen one
 * ("maybe seen"): with 1,000,000 texts in the filter about 1 in 40 million, with 10,000,000 about
 * 1 in 18. So callers treat "maybe seen" as a doubt to settle, never as a fact: the file reader
 * lets Altcraft decide (see codeFile.ts), the generator draws another code.
 */
const BITS_LOG2 = 26;
const PROBES = 8;

export class SeenFilter {
	/** 2^26 bits. Allocated zeroed; pages no text touches never become resident. */
	private readonly bits = new Int32Array(2 ** (BITS_LOG2 - 5));

	/** Adds `text`; true when it may have been added before, false when it certainly was not. */
	add(text: string): boolean {
		const [first, step] = fingerprint(text);
		const bits = this.bits;
		const mask = 2 ** BITS_LOG2 - 1;
		// Double hashing: probe i at first + i·step (step odd, so the probes differ).
		let position = first & mask;
		const stride = (step | 1) & mask;
		let allSet = true;
		for (let probe = 0; probe < PROBES; probe++) {
			const word = position >>> 5;
			const bit = 1 << (position & 31);
			if ((bits[word] & bit) === 0) {
				allSet = false;
				bits[word] |= bit;
			}
			position = (position + stride) & mask;
		}
		return allSet;
	}
}

/**
 * Two 32-bit lanes mixed into each other (the cyrb53 construction, kept at 64 bits). Not a
 * cryptographic hash: nobody gains anything by making two of their own codes collide.
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
	return [h1 >>> 0, h2 >>> 0];
}
