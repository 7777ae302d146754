import { Readable } from 'stream';

import {
	type CodeFileCounts,
	type CodeFileOptions,
	CodeFileProblem,
	type OpenCodeFile,
	readCodeChunks,
	scanCodeFile,
	settleRepeats,
} from '../../nodes/AltcraftPromo/helpers/codeFile';
import {
	type ChunkReport,
	type ImportChunk,
	ImportRun,
} from '../../nodes/AltcraftPromo/helpers/importRun';

/** The file's bytes cut into pieces of `pieceSize` (1 = every byte alone: splits inside characters, CR LF and quotes). */
function fileOf(content: string | Buffer, pieceSize = 1 << 16): OpenCodeFile {
	const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
	return () => {
		const pieces: Buffer[] = [];
		for (let offset = 0; offset < bytes.length; offset += pieceSize)
			pieces.push(bytes.subarray(offset, offset + pieceSize));
		return Readable.from(pieces);
	};
}

/** An Altcraft program as import sees it: each code inserted once, "duplicated" after that. */
function fakeProgram() {
	const codes: string[] = [];
	const held = new Set<string>();
	const send = async (chunk: string[]) => {
		await new Promise((resolve) => setImmediate(resolve));
		const data = chunk.map((code) => {
			if (held.has(code)) return { code, error: 500, error_text: 'Promocode duplicated' };
			held.add(code);
			codes.push(code);
			return { code, error: 0, error_text: '' };
		});
		const inserted = data.filter((entry) => entry.error === 0).length;
		return {
			envelope: { error: 0, error_text: '', data, inserted, duplicated: chunk.length - inserted },
			resentAfterUnknownOutcome: false,
		};
	};
	return { codes, send };
}

/** Reads the file into a fake program the way Import does (two chunks in flight); `codes` are the program's. */
async function readAll(open: OpenCodeFile, options: CodeFileOptions, chunkSize = 1000) {
	const counts: CodeFileCounts = { codes: 0, duplicatedInFile: 0, blank: 0 };
	const chunks: ImportChunk[] = [];
	const program = fakeProgram();
	const run = new ImportRun(program.send, { onChunk: (report) => settleRepeats(report, counts) });
	const iterator = readCodeChunks(open, options, chunkSize, counts);
	await run.run(async () => {
		const next = await iterator.next();
		if (next.done) return undefined;
		chunks.push(next.value);
		return next.value;
	}, 2);
	return { chunks, codes: program.codes, counts, run };
}

const text: CodeFileOptions = { format: 'lines' };
const csv = (column: string): CodeFileOptions => ({ format: 'csv', column });

async function problemOf(open: OpenCodeFile, options: CodeFileOptions): Promise<string> {
	try {
		await scanCodeFile(open, options);
	} catch (error) {
		if (error instanceof CodeFileProblem) return error.message;
		throw error;
	}
	throw new Error('expected a problem');
}

describe('code files: text, one code per line', () => {
	const content = '\uFEFFA-1\r\nA-2\n\n  A-3  \r\n"A-4"\r\nA-2\r\n\r\nA-5';

	it.each([1, 2, 3, 7, 1 << 16])(
		'reads BOM, CRLF, blank lines, quotes and repeats (pieces of %i bytes)',
		async (pieceSize) => {
			const { codes, counts } = await readAll(fileOf(content, pieceSize), text);
			expect(codes).toEqual(['A-1', 'A-2', 'A-3', 'A-4', 'A-5']);
			expect(counts).toEqual({ codes: 5, duplicatedInFile: 1, blank: 2 });
			await expect(scanCodeFile(fileOf(content, pieceSize), text)).resolves.toEqual({
				entries: 6,
				blank: 2,
			});
		},
	);

	it('keeps multi-byte characters cut between pieces', async () => {
		const { codes } = await readAll(fileOf('КОД-1\nКОД-2\n😀-3\n', 1), text);
		expect(codes).toEqual(['КОД-1', 'КОД-2', '😀-3']);
	});

	it('yields chunks of the asked size, the last one shorter', async () => {
		const lines = Array.from({ length: 2501 }, (_, index) => `C${index}`).join('\n');
		const { chunks } = await readAll(fileOf(lines), text, 1000);
		expect(chunks.map((chunk) => chunk.codes.length)).toEqual([1000, 1000, 501]);
	});

	it('reads the file lazily: a chunk comes out before the whole file is read', async () => {
		let piecesRead = 0;
		const open: OpenCodeFile = () =>
			Readable.from(
				(function* () {
					for (let piece = 0; piece < 100; piece++) {
						piecesRead++;
						yield Buffer.from(
							Array.from({ length: 100 }, (_, index) => `P${piece}-${index}\n`).join(''),
						);
					}
				})(),
			);
		const iterator = readCodeChunks(open, text, 50);
		const first = await iterator.next();
		expect(first.value?.codes).toHaveLength(50);
		expect(piecesRead).toBeLessThan(5);
		await iterator.return(undefined);
	});

	it.each([
		['an empty file', '', 'contains no codes'],
		['only blank lines', '\r\n\n  \n', 'contains no codes'],
		[
			'a NUL byte (a binary file)',
			'A-1\nA\u00002\n',
			'holds a NUL byte on line 2; is it a text file?',
		],
		[
			'a control character',
			'A-1\nA-2\nA\u0007-3',
			'line 3 contains a control character (U+0007) at position 2',
		],
	])('refuses %s', async (_name, content, message) => {
		expect(await problemOf(fileOf(content), text)).toBe(message);
	});

	it('refuses bytes that are not UTF-8 (e.g. a zip archive), with where', async () => {
		const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x08, 0x00, 0xc3, 0x28]);
		expect(await problemOf(fileOf(zip), text)).toMatch(
			/^is not UTF-8 text \(an invalid byte sequence after byte 0\)/,
		);
		expect(await problemOf(fileOf(zip, 4), text)).toMatch(/after byte 8/);
	});

	it('refuses UTF-16 text with a hint to save it as UTF-8', async () => {
		const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('A-1\nA-2\n', 'utf16le')]);
		expect(await problemOf(fileOf(utf16), text)).toMatch(/^is UTF-16 text; save the file as UTF-8/);
	});

	it('reads strings as well as bytes (binary data handed over as text)', async () => {
		const open: OpenCodeFile = () => Readable.from(['\uFEFFX-1\nX-', '2\n']);
		expect((await readAll(open, text)).codes).toEqual(['X-1', 'X-2']);
	});
});

describe('code files: CSV with the codes in a named column', () => {
	it.each([
		[',', 'id,Code,note\r\n1,C-1,first\r\n2,"C-2","with, comma"\r\n3,C-1,repeat\r\n4,,empty\r\n'],
		[';', 'id;Code;note\n1;C-1;first\n2;"C-2";"with; semicolon"\n3;C-1;repeat\n4;;empty\n'],
		['\t', 'id\tCode\tnote\n1\tC-1\tfirst\n2\tC-2\twith tab\n3\tC-1\trepeat\n4\t\tempty\n'],
	])(
		'finds the column by header name with delimiter %p, counting repeats and empty values',
		async (_delimiter, content) => {
			for (const pieceSize of [1, 5, 1 << 16]) {
				const { codes, counts } = await readAll(fileOf(content, pieceSize), csv(' code '));
				expect(codes).toEqual(['C-1', 'C-2']);
				expect(counts).toEqual({ codes: 2, duplicatedInFile: 1, blank: 1 });
			}
		},
	);

	it('reads quoted fields with doubled quotes and line breaks inside, and short rows', async () => {
		const content =
			'\uFEFF"note","code"\n"two\nlines","Q""1"\n"x",Q-2\nonly-note\n"",  " Q-3 "  \n';
		const { codes, counts } = await readAll(fileOf(content, 3), csv('code'));
		expect(codes).toEqual(['Q"1', 'Q-2', 'Q-3']);
		expect(counts.blank).toBe(1);
	});

	it('counts lines from the start of the file when it names a bad row', async () => {
		const content = 'note,code\n"a\nb",C-1\nx,C\u00072\n';
		expect(await problemOf(fileOf(content), csv('code'))).toBe(
			'line 4 contains a control character (U+0007) at position 2',
		);
	});

	it('names the columns it found when the named one is missing', async () => {
		expect(await problemOf(fileOf('id;promo\n1;A\n'), csv('code'))).toBe(
			'has no column "code" in its first line (columns: "id", "promo")',
		);
	});

	it.each([
		['an empty file', '', 'is empty: no header line with a column "code"'],
		['a header only', 'code\r\n', 'contains no codes'],
		['an unclosed quote', 'code\n"A-1\nA-2\n', 'has a quote opened on line 2 that is never closed'],
	])('refuses %s', async (_name, content, message) => {
		expect(await problemOf(fileOf(content), csv('code'))).toBe(message);
	});

	it('reads a last row without a line break, quoted or not', async () => {
		expect((await readAll(fileOf('code\nA\nB'), csv('code'))).codes).toEqual(['A', 'B']);
		expect((await readAll(fileOf('code\nA\n"B,1"'), csv('code'))).codes).toEqual(['A', 'B,1']);
		expect(await problemOf(fileOf('code'), csv('code'))).toBe('contains no codes');
	});
});

describe('code files: in chunks', () => {
	// 200,000 codes here (jest's realm makes the filter 10× slower); the benchmark reads 1,000,000.
	it('reads 200,000 codes (2.4 MB) one chunk at a time', async () => {
		const lines = Buffer.from(
			Array.from({ length: 200_000 }, (_, index) => `CODE${String(index).padStart(7, '0')}\n`).join(
				'',
			),
		);
		expect(lines.length).toBe(2_400_000);
		let codes = 0;
		let largestChunk = 0;
		for await (const chunk of readCodeChunks(fileOf(lines), text, 1000)) {
			codes += chunk.codes.length;
			largestChunk = Math.max(largestChunk, chunk.codes.length);
		}
		expect(codes).toBe(200_000);
		expect(largestChunk).toBe(1000);
	});
});

describe('code files: repeats', () => {
	it('sends a repeat only after the chunk with its first occurrence, and counts it from the answer', async () => {
		const { chunks, codes, counts, run } = await readAll(fileOf('A\nB\nA\nC\nB\n'), text);
		expect(chunks).toEqual([
			{ codes: ['A', 'B', 'C'] },
			{ codes: ['A', 'B'], afterEarlierAnswered: true },
		]);
		expect(codes).toEqual(['A', 'B', 'C']);
		expect(counts).toEqual({ codes: 3, duplicatedInFile: 2, blank: 0 });
		// Repeats are not codes Altcraft failed to take.
		expect(run.counters.failed).toBe(0);
	});

	it('keeps chunks at most Codes per Request long when the file is mostly repeats', async () => {
		const lines = Array.from({ length: 3000 }, (_, index) => `R${index % 7}`).join('\n');
		const { chunks, codes, counts } = await readAll(fileOf(lines), text, 100);
		expect(Math.max(...chunks.map((chunk) => chunk.codes.length))).toBe(100);
		expect(codes).toHaveLength(7);
		expect(counts).toEqual({ codes: 7, duplicatedInFile: 2993, blank: 0 });
	});

	const reportOf = (codes: string[], duplicated: number, failed: string[]): ChunkReport => ({
		codes,
		chunk: { codes, afterEarlierAnswered: true },
		answer: { envelope: { error: 0, error_text: '', data: [] }, resentAfterUnknownOutcome: false },
		failures: new Map(failed.map((code) => [code, { code, error: 500 }])),
		inserted: codes.length - duplicated,
		duplicated,
		discardedByLimit: 0,
	});

	it('counts a doubted code that Altcraft inserts as a code of the file, not a repeat', () => {
		const counts: CodeFileCounts = { codes: 0, duplicatedInFile: 0, blank: 0 };
		expect(settleRepeats(reportOf(['X', 'Y', 'Z'], 2, ['X', 'Y']), counts)).toEqual(
			new Set(['X', 'Y']),
		);
		expect(counts).toEqual({ codes: 1, duplicatedInFile: 2, blank: 0 });
	});

	it('leaves failures that are not all duplicates as failures', () => {
		const counts: CodeFileCounts = { codes: 0, duplicatedInFile: 0, blank: 0 };
		expect(settleRepeats(reportOf(['X', 'Y', 'Z'], 1, ['X', 'Y']), counts)).toBeUndefined();
		expect(counts).toEqual({ codes: 2, duplicatedInFile: 1, blank: 0 });
	});
});
