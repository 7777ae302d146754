import {
	checkGeneratorSettings,
	createCodeGenerator,
	isGeneratorProblem,
	GeneratorExhaustedError,
} from '../../nodes/AltcraftPromo/helpers/codeGenerator';
import { GeneratedCodesSource } from '../../nodes/AltcraftPromo/helpers/generatedCodes';
import { type ChunkAnswer, ImportRun, chunksOf } from '../../nodes/AltcraftPromo/helpers/importRun';

/**
 * Altcraft's import as documented (docs §2.1): per-code entries, `500 Promocode duplicated` for a
 * code already in the program, counters beside; a program limit discards what does not fit.
 */
function fakeAltcraft(existing: Iterable<string> = [], limit = Infinity) {
	const program = new Set(existing);
	let inFlight = 0;
	let maxInFlight = 0;
	const send = async (codes: string[]): Promise<ChunkAnswer> => {
		inFlight++;
		maxInFlight = Math.max(maxInFlight, inFlight);
		await new Promise((resolve) => setTimeout(resolve, 1));
		inFlight--;
		let inserted = 0;
		let duplicated = 0;
		let discarded = 0;
		const data = codes.map((code) => {
			if (program.has(code)) {
				duplicated++;
				return { code, error: 500, error_text: 'Promocode duplicated' };
			}
			if (program.size >= limit) {
				discarded++;
				return { code, error: 402, error_text: 'Limit reached' };
			}
			program.add(code);
			inserted++;
			return { code, error: 0, error_text: '' };
		});
		return {
			envelope: {
				error: 0,
				error_text: 'Successful operation',
				data,
				inserted,
				duplicated,
				discarded_by_limit: discarded,
			},
			resentAfterUnknownOutcome: false,
		};
	};
	return { program, send, maxInFlight: () => maxInFlight };
}

function checkShape(settings: {
	count: number;
	length: number;
	alphabet?: 'digits' | 'unambiguous';
}) {
	const shape = checkGeneratorSettings({
		pattern: '',
		customAlphabet: '',
		prefix: '',
		postfix: '',
		alphabet: 'unambiguous',
		...settings,
	});
	if (isGeneratorProblem(shape)) throw new Error(shape.problem);
	return shape;
}

function generatorFor(settings: {
	count: number;
	length: number;
	alphabet?: 'digits' | 'unambiguous';
}) {
	return createCodeGenerator(checkShape(settings));
}

describe('ImportRun', () => {
	it('sums the counters of every chunk and keeps only failed codes', async () => {
		const altcraft = fakeAltcraft(['B', 'E']);
		const run = new ImportRun(altcraft.send);
		await run.run(chunksOf(['A', 'B', 'C', 'D', 'E', 'F', 'G'], 3), 2);
		expect(run.counters).toEqual({
			inserted: 5,
			duplicated: 2,
			discarded_by_limit: 0,
			duplicated_after_resend: 0,
			requests: 3,
			failed: 2,
		});
		expect(run.failedCodes.listed).toEqual([
			{ code: 'B', error: 500, error_text: 'Promocode duplicated' },
			{ code: 'E', error: 500, error_text: 'Promocode duplicated' },
		]);
		expect(altcraft.maxInFlight()).toBe(2);
	});

	it('sends a chunk marked afterEarlierAnswered only once every chunk before it is answered', async () => {
		const events: string[] = [];
		const delays: Record<string, number> = { slow: 30, fast: 1, after: 1, later: 1 };
		const run = new ImportRun(async (codes) => {
			events.push(`send ${codes[0]}`);
			await new Promise((resolve) => setTimeout(resolve, delays[codes[0]]));
			events.push(`answer ${codes[0]}`);
			return {
				envelope: { error: 0, error_text: '', data: [], inserted: codes.length, duplicated: 0 },
				resentAfterUnknownOutcome: false,
			};
		});
		const chunks = [
			{ codes: ['slow'] },
			{ codes: ['fast'] },
			{ codes: ['after'], afterEarlierAnswered: true },
			{ codes: ['later'] },
		];
		await run.run(async () => chunks.shift(), 2);
		expect(events.indexOf('send after')).toBeGreaterThan(events.indexOf('answer slow'));
		expect(events.indexOf('send after')).toBeGreaterThan(events.indexOf('answer fast'));
		expect(run.counters.requests).toBe(4);
	});

	it('ends a waiting chunk when an earlier one fails, without sending it', async () => {
		const sent: string[] = [];
		const run = new ImportRun(async (codes) => {
			sent.push(codes[0]);
			await new Promise((resolve) => setTimeout(resolve, 5));
			throw new Error(`Altcraft refused ${codes[0]}`);
		});
		const chunks = [{ codes: ['first'] }, { codes: ['waits'], afterEarlierAnswered: true }];
		await expect(run.run(async () => chunks.shift(), 2)).rejects.toThrow('Altcraft refused first');
		expect(sent).toEqual(['first']);
	});

	it('marks failures of a resent chunk and counts its duplicates apart', async () => {
		const altcraft = fakeAltcraft(['A']);
		const run = new ImportRun(async (codes) => ({
			...(await altcraft.send(codes)),
			resentAfterUnknownOutcome: true,
		}));
		await run.run(chunksOf(['A', 'B'], 10), 2);
		expect(run.counters.duplicated_after_resend).toBe(1);
		expect(run.failedCodes.listed).toEqual([
			{ code: 'A', error: 500, error_text: 'Promocode duplicated', after_resend: true },
		]);
	});

	it('sends no chunk after the first error and throws it', async () => {
		let sent = 0;
		const run = new ImportRun(async () => {
			const attempt = ++sent;
			await new Promise((resolve) => setTimeout(resolve, attempt === 1 ? 1 : 5));
			if (attempt === 1) throw new Error('Altcraft is down');
			return {
				envelope: { error: 0, error_text: '', data: [], inserted: 10 },
				resentAfterUnknownOutcome: false,
			};
		});
		await expect(
			run.run(
				chunksOf(
					Array.from({ length: 100 }, (_, i) => `C${i}`),
					10,
				),
				2,
			),
		).rejects.toThrow('Altcraft is down');
		// The chunk already in flight when the first failed, and nothing after it.
		expect(sent).toBe(2);
		expect(run.counters.requests).toBe(0);
	});

	it('stops between chunks when the execution is cancelled', async () => {
		const controller = new AbortController();
		const altcraft = fakeAltcraft();
		const run = new ImportRun(async (codes) => {
			controller.abort();
			return await altcraft.send(codes);
		});
		await expect(
			run.run(
				chunksOf(
					Array.from({ length: 100 }, (_, i) => `C${i}`),
					10,
				),
				1,
				controller.signal,
			),
		).rejects.toThrow();
		expect(altcraft.program.size).toBe(10);
	});
});

describe('GeneratedCodesSource', () => {
	it('imports exactly Count codes, replacing the ones already in the program', async () => {
		// 5 digits = 100,000 possible codes; 40,000 already in the program: ~40 % of draws collide.
		const existing = Array.from({ length: 40_000 }, (_, i) => String(i * 2 + 1).padStart(5, '0'));
		const altcraft = fakeAltcraft(existing);
		const file: Buffer[] = [];
		const source = new GeneratedCodesSource(
			generatorFor({ count: 1000, length: 5, alphabet: 'digits' }),
			1000,
			100,
			(lines) => file.push(lines),
		);
		const run = new ImportRun(altcraft.send, source);
		await run.run(source.next, 2);
		expect(run.counters.inserted).toBe(1000);
		expect(run.counters.failed).toBe(0);
		expect(run.counters.duplicated).toBe(source.replaced);
		expect(source.replaced).toBeGreaterThan(200);
		expect(altcraft.program.size).toBe(41_000);
		const lines = Buffer.concat(file).toString('utf8').split('\n');
		expect(lines.pop()).toBe('');
		expect(new Set(lines).size).toBe(1000);
		expect(lines.every((code) => altcraft.program.has(code) && !existing.includes(code))).toBe(
			true,
		);
	});

	it('stops at the program limit and lists the discarded codes as failed', async () => {
		const altcraft = fakeAltcraft([], 250);
		const file: Buffer[] = [];
		const source = new GeneratedCodesSource(
			generatorFor({ count: 1000, length: 12 }),
			1000,
			100,
			(lines) => file.push(lines),
		);
		const run = new ImportRun(altcraft.send, source);
		await run.run(source.next, 2);
		expect(run.counters.inserted).toBe(250);
		expect(source.limitReached).toBe(true);
		// The chunk that hit the limit and at most one more already in flight.
		expect(run.counters.discarded_by_limit).toBeGreaterThanOrEqual(50);
		expect(run.counters.discarded_by_limit).toBeLessThanOrEqual(150);
		expect(run.counters.failed).toBe(run.counters.discarded_by_limit);
		expect(Buffer.concat(file).toString('utf8').split('\n').length - 1).toBe(250);
	});

	it('keeps a code sent twice in one chunk once in the file (one entry per code, by position)', async () => {
		const generator = createCodeGenerator(checkShape({ count: 2, length: 12 }));
		const file: Buffer[] = [];
		const source = new GeneratedCodesSource(generator, 2, 3, (lines) => file.push(lines));
		const { send } = fakeAltcraft();
		const answer = await send(['A', 'A', 'B']);
		const report = {
			codes: ['A', 'A', 'B'],
			chunk: { codes: ['A', 'A', 'B'] },
			answer,
			failures: new Map([['A', { code: 'A', error: 500 }]]),
			inserted: 2,
			duplicated: 1,
			discardedByLimit: 0,
		};
		expect(source.onChunk(report)).toEqual(new Set(['A']));
		expect(Buffer.concat(file).toString('utf8')).toBe('A\nB\n');
		expect(source.replaced).toBe(1);
	});

	it('ends with a clear error when Altcraft keeps refusing codes', async () => {
		const refuseAll = async (codes: string[]): Promise<ChunkAnswer> => ({
			envelope: {
				error: 0,
				error_text: 'Successful operation',
				data: codes.map((code) => ({ code, error: 500, error_text: 'Promocode duplicated' })),
				inserted: 0,
				duplicated: codes.length,
				discarded_by_limit: 0,
			},
			resentAfterUnknownOutcome: false,
		});
		const source = new GeneratedCodesSource(
			generatorFor({ count: 100, length: 12 }),
			100,
			50,
			() => undefined,
		);
		const run = new ImportRun(refuseAll, source);
		await expect(run.run(source.next, 2)).rejects.toThrow(GeneratorExhaustedError);
		expect(source.lastFailureText).toBe('Promocode duplicated');
		expect(run.counters.requests).toBeLessThanOrEqual(6);
	});
});
