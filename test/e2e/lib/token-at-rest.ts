/**
 * No token at rest: after an e2e run, the Altcraft token must appear nowhere n8n or the sandbox keep
 * data: n8n's database (the SQLite file, or a pg_dump of PostgreSQL), n8n's logs (the runs set
 * N8N_LOG_LEVEL=debug, the level that logs the most), the event log files (n8nEventLog*.log in each user
 * folder), every other file in the user folders, the sandbox's log and any captured output.
 *
 * The search is for the token's bytes and for its base64 form. It refuses to pass vacuously: each kind
 * of place the caller says must exist (the database, the event logs, the logs) must have been found and
 * be non-empty, and a positive control (a text the caller knows holds the token, e.g. the sandbox's raw
 * request log) must be found by the same search.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCommand } from '../../../scripts/lib/processes';
import { postgresBinDir, type Postgres } from '../../../scripts/lib/services';

export type PlaceKind =
	| 'sqlite database'
	| 'postgres dump'
	| 'n8n logs'
	| 'event logs'
	| 'other n8n files'
	| 'sandbox log'
	| 'captured output';

export interface AtRestPlaces {
	token: string;
	/** n8n user folders: everything under each one's `.n8n` (database.sqlite, n8nEventLog*.log, config…). */
	userFolders: string[];
	/** Folders holding n8n's own log files (recursively). */
	logDirs: string[];
	/** The sandbox's log file(s). */
	sandboxLogs: string[];
	/** Queue mode's PostgreSQL: dumped with pg_dump into `dumpDir`, then searched. */
	postgres?: { pg: Postgres; dumpDir: string };
	/** Output captured in memory (n8n CLI runs, server output). */
	outputs?: Array<{ label: string; text: string }>;
	/** A text known to hold the token (proves the search finds it where it is). */
	positiveControl: { label: string; text: string };
}

export interface AtRestReport {
	searched: Record<PlaceKind, { files: number; bytes: number }>;
	/** Where the token was found (file paths or labels). */
	found: string[];
}

function needles(token: string): Buffer[] {
	return [
		Buffer.from(token, 'utf8'),
		Buffer.from(Buffer.from(token, 'utf8').toString('base64').replace(/=+$/, ''), 'utf8'),
	];
}

function holdsToken(content: Buffer, token: string): boolean {
	return needles(token).some((needle) => content.includes(needle));
}

function filesUnder(dir: string): string[] {
	if (!existsSync(dir)) return [];
	const files: string[] = [];
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) {
			if (entry.name !== 'node_modules') files.push(...filesUnder(full)); // the installed package's code, not data
		} else if (entry.isFile()) files.push(full);
	}
	return files;
}

function kindOfUserFile(file: string): PlaceKind {
	const name = path.basename(file);
	if (/^database\.sqlite(-wal|-shm|-journal)?$/.test(name)) return 'sqlite database';
	if (/^n8nEventLog.*\.log$/.test(name)) return 'event logs';
	return 'other n8n files';
}

/** Dumps the whole PostgreSQL database (schema and data) to a file with pg_dump; returns its path. */
async function dumpPostgres(pg: Postgres, dumpDir: string): Promise<string> {
	const bin = postgresBinDir();
	if (!bin) throw new Error('pg_dump not found');
	const file = path.join(dumpDir, 'n8n-postgres.sql');
	const result = await runCommand(path.join(bin, 'pg_dump'), ['--no-owner', '-d', pg.database], {
		env: {
			...process.env,
			PGPASSWORD: pg.password,
			PGHOST: '127.0.0.1',
			PGPORT: String(pg.port),
			PGUSER: pg.user,
		},
		timeoutMs: 120_000,
	});
	if (result.code !== 0)
		throw new Error(`pg_dump failed (${result.code}): ${result.stderr.slice(-2000)}`);
	writeFileSync(file, result.stdout);
	return file;
}

export async function searchTokenAtRest(places: AtRestPlaces): Promise<AtRestReport> {
	const { token } = places;
	const searched = Object.fromEntries(
		(
			[
				'sqlite database',
				'postgres dump',
				'n8n logs',
				'event logs',
				'other n8n files',
				'sandbox log',
				'captured output',
			] as PlaceKind[]
		).map((kind) => [kind, { files: 0, bytes: 0 }]),
	) as AtRestReport['searched'];
	const found: string[] = [];
	const search = (kind: PlaceKind, label: string, content: Buffer) => {
		searched[kind].files += 1;
		searched[kind].bytes += content.length;
		if (holdsToken(content, token)) found.push(`${kind}: ${label}`);
	};
	for (const folder of places.userFolders) {
		for (const file of filesUnder(path.join(folder, '.n8n')))
			search(kindOfUserFile(file), file, readFileSync(file));
	}
	for (const dir of places.logDirs) {
		for (const file of filesUnder(dir))
			if (!places.sandboxLogs.includes(file)) search('n8n logs', file, readFileSync(file));
	}
	for (const file of places.sandboxLogs) search('sandbox log', file, readFileSync(file));
	if (places.postgres) {
		const dump = await dumpPostgres(places.postgres.pg, places.postgres.dumpDir);
		search('postgres dump', dump, readFileSync(dump));
	}
	for (const { label, text } of places.outputs ?? [])
		search('captured output', label, Buffer.from(text, 'utf8'));
	assert.ok(
		holdsToken(Buffer.from(places.positiveControl.text, 'utf8'), token),
		`the search finds the token in ${places.positiveControl.label} (positive control)`,
	);
	return { searched, found };
}

/**
 * Fails when the token was found anywhere, or when a kind of place that must have been searched was
 * missing or empty (a check that cannot fail proves nothing).
 */
export function assertNoTokenAtRest(report: AtRestReport, required: PlaceKind[]): void {
	for (const kind of required) {
		assert.ok(
			report.searched[kind].files > 0 && report.searched[kind].bytes > 0,
			`${kind} searched (found ${report.searched[kind].files} file(s), ${report.searched[kind].bytes} bytes)`,
		);
	}
	assert.deepEqual(report.found, [], `the token appears at rest in: ${report.found.join(', ')}`);
}

/** One line per kind for the run's log: "sqlite database 1 file 1.2 MB, …". */
export function describeSearch(report: AtRestReport): string {
	return Object.entries(report.searched)
		.filter(([, s]) => s.files > 0)
		.map(([kind, s]) => `${kind} ${s.files} file(s) ${(s.bytes / 1024 / 1024).toFixed(1)} MB`)
		.join(', ');
}

/** A sandbox `log` option that keeps the lines and writes them to `file` on flush (the sandbox's log at rest). */
export function sandboxLogFile(file: string): { log: (line: string) => void; flush: () => string } {
	const lines: string[] = [];
	return {
		log: (line) => lines.push(line),
		flush: () => {
			writeFileSync(file, lines.join('\n') + '\n');
			return file;
		},
	};
}
