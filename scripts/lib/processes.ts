/**
 * Child-process helpers shared by scripts/ and test/e2e/.
 *
 * Why this exists: n8n, its task runner, the sandbox and Chromium are long-lived children. Whatever
 * happens (success, a failed assertion, Ctrl-C, an uncaught error) they must not outlive the script,
 * so every long-lived child is started in its own process group and the whole group is killed on exit.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import net from 'node:net';

export interface Tracked {
	name: string;
	child: ChildProcess;
	/** Resolves with the exit code (or signal name) once the process has exited. */
	exited: Promise<number | string>;
}

const tracked = new Set<Tracked>();
const cleanupHooks: Array<() => Promise<void> | void> = [];
let cleaningUp: Promise<void> | undefined;
/** Set by the first Ctrl-C/SIGTERM/SIGHUP. */
let signalled = false;

/** Elapsed time as "1m05s" for progress lines and section durations. */
export function formatDuration(ms: number): string {
	const s = Math.round(ms / 1000);
	const m = Math.floor(s / 60);
	return m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export function log(message: string): void {
	process.stdout.write(`${message}\n`);
}

/** Registers work to do at shutdown (before children are killed), e.g. removing a temp folder. */
export function onCleanup(hook: () => Promise<void> | void): void {
	cleanupHooks.push(hook);
}

/**
 * Starts a long-lived child in its own process group (detached), so that killing it also kills whatever
 * it spawned (n8n starts a task-runner process; Chromium starts many).
 * Output goes to `logFile` (and, when `echo` is set, to our stdout too).
 */
export function startProcess(
	name: string,
	command: string,
	args: string[],
	options: SpawnOptions & {
		logFile?: string;
		echo?: boolean;
		onOutput?: (chunk: string) => void;
	} = {},
): Tracked {
	// After Ctrl-C the cleanup has already listed what to stop: a child started now would be missed.
	if (signalled) throw new Error(`not starting ${name}: shutting down`);
	const { logFile, echo, onOutput, ...spawnOptions } = options;
	const child = spawn(command, args, {
		...spawnOptions,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let file: WriteStream | undefined;
	if (logFile) file = createWriteStream(logFile, { flags: 'a' });
	const forward = (chunk: Buffer) => {
		const text = chunk.toString('utf8');
		file?.write(text);
		if (echo) process.stdout.write(text);
		onOutput?.(text);
	};
	child.stdout?.on('data', forward);
	child.stderr?.on('data', forward);
	const exited = new Promise<number | string>((resolve) => {
		child.on('error', (error) => {
			file?.write(`\n[spawn error] ${error.message}\n`);
			resolve(`spawn error: ${error.message}`);
		});
		child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
	});
	const entry: Tracked = { name, child, exited };
	tracked.add(entry);
	void exited.then(() => {
		tracked.delete(entry);
		file?.end();
	});
	return entry;
}

/** SIGTERM to the whole process group, then SIGKILL if it has not exited within `graceMs`. */
export async function stopProcess(entry: Tracked, graceMs = 10_000): Promise<void> {
	const pid = entry.child.pid;
	if (pid === undefined || entry.child.exitCode !== null || entry.child.signalCode !== null) {
		killGroup(pid, 'SIGKILL'); // the leader may be gone while its group (e.g. a task runner) lives on
		return;
	}
	killGroup(pid, 'SIGTERM');
	const timer = new Promise<'timeout'>((resolve) =>
		setTimeout(() => resolve('timeout'), graceMs).unref(),
	);
	if ((await Promise.race([entry.exited, timer])) === 'timeout') {
		log(`  ${entry.name} did not stop within ${graceMs / 1000}s; killing it`);
	}
	killGroup(pid, 'SIGKILL'); // also reaps grandchildren that ignored SIGTERM
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
	if (pid === undefined) return;
	try {
		process.kill(-pid, signal);
	} catch {
		// ESRCH: the group is already gone
	}
}

/** Runs the cleanup hooks, then stops every tracked child. Safe to call more than once. */
export function cleanupAll(): Promise<void> {
	cleaningUp ??= (async () => {
		for (const hook of cleanupHooks.splice(0).reverse()) {
			try {
				await hook();
			} catch (error) {
				log(`  cleanup step failed: ${(error as Error).message}`);
			}
		}
		await Promise.all([...tracked].map((entry) => stopProcess(entry)));
	})();
	return cleaningUp;
}

/** True once Ctrl-C/SIGTERM arrived: children exiting now is expected, not a failure. */
export function isShuttingDown(): boolean {
	return signalled;
}

/**
 * Wraps a script's main function: on success, failure, Ctrl-C (SIGINT) or SIGTERM it cleans up
 * every child it started and exits with a meaningful code.
 *
 * Run such scripts with plain `node --import tsx`, never through the `tsx` CLI: the CLI is a second
 * process that relays signals to the script and SIGKILLs it when it does not acknowledge a signal within
 * about 60 ms (two relays at once, as npm and the terminal both send Ctrl-C, always miss that), which cuts
 * this cleanup short and leaves n8n running with nobody to stop it.
 */
export function runMain(main: () => Promise<void>): void {
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.on(signal, () => {
			if (signalled) return; // a second Ctrl-C while cleaning up: keep cleaning up
			signalled = true;
			log(`\nReceived ${signal}: stopping everything this script started…`);
			void cleanupAll().then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
		});
	}
	// If whoever started us dies without passing a signal on (a SIGKILLed wrapper), we are re-parented:
	// treat that like SIGTERM instead of leaving n8n and the sandbox running with nobody to stop them.
	const parent = process.ppid;
	setInterval(() => {
		if (process.ppid !== parent) process.emit('SIGTERM');
	}, 1000).unref();
	process.on('exit', () => {
		// Last resort for paths that skip cleanupAll (process.exit elsewhere): synchronous SIGKILL.
		for (const entry of tracked) killGroup(entry.child.pid, 'SIGKILL');
	});
	main()
		.then(async () => {
			if (signalled) return; // the signal handler finishes the job and picks the exit code
			await cleanupAll();
			process.exit(0);
		})
		.catch(async (error: unknown) => {
			if (signalled) return; // failures caused by the shutdown itself are not worth reporting
			const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
			process.stderr.write(`\nFAILED: ${message}\n`);
			await cleanupAll();
			process.exit(1);
		});
}

export interface RunResult {
	code: number;
	stdout: string;
	stderr: string;
}

/**
 * Runs a short-lived command to completion and captures its output. Also tracked, so Ctrl-C kills it.
 * Rejects only when the command cannot start or exceeds `timeoutMs`; a non-zero exit is returned.
 */
export async function runCommand(
	command: string,
	args: string[],
	options: SpawnOptions & { timeoutMs?: number; logFile?: string; echo?: boolean } = {},
): Promise<RunResult> {
	const { timeoutMs = 5 * 60_000, ...rest } = options;
	let stdout = '';
	let stderr = '';
	const entry = startProcess(`${command} ${args[0] ?? ''}`, command, args, rest);
	entry.child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
	entry.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		void stopProcess(entry, 2000);
	}, timeoutMs);
	const result = await entry.exited;
	clearTimeout(timer);
	if (timedOut)
		throw new Error(`${command} ${args.join(' ')} timed out after ${formatDuration(timeoutMs)}`);
	if (typeof result === 'string' && result.startsWith('spawn error'))
		throw new Error(`${command}: ${result}`);
	return { code: typeof result === 'number' ? result : 1, stdout, stderr };
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

/** True if something already listens on 127.0.0.1:port. */
export function isPortInUse(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = net.connect({ host: '127.0.0.1', port });
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` until it returns a value (not undefined), the process `watch` exits, or the timeout passes.
 */
export async function waitFor<T>(
	what: string,
	check: () => Promise<T | undefined>,
	{
		timeoutMs = 120_000,
		intervalMs = 500,
		watch,
	}: { timeoutMs?: number; intervalMs?: number; watch?: Tracked } = {},
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let exitedWith: number | string | undefined;
	void watch?.exited.then((code) => (exitedWith = code));
	for (;;) {
		try {
			const value = await check();
			if (value !== undefined) return value;
		} catch {
			// not ready yet
		}
		if (exitedWith !== undefined)
			throw new Error(`${watch?.name} exited (${exitedWith}) while waiting for ${what}`);
		if (Date.now() > deadline)
			throw new Error(`timed out after ${formatDuration(timeoutMs)} waiting for ${what}`);
		await sleep(intervalMs);
	}
}
