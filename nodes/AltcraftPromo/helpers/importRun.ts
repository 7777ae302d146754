/**
 * One import run in chunks, whatever the codes come from (a list, the generator, a file): a
 * few chunks in flight, counters summed, per-code results kept only for codes that failed.
 * Memory does not grow with the number of codes that go in.
 */
import type { IDataObject } from 'n8n-workflow';

import { FailedCodes } from './failedCodes';
import { type AltcraftEnvelope, throwIfCancelled } from '../transport';

/** What the transport answered for one chunk. */
export interface ChunkAnswer {
	envelope: AltcraftEnvelope;
	/** The chunk was sent again after an attempt whose answer was lost. */
	resentAfterUnknownOutcome: boolean;
}

export type SendChunk = (codes: string[]) => Promise<ChunkAnswer>;

/** The codes of one request. */
export interface ImportChunk {
	codes: string[];
	/**
	 * Codes that may repeat codes of earlier chunks: sent only once every chunk taken before this
	 * one is answered, so that Altcraft's "duplicated" for them means "already imported", never
	 * "imported by a request still on its way".
	 */
	afterEarlierAnswered?: boolean;
}

/** The next chunk to send, or undefined when there is none (yet). Never called twice at once. */
export type NextChunk = () => Promise<ImportChunk | undefined>;

export interface ImportCounters {
	inserted: number;
	duplicated: number;
	discarded_by_limit: number;
	/** Duplicates counted by chunks that were resent after a lost answer: the lost attempt may have inserted them. */
	duplicated_after_resend: number;
	requests: number;
	/** Codes Altcraft did not import (per-code error), all of them; `codes` lists the first ones. */
	failed: number;
}

/** How one chunk went, for a source that reacts to it (the generator replaces duplicates). */
export interface ChunkReport {
	codes: string[];
	chunk: ImportChunk;
	answer: ChunkAnswer;
	/** Codes of the chunk with a per-code error, and that error. */
	failures: Map<string, IDataObject>;
	inserted: number;
	duplicated: number;
	discardedByLimit: number;
}

/** Decides, per failed code, whether it counts as failed (default) or is handled by the source. */
export interface ImportRunHooks {
	/** Called once per answered chunk, before its failures are recorded; returns the codes it takes care of. */
	onChunk?(report: ChunkReport): Set<string> | undefined;
}

function count(envelope: AltcraftEnvelope, key: string): number {
	const value = envelope[key];
	return typeof value === 'number' ? value : 0;
}

function perCodeFailures(envelope: AltcraftEnvelope): Map<string, IDataObject> {
	const failures = new Map<string, IDataObject>();
	const data = Array.isArray(envelope.data) ? envelope.data : envelope.data ? [envelope.data] : [];
	for (const entry of data) {
		const error = entry.error;
		if (typeof entry.code === 'string' && error !== undefined && error !== 0 && error !== '0')
			failures.set(entry.code, entry);
	}
	return failures;
}

export class ImportRun {
	readonly counters: ImportCounters = {
		inserted: 0,
		duplicated: 0,
		discarded_by_limit: 0,
		duplicated_after_resend: 0,
		requests: 0,
		failed: 0,
	};

	readonly failedCodes: FailedCodes;
	/** Every code's result, for the Codes source's "All Codes" output (the 0.2 output); undefined otherwise. */
	readonly allCodes: IDataObject[] | undefined;

	constructor(
		private readonly send: SendChunk,
		private readonly hooks: ImportRunHooks = {},
		options: { keepAllCodes?: boolean; failedCodesShown?: number } = {},
	) {
		this.failedCodes = new FailedCodes(options.failedCodesShown);
		this.allCodes = options.keepAllCodes ? [] : undefined;
	}

	/**
	 * Sends chunks from `next` with `inFlight` of them travelling at once (one is imported while
	 * the answer to another is read) until `next` has no more and every answer is in.
	 */
	async run(next: NextChunk, inFlight: number, signal?: AbortSignal): Promise<void> {
		// `next` may read a stream: calls are chained so that it never runs twice at once. Each
		// chunk gets its place in that order, for chunks that wait for the ones before them.
		let queue: Promise<unknown> = Promise.resolve();
		let taken = 0;
		const unanswered = new Set<number>();
		const waiters: Array<() => void> = [];
		const wakeWaiters = () => {
			for (const wake of waiters.splice(0)) wake();
		};
		const take = (): Promise<{ chunk: ImportChunk; place: number } | undefined> => {
			const result = queue.then(next).then((chunk) => {
				if (chunk === undefined) return undefined;
				const place = taken++;
				unanswered.add(place);
				return { chunk, place };
			});
			queue = result.catch(() => undefined);
			return result;
		};
		const earlierAnswered = async (place: number) => {
			const waiting = () => [...unanswered].some((other) => other < place);
			while (waiting() && !failure) await new Promise<void>((resolve) => waiters.push(resolve));
		};
		// The first error ends the run: no worker takes another chunk after it.
		let failure: { error: unknown } | undefined;
		const worker = async () => {
			try {
				for (let entry = await take(); entry !== undefined && !failure; entry = await take()) {
					const { chunk, place } = entry;
					try {
						if (chunk.afterEarlierAnswered) await earlierAnswered(place);
						// n8n's Stop: no new chunk leaves (the transport ends the ones in flight).
						throwIfCancelled(signal);
						if (chunk.codes.length === 0 || failure) continue;
						const answer = await this.send(chunk.codes);
						if (!failure) this.record(chunk, answer);
					} finally {
						unanswered.delete(place);
						wakeWaiters();
					}
				}
			} catch (error) {
				failure ??= { error };
				wakeWaiters();
			}
		};
		await Promise.all(Array.from({ length: Math.max(1, inFlight) }, worker));
		if (failure) throw failure.error;
	}

	private record(chunk: ImportChunk, answer: ChunkAnswer): void {
		const { envelope } = answer;
		const report: ChunkReport = {
			codes: chunk.codes,
			chunk,
			answer,
			failures: perCodeFailures(envelope),
			inserted: count(envelope, 'inserted'),
			duplicated: count(envelope, 'duplicated'),
			discardedByLimit: count(envelope, 'discarded_by_limit'),
		};
		const totals = this.counters;
		totals.inserted += report.inserted;
		totals.duplicated += report.duplicated;
		totals.discarded_by_limit += report.discardedByLimit;
		totals.requests++;
		if (answer.resentAfterUnknownOutcome) totals.duplicated_after_resend += report.duplicated;
		if (this.allCodes) {
			const data = Array.isArray(envelope.data) ? envelope.data : [];
			for (const entry of data)
				this.allCodes.push(
					answer.resentAfterUnknownOutcome ? { ...entry, after_resend: true } : entry,
				);
		}
		const handled = this.hooks.onChunk?.(report);
		for (const [code, entry] of report.failures) {
			if (handled?.has(code)) continue;
			totals.failed++;
			this.failedCodes.add({
				code,
				error: Number(entry.error),
				error_text: typeof entry.error_text === 'string' ? entry.error_text : '',
				...(answer.resentAfterUnknownOutcome ? { after_resend: true } : {}),
			});
		}
	}
}

/** Chunks of `chunkSize` from a list already in memory (the Codes source). */
export function chunksOf(codes: string[], chunkSize: number): NextChunk {
	let offset = 0;
	return async () => {
		if (offset >= codes.length) return undefined;
		const chunk = codes.slice(offset, offset + chunkSize);
		offset += chunkSize;
		return { codes: chunk };
	};
}

/** Chunks from an async iterator (the Binary File source). */
export function chunksFrom(iterator: AsyncIterator<ImportChunk>): NextChunk {
	return async () => {
		const { value, done } = await iterator.next();
		return done ? undefined : value;
	};
}
