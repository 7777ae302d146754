/**
 * The bench's child processes seen from the orchestrator: the sandbox (reset, connection counts)
 * and one process per benchmark row, driven pass by pass so that rows compared with each other
 * can run interleaved (A B A B …) and share whatever else the machine is doing at the time.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

import type { LatencyProxy } from '../../support/latency-proxy';
import type {
	ChildToParent,
	ConnectionStats,
	NodeFeatures,
	ParentToChild,
	PassResult,
	SandboxReply,
	SandboxRequest,
	Scenario,
} from './protocol';
import type { RowOutcome } from './report';

const CHILD_ARGS = ['--import', 'tsx', '--expose-gc'];
const BENCH_DIR = path.resolve(__dirname, '..');
/** Longest a single pass (or a warm-up) may take before the row is given up. */
const STEP_TIMEOUT_MS = 120_000;

/** The sandbox child, with request/reply over IPC. */
export class SandboxProcess {
	private nextId = 1;
	private readonly pending = new Map<number, (reply: SandboxReply) => void>();
	port = 0;
	token = '';

	private constructor(private readonly child: ChildProcess) {
		child.on('message', (message: SandboxReply) => {
			if (message.type === 'reply') {
				this.pending.get(message.id)?.(message);
				this.pending.delete(message.id);
			}
		});
	}

	static async start(): Promise<SandboxProcess> {
		const child = fork(path.join(BENCH_DIR, 'sandbox-process.ts'), [], {
			execArgv: CHILD_ARGS,
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		const sandbox = new SandboxProcess(child);
		const ready = await new Promise<SandboxReply>((resolve, reject) => {
			child.once('message', resolve);
			child.once('exit', (code) =>
				reject(new Error(`sandbox process exited (${code}) before it was ready`)),
			);
		});
		if (ready.type !== 'ready') throw new Error('sandbox process: unexpected first message');
		sandbox.port = ready.port;
		sandbox.token = ready.token;
		return sandbox;
	}

	private ask(request: SandboxRequest): Promise<SandboxReply> {
		return new Promise((resolve) => {
			this.pending.set(request.id, resolve);
			this.child.send(request);
		});
	}

	async reset(): Promise<void> {
		await this.ask({ type: 'reset', id: this.nextId++ });
	}

	async stats(reset: boolean): Promise<ConnectionStats> {
		const reply = await this.ask({ type: 'stats', id: this.nextId++, reset });
		if (reply.type !== 'reply' || !reply.stats)
			throw new Error('sandbox process: no stats in reply');
		return reply.stats;
	}

	stop(): void {
		if (this.child.connected) this.child.disconnect();
		setTimeout(() => this.child.kill('SIGKILL'), 3000).unref();
	}
}

export interface RowDeps {
	sandbox: SandboxProcess;
	proxy: LatencyProxy;
	features: NodeFeatures;
	/** The sandbox's own URL (no proxy). */
	direct: string;
}

type Measured = PassResult & { connections: ConnectionStats };

/** One row's process: warm-up on start, then one measured pass per `pass()`, peak RSS on `finish()`. */
class RowProcess {
	private readonly child: ChildProcess;
	private readonly passes: Measured[] = [];
	private waiting:
		| { resolve: (message: ChildToParent) => void; reject: (error: Error) => void }
		| undefined;
	private exited: Error | undefined;
	error: string | undefined;

	constructor(
		readonly scenario: Scenario,
		private readonly deps: RowDeps,
		private readonly runTag: string,
	) {
		this.child = fork(path.join(BENCH_DIR, 'scenario-process.ts'), [], {
			execArgv: CHILD_ARGS,
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		this.child.on('message', (message: ChildToParent) => {
			const waiting = this.waiting;
			this.waiting = undefined;
			if (message.type === 'failed') waiting?.reject(new Error(message.message));
			else waiting?.resolve(message);
		});
		this.child.on('exit', (code, signal) => {
			this.exited = new Error(`process exited (${code ?? signal}) before reporting`);
			this.waiting?.reject(this.exited);
			this.waiting = undefined;
		});
	}

	private get viaProxy(): boolean {
		return this.scenario.link === '20 ms';
	}

	/** Sends `message` (if any) and waits for the child's next message of type `expected`. */
	private async exchange<T extends ChildToParent['type']>(
		expected: T,
		message?: ParentToChild,
	): Promise<Extract<ChildToParent, { type: T }>> {
		if (this.exited) throw this.exited;
		let timer: NodeJS.Timeout | undefined;
		try {
			const reply = await new Promise<ChildToParent>((resolve, reject) => {
				this.waiting = { resolve, reject };
				timer = setTimeout(
					() => reject(new Error(`no answer within ${STEP_TIMEOUT_MS / 1000} s`)),
					STEP_TIMEOUT_MS,
				);
				if (message) this.child.send(message);
			});
			if (reply.type !== expected) throw new Error(`expected '${expected}', got '${reply.type}'`);
			return reply as Extract<ChildToParent, { type: T }>;
		} finally {
			clearTimeout(timer);
		}
	}

	async start(): Promise<void> {
		const { deps, scenario } = this;
		await deps.sandbox.reset();
		await this.exchange('warmed', {
			type: 'job',
			job: {
				scenario,
				baseUrl: this.viaProxy ? deps.proxy.url : deps.direct,
				warmupBaseUrl: deps.direct,
				token: deps.sandbox.token,
				runTag: this.runTag,
				features: deps.features,
			},
		});
	}

	async pass(): Promise<void> {
		const { deps } = this;
		await deps.sandbox.reset();
		// Zeroed right before the pass: warm-up and other passes' connections are not this pass's.
		deps.proxy.resetStats();
		await deps.sandbox.stats(true);
		const { result } = await this.exchange('pass', { type: 'go', pass: this.passes.length });
		const stats = this.viaProxy ? deps.proxy.stats() : await deps.sandbox.stats(false);
		this.passes.push({
			...result,
			connections: { connections: stats.connections, peakConcurrent: stats.peakConcurrent },
		});
	}

	async finish(): Promise<RowOutcome> {
		const done = await this.exchange('done', { type: 'finish' });
		const median = [...this.passes].sort((x, y) => x.ms - y.ms)[
			Math.floor((this.passes.length - 1) / 2)
		];
		return {
			scenario: this.scenario,
			result: {
				...median,
				passMs: this.passes.map((p) => p.ms),
				maxRssMb: done.maxRssMb,
				note: done.note,
			},
		};
	}

	kill(): void {
		if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
	}
}

/**
 * Runs rows that are compared with each other: every row's process is started and warmed up,
 * then passes go round-robin (row 1 pass 1, row 2 pass 1, …, row 1 pass 2, …), one at a time.
 * A row that fails is reported with its error; the others go on.
 */
export async function runGroup(
	scenarios: Scenario[],
	deps: RowDeps,
	firstIndex: number,
	onRow: (outcome: RowOutcome) => void,
): Promise<RowOutcome[]> {
	const rows = scenarios.map((scenario, i) => new RowProcess(scenario, deps, `R${firstIndex + i}`));
	const step = async (row: RowProcess, what: () => Promise<void>) => {
		if (row.error) return;
		try {
			await what();
		} catch (error) {
			row.error = (error as Error).message;
			row.kill();
		}
	};
	try {
		for (const row of rows) await step(row, () => row.start());
		const rounds = Math.max(...scenarios.map((s) => s.passes));
		for (let round = 0; round < rounds; round++) {
			for (const row of rows) if (round < row.scenario.passes) await step(row, () => row.pass());
		}
		const outcomes: RowOutcome[] = [];
		for (const row of rows) {
			let outcome: RowOutcome = { scenario: row.scenario, error: row.error };
			await step(row, async () => {
				outcome = await row.finish();
			});
			if (row.error) outcome = { scenario: row.scenario, error: row.error };
			outcomes.push(outcome);
			onRow(outcome);
		}
		return outcomes;
	} finally {
		for (const row of rows) row.kill();
	}
}
