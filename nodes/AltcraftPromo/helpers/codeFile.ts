/**
 * Codes from a file, read as a stream: plain text with one code per line, or CSV with the codes
 * in a column named in its header. Nothing here keeps more than two chunks of codes and a
 * fixed-size filter of the codes seen, so memory is the same for 100,000 codes and 1,000,000.
 */
import { TextDecoder } from 'util';

import type { ChunkReport, ImportChunk } from './importRun';
import { SeenFilter } from './seenFilter';
import { describeForbiddenCharacter } from './parameters';

export type CodeFileFormat = 'lines' | 'csv';

export interface CodeFileOptions {
	format: CodeFileFormat;
	/** CSV only: the header of the column with the codes (compared trimmed, ignoring case). */
	column?: string;
}

/** What a file held, counted while it is read and imported. */
export interface CodeFileCounts {
	/** Codes the file held once or first (repeats not counted). */
	codes: number;
	/** Later occurrences of a code the file held before. */
	duplicatedInFile: number;
	/** Empty lines, or CSV rows with an empty value in the column. */
	blank: number;
}

/** The file cannot be read as codes; `message` is ready to follow the field name. */
export class CodeFileProblem extends Error {}

/** A source of the file's bytes; called once per pass (binary data kept on disk is read twice). */
export type OpenCodeFile = () => AsyncIterable<Uint8Array | string>;

const CSV_DELIMITERS = [',', ';', '\t'] as const;

/** Every character describeForbiddenCharacter may refuse (and valid surrogate pairs too). */
const MAYBE_FORBIDDEN = /[\u0000-\u001f\ud800-\udfff\ufffe\uffff]/;

/** Bytes → text, refusing what is not UTF-8 text. */
async function* decodeText(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
	// `fatal` turns invalid UTF-8 into an error instead of U+FFFD; the BOM is dropped (ignoreBOM false).
	const decoder = new TextDecoder('utf-8', { fatal: true });
	let offset = 0;
	let first = true;
	for await (const piece of source) {
		if (typeof piece === 'string') {
			yield first && piece.charCodeAt(0) === 0xfeff ? piece.slice(1) : piece;
			first = false;
			continue;
		}
		if (
			first &&
			piece.length >= 2 &&
			((piece[0] === 0xff && piece[1] === 0xfe) || (piece[0] === 0xfe && piece[1] === 0xff))
		) {
			throw new CodeFileProblem(
				'is UTF-16 text; save the file as UTF-8 (e.g. "CSV UTF-8" in Excel)',
			);
		}
		first = false;
		const text = decodeOrUndefined(decoder, piece);
		if (text === undefined) {
			throw new CodeFileProblem(
				`is not UTF-8 text (an invalid byte sequence after byte ${offset}); is it a spreadsheet or an archive rather than a text or CSV file?`,
			);
		}
		offset += piece.length;
		if (text !== '') yield text;
	}
	const rest = decodeOrUndefined(decoder);
	if (rest === undefined)
		throw new CodeFileProblem('is not UTF-8 text (it ends in the middle of a character)');
	if (rest !== '') yield rest;
}

/** The decoded text, or undefined where the bytes are not UTF-8; without `piece`, the end of the stream. */
function decodeOrUndefined(decoder: TextDecoder, piece?: Uint8Array): string | undefined {
	try {
		return piece === undefined ? decoder.decode() : decoder.decode(piece, { stream: true });
	} catch {
		return undefined;
	}
}

/**
 * One code as read: trimmed and checked; in a text file also taken out of one pair of double
 * quotes (a column saved from a spreadsheet as text often comes quoted).
 */
function cleanCode(raw: string, line: number, unquote = false): string {
	let code = raw.trim();
	if (unquote && code.length >= 2 && code.startsWith('"') && code.endsWith('"'))
		code = code.slice(1, -1).replace(/""/g, '"').trim();
	// One native regex test per code; the exact check (which names the character) runs only on a
	// hit, e.g. for emoji, whose surrogate pairs the regex cannot tell from broken ones.
	if (!MAYBE_FORBIDDEN.test(code)) return code;
	if (code.includes('\u0000'))
		throw new CodeFileProblem(`holds a NUL byte on line ${line}; is it a text file?`);
	const problem = describeForbiddenCharacter(code);
	if (problem) throw new CodeFileProblem(`line ${line} ${problem}`);
	return code;
}

/** Text files: one code per line, CR LF or LF, blank lines skipped. */
async function* textLines(text: AsyncIterable<string>): AsyncGenerator<string[]> {
	let rest = '';
	let line = 0;
	for await (const piece of text) {
		const buffer = rest + piece;
		const codes: string[] = [];
		let start = 0;
		for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n', start)) {
			line++;
			codes.push(cleanCode(buffer.slice(start, end), line, true));
			start = end + 1;
		}
		rest = buffer.slice(start);
		if (codes.length > 0) yield codes;
	}
	if (rest !== '') yield [cleanCode(rest, line + 1, true)];
}

/** The delimiter that occurs most often (outside quotes) in the header line. */
function detectDelimiter(header: string): string {
	let best: string = CSV_DELIMITERS[0];
	let bestCount = 0;
	for (const delimiter of CSV_DELIMITERS) {
		let count = 0;
		let quoted = false;
		for (const character of header) {
			if (character === '"') quoted = !quoted;
			else if (character === delimiter && !quoted) count++;
		}
		if (count > bestCount) {
			best = delimiter;
			bestCount = count;
		}
	}
	return best;
}

/**
 * CSV as RFC 4180 writes it: fields in double quotes may hold the delimiter, quotes doubled and
 * line breaks; the delimiter (comma, semicolon or tab) is the one the header line uses.
 */
async function* csvColumn(text: AsyncIterable<string>, column: string): AsyncGenerator<string[]> {
	const wanted = column.trim().toLowerCase();
	let delimiter = '';
	let columnIndex = -1;
	let haveHeader = false;
	let pending = '';
	// The record being read, carried across pieces.
	let field = '';
	let fields: string[] = [];
	let quoted = false;
	let quoteJustClosed = false;
	let atFieldStart = true;
	let line = 1;
	let recordLine = 1;

	const endRecord = (record: string[], codes: string[]) => {
		if (!haveHeader) {
			if (record.length === 1 && record[0].trim() === '') return;
			const header = record.map((name) => name.trim());
			columnIndex = header.findIndex((name) => name.toLowerCase() === wanted);
			if (columnIndex < 0) {
				const names = header.map((name) => `"${name}"`).join(', ');
				throw new CodeFileProblem(
					`has no column "${column}" in its first line (columns: ${names})`,
				);
			}
			haveHeader = true;
			return;
		}
		codes.push(cleanCode(record.length > columnIndex ? record[columnIndex] : '', recordLine));
	};

	const finishRecord = (codes: string[]) => {
		if (field.endsWith('\r')) field = field.slice(0, -1);
		fields.push(field);
		endRecord(fields, codes);
		field = '';
		fields = [];
		atFieldStart = true;
	};

	/** Reads `piece`; returns what is left of an unfinished line that has no quote (read again with the next piece). */
	const consume = (piece: string, codes: string[]): string => {
		let index = 0;
		while (index < piece.length) {
			// Fast path: a whole line without quotes, at the start of a record, is split as it is.
			if (atFieldStart && fields.length === 0 && !quoted) {
				const end = piece.indexOf('\n', index);
				if (end < 0) {
					if (piece.indexOf('"', index) < 0) return piece.slice(index);
				} else {
					const quote = piece.indexOf('"', index);
					if (quote < 0 || quote > end) {
						const lineText =
							piece.charCodeAt(end - 1) === 13
								? piece.slice(index, end - 1)
								: piece.slice(index, end);
						endRecord(lineText.split(delimiter), codes);
						line++;
						recordLine = line;
						index = end + 1;
						continue;
					}
				}
			}
			const character = piece[index++];
			if (quoted) {
				if (character === '"') {
					quoted = false;
					quoteJustClosed = true;
				} else {
					if (character === '\n') line++;
					field += character;
				}
				continue;
			}
			if (character === '"') {
				if (quoteJustClosed) {
					// "" inside a quoted field is one quote.
					field += '"';
					quoted = true;
					quoteJustClosed = false;
				} else if (field.trim() === '') {
					field = '';
					quoted = true;
				} else {
					field += character;
				}
				atFieldStart = false;
				continue;
			}
			quoteJustClosed = false;
			if (character === delimiter) {
				fields.push(field);
				field = '';
				atFieldStart = false;
			} else if (character === '\n') {
				finishRecord(codes);
				line++;
				recordLine = line;
			} else {
				field += character;
				atFieldStart = false;
			}
		}
		return '';
	};

	for await (const piece of text) {
		pending += piece;
		if (delimiter === '') {
			const end = pending.indexOf('\n');
			if (end < 0) continue;
			delimiter = detectDelimiter(pending.slice(0, end));
		}
		const codes: string[] = [];
		pending = consume(pending, codes);
		if (codes.length > 0) yield codes;
	}
	const codes: string[] = [];
	if (delimiter === '') delimiter = detectDelimiter(pending);
	// A last line without a line break: what is left unread, or a record the slow path is inside.
	if (pending !== '') consume(`${pending}\n`, codes);
	if (quoted)
		throw new CodeFileProblem(`has a quote opened on line ${recordLine} that is never closed`);
	if (!atFieldStart) finishRecord(codes);
	if (!haveHeader) throw new CodeFileProblem(`is empty: no header line with a column "${column}"`);
	if (codes.length > 0) yield codes;
}

function parse(open: OpenCodeFile, options: CodeFileOptions): AsyncGenerator<string[]> {
	const text = decodeText(open());
	if (options.format === 'csv') return csvColumn(text, options.column ?? '');
	return textLines(text);
}

/** What the first read found: entries that hold a code (repeats included) and empty ones. */
export interface CodeFileScan {
	entries: number;
	blank: number;
}

/**
 * Reads the whole file once, so that a file that cannot be read (not text, no such column, a bad
 * character on line 900,000, no codes at all) is refused before the first request. Keeps nothing
 * but two counters. Throws CodeFileProblem.
 */
export async function scanCodeFile(
	open: OpenCodeFile,
	options: CodeFileOptions,
): Promise<CodeFileScan> {
	const scan: CodeFileScan = { entries: 0, blank: 0 };
	for await (const batch of parse(open, options)) {
		for (const code of batch) {
			if (code === '') scan.blank++;
			else scan.entries++;
		}
	}
	if (scan.entries === 0) throw new CodeFileProblem('contains no codes');
	return scan;
}

/**
 * The file's codes in chunks of `chunkSize`. A code the file held before goes out only once
 * Altcraft has answered for every chunk before it, in a chunk of such codes
 * (`afterEarlierAnswered`): Altcraft's "duplicated" for it then says it was a repeat, and
 * `settleRepeats` counts it. (Repeats are told by a fixed-size filter that now and then doubts a
 * new code; sending the doubtful ones rather than skipping them means no code is ever lost to it.)
 */
export async function* readCodeChunks(
	open: OpenCodeFile,
	options: CodeFileOptions,
	chunkSize: number,
	counts: CodeFileCounts = { codes: 0, duplicatedInFile: 0, blank: 0 },
): AsyncGenerator<ImportChunk> {
	const seen = new SeenFilter();
	let chunk: string[] = [];
	let maybeRepeats: string[] = [];
	for await (const batch of parse(open, options)) {
		for (const code of batch) {
			if (code === '') {
				counts.blank++;
				continue;
			}
			if (seen.add(code)) {
				maybeRepeats.push(code);
				if (maybeRepeats.length === chunkSize) {
					// The earlier occurrence may be in the chunk being filled: it goes first.
					if (chunk.length > 0) yield { codes: chunk };
					chunk = [];
					yield { codes: maybeRepeats, afterEarlierAnswered: true };
					maybeRepeats = [];
				}
				continue;
			}
			counts.codes++;
			chunk.push(code);
			if (chunk.length === chunkSize) {
				yield { codes: chunk };
				chunk = [];
			}
		}
	}
	if (chunk.length > 0) yield { codes: chunk };
	if (maybeRepeats.length > 0) yield { codes: maybeRepeats, afterEarlierAnswered: true };
}

/**
 * Counts the answer to a chunk of maybe-repeated codes: those Altcraft calls duplicated were
 * repeats within the file, the others new codes. Returns the failures that are such repeats (not
 * failed codes), when Altcraft's per-code answers cannot mean anything else.
 */
export function settleRepeats(
	report: ChunkReport,
	counts: CodeFileCounts,
): Set<string> | undefined {
	if (!report.chunk.afterEarlierAnswered) return undefined;
	const repeats = Math.min(report.duplicated, report.codes.length);
	counts.duplicatedInFile += repeats;
	counts.codes += report.codes.length - repeats;
	if (report.failures.size === 0 || report.failures.size > repeats) return undefined;
	return new Set(report.failures.keys());
}
