/**
 * Programmatic API of the Altcraft sandbox:
 *
 *   const sb = await startSandbox({ port: 0 });
 *   // ... point the node at sb.baseUrl with sb.token ...
 *   await sb.stop();
 */
import { createServer, Server } from 'http';
import { Server as HttpsServer, createServer as createHttpsServer } from 'https';
import type { AddressInfo } from 'net';
import { HookSender, HookSettings, hookControl } from './hooks';
import { FaultKind, FaultOptions, PendingFault, SandboxFault } from './faults';
import type { HeldAnswer } from './hold';
import type { ChaosOptions } from './chaos';
import { StateSaver, readStateFile, removeStaleTempFiles, serializeState } from './persistence';
import { CodeState, SandboxSeed, SandboxState, loadSeedInput, normalizeSeed } from './seed';
import { RequestLogEntry, SandboxHttpHandler } from './server';
import { SandboxStore } from './state';
import { SandboxStats, StatsCounter } from './stats';
import { Clock, systemClock } from './time';
import { GeneratedCertificate, SandboxCertificate, generateCertificate } from './tls';

export type { SandboxSeed, SandboxState, CodeState } from './seed';
export type {
	SeedDatabase,
	SeedProfile,
	SeedProgram,
	SeedCode,
	SeedAttachment,
	SeedSubscription,
	SeedGroup,
	DatabaseState,
	ProfileState,
	ProgramState,
	AttachmentState,
	FieldValue,
} from './seed';
export type { SandboxFault, FaultKind, FaultOptions, PendingFault } from './faults';
export type { HeldAnswer } from './hold';
export type { ChaosOptions, ChaosRule } from './chaos';
export type { RequestLogEntry } from './server';
export type { SandboxStats } from './stats';
export type { HookSettings, HookDelivery, PromoChange } from './hooks';
export { HookSender, HOOK_EVENT_TYPES, DEFAULT_HOOK_SETTINGS } from './hooks';
export type { SandboxCertificate } from './tls';
export { OPENSSL_MISSING } from './tls';
export { ERRORS, errorTableMarkdown } from './errors';
export type { ErrorSpec, ErrorKey } from './errors';
export { SeedError, defaultSeedPath, normalizeSeed } from './seed';
export { API_METHODS, FAULT_HEADER, MAX_BODY_BYTES } from './server';

export const DEFAULT_TOKEN = 'sandbox-token';
export const DEFAULT_PORT = 8787;
export const DEFAULT_HOST = '127.0.0.1';
/**
 * Idle kept-alive connections are closed after this long. Longer than the 5 s
 * after which Node's own agents drop idle sockets, so a client never reuses a
 * socket the server is closing at that very moment (a spurious ECONNRESET).
 */
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 10000;

export interface SandboxOptions {
	/** TCP port; 0 (the default here) picks a free one. The CLI defaults to 8787. */
	port?: number;
	/** Interface to listen on (default 127.0.0.1). */
	host?: string;
	/** The API token the sandbox accepts (default `sandbox-token`). */
	token?: string;
	/** Seed object, or path of a seed JSON file; default: sandbox/seed/default.json. */
	seed?: SandboxSeed | string;
	/** Keep state in this JSON file across restarts (loaded at start when it exists, saved atomically on change). */
	statePath?: string;
	/** Where "now" comes from (tests may pin time). */
	clock?: Clock;
	/** How many API requests `requests` keeps (default 1000). */
	maxRequestLog?: number;
	/** Receives one summary line per API request (never contains the token). */
	log?: (line: string) => void;
	/** Receives persistence errors (default: written to stderr). */
	onError?: (e: Error) => void;
	/** Serve HTTPS with a self-signed certificate for localhost/127.0.0.1 made by the openssl CLI at start (default false). */
	tls?: boolean;
	/** Idle keep-alive timeout of the server in ms (default 10000; never below 5000). */
	keepAliveTimeoutMs?: number;
	/** Action hooks: where promo-code events go (default: nowhere), batching and resending (hooks.ts). */
	hooks?: Partial<HookSettings>;
}

export interface Sandbox {
	/** e.g. `http://127.0.0.1:8787`, or `https://…` in TLS mode (no trailing slash, no /api/v1.1). */
	readonly baseUrl: string;
	readonly token: string;
	readonly port: number;
	readonly host: string;
	/** In TLS mode: the self-signed certificate (PEM and file path) to trust; undefined otherwise. */
	readonly tls: SandboxCertificate | undefined;
	/** The last API requests, oldest first (live array; bounded by maxRequestLog). */
	readonly requests: RequestLogEntry[];
	clearRequests(): void;
	/** Back to the baseline seed (the start seed, or the last loadSeed); also clears faults, the request log and the stats. */
	reset(): void;
	/** Connection and request counters since start / reset() / resetStats(). */
	stats(): SandboxStats;
	/** Restart the counters (open connections and in-flight requests stay as they are). */
	resetStats(): void;
	/** Validate and load a seed (object or file path); it becomes the baseline for reset(). Throws SeedError. */
	loadSeed(seed: SandboxSeed | string): void;
	/** Deep copy of the whole state. */
	getState(): SandboxState;
	/** Deep copy of one code, or undefined. */
	getCode(loyaltyId: number, code: string): CodeState | undefined;
	/** Make the next `count` (default 1) API requests, optionally only on `path`, fail with `fault`. */
	injectFault(fault: SandboxFault | FaultKind, options?: FaultOptions): void;
	clearFaults(): void;
	pendingFaults(): PendingFault[];
	/** Random faults by probability and a latency range on every API request (for long runs); undefined turns them off. */
	setChaos(options: ChaosOptions | undefined): void;
	/** How many requests got each fault kind from setChaos since it was last called. */
	chaosCounts(): Partial<Record<FaultKind, number>>;
	/** An outage: stop listening (new connections are refused) and drop every open connection. */
	refuseConnections(): Promise<void>;
	/** End of the outage: listen again on the same port. */
	acceptConnections(): Promise<void>;
	/** Test-only: hold the answers of applied requests to `path` (e.g. `promocodes/attach`) until releaseHeldAnswers(). */
	holdAppliedAnswers(path: string): void;
	/** The answers held now (with each client's TCP port). */
	heldAnswers(): HeldAnswer[];
	/** Stop holding; send every held answer whose client is still connected; returns how many were sent. */
	releaseHeldAnswers(): number;
	/** Wait until the state file (if any) holds the current state. */
	flushState(): Promise<void>;
	/** Action hooks: settings, test event, flush, delivery log (hooks.ts; also /__sandbox/hooks). */
	readonly hooks: HookSender;
	/** Close the server and all connections, flush the state file. Idempotent. */
	stop(): Promise<void>;
}

function listen(server: Server | HttpsServer, port: number, host: string): Promise<number> {
	return new Promise((resolve, reject) => {
		const onError = (e: Error): void => reject(e);
		server.once('error', onError);
		server.listen(port, host, () => {
			server.off('error', onError);
			resolve((server.address() as AddressInfo).port);
		});
	});
}

/** Start a sandbox server. Resolves once it is listening. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	const clock = options.clock ?? systemClock;
	const token = options.token ?? DEFAULT_TOKEN;
	const host = options.host ?? DEFAULT_HOST;
	if (token === '') throw new Error('token must not be empty');

	let baseline: unknown = loadSeedInput(options.seed);
	let initial = normalizeSeed(baseline, clock());
	if (options.statePath) {
		removeStaleTempFiles(options.statePath);
		const saved = readStateFile(options.statePath);
		if (saved !== undefined) initial = normalizeSeed(saved, clock());
	}
	const store = new SandboxStore(initial, clock);
	const hooks = new HookSender(options.hooks, options.log);
	store.onPromoChange = (change) => hooks.record(change);
	let saver: StateSaver | undefined;
	if (options.statePath) {
		const onError =
			options.onError ??
			((e: Error) => process.stderr.write(`sandbox: could not save state: ${e.message}\n`));
		saver = new StateSaver(
			options.statePath,
			() => serializeState(store.snapshot(false), new Date()),
			onError,
		);
		const s = saver;
		store.onChange = () => s.schedule();
		s.schedule();
	}

	const resetState = (): void => store.load(normalizeSeed(baseline, clock()));
	const loadSeed = (seed: SandboxSeed | string): void => {
		const raw = loadSeedInput(seed);
		store.load(normalizeSeed(raw, clock()));
		baseline = raw;
	};
	const keepAliveTimeout = options.keepAliveTimeoutMs ?? DEFAULT_KEEP_ALIVE_TIMEOUT_MS;
	if (!Number.isInteger(keepAliveTimeout) || keepAliveTimeout < 5000)
		throw new Error('keepAliveTimeoutMs must be an integer >= 5000');
	const stats = new StatsCounter(keepAliveTimeout);
	const resetAll = (): void => {
		resetState();
		handler.faults.clear();
		handler.chaos.set(undefined);
		handler.clearRequests();
		stats.reset();
	};
	const handler = new SandboxHttpHandler(
		store,
		token,
		{
			reset: resetAll,
			loadSeed,
			log: options.log,
			control: (route, input) => hookControl(hooks, route, input),
		},
		options.maxRequestLog ?? 1000,
		stats,
	);
	let cert: GeneratedCertificate | undefined;
	let server: Server | HttpsServer;
	if (options.tls) {
		cert = await generateCertificate();
		server = createHttpsServer(
			{ key: cert.keyPem, cert: cert.certPem, keepAlive: true },
			handler.listener,
		);
	} else {
		server = createServer({ keepAlive: true }, handler.listener);
	}
	server.keepAliveTimeout = keepAliveTimeout;
	stats.track(server);
	let port: number;
	try {
		port = await listen(server, options.port ?? 0, host);
	} catch (e) {
		cert?.cleanup();
		throw e;
	}
	const urlHost = host === '0.0.0.0' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

	let stopping: Promise<void> | undefined;
	/** During an outage (refuseConnections) the server is not listening. */
	let refusing = false;
	return {
		baseUrl: `${cert ? 'https' : 'http'}://${urlHost}:${port}`,
		token,
		port,
		host,
		tls: cert ? { certPem: cert.certPem, certPath: cert.certPath } : undefined,
		requests: handler.requests,
		clearRequests: () => handler.clearRequests(),
		reset: resetAll,
		stats: () => stats.snapshot(),
		resetStats: () => stats.reset(),
		loadSeed,
		getState: () => store.snapshot(),
		getCode: (loyaltyId, code) => {
			const c = store.findCode(loyaltyId, code);
			return c ? structuredClone(c) : undefined;
		},
		injectFault: (fault, opts) => handler.faults.add(fault, opts),
		clearFaults: () => handler.faults.clear(),
		pendingFaults: () => handler.faults.list(),
		hooks,
		setChaos: (chaos) => handler.chaos.set(chaos),
		chaosCounts: () => handler.chaos.counts(),
		refuseConnections: async () => {
			if (refusing) return;
			refusing = true;
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
		},
		acceptConnections: async () => {
			if (!refusing) return;
			await listen(server, port, host);
			refusing = false;
		},
		holdAppliedAnswers: (path) => handler.hold.start(path),
		heldAnswers: () => handler.hold.list(),
		releaseHeldAnswers: () => handler.hold.release(),
		flushState: async () => {
			if (saver) await saver.flush();
		},
		stop: () => {
			stopping ??= (async () => {
				handler.shutdown();
				hooks.stop();
				if (refusing) server.closeAllConnections();
				else {
					await new Promise<void>((resolve) => {
						server.close(() => resolve());
						server.closeAllConnections();
					});
				}
				cert?.cleanup();
				if (saver) await saver.flush();
			})();
			return stopping;
		},
	};
}
