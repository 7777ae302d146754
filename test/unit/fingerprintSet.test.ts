import { FingerprintSet, fingerprint } from '../../nodes/AltcraftPromo/helpers/fingerprintSet';

describe('FingerprintSet', () => {
	it('tells repeats from new texts and counts the new ones', () => {
		const set = new FingerprintSet();
		expect(set.add('A')).toBe(true);
		expect(set.add('B')).toBe(true);
		expect(set.add('A')).toBe(false);
		expect(set.has('B')).toBe(true);
		expect(set.has('C')).toBe(false);
		expect(set.add('')).toBe(true);
		expect(set.add('')).toBe(false);
		expect(set.size).toBe(3);
	});

	// 200,000 here (jest runs code in a separate realm where Math.imul is not inlined: 10× slower
	// than in n8n); the benchmark reads 1,000,000.
	it('keeps every text through growing, and mistakes none of 200,000 similar codes for another', () => {
		// Codes that differ in one or two places, the hardest case for a weak hash.
		const set = new FingerprintSet();
		for (let index = 0; index < 200_000; index++) {
			if (!set.add(`CODE-${String(index).padStart(7, '0')}`))
				throw new Error(`code ${index} taken for an earlier one`);
		}
		expect(set.size).toBe(200_000);
		let repeats = 0;
		for (let index = 0; index < 200_000; index += 997)
			if (!set.add(`CODE-${String(index).padStart(7, '0')}`)) repeats++;
		expect(repeats).toBe(Math.ceil(200_000 / 997));
		expect(set.has('CODE-0200000')).toBe(false);
	});

	it('never uses the empty-slot value (0, 0) as a fingerprint', () => {
		for (const text of ['', 'a', 'Z', '😀']) expect(fingerprint(text)).not.toEqual([0, 0]);
	});
});
