/**
 * Connection and request counters, so tests and the benchmark can check that a
 * client reuses kept-alive connections and respects its concurrency limit.
 */
import type { Server } from 'net';

export interface SandboxStats {
	/** ISO time the counters started (start, reset() or resetStats()). */
	since: string;
	/** TCP connections accepted since `since` (API and control alike). */
	connectionsTotal: number;
	/** TCP connections open now (not reset by resetStats). */
	connectionsOpen: number;
	/** Most connections open at once since `since`. */
	connectionsMaxOpen: number;
	/** Connections that carried at least one API request since `since`. */
	apiConnections: number;
	/** API requests received since `since` (faulted ones included; control endpoints excluded). */
	apiRequests: number;
	/** Control-endpoint requests (/__sandbox/...) since `since`. */
	controlRequests: number;
	/** API requests received and not yet answered or closed, now. */
	inFlight: number;
	/** Most API requests in flight at once since `since`. */
	maxInFlight: number;
	/** The server's keep-alive timeout: an idle kept-alive connection is closed after this long. */
	keepAliveTimeoutMs: number;
}

export class StatsCounter {
	private since = new Date();
	private connectionsTotal = 0;
	private connectionsOpen = 0;
	private connectionsMaxOpen = 0;
	private apiSockets = new WeakSet<object>();
	private apiConnections = 0;
	private apiRequests = 0;
	private controlRequests = 0;
	private inFlight = 0;
	private maxInFlight = 0;

	constructor(private readonly keepAliveTimeoutMs: number) {}

	/** Count the TCP connections of `server` ('connection' fires for the raw socket, with or without TLS). */
	track(server: Server): void {
		server.on('connection', (socket) => {
			this.connectionsTotal++;
			this.connectionsOpen++;
			if (this.connectionsOpen > this.connectionsMaxOpen)
				this.connectionsMaxOpen = this.connectionsOpen;
			socket.once('close', () => this.connectionsOpen--);
		});
	}

	/** An API request arrived on `socket`; call the returned function once when it is answered or closed. */
	apiRequest(socket: object): () => void {
		this.apiRequests++;
		if (!this.apiSockets.has(socket)) {
			this.apiSockets.add(socket);
			this.apiConnections++;
		}
		this.inFlight++;
		if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
		let done = false;
		return () => {
			if (done) return;
			done = true;
			this.inFlight--;
		};
	}

	controlRequest(): void {
		this.controlRequests++;
	}

	reset(): void {
		this.since = new Date();
		this.connectionsTotal = 0;
		this.connectionsMaxOpen = this.connectionsOpen;
		this.apiSockets = new WeakSet();
		this.apiConnections = 0;
		this.apiRequests = 0;
		this.controlRequests = 0;
		this.maxInFlight = this.inFlight;
	}

	snapshot(): SandboxStats {
		return {
			since: this.since.toISOString(),
			connectionsTotal: this.connectionsTotal,
			connectionsOpen: this.connectionsOpen,
			connectionsMaxOpen: this.connectionsMaxOpen,
			apiConnections: this.apiConnections,
			apiRequests: this.apiRequests,
			controlRequests: this.controlRequests,
			inFlight: this.inFlight,
			maxInFlight: this.maxInFlight,
			keepAliveTimeoutMs: this.keepAliveTimeoutMs,
		};
	}
}
