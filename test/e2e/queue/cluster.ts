/**
 * n8n in queue mode for the e2e suite: one main instance (webhooks, editor API) and N workers, all
 * sharing one PostgreSQL database, one Redis and one encryption key. Each process gets its own
 * N8N_USER_FOLDER with the package installed in its `nodes` folder, as each container of a real
 * deployment has its own file system: nothing of the package is shared between processes.
 */
import { cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { N8nRuntime } from '../../../scripts/lib/install';
import {
	installPackageIntoN8n,
	prepareN8n,
	startN8n,
	type N8nServer,
	type N8nSetup,
} from '../../../scripts/lib/n8n';
import {
	freePort,
	startProcess,
	stopProcess,
	waitFor,
	type Tracked,
} from '../../../scripts/lib/processes';
import type { Postgres } from '../../../scripts/lib/services';

/**
 * Worker lock/stall timings. n8n's defaults (lock 60 s, stalled check every 30 s) would make the
 * killed-worker test wait ~90 s for n8n to notice; these keep it short while renewing the lock often
 * enough (every 3 s) that a busy but alive worker never loses it.
 */
export const QUEUE_TIMINGS = {
	QUEUE_WORKER_LOCK_DURATION: '15000',
	QUEUE_WORKER_LOCK_RENEW_TIME: '3000',
	QUEUE_WORKER_STALLED_INTERVAL: '5000',
} as const;

export const WORKER_CONCURRENCY = 10;

export interface ClusterConfig {
	runtime: N8nRuntime;
	/** Parent folder of every instance's user folder. */
	root: string;
	logDir: string;
	redisPort: number;
	pg: Postgres;
	encryptionKey: string;
}

/** The settings every process of the cluster shares (also printed in the report). */
export function sharedQueueEnv(config: ClusterConfig): Record<string, string> {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(config.redisPort),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(config.pg.port),
		DB_POSTGRESDB_DATABASE: config.pg.database,
		DB_POSTGRESDB_USER: config.pg.user,
		DB_POSTGRESDB_PASSWORD: config.pg.password,
		N8N_ENCRYPTION_KEY: config.encryptionKey,
		// Manual runs (editor "Execute workflow", POST /rest/workflows/:id/run) go to the workers too.
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
		N8N_LOG_LEVEL: 'debug', // the level that logs the most, for the token-at-rest check
		...QUEUE_TIMINGS,
	};
}

export interface Worker {
	name: string;
	setup: N8nSetup;
	process: Tracked;
	healthUrl: string;
	output: () => string;
}

/** Main's setup (CLI imports run with it) plus the package installed in its nodes folder. */
export async function prepareMain(config: ClusterConfig, tarball: string): Promise<N8nSetup> {
	const setup = await prepareN8n(config.runtime, path.join(config.root, 'main'), {
		port: await freePort(),
		logDir: path.join(config.logDir, 'main'),
		extraEnv: sharedQueueEnv(config),
	});
	await installPackageIntoN8n(setup, tarball);
	return setup;
}

export async function startMain(setup: N8nSetup): Promise<N8nServer> {
	return startN8n(setup);
}

/**
 * `n8n worker` with its own user folder (a copy of main's installed `nodes` folder: the same bytes a
 * community install would put on that machine) and its own health port.
 */
export async function startWorker(
	config: ClusterConfig,
	name: string,
	mainSetup: N8nSetup,
): Promise<Worker> {
	const userFolder = path.join(config.root, name);
	mkdirSync(path.join(userFolder, '.n8n'), { recursive: true });
	cpSync(path.join(mainSetup.userFolder, '.n8n', 'nodes'), path.join(userFolder, '.n8n', 'nodes'), {
		recursive: true,
	});
	const healthPort = await freePort();
	const setup = await prepareN8n(config.runtime, userFolder, {
		port: healthPort,
		logDir: path.join(config.logDir, name),
		extraEnv: {
			...sharedQueueEnv(config),
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			QUEUE_HEALTH_CHECK_PORT: String(healthPort),
			N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
		},
	});
	let output = '';
	const child = startProcess(
		name,
		process.execPath,
		[config.runtime.bin, 'worker', `--concurrency=${WORKER_CONCURRENCY}`],
		{
			cwd: userFolder,
			env: setup.env,
			logFile: path.join(setup.logDir, 'n8n-worker.log'),
			onOutput: (chunk) => (output += chunk),
		},
	);
	const healthUrl = `http://127.0.0.1:${healthPort}/healthz/readiness`;
	await waitFor(
		`${name} ready`,
		async () =>
			(await fetch(healthUrl)).ok && output.includes('n8n worker is now ready') ? true : undefined,
		{ timeoutMs: 180_000, intervalMs: 500, watch: child },
	);
	return { name, setup, process: child, healthUrl, output: () => output };
}

export async function stopWorker(worker: Worker): Promise<void> {
	await stopProcess(worker.process, 15_000);
}

/** SIGKILL to the worker's whole process group (n8n and its task runner): a crashed machine or container. */
export function killWorker(worker: Worker): void {
	const pid = worker.process.child.pid;
	if (pid !== undefined) {
		try {
			process.kill(-pid, 'SIGKILL');
		} catch {
			// already gone
		}
	}
}

/** Execution ids a worker's log says it started / finished ("Worker started execution 12 (job 7)"). */
export function workerExecutions(worker: Worker): { started: Set<string>; finished: Set<string> } {
	const started = new Set<string>();
	const finished = new Set<string>();
	for (const match of worker
		.output()
		.matchAll(/Worker (started|finished) execution (\d+) \(job/g)) {
		(match[1] === 'started' ? started : finished).add(match[2]);
	}
	return { started, finished };
}
