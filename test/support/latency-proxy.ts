/**
 * A TCP proxy on 127.0.0.1 that puts a slow link between a client and a server on loopback.
 *
 * The kernel here has no netem (and tc is off limits), and a server-side response delay does not
 * show what matters for HTTP clients: a new connection costs extra round trips, a kept-alive one
 * does not. So the link is modelled in user space:
 *
 * - Every chunk, in each direction, is held for `oneWayDelayMs` before it is written on, in order
 *   (one FIFO per direction, one timer at a time). A request/response exchange on an open
 *   connection therefore costs one round trip (2 × delay) plus transfer time.
 * - The TCP handshake. The kernel completes the client's connect() on loopback at once, so the
 *   proxy charges it on the first bytes instead: nothing the client sends on a new connection
 *   reaches the server before `accept + 2 × delay` (SYN and SYN-ACK), and then it travels its own
 *   one-way delay. A client that writes right after connecting thus sees its first response
 *   after 4 × delay (2 round trips), as on a real link (1 RTT handshake + 1 RTT request).
 *   The upstream (proxy → server) connection is opened at accept time; it is on loopback and free.
 * - No bandwidth limit, no loss, no jitter. A half-close (FIN) is delayed like data; a reset or
 *   error on one side destroys the other side after the delay.
 *
 * Counts connections accepted (total and the peak number open at once) for "how many
 * connections did N requests open" checks.
 */
import net from 'node:net';

export interface LatencyProxyOptions {
	/** host:port to forward to (loopback). */
	upstreamPort: number;
	upstreamHost?: string;
	/** Delay added to every chunk in each direction; a round trip costs twice this. */
	oneWayDelayMs: number;
	/** Port to listen on (default 0 = any free port). */
	port?: number;
}

export interface LatencyProxyStats {
	/** Connections accepted since start or the last resetStats(). */
	connections: number;
	/** Most of those connections open at the same time (older ones still open do not count). */
	peakConcurrent: number;
	/** Connections open now. */
	open: number;
	/** Bytes forwarded client → server and server → client. */
	bytesUp: number;
	bytesDown: number;
}

export interface LatencyProxy {
	readonly port: number;
	/** e.g. `http://127.0.0.1:40123`, to use as a base URL in place of the server's. */
	readonly url: string;
	readonly oneWayDelayMs: number;
	stats(): LatencyProxyStats;
	/** Zeroes the counters; connections already open no longer count towards `peakConcurrent`. */
	resetStats(): void;
	/** Stops listening, destroys every open connection and drops pending chunks. Idempotent. */
	stop(): Promise<void>;
}

type Step = { kind: 'data'; chunk: Buffer } | { kind: 'end' } | { kind: 'destroy' };

/** One direction of the link: steps leave in arrival order, each no earlier than its due time. */
class DelayLine {
	private readonly queue: Array<{ due: number; step: Step }> = [];
	private timer: NodeJS.Timeout | undefined;
	private closed = false;

	constructor(
		private readonly deliver: (step: Step) => void,
		private readonly timers: Set<NodeJS.Timeout>,
	) {}

	push(due: number, step: Step): void {
		if (this.closed) return;
		// Due times only grow along a line, so a FIFO keeps both order and timing.
		const last = this.queue[this.queue.length - 1];
		this.queue.push({ due: last && last.due > due ? last.due : due, step });
		if (!this.timer) this.arm();
	}

	close(): void {
		this.closed = true;
		this.queue.length = 0;
		if (this.timer) {
			clearTimeout(this.timer);
			this.timers.delete(this.timer);
			this.timer = undefined;
		}
	}

	private arm(): void {
		const head = this.queue[0];
		if (!head) return;
		const timer = setTimeout(
			() => {
				this.timers.delete(timer);
				this.timer = undefined;
				const now = performance.now();
				// Everything due by now goes out in one go: timers fire late under load, order must not suffer.
				while (this.queue.length > 0 && this.queue[0].due <= now + 0.5 && !this.closed) {
					this.deliver(this.queue.shift()!.step);
				}
				if (!this.closed) this.arm();
			},
			Math.max(0, head.due - performance.now()),
		);
		this.timers.add(timer);
		this.timer = timer;
	}
}

export async function startLatencyProxy(options: LatencyProxyOptions): Promise<LatencyProxy> {
	const delay = options.oneWayDelayMs;
	if (!(delay >= 0) || !Number.isFinite(delay))
		throw new Error('oneWayDelayMs must be a finite number >= 0');
	const upstreamHost = options.upstreamHost ?? '127.0.0.1';
	const sockets = new Set<net.Socket>();
	const lines = new Set<DelayLine>();
	const timers = new Set<NodeJS.Timeout>();
	const counters = { connections: 0, peakConcurrent: 0, open: 0, bytesUp: 0, bytesDown: 0 };
	// Connections accepted since the last resetStats() and still open; they alone make the peak.
	let generation = 0;
	let openThisGeneration = 0;
	let stopping: Promise<void> | undefined;

	const track = (socket: net.Socket): void => {
		sockets.add(socket);
		socket.once('close', () => sockets.delete(socket));
	};

	/** Forwards `from` to `to` through a delay line; `gateUntil` holds the first bytes (handshake). */
	const pipeDelayed = (
		from: net.Socket,
		to: net.Socket,
		direction: 'bytesUp' | 'bytesDown',
		gateUntil: number,
	) => {
		let waitingForDrain = false;
		const line = new DelayLine((step) => {
			if (to.destroyed) return;
			if (step.kind === 'data') {
				if (!to.write(step.chunk) && !waitingForDrain) {
					waitingForDrain = true;
					from.pause();
					to.once('drain', () => {
						waitingForDrain = false;
						from.resume();
					});
				}
			} else if (step.kind === 'end') {
				to.end();
			} else {
				to.destroy();
			}
		}, timers);
		lines.add(line);
		const due = () => Math.max(performance.now(), gateUntil) + delay;
		from.on('data', (chunk: Buffer) => {
			counters[direction] += chunk.length;
			line.push(due(), { kind: 'data', chunk });
		});
		from.on('end', () => line.push(due(), { kind: 'end' }));
		from.on('error', () => undefined); // 'close' follows; the other side is destroyed from there
		from.on('close', (hadError) => {
			// A clean close after 'end' needs nothing more: the half-close is already on its way.
			if (hadError || !from.readableEnded) line.push(due(), { kind: 'destroy' });
		});
		return line;
	};

	const server = net.createServer({ pauseOnConnect: true }, (client) => {
		counters.connections++;
		counters.open++;
		const born = generation;
		openThisGeneration++;
		counters.peakConcurrent = Math.max(counters.peakConcurrent, openThisGeneration);
		track(client);
		client.setNoDelay(true);
		const acceptedAt = performance.now();
		const upstream = net.connect({ host: upstreamHost, port: options.upstreamPort });
		track(upstream);
		upstream.setNoDelay(true);
		const up = pipeDelayed(client, upstream, 'bytesUp', acceptedAt + 2 * delay);
		const down = pipeDelayed(upstream, client, 'bytesDown', 0);
		let closedSides = 0;
		const onClose = () => {
			if (++closedSides < 2) return;
			counters.open--;
			if (born === generation) openThisGeneration--;
			// Both sides gone: pending steps have nowhere to go.
			up.close();
			down.close();
			lines.delete(up);
			lines.delete(down);
		};
		client.once('close', onClose);
		upstream.once('close', onClose);
		client.resume();
	});

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, '127.0.0.1', () => {
			server.off('error', reject);
			resolve();
		});
	});
	const port = (server.address() as net.AddressInfo).port;

	return {
		port,
		url: `http://127.0.0.1:${port}`,
		oneWayDelayMs: delay,
		stats: () => ({ ...counters }),
		resetStats: () => {
			counters.connections = 0;
			counters.peakConcurrent = 0;
			generation++;
			openThisGeneration = 0;
			counters.bytesUp = 0;
			counters.bytesDown = 0;
		},
		stop: () => {
			stopping ??= new Promise<void>((resolve) => {
				server.close(() => resolve());
				for (const line of lines) line.close();
				lines.clear();
				for (const timer of timers) clearTimeout(timer);
				timers.clear();
				for (const socket of sockets) socket.destroy();
			});
			return stopping;
		},
	};
}
