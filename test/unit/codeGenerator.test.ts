import { randomBytes } from 'crypto';

import {
	ALPHABETS,
	type CodeShape,
	type GeneratorSettings,
	type RandomSource,
	GeneratorExhaustedError,
	MAX_GENERATED_CODES,
	tracksRepeats,
	checkGeneratorSettings,
	createCodeGenerator,
	cryptoRandom,
	guessOdds,
	isGeneratorProblem,
} from '../../nodes/AltcraftPromo/helpers/codeGenerator';

const defaults: GeneratorSettings = {
	count: 1000,
	length: 12,
	pattern: '',
	alphabet: 'unambiguous',
	customAlphabet: '',
	prefix: '',
	postfix: '',
};

function shapeOf(settings: Partial<GeneratorSettings>): CodeShape {
	const shape = checkGeneratorSettings({ ...defaults, ...settings });
	if (isGeneratorProblem(shape)) throw new Error(shape.problem);
	return shape;
}

function problemOf(settings: Partial<GeneratorSettings>) {
	const shape = checkGeneratorSettings({ ...defaults, ...settings });
	if (!isGeneratorProblem(shape)) throw new Error('expected a problem');
	return shape;
}

/**
 * Pearson's chi-square statistic of observed counts against equal expected counts.
 */
function chiSquare(counts: number[]): number {
	const total = counts.reduce((sum, count) => sum + count, 0);
	const expected = total / counts.length;
	return counts.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
}

/**
 * The chi-square value exceeded with probability 1e-6 for `df` degrees of freedom
 * (Wilson–Hilferty approximation; z = 4.7534 is the normal quantile of 1 − 1e-6).
 * df = 30 gives about 82.6. A fair generator fails one such check once in a million runs.
 */
function chiSquareBound(df: number): number {
	const z = 4.7534;
	const a = 2 / (9 * df);
	return df * (1 - a + z * Math.sqrt(a)) ** 3;
}

/** Counts of each symbol per position (index = position) and over all positions (last entry). */
function symbolCounts(codes: string[], alphabet: string): number[][] {
	const length = codes[0].length;
	const table = Array.from({ length: length + 1 }, () =>
		new Array<number>(alphabet.length).fill(0),
	);
	for (const code of codes) {
		for (let position = 0; position < length; position++) {
			const symbol = alphabet.indexOf(code[position]);
			table[position][symbol]++;
			table[length][symbol]++;
		}
	}
	return table;
}

/** The largest chi-square over each position and over all symbols together. */
function worstChiSquare(codes: string[], alphabet: string): number {
	return Math.max(...symbolCounts(codes, alphabet).map(chiSquare));
}

/**
 * The classic mistake: a random byte modulo the alphabet size. 256 = 8 × 31 + 8, so the first
 * 8 symbols come up 9 times in 256 and the other 23 only 8 times (12.5 % more often).
 */
function moduloBiasedSource(): RandomSource {
	let bytes = randomBytes(1 << 20);
	let next = 0;
	return {
		below(max: number) {
			if (next === bytes.length) {
				bytes = randomBytes(1 << 20);
				next = 0;
			}
			return bytes[next++] % max;
		},
		maxRange: 256,
	};
}

describe('checkGeneratorSettings', () => {
	it('lays out Prefix, Length random symbols and Postfix', () => {
		const shape = shapeOf({ prefix: 'SPRING-', postfix: '-X', length: 6 });
		expect(shape.literals).toEqual(['SPRING-', '-X']);
		expect(shape.slots).toEqual([6]);
		expect(shape.randomSymbols).toBe(6);
	});

	it('lays out a Pattern: each # is one random symbol, the rest literal', () => {
		const shape = shapeOf({ pattern: 'SALE-####-####', prefix: 'A', postfix: 'Z' });
		expect(shape.literals).toEqual(['ASALE-', '-', 'Z']);
		expect(shape.slots).toEqual([4, 4]);
		expect(shape.randomSymbols).toBe(8);
	});

	it.each([
		[{ count: 0 }, 'Count', /from 1 to 1,000,000, got 0/],
		[{ count: MAX_GENERATED_CODES + 1 }, 'Count', /got 1000001/],
		[{ count: 2.5 }, 'Count', /whole number/],
		[{ count: 'many' }, 'Count', /got "many"/],
		[{ length: 0 }, 'Length', /from 1 to 64/],
		[{ length: 65 }, 'Length', /from 1 to 64/],
		[
			{ alphabet: 'custom' as const, customAlphabet: '' },
			'Custom Alphabet',
			/at least 2 different symbols, got 0/,
		],
		[
			{ alphabet: 'custom' as const, customAlphabet: 'A' },
			'Custom Alphabet',
			/at least 2 different symbols, got 1/,
		],
		[
			{ alphabet: 'custom' as const, customAlphabet: 'ABCA' },
			'Custom Alphabet',
			/"A" more than once/,
		],
		[
			{ alphabet: 'custom' as const, customAlphabet: 'AB C' },
			'Custom Alphabet',
			/white space at position 3/,
		],
		[
			{ alphabet: 'custom' as const, customAlphabet: 'AB\u0007' },
			'Custom Alphabet',
			/control character/,
		],
		[{ pattern: 'SALE-' }, 'Pattern', /has no "#"/],
		[{ alphabet: 'toString' }, 'Alphabet', /Alphabet "toString" is not one of the choices/],
		[{ prefix: 'A\nB' }, 'Prefix', /control character/],
		[{ postfix: '\t' }, 'Postfix', /control character/],
	])('refuses %p, naming %s', (settings, field, message) => {
		const problem = problemOf(settings as Partial<GeneratorSettings>);
		expect(problem.field).toBe(field);
		expect(problem.problem).toMatch(message);
		expect(problem.problem.startsWith(field)).toBe(true);
	});

	it('refuses a Length too short for Count and says how long it must be', () => {
		// 31^4 = 923,521 < 10 × 100,000; 31^5 = 28,629,151 ≥ 1,000,000.
		const problem = problemOf({ count: 100_000, length: 4 });
		expect(problem.field).toBe('Length');
		expect(problem.problem).toBe(
			'Length 4 and 31 symbols give 923,521 possible codes, too few for Count 100,000',
		);
		expect(problem.hint).toMatch(/use 5 or more random symbols/);
		expect(
			isGeneratorProblem(checkGeneratorSettings({ ...defaults, count: 100_000, length: 5 })),
		).toBe(false);
	});

	it('refuses a Pattern too short for Count, naming Pattern', () => {
		const problem = problemOf({ count: 1000, pattern: 'SALE-###', alphabet: 'digits' });
		expect(problem.field).toBe('Pattern');
		expect(problem.problem).toMatch(
			/Pattern with 3 "#" and 10 symbols give 1,000 possible codes, too few for Count 1,000/,
		);
		expect(problem.hint).toMatch(/use 4 or more/);
	});

	it('states the guessing odds of the defaults (Length 12 of 31 symbols)', () => {
		const shape = shapeOf({});
		expect(shape.symbols.length ** shape.randomSymbols).toBeCloseTo(7.8766e17, -14);
		// One guess against a program of 1,000,000 default codes: about 1 in 787 billion.
		expect(1 / guessOdds(shape, 1_000_000)).toBeCloseTo(7.8766e11, -8);
	});
});

describe('createCodeGenerator', () => {
	it('makes Count codes of the right length from the alphabet, all different', () => {
		const generator = createCodeGenerator(shapeOf({ count: 20_000, length: 8 }));
		const codes = generator.next(20_000);
		expect(codes).toHaveLength(20_000);
		expect(new Set(codes).size).toBe(20_000);
		expect(codes.filter((code) => !/^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{8}$/.test(code))).toEqual(
			[],
		);
		expect(generator.made).toBe(20_000);
	});

	it('never uses look-alikes with the default alphabet (0, O, 1, I, L)', () => {
		expect(ALPHABETS.unambiguous).not.toMatch(/[0O1IL]/);
		const codes = createCodeGenerator(shapeOf({ count: 10_000 })).next(10_000);
		expect(codes.join('')).not.toMatch(/[0O1IL]/);
	});

	it('follows a Pattern with Prefix and Postfix', () => {
		const codes = createCodeGenerator(
			shapeOf({
				count: 500,
				pattern: 'SALE-####-####',
				alphabet: 'digits',
				prefix: 'X',
				postfix: '!',
			}),
		).next(500);
		expect(codes.filter((code) => !/^XSALE-\d{4}-\d{4}!$/.test(code))).toEqual([]);
	});

	it('uses digits only and letters only when asked', () => {
		expect(
			createCodeGenerator(shapeOf({ count: 100, alphabet: 'digits' }))
				.next(100)
				.join(''),
		).toMatch(/^\d+$/);
		expect(
			createCodeGenerator(shapeOf({ count: 100, alphabet: 'letters' }))
				.next(100)
				.join(''),
		).toMatch(/^[A-Z]+$/);
	});

	it('takes a custom alphabet of symbols outside the BMP, each one symbol', () => {
		const codes = createCodeGenerator(
			shapeOf({ count: 50, length: 10, alphabet: 'custom', customAlphabet: '😀😁😂' }),
		).next(50);
		for (const code of codes) {
			expect(Array.from(code)).toHaveLength(10);
			expect(Array.from(code).every((symbol) => '😀😁😂'.includes(symbol))).toBe(true);
		}
	});

	it('remembers its codes only where a repeat in the run is not practically impossible', () => {
		// Defaults, 1,000,000 codes: expected repeats 1e12 / 2 / 31^12 ≈ 6e-7: nothing kept.
		expect(tracksRepeats(shapeOf({ count: 1_000_000 }))).toBe(false);
		// 8 digits for 100,000 codes: 1e10 / 2 / 1e8 = 50 expected repeats: every code remembered.
		expect(tracksRepeats(shapeOf({ count: 100_000, length: 8, alphabet: 'digits' }))).toBe(true);
	});

	it('replaces codes without ever repeating one made before in the run', () => {
		const generator = createCodeGenerator(
			shapeOf({ count: 1000, length: 4, alphabet: 'custom', customAlphabet: 'ABCDEFGHIJ' }),
		);
		const first = generator.next(1000);
		// Say Altcraft reported 300 of them as already in the program: replacements are new codes.
		const replacements = generator.next(300);
		expect(new Set([...first, ...replacements]).size).toBe(1300);
		// 10^4 = 10,000 possible codes: 1,300 made, so draws started to repeat and were drawn again.
		expect(generator.repeatsDrawnAgain).toBeGreaterThan(0);
	});

	it('stops replacing after Count + 100 extra codes with a clear error', () => {
		const generator = createCodeGenerator(shapeOf({ count: 10, length: 12 }));
		generator.next(10);
		generator.next(110);
		expect(() => generator.next(1)).toThrow(GeneratorExhaustedError);
		expect(() => generator.next(1)).toThrow('made 120 codes for Count 10 and would need 1 more');
	});

	it('gives up when the possible codes are used up instead of looping', () => {
		// A source that always answers 0 can only make one code.
		const stuck: RandomSource = { below: () => 0, maxRange: 2 ** 48 };
		const generator = createCodeGenerator(
			shapeOf({ count: 1000, length: 4, alphabet: 'digits' }),
			stuck,
		);
		expect(() => generator.next(2)).toThrow('could not find 2 new codes among the possible ones');
	});

	describe('statistical sanity: chi-square of symbol frequencies over 100,000 codes', () => {
		const alphabet = ALPHABETS.unambiguous;
		const bound = chiSquareBound(alphabet.length - 1);

		it('has a bound of about 82.6 for 31 symbols (p = 1e-6)', () => {
			expect(bound).toBeGreaterThan(82);
			expect(bound).toBeLessThan(83.5);
		});

		it('passes for crypto.randomInt, several symbols per draw (the default)', () => {
			const codes = createCodeGenerator(shapeOf({ count: 100_000 }), cryptoRandom).next(100_000);
			expect(worstChiSquare(codes, alphabet)).toBeLessThan(bound);
		});

		it('passes for crypto.randomInt, one symbol per draw', () => {
			const oneByOne: RandomSource = { below: cryptoRandom.below, maxRange: 256 };
			const codes = createCodeGenerator(shapeOf({ count: 100_000 }), oneByOne).next(100_000);
			expect(worstChiSquare(codes, alphabet)).toBeLessThan(bound);
		});

		it('fails for a generator with modulo bias (a random byte % 31), in every position', () => {
			const codes = createCodeGenerator(shapeOf({ count: 100_000 }), moduloBiasedSource()).next(
				100_000,
			);
			const table = symbolCounts(codes, alphabet);
			for (const counts of table) expect(chiSquare(counts)).toBeGreaterThan(bound);
			// Expected ≈ 281 per position and ≈ 3,370 over all positions: far above the bound.
			expect(chiSquare(table[table.length - 1])).toBeGreaterThan(20 * bound);
		});
	});
});
