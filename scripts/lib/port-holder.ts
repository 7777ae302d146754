/**
 * Who holds a TCP port, and whether it is something an earlier `npm start` of this project left behind.
 *
 * Why: "127.0.0.1:5678 is already in use" alone leaves a user guessing which process to stop. On Linux
 * the answer is in /proc (the listening socket's inode in /proc/net/tcp{,6}, then the process holding
 * that inode among its file descriptors); elsewhere `lsof` answers, when installed.
 */
import { execFileSync } from 'node:child_process';
import {
	existsSync,
	readdirSync,
	readFileSync,
	readlinkSync,
	rmSync,
	writeFileSync,
} from 'node:fs';

export interface PortHolder {
	pid: number;
	/** Its command line, spaces between arguments (may be cut short for display). */
	command: string;
}

/** What `npm start` records while it runs, so that a later run can recognise what it left behind. */
export interface StartPids {
	/** The `npm start` script itself (it also serves the sandbox in-process). */
	script: number;
	/** The n8n server it started (leader of its own process group), once started. */
	n8n?: number;
	n8nPort: number;
	sandboxPort?: number;
	startedAt: string;
}

const LISTEN = '0A';

/** Inodes of sockets listening on `port` (any local address), from /proc/net/tcp and tcp6. */
function listeningInodes(port: number): Set<string> {
	const inodes = new Set<string>();
	const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
	for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
		if (!existsSync(file)) continue;
		for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
			const fields = line.trim().split(/\s+/);
			if (fields.length < 10) continue;
			const [, local, , state] = fields;
			if (state === LISTEN && local.endsWith(`:${hexPort}`)) inodes.add(fields[9]);
		}
	}
	return inodes;
}

function commandOf(pid: number): string {
	try {
		return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
	} catch {
		return '';
	}
}

function holderFromProc(port: number): PortHolder | undefined {
	const inodes = listeningInodes(port);
	if (inodes.size === 0) return undefined;
	const wanted = new Set([...inodes].map((inode) => `socket:[${inode}]`));
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		let fds: string[];
		try {
			fds = readdirSync(`/proc/${entry}/fd`);
		} catch {
			continue; // gone, or not ours to read
		}
		for (const fd of fds) {
			try {
				if (wanted.has(readlinkSync(`/proc/${entry}/fd/${fd}`)))
					return { pid: Number(entry), command: commandOf(Number(entry)) };
			} catch {
				// closed meanwhile
			}
		}
	}
	return undefined;
}

function holderFromLsof(port: number): PortHolder | undefined {
	try {
		const out = execFileSync('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fpc'], {
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'ignore'],
		});
		const pid = /^p(\d+)$/m.exec(out)?.[1];
		const command = /^c(.+)$/m.exec(out)?.[1] ?? '';
		return pid ? { pid: Number(pid), command } : undefined;
	} catch {
		return undefined;
	}
}

/** The process listening on `port`, if this user can see it. */
export function findPortHolder(port: number): PortHolder | undefined {
	return existsSync('/proc/net/tcp') ? holderFromProc(port) : holderFromLsof(port);
}

/** The process group of `pid` (field 5 of /proc/<pid>/stat), if readable. */
function processGroup(pid: number): number | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return Number(fields[2]);
	} catch {
		return undefined;
	}
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

export function writeStartPids(file: string, pids: StartPids): void {
	writeFileSync(file, JSON.stringify(pids, null, 2) + '\n');
}

export function readStartPids(file: string): StartPids | undefined {
	try {
		return JSON.parse(readFileSync(file, 'utf8')) as StartPids;
	} catch {
		return undefined;
	}
}

export function removeStartPids(file: string): void {
	rmSync(file, { force: true });
}

/**
 * One sentence for "port in use": the PID and command holding it, and whether it is an n8n (or the
 * sandbox of a still-running `npm start`) that this project started, going by the pid file.
 */
export function describePortHolder(port: number, pidFile: string): string {
	const holder = findPortHolder(port);
	if (!holder) return `127.0.0.1:${port} is already in use (by a process this user cannot see)`;
	const recorded = readStartPids(pidFile);
	const group = processGroup(holder.pid);
	const shortCommand =
		holder.command.length > 120 ? `${holder.command.slice(0, 117)}…` : holder.command;
	const where = `127.0.0.1:${port} is already in use by PID ${holder.pid} (${shortCommand || 'command unknown'})`;
	if (recorded?.n8n !== undefined && (holder.pid === recorded.n8n || group === recorded.n8n)) {
		const scriptNote = isAlive(recorded.script)
			? `the \`npm start\` that started it (PID ${recorded.script}) is still running: stop that one with Ctrl-C in its terminal or \`kill ${recorded.script}\``
			: `the \`npm start\` that started it (PID ${recorded.script}) is gone, so nobody will stop it: \`kill -TERM -${recorded.n8n}\` stops it and its task runner (an n8n whose parent died can ignore that: then \`kill -KILL -${recorded.n8n}\`)`;
		return `${where}: the n8n that an earlier \`npm start\` of this project started at ${recorded.startedAt}; ${scriptNote}`;
	}
	if (recorded && holder.pid === recorded.script) {
		return `${where}: an \`npm start\` of this project started at ${recorded.startedAt} is still running; stop it with Ctrl-C in its terminal or \`kill ${recorded.script}\``;
	}
	const n8nLike = /\bn8n\b/.test(holder.command);
	return `${where}: ${n8nLike ? 'an n8n' : 'a process'} not started by this project's \`npm start\``;
}
