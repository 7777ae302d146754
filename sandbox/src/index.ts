/**
 * Programmatic API of the Altcraft sandbox:
 *
 *   const sb = await startSandbox({ port: 0 });
 *   // ... point the node at sb.baseUrl with sb.token ...
 *   await sb.stop();
 */
import { createServer, Server } from 'http';
import type { AddressInfo } from 'net';
import { FaultKind, FaultOptions, PendingFault, SandboxFault } from './faults';
import { StateSaver, readStateFile, removeStaleTempFiles, serializeState } from './persistence';
import { CodeState, SandboxSeed, SandboxState, loadSeedInput, normalizeSeed } from './seed';
import { RequestLogEntry, SandboxHttpHandler } from './server';
import { SandboxStore } from './state';
import { Clock, systemClock } from './time';

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
export type { RequestLogEntry } from './server';
export { ERRORS, errorTableMarkdown } from './errors';
export type { ErrorSpec, ErrorKey } from './errors';
export { SeedError, defaultSeedPath, normalizeSeed } from './seed';
export { API_METHODS, FAULT_HEADER } from './server';

export const DEFAULT_TOKEN = 'sandbox-token';
export const DEFAULT_PORT = 8787;
export const DEFAULT_HOST = '127.0.0.1';

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
}

export interface Sandbox {
	/** e.g. `http://127.0.0.1:8787` (no trailing slash, no /api/v1.1). */
	readonly baseUrl: string;
	readonly token: string;
	readonly port: number;
	readonly host: string;
	/** The last API requests, oldest first (live array; bounded by maxRequestLog). */
	readonly requests: RequestLogEntry[];
	clearRequests(): void;
	/** Back to the baseline seed (the start seed, or the last loadSeed); also clears faults and the request log. */
	reset(): void;
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
	/** Wait until the state file (if any) holds the current state. */
	flushState(): Promise<void>;
	/** Close the server and all connections, flush the state file. Idempotent. */
	stop(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<number> {
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
	let saver: StateSaver | undefined;
	if (options.statePath) {
		const onError = options.onError ?? ((e: Error) => process.stderr.write(`sandbox: could not save state: ${e.message}\n`));
		saver = new StateSaver(options.statePath, () => serializeState(store.snapshot(false), new Date()), onError);
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
	const handler = new SandboxHttpHandler(
		store,
		token,
		{
			reset: () => {
				resetState();
				handler.faults.clear();
				handler.clearRequests();
			},
			loadSeed,
			log: options.log,
		},
		options.maxRequestLog ?? 1000,
	);
	const server = createServer({ keepAlive: true }, handler.listener);
	server.keepAliveTimeout = 5000;
	const port = await listen(server, options.port ?? 0, host);
	const urlHost = host === '0.0.0.0' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

	let stopping: Promise<void> | undefined;
	return {
		baseUrl: `http://${urlHost}:${port}`,
		token,
		port,
		host,
		requests: handler.requests,
		clearRequests: () => handler.clearRequests(),
		reset: () => {
			resetState();
			handler.faults.clear();
			handler.clearRequests();
		},
		loadSeed,
		getState: () => store.snapshot(),
		getCode: (loyaltyId, code) => {
			const c = store.findCode(loyaltyId, code);
			return c ? structuredClone(c) : undefined;
		},
		injectFault: (fault, opts) => handler.faults.add(fault, opts),
		clearFaults: () => handler.faults.clear(),
		pendingFaults: () => handler.faults.list(),
		flushState: async () => {
			if (saver) await saver.flush();
		},
		stop: () => {
			stopping ??= (async () => {
				handler.shutdown();
				await new Promise<void>((resolve) => {
					server.close(() => resolve());
					server.closeAllConnections();
				});
				if (saver) await saver.flush();
			})();
			return stopping;
		},
	};
}
