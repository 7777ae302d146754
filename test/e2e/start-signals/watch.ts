/**
 * Watching a launched command's processes for the signal tests: every process it ever had (sampled from
 * /proc, with each one's start time so a reused PID is not mistaken for a survivor), and what is left once
 * it exited. Linux only (/proc), like the rest of the e2e suites' process checks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

interface ProcInfo {
	pid: number;
	ppid: number;
	pgid: number;
	/** Start time in clock ticks since boot: with the PID, identifies one process. */
	started: string;
}

function procInfo(pid: number): ProcInfo | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		// After "pid (comm) ": state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime priority nice num_threads itrealvalue starttime
		if (fields[0] === 'Z') return undefined; // a zombie has exited; only its parent's wait is missing
		return { pid, ppid: Number(fields[1]), pgid: Number(fields[2]), started: fields[19] };
	} catch {
		return undefined;
	}
}

function allProcesses(): ProcInfo[] {
	return readdirSync('/proc')
		.filter((entry) => /^\d+$/.test(entry))
		.map((entry) => procInfo(Number(entry)))
		.filter((info): info is ProcInfo => info !== undefined);
}

export function commandLine(pid: number): string {
	try {
		return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
	} catch {
		return '';
	}
}

function cwdOf(pid: number): string {
	try {
		return readlinkSync(`/proc/${pid}/cwd`);
	} catch {
		return '';
	}
}

export interface Launched {
	child: ChildProcess;
	/** Everything printed so far (stdout and stderr). */
	output: () => string;
	/** Resolves once a line matching `pattern` was printed; rejects if the command exits first or after `timeoutMs`. */
	waitForOutput: (pattern: RegExp, timeoutMs: number) => Promise<void>;
	exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
	/** Every process of the command seen so far (the launcher and all its descendants), by "pid/start time". */
	seen: Map<string, ProcInfo>;
	stopWatching: () => void;
}

/**
 * Starts `command` as the leader of a new process group (as a terminal runs a foreground command, so the
 * test can send Ctrl-C's SIGINT to the whole group) and samples its process tree every 50 ms.
 */
export function launch(
	command: string,
	args: string[],
	options: { cwd: string; env: NodeJS.ProcessEnv },
): Launched {
	const child = spawn(command, args, {
		...options,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	const waiters: Array<() => void> = [];
	const onData = (chunk: Buffer) => {
		output += chunk.toString('utf8');
		for (const waiter of waiters) waiter();
	};
	child.stdout?.on('data', onData);
	child.stderr?.on('data', onData);
	const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>(
		(resolve) => child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
	);
	let done = false;
	void exited.then(() => {
		done = true;
		for (const waiter of waiters) waiter();
	});
	const seen = new Map<string, ProcInfo>();
	const sample = () => {
		const processes = allProcesses();
		// The launcher, everything seen before (a process re-parented to PID 1 stays ours) and their children.
		const live = new Map(processes.map((info) => [info.pid, info.started]));
		const stillSeen = [...seen.values()]
			.filter((s) => live.get(s.pid) === s.started)
			.map((s) => s.pid);
		const ours = new Set<number>([...(child.pid ? [child.pid] : []), ...stillSeen]);
		// Children appear after their parents in no fixed order: repeat until nothing is added.
		for (let added = true; added; ) {
			added = false;
			for (const info of processes) {
				if (!ours.has(info.pid) && ours.has(info.ppid)) {
					ours.add(info.pid);
					added = true;
				}
			}
		}
		for (const info of processes)
			if (ours.has(info.pid)) seen.set(`${info.pid}/${info.started}`, info);
	};
	sample();
	const timer = setInterval(sample, 50);
	const waitForOutput = (pattern: RegExp, timeoutMs: number) =>
		new Promise<void>((resolve, reject) => {
			const timeout = setTimeout(
				() =>
					reject(
						new Error(
							`no output matching ${pattern} within ${timeoutMs / 1000} s; output:\n${output.slice(-3000)}`,
						),
					),
				timeoutMs,
			);
			const check = () => {
				if (pattern.test(output)) {
					clearTimeout(timeout);
					resolve();
				} else if (done) {
					clearTimeout(timeout);
					reject(new Error(`exited before printing ${pattern}; output:\n${output.slice(-3000)}`));
				}
			};
			waiters.push(check);
			check();
		});
	return {
		child,
		output: () => output,
		waitForOutput,
		exited,
		seen,
		stopWatching: () => clearInterval(timer),
	};
}

/** Processes seen during the run that are still alive (same PID and start time). */
export function survivors(seen: Map<string, ProcInfo>): ProcInfo[] {
	return [...seen.values()].filter((info) => procInfo(info.pid)?.started === info.started);
}

/** Any live process whose working folder or command line is under `folder` (catches what the sampler missed). */
export function processesUnder(folder: string): number[] {
	return allProcesses()
		.filter(
			(info) =>
				info.pid !== process.pid &&
				(cwdOf(info.pid).startsWith(folder) || commandLine(info.pid).includes(folder)),
		)
		.map((info) => info.pid);
}

/** SIGKILL to each leftover process (the test must not leave behind what it found). */
export function killAll(pids: number[]): void {
	for (const pid of pids) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {
			// already gone
		}
	}
}

export function isLinux(): boolean {
	return existsSync('/proc/self/stat');
}
