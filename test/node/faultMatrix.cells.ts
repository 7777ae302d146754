import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import {
	defaultSeedPath,
	startSandbox,
	type FaultOptions,
	type SandboxFault,
	type SandboxSeed,
	type SandboxState,
	type SandboxStats,
} from '../../sandbox/src';
import { runAltcraftNode, type RunNodeResult } from '../harness';
import { TOKEN } from './context';

/** Program 9 exists only in this file's seed: codes attached (not activated) to customer01/02, for activate and detach. */
export const ATTACHED_PROGRAM = 9;
export const customer = (n: number) => `customer${String(n).padStart(2, '0')}@example.com`;
export const customerId = (n: number) => `64c0000000000000000000${String(n).padStart(2, '0')}`;

function matrixSeed(): SandboxSeed {
	const seed = JSON.parse(readFileSync(defaultSeedPath(), 'utf8')) as SandboxSeed;
	seed.loyaltyPrograms = [
		...(seed.loyaltyPrograms ?? []),
		{
			id: ATTACHED_PROGRAM,
			name: 'Fault matrix: attached codes',
			allowNewCodes: false,
			codes: [1, 2].map((n) => ({
				code: `FM-ATT-${n}`,
				attachments: [
					{ databaseId: 1, profileId: customerId(n), attached: '2026-01-01T00:00:00Z' },
				],
			})),
		},
	];
	return seed;
}
const SEED = matrixSeed();

export type SideEffectClass = 'none' | 'verifiable' | 'unverifiable' | 'freeCode';

export interface Operation {
	name: string;
	sideEffect: SideEffectClass;
	/** The API path the fault is injected on. */
	path: string;
	parameters: INodeParameters;
	items: IDataObject[];
}

const twoCustomers = [1, 2].map((n) => ({ email: customer(n) }));
const byEmail = { databaseId: 1, matching: 'email', email: '={{ $json.email }}' };

export const OPERATIONS: Operation[] = [
	{
		name: 'import',
		sideEffect: 'none',
		path: 'promocodes/import',
		parameters: { operation: 'import', loyaltyId: 1, codes: '={{ $json.codes }}' },
		items: [1, 2].map((n) => ({ codes: [`FM-IMP-${n}-A`, `FM-IMP-${n}-B`] })),
	},
	{
		name: 'get',
		sideEffect: 'none',
		path: 'promocodes/get',
		parameters: { operation: 'get', loyaltyId: 1, code: '={{ $json.code }}' },
		items: [{ code: 'WELCOME-0001' }, { code: 'WELCOME-0002' }],
	},
	{
		name: 'activate',
		sideEffect: 'verifiable',
		path: 'promocodes/activate',
		parameters: { operation: 'activate', loyaltyId: ATTACHED_PROGRAM, code: '={{ $json.code }}' },
		items: [{ code: 'FM-ATT-1' }, { code: 'FM-ATT-2' }],
	},
	{
		name: 'update',
		sideEffect: 'none',
		path: 'promocodes/update',
		parameters: {
			operation: 'update',
			loyaltyId: 1,
			code: '={{ $json.code }}',
			updateFields: { expireDate: '2031-01-01T00:00:00Z' },
		},
		items: [{ code: 'WELCOME-0001' }, { code: 'WELCOME-0002' }],
	},
	{
		name: 'attach with code',
		sideEffect: 'verifiable',
		path: 'promocodes/attach',
		parameters: { operation: 'attach', loyaltyId: 1, code: '={{ $json.code }}', ...byEmail },
		items: [1, 2].map((n) => ({ email: customer(n), code: `WELCOME-000${n}` })),
	},
	{
		name: 'attach without code',
		sideEffect: 'unverifiable',
		path: 'promocodes/attach',
		parameters: { operation: 'attach', loyaltyId: 1, code: '', ...byEmail },
		items: twoCustomers,
	},
	{
		name: 'detach',
		sideEffect: 'verifiable',
		path: 'promocodes/detach',
		parameters: {
			operation: 'detach',
			loyaltyId: ATTACHED_PROGRAM,
			code: '={{ $json.code }}',
			...byEmail,
		},
		items: [1, 2].map((n) => ({ email: customer(n), code: `FM-ATT-${n}` })),
	},
	{
		name: 'getAll',
		sideEffect: 'none',
		path: 'promocodes/export_all',
		// Program 2 has one code: one output item per input item, so counts compare one to one.
		parameters: { operation: 'getAll', loyaltyId: 2, filter: 'all', returnAll: true },
		items: [{}, {}],
	},
	{
		name: 'attachFreeCode',
		sideEffect: 'freeCode',
		path: 'promocodes/attach',
		parameters: { operation: 'attachFreeCode', loyaltyId: 4, ...byEmail },
		items: twoCustomers,
	},
];

export interface Fault {
	name: string;
	fault: SandboxFault;
	/** Refused: provably not processed. Ambiguous: may have been processed. */
	kind: 'refused' | 'ambiguous';
	/** Whether the sandbox applies the request before the fault hits. */
	applied: boolean;
	/** What the node's message says happened, for an attach without a code. */
	what?: RegExp;
	options?: INodeParameters;
}

/** Hang cells wait for the timeout; small, so the matrix stays fast. */
export const HANG_TIMEOUT_MS = 800;

export const FAULTS: Fault[] = [
	{
		name: '429 Retry-After 1 s',
		fault: { kind: 'status429', retryAfter: 1 },
		kind: 'refused',
		applied: false,
	},
	{
		name: '429 Retry-After date',
		fault: { kind: 'status429', retryAfter: 1, retryAfterDate: true },
		kind: 'refused',
		applied: false,
	},
	{ name: '503', fault: { kind: 'status503' }, kind: 'refused', applied: false },
	{
		name: '502 HTML page',
		fault: { kind: 'html', status: 502 },
		kind: 'ambiguous',
		applied: false,
		what: /A gateway in front of Altcraft answered HTTP 502/,
	},
	{
		name: '504 after apply',
		fault: { kind: 'status504', afterApply: true },
		kind: 'ambiguous',
		applied: true,
		what: /A gateway in front of Altcraft answered HTTP 504/,
	},
	{
		name: 'reset before apply',
		fault: { kind: 'resetBeforeApply' },
		kind: 'ambiguous',
		applied: false,
		what: /The connection broke before an answer arrived/,
	},
	{
		name: 'reset after apply',
		fault: { kind: 'resetAfterApply' },
		kind: 'ambiguous',
		applied: true,
		what: /The connection broke before an answer arrived/,
	},
	{
		name: 'hang (timeout 0.8 s)',
		fault: { kind: 'hang' },
		kind: 'ambiguous',
		applied: false,
		what: /Altcraft did not answer within 0\.8 s/,
		options: { timeout: HANG_TIMEOUT_MS },
	},
	{
		name: 'hang after apply',
		fault: { kind: 'hangAfterApply' },
		kind: 'ambiguous',
		applied: true,
		what: /Altcraft did not answer within 0\.8 s/,
		options: { timeout: HANG_TIMEOUT_MS },
	},
];

/** The parts of a sandbox request log entry a test may keep (the raw body holds the token). */
export interface LoggedRequest {
	path: string;
	code?: string;
	fault?: string;
	/** The request changed the state: a normal success, or a fault that applied it first. */
	applied: boolean;
}

export interface CellRun {
	result: RunNodeResult;
	requests: LoggedRequest[];
	state: SandboxState;
	stats: SandboxStats;
	ms: number;
}

export interface CellSetup {
	parameters: INodeParameters;
	items: IDataObject[];
	continueOnFail: boolean;
	faults: Array<{ fault: SandboxFault; options: FaultOptions }>;
}

/**
 * No cell takes this long unless the run is stuck (e.g. dist/ rebuilt under it by a parallel
 * `npm run build`); the cell then fails and its sandbox is stopped, so jest can still exit.
 */
export const CELL_DEADLINE_MS = 60_000;

export async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const deadline = new Promise<never>((_resolve, reject) => {
		timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
	});
	try {
		return await Promise.race([work, deadline]);
	} finally {
		clearTimeout(timer);
	}
}

/** One execution against a sandbox of its own, so cells can run side by side. */
export async function runCell(setup: CellSetup): Promise<CellRun> {
	const sandbox = await startSandbox({ port: 0, token: TOKEN, seed: SEED });
	try {
		for (const { fault, options } of setup.faults) sandbox.injectFault(fault, options);
		const started = Date.now();
		const execution = runAltcraftNode({
			parameters: { resource: 'promoCode', ...setup.parameters },
			items: setup.items,
			onError: setup.continueOnFail ? 'continueRegularOutput' : undefined,
			credentials: { baseUrl: sandbox.baseUrl, token: TOKEN },
		});
		const result = await withDeadline(execution, CELL_DEADLINE_MS, 'the execution');
		const ms = Date.now() - started;
		const requests = sandbox.requests.map((entry): LoggedRequest => {
			const code = (entry.body as { code?: unknown } | undefined)?.code;
			return {
				path: entry.path.replace(/^\/api\/v1\.1\//, ''),
				...(typeof code === 'string' ? { code } : {}),
				...(entry.fault ? { fault: entry.fault } : {}),
				applied: entry.fault ? entry.appliedError === 0 : entry.error === 0,
			};
		});
		return { result, requests, state: sandbox.getState(), stats: sandbox.stats(), ms };
	} finally {
		await sandbox.stop();
	}
}

/** Bounded parallel map, in order of `inputs`; each promise is available as soon as it starts. */
export function startPool<T, R>(
	inputs: T[],
	limit: number,
	work: (input: T) => Promise<R>,
): Array<Promise<R>> {
	let running = 0;
	const queue: Array<() => void> = [];
	const release = () => {
		running--;
		queue.shift()?.();
	};
	return inputs.map(async (input) => {
		if (running >= limit) await new Promise<void>((resolve) => queue.push(resolve));
		running++;
		try {
			return await work(input);
		} finally {
			release();
		}
	});
}

export const countOf = (requests: LoggedRequest[], path: string) =>
	requests.filter((entry) => entry.path === path).length;

export function holdersOf(state: SandboxState, loyaltyId: number): Map<string, string[]> {
	const program = state.loyaltyPrograms.find((entry) => entry.id === loyaltyId);
	const holders = new Map<string, string[]>();
	for (const code of program?.codes ?? [])
		holders.set(
			code.code,
			code.attachments.map((attachment) => attachment.profileId),
		);
	return holders;
}

export function codesHeldBy(state: SandboxState, loyaltyId: number, profileId: string): string[] {
	return [...holdersOf(state, loyaltyId)]
		.filter(([, holders]) => holders.includes(profileId))
		.map(([code]) => code);
}

/** Requests to `path` that changed the state, per code (or per request when the body has none). */
export function appliedPerCode(requests: LoggedRequest[], path: string): Map<string, number> {
	const counts = new Map<string, number>();
	requests
		.filter((entry) => entry.path === path && entry.applied)
		.forEach((entry, index) => {
			const key = entry.code ?? `#${index}`;
			counts.set(key, (counts.get(key) ?? 0) + 1);
		});
	return counts;
}

/** A loopback server answering every POST the same way: shapes the sandbox has no fault for. */
export async function startFixedServer(
	status: number,
	headers: Record<string, string>,
	body: string,
): Promise<{ baseUrl: string; stop: () => Promise<void> }> {
	const server = http.createServer((request, response) => {
		request.resume();
		request.on('end', () => {
			response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
			response.end(body);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		baseUrl: `http://127.0.0.1:${port}`,
		stop: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
