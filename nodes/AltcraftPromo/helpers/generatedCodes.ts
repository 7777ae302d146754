/**
 * The Generate source of Import: Count new codes in chunks, and a new code for each one Altcraft
 * reports as already in the program, until Count are in (or the program's limit is reached).
 * The codes that went in are handed to `sink` as text lines (the output's binary file, written
 * as the run goes: in n8n's filesystem binary mode nothing of it stays in memory).
 */
import type { IDataObject } from 'n8n-workflow';

import type { CodeGenerator } from './codeGenerator';
import type { ChunkReport, ImportRunHooks, NextChunk } from './importRun';

export class GeneratedCodesSource implements ImportRunHooks {
	private toSend: number;
	/** Codes sent again as replacements for duplicates. */
	replaced = 0;
	/** Altcraft discarded codes for the program's limit: nothing more is sent. */
	limitReached = false;
	/** Duplicates in a chunk resent after a lost answer: taken as inserted by the lost attempt. */
	assumedInsertedAfterResend = 0;
	/** Altcraft's text for the last code it did not take (for the error when replacements run out). */
	lastFailureText = '';

	constructor(
		private readonly generator: CodeGenerator,
		count: number,
		private readonly chunkSize: number,
		private readonly sink: (lines: Buffer) => void,
		/** Resolves when the sink has room again (the file is written no faster than it is stored). */
		private readonly sinkReady: () => Promise<void> = async () => undefined,
	) {
		this.toSend = count;
	}

	/** Codes made, replacements included. */
	get generated(): number {
		return this.generator.made;
	}

	readonly next: NextChunk = async () => {
		await this.sinkReady();
		if (this.toSend === 0 || this.limitReached) return undefined;
		const amount = Math.min(this.chunkSize, this.toSend);
		this.toSend -= amount;
		return { codes: this.generator.next(amount) };
	};

	onChunk(report: ChunkReport): Set<string> | undefined {
		const { failures, answer } = report;
		if (report.discardedByLimit > 0) {
			// Which failure is a duplicate and which a discard is not documented per code: with the
			// limit reached nothing more can go in, so the failures stay failures and the run ends.
			this.limitReached = true;
			this.keep(report, failures);
			return undefined;
		}
		if (answer.resentAfterUnknownOutcome && report.duplicated > 0) {
			// A fresh random code is almost never in the program already; after a lost answer its
			// "duplicate" is the lost attempt's insert. Replacing it would import one code too many.
			this.assumedInsertedAfterResend += report.duplicated;
			this.keep(report, new Map());
			return new Set(failures.keys());
		}
		for (const entry of failures.values()) {
			if (typeof entry.error_text === 'string' && entry.error_text !== '')
				this.lastFailureText = entry.error_text;
		}
		// Without per-code answers the count says how many to replace.
		const replacements = failures.size > 0 ? failures.size : report.duplicated;
		this.toSend += replacements;
		this.replaced += replacements;
		this.keep(report, failures);
		return new Set(failures.keys());
	}

	/**
	 * The codes of a chunk that went in: by position when Altcraft answers one entry per code (so a
	 * code sent twice, once inserted and once duplicated, is kept once), else all but the failed.
	 */
	private keep(report: ChunkReport, failures: Map<string, IDataObject>): void {
		const { codes } = report;
		const data = report.answer.envelope.data;
		let kept: string[];
		if (failures.size === 0) kept = codes;
		else if (Array.isArray(data) && data.length === codes.length)
			kept = codes.filter((_code, index) => isSuccess(data[index]));
		else kept = codes.filter((code) => !failures.has(code));
		if (kept.length > 0) this.sink(Buffer.from(`${kept.join('\n')}\n`, 'utf8'));
	}
}

function isSuccess(entry: IDataObject): boolean {
	return entry.error === 0 || entry.error === '0' || entry.error === undefined;
}
