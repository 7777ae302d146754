/**
 * The sandbox in its own process for the benchmark (started by bench.ts with fork), so the
 * server's CPU time does not land on the process that is being measured. Serves the bench seed,
 * answers reset / connection-count requests over IPC.
 *
 * Connections are counted from the HTTP server's 'connection' event: the server object is caught
 * as `startSandbox` creates it (this process creates no other server), so the count needs
 * nothing from the sandbox's API and includes every connection any client opened.
 */
import http from 'node:http';

import { startSandbox, type Sandbox } from '../../sandbox/src';
import { TOKEN, benchSeed } from './lib/fixtures';
import type { ConnectionStats, SandboxReply, SandboxRequest } from './lib/protocol';

/** `open` = connections accepted since the last reset and still open: an older one does not make the peak. */
const counted = { connections: 0, open: 0, peakConcurrent: 0, generation: 0 };

function countConnections(): void {
	const original = http.createServer;
	const patched = ((...args: Parameters<typeof http.createServer>) => {
		const server = original(...args);
		server.on('connection', (socket) => {
			const born = counted.generation;
			counted.connections++;
			counted.open++;
			counted.peakConcurrent = Math.max(counted.peakConcurrent, counted.open);
			socket.once('close', () => {
				if (born === counted.generation) counted.open--;
			});
		});
		return server;
	}) as typeof http.createServer;
	http.createServer = patched;
}

function send(message: SandboxReply): void {
	process.send?.(message);
}

async function main(): Promise<void> {
	countConnections();
	const sandbox: Sandbox = await startSandbox({
		port: 0,
		token: TOKEN,
		seed: benchSeed(),
		maxRequestLog: 5,
	});
	process.on('message', (message: SandboxRequest) => {
		if (message.type === 'reset') {
			sandbox.reset();
			send({ type: 'reply', id: message.id });
		} else {
			const stats: ConnectionStats = {
				connections: counted.connections,
				peakConcurrent: counted.peakConcurrent,
			};
			if (message.reset) {
				counted.connections = 0;
				counted.peakConcurrent = 0;
				counted.open = 0;
				counted.generation++;
			}
			send({ type: 'reply', id: message.id, stats });
		}
	});
	process.on('disconnect', () => void sandbox.stop().then(() => process.exit(0)));
	send({ type: 'ready', port: sandbox.port, token: sandbox.token });
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
