import { SeenFilter } from '../../nodes/AltcraftPromo/helpers/seenFilter';

describe('SeenFilter', () => {
	it('recognises every text added before', () => {
		const seen = new SeenFilter();
		expect(seen.add('A')).toBe(false);
		expect(seen.add('B')).toBe(false);
		expect(seen.add('A')).toBe(true);
		expect(seen.add('')).toBe(false);
		expect(seen.add('')).toBe(true);
	});

	// 200,000 here (jest runs code in a separate realm where Math.imul is not inlined: 10× slower
	// than in n8n); the benchmark reads 1,000,000.
	it('doubts none of 200,000 similar new codes and recognises each of them again', () => {
		// Codes that differ in one or two places, the hardest case for a weak hash.
		const seen = new SeenFilter();
		let doubted = 0;
		for (let index = 0; index < 200_000; index++)
			if (seen.add(`CODE-${String(index).padStart(7, '0')}`)) doubted++;
		expect(doubted).toBe(0);
		let missed = 0;
		for (let index = 0; index < 200_000; index += 7)
			if (!seen.add(`CODE-${String(index).padStart(7, '0')}`)) missed++;
		expect(missed).toBe(0);
	});
});
