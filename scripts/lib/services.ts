/**
 * Throw-away Redis and PostgreSQL servers for the queue-mode e2e suite: Debian packages installed on
 * demand (apt-get, as the browser suite installs Chromium), each server on a free loopback port with its
 * data in a temp folder, tracked like every other child (killed on exit, Ctrl-C, failure).
 */
import { randomBytes } from 'node:crypto';
import {
	chownSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
	formatDuration,
	freePort,
	log,
	runCommand,
	startProcess,
	stopProcess,
	waitFor,
	type Tracked,
} from './processes';

let aptUpdated = false;

/**
 * `apt-get install`s the Debian packages whose marker file is missing (`apt-get update` once first).
 * Needs root, as CI runs; a developer without root gets the command to run instead.
 */
export async function ensureDebianPackages(
	wanted: Array<{ pkg: string; marker: () => boolean }>,
): Promise<void> {
	const missing = wanted.filter((w) => !w.marker()).map((w) => w.pkg);
	if (missing.length === 0) return;
	if (process.getuid?.() !== 0) {
		throw new Error(
			`missing Debian package(s) ${missing.join(', ')}: run \`sudo apt-get install -y ${missing.join(' ')}\``,
		);
	}
	log(`Installing Debian package(s) ${missing.join(', ')} (apt-get)…`);
	const started = Date.now();
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	const steps = [
		...(aptUpdated ? [] : [['update']]),
		['install', '-y', '--no-install-recommends', ...missing],
	];
	for (const args of steps) {
		const result = await runCommand('apt-get', args, { env, timeoutMs: 15 * 60_000 });
		if (result.code !== 0)
			throw new Error(
				`apt-get ${args.join(' ')} failed (${result.code}):\n${(result.stdout + result.stderr).slice(-3000)}`,
			);
		if (args[0] === 'update') aptUpdated = true;
	}
	const still = wanted.filter((w) => !w.marker()).map((w) => w.pkg);
	if (still.length > 0)
		throw new Error(
			`apt-get installed ${missing.join(', ')} but ${still.join(', ')} still missing`,
		);
	log(`  installed in ${formatDuration(Date.now() - started)}`);
}

export const REDIS_SERVER = '/usr/bin/redis-server';

/** The newest /usr/lib/postgresql/<major>/bin (Debian keeps one folder per major version). */
export function postgresBinDir(): string | undefined {
	const root = '/usr/lib/postgresql';
	if (!existsSync(root)) return undefined;
	const majors = readdirSync(root)
		.filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
		.sort((a, b) => Number(b) - Number(a));
	return majors.length > 0 ? path.join(root, majors[0], 'bin') : undefined;
}

export async function ensureRedisAndPostgres(): Promise<void> {
	await ensureDebianPackages([
		{ pkg: 'redis-server', marker: () => existsSync(REDIS_SERVER) },
		{ pkg: 'postgresql', marker: () => postgresBinDir() !== undefined },
	]);
}

export interface Service {
	process: Tracked;
	port: number;
	/** Stops the server and removes its data; idempotent. */
	stop: () => Promise<void>;
}

/** Sends PING over RESP and expects +PONG: Redis is up and answering, not just listening. */
function redisPing(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = net.connect({ host: '127.0.0.1', port });
		let reply = '';
		socket.setTimeout(1000, () => socket.destroy());
		socket.once('connect', () => socket.write('PING\r\n'));
		socket.on('data', (chunk) => {
			reply += chunk.toString('latin1');
			if (reply.includes('\r\n')) {
				socket.destroy();
				resolve(reply.startsWith('+PONG'));
			}
		});
		socket.once('close', () => resolve(false));
		socket.once('error', () => resolve(false));
	});
}

/** redis-server on 127.0.0.1:<free port>, no persistence (the queue only needs to live for one run). */
export async function startRedis(logDir: string): Promise<Service> {
	const port = await freePort();
	const dir = mkdtempSync(path.join(os.tmpdir(), 'altcraft-redis-'));
	const child = startProcess(
		'redis',
		REDIS_SERVER,
		[
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--save',
			'',
			'--appendonly',
			'no',
			'--dir',
			dir,
			'--daemonize',
			'no',
			'--logfile',
			'',
		],
		{ logFile: path.join(logDir, 'redis.log') },
	);
	await waitFor(
		`redis on 127.0.0.1:${port}`,
		async () => ((await redisPing(port)) ? true : undefined),
		{
			timeoutMs: 30_000,
			intervalMs: 200,
			watch: child,
		},
	);
	let stopping: Promise<void> | undefined;
	const stop = () =>
		(stopping ??= (async () => {
			await stopProcess(child, 5000);
			rmSync(dir, { recursive: true, force: true });
		})());
	return { process: child, port, stop };
}

export interface Postgres extends Service {
	database: string;
	user: string;
	password: string;
}

/** uid/gid of the account PostgreSQL runs as: it refuses to run as root, so root uses `postgres`. */
function postgresAccount(): { uid: number; gid: number } | undefined {
	if (process.getuid?.() !== 0) return undefined;
	const id = (flag: string) =>
		Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
	return { uid: id('-u'), gid: id('-g') };
}

/**
 * A fresh PostgreSQL cluster (initdb) in a temp folder, on 127.0.0.1:<free port>, password auth,
 * with database `n8n` owned by user `n8n`. fsync is off: the data is thrown away after the run.
 */
export async function startPostgres(logDir: string): Promise<Postgres> {
	const bin = postgresBinDir();
	if (!bin) throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)');
	const account = postgresAccount();
	const root = mkdtempSync(path.join(os.tmpdir(), 'altcraft-pg-'));
	const data = path.join(root, 'data');
	const password = randomBytes(12).toString('hex');
	const pwfile = path.join(root, 'pwfile');
	writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
	mkdirSync(data, { mode: 0o700 });
	if (account) for (const p of [root, data, pwfile]) chownSync(p, account.uid, account.gid);
	const asAccount = account ? { uid: account.uid, gid: account.gid } : {};
	const env = { ...process.env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' };

	const init = await runCommand(
		path.join(bin, 'initdb'),
		[
			'-D',
			data,
			'-U',
			'n8n',
			`--pwfile=${pwfile}`,
			'--auth=scram-sha-256',
			'-E',
			'UTF8',
			'--no-sync',
		],
		{
			...asAccount,
			cwd: root,
			env,
			timeoutMs: 120_000,
			logFile: path.join(logDir, 'postgres-initdb.log'),
		},
	);
	rmSync(pwfile, { force: true });
	if (init.code !== 0)
		throw new Error(`initdb failed (${init.code}):\n${(init.stdout + init.stderr).slice(-3000)}`);

	const port = await freePort();
	// Unix socket in our temp folder (the default /var/run/postgresql may not exist or be writable).
	const child = startProcess(
		'postgres',
		path.join(bin, 'postgres'),
		[
			'-D',
			data,
			'-p',
			String(port),
			'-k',
			root,
			'-c',
			'listen_addresses=127.0.0.1',
			'-c',
			'fsync=off',
			'-c',
			'synchronous_commit=off',
			'-c',
			'full_page_writes=off',
			'-c',
			'max_connections=200',
		],
		{ ...asAccount, cwd: root, env, logFile: path.join(logDir, 'postgres.log') },
	);
	const pgEnv = {
		...env,
		PGPASSWORD: password,
		PGHOST: '127.0.0.1',
		PGPORT: String(port),
		PGUSER: 'n8n',
	};
	await waitFor(
		`postgres on 127.0.0.1:${port}`,
		async () =>
			(
				await runCommand(path.join(bin, 'pg_isready'), ['-q', '-d', 'postgres'], {
					env: pgEnv,
					timeoutMs: 10_000,
				})
			).code === 0
				? true
				: undefined,
		{ timeoutMs: 60_000, intervalMs: 300, watch: child },
	);
	const created = await runCommand(path.join(bin, 'createdb'), ['n8n'], {
		env: pgEnv,
		timeoutMs: 30_000,
	});
	if (created.code !== 0) throw new Error(`createdb n8n failed:\n${created.stderr}`);

	let stopping: Promise<void> | undefined;
	const stop = () =>
		(stopping ??= (async () => {
			// SIGINT = "fast" shutdown: PostgreSQL's SIGTERM waits for every client to disconnect.
			if (child.child.pid !== undefined && child.child.exitCode === null) {
				try {
					process.kill(child.child.pid, 'SIGINT');
				} catch {
					// already gone
				}
				const timer = new Promise((resolve) => setTimeout(resolve, 10_000).unref());
				await Promise.race([child.exited, timer]);
			}
			await stopProcess(child, 2000);
			rmSync(root, { recursive: true, force: true });
		})());
	return { process: child, port, database: 'n8n', user: 'n8n', password, stop };
}

/** Runs one SQL query with psql and returns the rows as arrays of text fields (`|`-separated output). */
export async function psqlQuery(pg: Postgres, sql: string): Promise<string[][]> {
	const bin = postgresBinDir();
	if (!bin) throw new Error('psql not found');
	const result = await runCommand(
		path.join(bin, 'psql'),
		['-X', '-A', '-t', '-F', '|', '-v', 'ON_ERROR_STOP=1', '-d', pg.database, '-c', sql],
		{
			env: {
				...process.env,
				PGPASSWORD: pg.password,
				PGHOST: '127.0.0.1',
				PGPORT: String(pg.port),
				PGUSER: pg.user,
			},
			timeoutMs: 60_000,
		},
	);
	if (result.code !== 0) throw new Error(`psql failed: ${result.stderr}`);
	return result.stdout
		.split('\n')
		.filter((line) => line !== '')
		.map((line) => line.split('|'));
}
