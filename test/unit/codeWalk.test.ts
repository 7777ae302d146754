import { fnv1a, walkOrder } from '../../nodes/AltcraftPromo/helpers/codeWalk';

const codes = Array.from(
	{ length: 2_000 },
	(_unused, index) => `SHOP-${String(index).padStart(4, '0')}`,
);
const walk = (list: readonly string[], key: string, steps = list.length) => {
	const out: string[] = [];
	for (const index of walkOrder(list, key)) {
		out.push(list[index]);
		if (out.length === steps) break;
	}
	return out;
};

describe('walkOrder (the order an idempotency key tries codes in)', () => {
	it('visits every code exactly once', () => {
		const visited = walk(codes, 'order-1');
		expect(visited).toHaveLength(codes.length);
		expect(new Set(visited).size).toBe(codes.length);
	});

	it('is the same for one key whatever the order of the list (another process, another export)', () => {
		const reversed = [...codes].reverse();
		expect(walk(reversed, 'order-1', 50)).toEqual(walk(codes, 'order-1', 50));
	});

	it('keeps the relative order of the existing codes when codes are added', () => {
		const grown = [...codes, ...Array.from({ length: 500 }, (_unused, index) => `NEW-${index}`)];
		const before = walk(codes, 'order-9', 30);
		const after = walk(grown, 'order-9')
			.filter((code) => !code.startsWith('NEW-'))
			.slice(0, 30);
		expect(after).toEqual(before);
	});

	it('gives different keys unrelated starting codes', () => {
		const firsts = new Set(
			Array.from({ length: 200 }, (_unused, index) => walk(codes, `order-${index}`, 1)[0]),
		);
		// 200 keys over 2,000 codes: a random choice repeats about 10 times; a bad hash would repeat far more.
		expect(firsts.size).toBeGreaterThan(170);
	});

	it('hashes text the same way on every run (FNV-1a reference values)', () => {
		expect(fnv1a('')).toBe(0x811c9dc5);
		expect(fnv1a('a')).toBe(0xe40c292c);
		expect(fnv1a('foobar')).toBe(0xbf9cf968);
	});
});
