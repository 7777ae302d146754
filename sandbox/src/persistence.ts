/**
 * --state persistence. The state file is a seed (same format), written
 * atomically: temp file in the same directory, fsync, rename over the target,
 * fsync the directory. A crash at any moment leaves either the old or the new
 * complete file; a leftover temp file is never read and is removed at start.
 * Writes are coalesced: many changes in a burst make one write.
 */
import { randomBytes } from 'crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'fs';
import { open, rename, rm } from 'fs/promises';
import { basename, dirname, join } from 'path';
import type { SandboxState } from './seed';

const TEMP_SUFFIX = '.tmp';

function tempPrefix(path: string): string {
	return `.${basename(path)}.`;
}

/** Write `data` to `path` atomically (temp file + fsync + rename). */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
	const dir = dirname(path);
	const tmp = join(
		dir,
		`${tempPrefix(path)}${process.pid}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`,
	);
	const fh = await open(tmp, 'w', 0o600);
	try {
		await fh.writeFile(data, 'utf8');
		await fh.sync();
	} finally {
		await fh.close();
	}
	try {
		await rename(tmp, path);
	} catch (e) {
		await rm(tmp, { force: true });
		throw e;
	}
	try {
		const d = await open(dir, 'r');
		try {
			await d.sync();
		} finally {
			await d.close();
		}
	} catch {
		// Directory fsync is not supported everywhere; the rename itself is atomic.
	}
}

/** Remove temp files a crashed writer may have left next to `path`. */
export function removeStaleTempFiles(path: string): void {
	const dir = dirname(path);
	if (!existsSync(dir)) return;
	const prefix = tempPrefix(path);
	for (const name of readdirSync(dir)) {
		if (name.startsWith(prefix) && name.endsWith(TEMP_SUFFIX))
			rmSync(join(dir, name), { force: true });
	}
}

export class StateFileError extends Error {}

/** Read a state file: undefined when it does not exist; throws StateFileError when it is not JSON. */
export function readStateFile(path: string): unknown {
	if (!existsSync(path)) return undefined;
	const text = readFileSync(path, 'utf8');
	try {
		return JSON.parse(text) as unknown;
	} catch (e) {
		throw new StateFileError(
			`state file ${path} is not valid JSON (${(e as Error).message}); move it away to start fresh`,
		);
	}
}

export function serializeState(state: SandboxState, now: Date): string {
	return `${JSON.stringify({ $comment: `Altcraft sandbox state, saved ${now.toISOString()}`, ...state }, null, '\t')}\n`;
}

/** Coalesces state changes into debounced atomic writes. */
export class StateSaver {
	private timer: NodeJS.Timeout | undefined;
	private writing: Promise<void> | undefined;
	private dirty = false;
	/** The last write error, if any (also reported through onError). */
	lastError: Error | undefined;
	/** Number of completed writes (for tests). */
	writes = 0;
	/** How long the last write took: the next one waits a multiple of it (see schedule). */
	private lastWriteMs = 0;

	constructor(
		private readonly path: string,
		private readonly serialize: () => string,
		private readonly onError: (e: Error) => void,
		private readonly delayMs = 20,
	) {}

	/**
	 * Note a change; a write follows shortly. Cheap: safe to call on every request. A write
	 * blocks the server while the state is serialised (1.6 s for a program of 1,000,000 codes),
	 * so the next one waits at least 4 times as long as the last took: during an import into a
	 * large program the server spends at most a fifth of its time saving, and a small state is
	 * still saved within ~20 ms.
	 */
	schedule(): void {
		this.dirty = true;
		if (this.timer || this.writing) return;
		this.timer = setTimeout(
			() => {
				this.timer = undefined;
				void this.writeNow();
			},
			Math.max(this.delayMs, 4 * this.lastWriteMs),
		);
	}

	private async writeNow(): Promise<void> {
		if (this.writing) return this.writing;
		this.dirty = false;
		const started = performance.now();
		this.writing = writeFileAtomic(this.path, this.serialize())
			.then(() => {
				this.lastWriteMs = performance.now() - started;
				this.writes++;
				this.lastError = undefined;
			})
			.catch((e: Error) => {
				this.lastError = e;
				this.onError(e);
			})
			.finally(() => {
				this.writing = undefined;
				if (this.dirty) this.schedule();
			});
		return this.writing;
	}

	/** Write any pending change now and wait for it. */
	async flush(): Promise<void> {
		if (this.timer) {
			clearTimeout(this.timer);
			this.timer = undefined;
		}
		while (this.writing || this.dirty) {
			if (this.writing) await this.writing;
			if (this.timer) {
				clearTimeout(this.timer);
				this.timer = undefined;
			}
			if (this.dirty) await this.writeNow();
		}
	}
}
