import { randomInt } from 'crypto';

import { SeenFilter } from './seenFilter';
import { describeForbiddenCharacter } from './parameters';

export const MAX_GENERATED_CODES = 1_000_000;
export const DEFAULT_CODE_LENGTH = 12;
export const MAX_CODE_LENGTH = 64;
/** The symbol that a Pattern replaces by one random symbol. */
export const PATTERN_SLOT = '#';

/**
 * The default leaves out symbols people confuse when they read a code aloud or type it from a
 * receipt: 0/O, 1/I/L. 23 letters and 8 digits = 31 symbols.
 */
export const ALPHABETS = {
	unambiguous: 'ABCDEFGHJKMNPQRSTUVWXYZ23456789',
	digits: '0123456789',
	letters: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
} as const;

export type AlphabetPreset = keyof typeof ALPHABETS | 'custom';

/**
 * How many possible codes there must be for each code asked for. With at least 10, a fresh draw
 * repeats a code made earlier in the run at most 1 time in 10, so Count codes take at most
 * about 1.11 × Count draws and the run always ends; a space only just larger than Count would
 * make the last codes take ever longer to find (a coupon collector's problem). It is a floor for
 * feasibility, not for secrecy: docs/import-sources.md states the guessing odds of the defaults.
 */
export const MIN_POSSIBLE_CODES_PER_CODE = 10;

/** What the user set, before it is checked. */
export interface GeneratorSettings {
	count: unknown;
	/** Used when `pattern` is empty. */
	length: unknown;
	/** e.g. `SALE-####-####`; empty = Prefix + Length random symbols + Postfix. */
	pattern: string;
	alphabet: AlphabetPreset;
	customAlphabet: string;
	prefix: string;
	postfix: string;
}

/** A checked code shape: literal text around random slots. */
export interface CodeShape {
	count: number;
	/** Symbols as code points (a custom alphabet may hold characters outside the BMP). */
	symbols: string[];
	/** Literal texts; `slots[i]` random symbols follow `literals[i]`; one more literal ends the code. */
	literals: string[];
	slots: number[];
	/** Random symbols in one code. */
	randomSymbols: number;
}

/** A setting that cannot work, with the field to name in the error. */
export interface GeneratorProblem {
	field: 'Count' | 'Length' | 'Pattern' | 'Alphabet' | 'Custom Alphabet' | 'Prefix' | 'Postfix';
	problem: string;
	hint: string;
}

const number = (value: number) => value.toLocaleString('en-US');

function wholeNumber(raw: unknown): number | undefined {
	const value = typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : raw;
	return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

function checkAlphabet(settings: GeneratorSettings): string[] | GeneratorProblem {
	if (settings.alphabet !== 'custom') {
		if (!Object.prototype.hasOwnProperty.call(ALPHABETS, settings.alphabet)) {
			return {
				field: 'Alphabet',
				problem: `Alphabet "${String(settings.alphabet)}" is not one of the choices`,
				hint: 'Pick an Alphabet from the list.',
			};
		}
		return Array.from(ALPHABETS[settings.alphabet]);
	}
	const symbols = Array.from(settings.customAlphabet);
	const fail = (problem: string, hint: string): GeneratorProblem => ({
		field: 'Custom Alphabet',
		problem,
		hint,
	});
	const forbidden = describeForbiddenCharacter(settings.customAlphabet);
	if (forbidden) return fail(`Custom Alphabet ${forbidden}`, 'Use printable symbols only.');
	const space = symbols.findIndex((symbol) => /\s/u.test(symbol));
	if (space >= 0)
		return fail(
			`Custom Alphabet contains white space at position ${space + 1}`,
			'Codes are compared exactly and files are read trimmed: leave spaces out.',
		);
	const seen = new Set<string>();
	for (const symbol of symbols) {
		if (seen.has(symbol)) {
			return fail(
				`Custom Alphabet has "${symbol}" more than once`,
				'List each symbol once; a repeated symbol would come up more often than the others.',
			);
		}
		seen.add(symbol);
	}
	if (symbols.length < 2) {
		return fail(
			`Custom Alphabet needs at least 2 different symbols, got ${symbols.length}`,
			'Enter the symbols codes may use, e.g. ABCDEFGHJKMNPQRSTUVWXYZ23456789.',
		);
	}
	return symbols;
}

/** Splits Prefix + Pattern (or Length slots) + Postfix into literals and runs of random slots. */
function layout(
	prefix: string,
	body: string,
	postfix: string,
): Pick<CodeShape, 'literals' | 'slots' | 'randomSymbols'> {
	const literals: string[] = [];
	const slots: number[] = [];
	let literal = prefix;
	let run = 0;
	for (const character of body) {
		if (character === PATTERN_SLOT) {
			run++;
			continue;
		}
		if (run > 0) {
			literals.push(literal);
			slots.push(run);
			literal = '';
			run = 0;
		}
		literal += character;
	}
	if (run > 0) {
		literals.push(literal);
		slots.push(run);
		literal = '';
	}
	literals.push(literal + postfix);
	return { literals, slots, randomSymbols: slots.reduce((sum, slot) => sum + slot, 0) };
}

/** The smallest number of random symbols that gives `needed` possible codes. */
function symbolsFor(alphabetSize: number, needed: bigint): number {
	let symbols = 1;
	let space = BigInt(alphabetSize);
	while (space < needed) {
		space *= BigInt(alphabetSize);
		symbols++;
	}
	return symbols;
}

/** Checks the settings and returns the shape, or the first problem (all before any request). */
export function checkGeneratorSettings(settings: GeneratorSettings): CodeShape | GeneratorProblem {
	const count = wholeNumber(settings.count);
	if (count === undefined || count < 1 || count > MAX_GENERATED_CODES) {
		return {
			field: 'Count',
			problem: `Count must be a whole number from 1 to ${number(MAX_GENERATED_CODES)}, got ${JSON.stringify(settings.count ?? null)}`,
			hint: `Run the node again for more than ${number(MAX_GENERATED_CODES)} codes.`,
		};
	}
	for (const [field, text] of [
		['Prefix', settings.prefix],
		['Postfix', settings.postfix],
	] as const) {
		const forbidden = describeForbiddenCharacter(text);
		if (forbidden)
			return { field, problem: `${field} ${forbidden}`, hint: `Remove it from "${field}".` };
	}
	const symbols = checkAlphabet(settings);
	if (!Array.isArray(symbols)) return symbols;

	const usePattern = settings.pattern !== '';
	let body: string;
	if (usePattern) {
		const forbidden = describeForbiddenCharacter(settings.pattern);
		if (forbidden)
			return {
				field: 'Pattern',
				problem: `Pattern ${forbidden}`,
				hint: 'Remove it from "Pattern".',
			};
		if (!settings.pattern.includes(PATTERN_SLOT)) {
			return {
				field: 'Pattern',
				problem: `Pattern has no "${PATTERN_SLOT}"`,
				hint: `Each "${PATTERN_SLOT}" becomes one random symbol, e.g. SALE-####-####.`,
			};
		}
		body = settings.pattern;
	} else {
		const length = wholeNumber(settings.length);
		if (length === undefined || length < 1 || length > MAX_CODE_LENGTH) {
			return {
				field: 'Length',
				problem: `Length must be a whole number from 1 to ${MAX_CODE_LENGTH}, got ${JSON.stringify(settings.length ?? null)}`,
				hint: 'Length counts the random symbols, without Prefix and Postfix.',
			};
		}
		body = PATTERN_SLOT.repeat(length);
	}
	const shape: CodeShape = { count, symbols, ...layout(settings.prefix, body, settings.postfix) };
	if (shape.randomSymbols > MAX_CODE_LENGTH) {
		return {
			field: 'Pattern',
			problem: `Pattern has ${shape.randomSymbols} "${PATTERN_SLOT}", at most ${MAX_CODE_LENGTH} are allowed`,
			hint: 'Use fewer random symbols.',
		};
	}

	const possible = BigInt(symbols.length) ** BigInt(shape.randomSymbols);
	const needed = BigInt(count) * BigInt(MIN_POSSIBLE_CODES_PER_CODE);
	if (possible < needed) {
		const minimum = symbolsFor(symbols.length, needed);
		const field = usePattern ? 'Pattern' : 'Length';
		const given = usePattern
			? `Pattern with ${shape.randomSymbols} "${PATTERN_SLOT}"`
			: `Length ${shape.randomSymbols}`;
		return {
			field,
			problem: `${given} and ${symbols.length} symbols give ${number(Number(possible))} possible codes, too few for Count ${number(count)}`,
			hint: `Codes need at least ${MIN_POSSIBLE_CODES_PER_CODE} possible codes per code asked for, so that new codes are found quickly: use ${minimum} or more random symbols, a larger alphabet or a smaller Count.`,
		};
	}
	return shape;
}

export function isGeneratorProblem(value: CodeShape | GeneratorProblem): value is GeneratorProblem {
	return 'problem' in value;
}

/** How likely one guess is to hit one of `count` codes of this shape (for docs/import-sources.md and hints). */
export function guessOdds(
	shape: Pick<CodeShape, 'symbols' | 'randomSymbols'>,
	count: number,
): number {
	return count / shape.symbols.length ** shape.randomSymbols;
}

export interface RandomSource {
	/** A uniform whole number in [0, max), like crypto.randomInt. */
	below(max: number): number;
	/** The largest `max` the source takes: crypto.randomInt's range is 2^48. */
	maxRange: number;
}

export const cryptoRandom: RandomSource = { below: (max) => randomInt(max), maxRange: 2 ** 48 };

/** Makes codes of one shape, each different from every code it made before. */
export interface CodeGenerator {
	/**
	 * `amount` new codes, none repeating a code made before in the run (when tracksRepeats; else a
	 * repeat is practically impossible); also how codes Altcraft reported as duplicated are replaced.
	 */
	next(amount: number): string[];
	/** Codes made so far. */
	readonly made: number;
	/** Draws that repeated a code made earlier in the run (and were drawn again). */
	readonly repeatsDrawnAgain: number;
}

/**
 * How many codes one run may make beyond Count, to replace codes Altcraft reports as already in
 * the program. More than that means the program is full of codes of this shape (the same
 * Prefix and Length run before): a longer code or another Prefix is the answer, not more tries.
 */
export function replacementBudget(count: number): number {
	return count + 100;
}

export class GeneratorExhaustedError extends Error {}

/**
 * Whether the generator remembers its codes (in SeenFilter's fixed 8 MB) to draw again on a
 * repeat. With the defaults (12 symbols of 31, ~7.9 × 10^17 codes) even 1,000,000 codes repeat one in a run with
 * probability 6 × 10^-7, so nothing is kept and memory stays flat: such a repeat would come back
 * from Altcraft as duplicated and be replaced like any other duplicate. Below that (expected
 * repeats in a run ≥ 1/1000, i.e. Count² / 2 ≥ possible codes / 1000) every code is remembered.
 */
export function tracksRepeats(
	shape: Pick<CodeShape, 'count' | 'symbols' | 'randomSymbols'>,
): boolean {
	const expectedRepeats =
		(shape.count * shape.count) / 2 / shape.symbols.length ** shape.randomSymbols;
	return expectedRepeats >= 1e-3;
}

export function createCodeGenerator(
	shape: CodeShape,
	random: RandomSource = cryptoRandom,
): CodeGenerator {
	const { symbols, literals, slots } = shape;
	const base = symbols.length;
	// One random number gives several symbols (its digits in base `base`): uniform and
	// independent, as each digit of a uniform number in [0, base^k) is, and k times fewer calls.
	let perDraw = 1;
	while (base ** (perDraw + 1) <= random.maxRange) perDraw++;
	const seen = tracksRepeats(shape) ? new SeenFilter() : undefined;
	const limit = shape.count + replacementBudget(shape.count);
	let made = 0;
	let repeatsDrawnAgain = 0;

	const ranges = Array.from({ length: perDraw + 1 }, (_, take) => base ** take);

	/** `amount` random symbols appended to `text`. */
	const appendSymbols = (text: string, amount: number): string => {
		let left = amount;
		while (left > 0) {
			const take = left < perDraw ? left : perDraw;
			let value = random.below(ranges[take]);
			for (let digit = 0; digit < take; digit++) {
				const next = Math.floor(value / base);
				text += symbols[value - next * base];
				value = next;
			}
			left -= take;
		}
		return text;
	};

	const one = (): string => {
		let text = '';
		for (let index = 0; index < slots.length; index++)
			text = appendSymbols(text + literals[index], slots[index]);
		return text + literals[literals.length - 1];
	};

	return {
		next(amount: number): string[] {
			if (made + amount > limit) {
				throw new GeneratorExhaustedError(
					`made ${number(made)} codes for Count ${number(shape.count)} and would need ${number(amount)} more`,
				);
			}
			const codes: string[] = [];
			// With at least 10 possible codes per code, a draw repeats with probability ≤ 0.2 even
			// after all replacements; 4 tries per code fail only if the space is nearly used up.
			let tries = amount * 4 + 64;
			while (codes.length < amount) {
				if (tries-- === 0) {
					throw new GeneratorExhaustedError(
						`could not find ${number(amount)} new codes among the possible ones`,
					);
				}
				const code = one();
				if (!seen || !seen.add(code)) codes.push(code);
				else repeatsDrawnAgain++;
			}
			made += amount;
			return codes;
		},
		get made() {
			return made;
		},
		get repeatsDrawnAgain() {
			return repeatsDrawnAgain;
		},
	};
}
