/**
 * Which process a connection to the sandbox belongs to: the local TCP ports of the connections that the
 * processes of one group (a worker: n8n and its task runner) hold to a given port. Linux /proc only.
 * The sandbox records the client port of each held answer; this maps it to a worker.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

function groupOf(pid: string): number | undefined {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
	} catch {
		return undefined;
	}
}

/** Socket inodes open in any process of group `pgid`. */
function socketInodes(pgid: number): Set<string> {
	const inodes = new Set<string>();
	for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
		if (groupOf(pid) !== pgid) continue;
		let fds: string[] = [];
		try {
			fds = readdirSync(`/proc/${pid}/fd`);
		} catch {
			continue;
		}
		for (const fd of fds) {
			try {
				const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
				if (match) inodes.add(match[1]);
			} catch {
				// closed meanwhile
			}
		}
	}
	return inodes;
}

/** Local ports of the TCP connections from the processes of group `pgid` to `serverPort`. */
export function clientPortsOfGroup(pgid: number, serverPort: number): Set<number> {
	const inodes = socketInodes(pgid);
	const ports = new Set<number>();
	const server = serverPort.toString(16).toUpperCase().padStart(4, '0');
	for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
		if (!existsSync(file)) continue;
		for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
			const fields = line.trim().split(/\s+/);
			if (fields.length < 10 || !inodes.has(fields[9])) continue;
			const [, local, remote] = fields;
			if (remote.endsWith(`:${server}`))
				ports.add(parseInt(local.slice(local.lastIndexOf(':') + 1), 16));
		}
	}
	return ports;
}
