/**
 * The order in which an idempotency key tries a program's codes: the same for every delivery of
 * the key, in every process and after a restart, because it depends only on the key and the codes
 * (rendezvous hashing). Codes added later slot in between without reordering the others, and two
 * different keys get unrelated orders, so concurrent orders rarely try the same code.
 */

/** FNV-1a over UTF-16 code units: stable across processes and versions of this package. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
	let hash = seed;
	for (let index = 0; index < text.length; index++) {
		hash ^= text.charCodeAt(index);
		hash = Math.imul(hash, 0x01000193);
	}
	return hash >>> 0;
}

/** MurmurHash3's finaliser: spreads every input bit over the whole score. */
function mix(value: number): number {
	let hash = value;
	hash ^= hash >>> 16;
	hash = Math.imul(hash, 0x85ebca6b);
	hash ^= hash >>> 13;
	hash = Math.imul(hash, 0xc2b2ae35);
	hash ^= hash >>> 16;
	return hash >>> 0;
}

/** Per-listing cache of the code hashes, which do not depend on the key. */
const hashCache = new WeakMap<readonly string[], Uint32Array>();

function codeHashes(codes: readonly string[]): Uint32Array {
	let hashes = hashCache.get(codes);
	if (!hashes) {
		hashes = new Uint32Array(codes.length);
		for (let index = 0; index < codes.length; index++) hashes[index] = fnv1a(codes[index]);
		hashCache.set(codes, hashes);
	}
	return hashes;
}

/**
 * Yields the indexes of `codes` in the key's order: ascending score, ties broken by the code text.
 * Lazy (a heap), because a walk usually stops after a few codes even in a program of a million.
 */
export function* walkOrder(codes: readonly string[], key: string): Generator<number> {
	const seed = mix(fnv1a(key));
	const hashes = codeHashes(codes);
	const count = codes.length;
	const scores = new Uint32Array(count);
	for (let index = 0; index < count; index++) scores[index] = mix(hashes[index] ^ seed);
	const before = (a: number, b: number) =>
		scores[a] !== scores[b] ? scores[a] < scores[b] : codes[a] < codes[b];
	const heap = new Uint32Array(count);
	for (let index = 0; index < count; index++) heap[index] = index;
	const siftDown = (start: number, size: number) => {
		let parent = start;
		for (;;) {
			const left = 2 * parent + 1;
			if (left >= size) return;
			const right = left + 1;
			const child = right < size && before(heap[right], heap[left]) ? right : left;
			if (!before(heap[child], heap[parent])) return;
			const swap = heap[parent];
			heap[parent] = heap[child];
			heap[child] = swap;
			parent = child;
		}
	};
	for (let index = Math.floor(count / 2) - 1; index >= 0; index--) siftDown(index, count);
	for (let size = count; size > 0; size--) {
		const top = heap[0];
		heap[0] = heap[size - 1];
		siftDown(0, size - 1);
		yield top;
	}
}
