/**
 * Throughput benchmark of issue 9 (not part of `npm test`):
 *
 *   npm run bench                 # builds, then every row (~3–5 minutes)
 *   npm run bench -- --quick      # small counts, to check the machinery (~1 minute)
 *   npm run bench -- --only get-json-20ms     # rows whose id contains the text
 *
 * The same Altcraft requests from a raw keep-alive client, this node (built dist/) through the
 * n8n engine at Concurrency 1 / default / 10, and n8n's HTTP Request node (from the on-demand
 * n8n install; installed first when missing), at 0 ms and at 20 ms round trip on the link.
 * Prints a Markdown report and writes it to artifacts/bench/latest.md.
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ARTIFACTS_DIR, REPO_ROOT, RUNTIME_ROOT } from '../../scripts/lib/paths';
import { runCommand } from '../../scripts/lib/processes';
import { startLatencyProxy, type LatencyProxy } from '../support/latency-proxy';
import { N8N_RUNTIME_VERSION, NODES_BASE_DIR, nodeFeatures } from './lib/engine-clients';
import type {
	ChildToParent,
	ConnectionStats,
	NodeFeatures,
	ParentToChild,
	SandboxReply,
	SandboxRequest,
	Scenario,
	ScenarioResult,
} from './lib/protocol';
import { renderReport, type RowOutcome } from './lib/report';
import { FULL, QUICK, scenarios } from './lib/scenarios';

const ROW_TIMEOUT_MS = 150_000;
const CHILD_ARGS = ['--import', 'tsx', '--expose-gc'];
const ONE_WAY_DELAY_MS = 10;

function log(line: string): void {
	process.stdout.write(`${line}\n`);
}

function argValue(name: string): string | undefined {
	const index = process.argv.indexOf(`--${name}`);
	return index >= 0 ? process.argv[index + 1] : undefined;
}

/** The sandbox child, with request/reply over IPC. */
class SandboxProcess {
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
		const child = fork(path.join(__dirname, 'sandbox-process.ts'), [], { execArgv: CHILD_ARGS, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
		const sandbox = new SandboxProcess(child);
		const ready = await new Promise<SandboxReply>((resolve, reject) => {
			child.once('message', resolve);
			child.once('exit', (code) => reject(new Error(`sandbox process exited (${code}) before it was ready`)));
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
		if (reply.type !== 'reply' || !reply.stats) throw new Error('sandbox process: no stats in reply');
		return reply.stats;
	}

	stop(): void {
		if (this.child.connected) this.child.disconnect();
		setTimeout(() => this.child.kill('SIGKILL'), 3000).unref();
	}
}

interface RowDeps {
	sandbox: SandboxProcess;
	proxy: LatencyProxy;
	features: NodeFeatures;
	direct: string;
}

/** One row in a fresh child: warm-up, counters zeroed, measured run; killed after ROW_TIMEOUT_MS. */
async function runRow(scenario: Scenario, deps: RowDeps, index: number): Promise<RowOutcome> {
	await deps.sandbox.reset();
	const child = fork(path.join(__dirname, 'scenario-process.ts'), [], { execArgv: CHILD_ARGS, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	const viaProxy = scenario.link === '20 ms';
	const job: ParentToChild = {
		type: 'job',
		job: {
			scenario,
			baseUrl: viaProxy ? deps.proxy.url : deps.direct,
			warmupBaseUrl: deps.direct,
			token: deps.sandbox.token,
			runTag: `R${index}`,
			features: deps.features,
		},
	};
	let timer: NodeJS.Timeout | undefined;
	try {
		const outcome = await new Promise<{ result?: ScenarioResult; error?: string; connections?: ConnectionStats }>((resolve) => {
			timer = setTimeout(() => {
				child.kill('SIGKILL');
				resolve({ error: `timed out after ${ROW_TIMEOUT_MS / 1000} s` });
			}, ROW_TIMEOUT_MS);
			child.on('exit', (code) => resolve({ error: `process exited (${code}) before reporting` }));
			child.on('message', (message: ChildToParent) => {
				if (message.type === 'warmed') {
					void (async () => {
						// Zero the counters only now: warm-up connections are not the row's.
						deps.proxy.resetStats();
						await deps.sandbox.stats(true);
						child.send({ type: 'go' } satisfies ParentToChild);
					})();
				} else if (message.type === 'done') {
					void (async () => {
						const connections = viaProxy
							? { connections: deps.proxy.stats().connections, peakConcurrent: deps.proxy.stats().peakConcurrent }
							: await deps.sandbox.stats(false);
						resolve({ result: message.result, connections });
					})();
				} else {
					resolve({ error: message.message });
				}
			});
			child.send(job);
		});
		return { scenario, ...outcome };
	} finally {
		clearTimeout(timer);
		if (child.exitCode === null) child.kill('SIGKILL');
	}
}

function machine(): string {
	const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
	return `${os.availableParallelism()} CPUs (nproc), ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, Node ${process.version}, ${os.type()} ${os.release()}`;
}

function nodeBuild(): string {
	const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
	const head = git('rev-parse', '--short', 'HEAD');
	const nodeCommit = git('log', '-1', '--format=%h %s', '--', 'nodes', 'credentials');
	const dirty = git('status', '--porcelain', '--', 'nodes', 'credentials') !== '';
	return `dist/ built from HEAD ${head}; last node commit ${nodeCommit.slice(0, 90)}${dirty ? ' (plus uncommitted changes in nodes/ or credentials/)' : ''}`;
}

async function ensureN8nRuntime(): Promise<void> {
	if (existsSync(path.join(RUNTIME_ROOT, N8N_RUNTIME_VERSION, '.installed.json')) && existsSync(NODES_BASE_DIR)) return;
	log(`n8n ${N8N_RUNTIME_VERSION} (for the HTTP Request node) is not installed: running npm run n8n:install (4–5 minutes)…`);
	const result = await runCommand('npm', ['run', 'n8n:install', '--', N8N_RUNTIME_VERSION], { cwd: REPO_ROOT, echo: true, timeoutMs: 15 * 60_000 });
	if (result.code !== 0) throw new Error(`npm run n8n:install failed (exit ${result.code})`);
}

async function main(): Promise<void> {
	const started = performance.now();
	const quick = process.argv.includes('--quick');
	const only = argValue('only');
	await ensureN8nRuntime();
	const { concurrencyDefault, chunkSizeDefault, ...features } = nodeFeatures();
	const defaultConcurrency = concurrencyDefault ?? 5;
	const chunkSize = chunkSizeDefault ?? 1000;
	const sizes = quick ? QUICK : FULL;
	const rows = scenarios(sizes, features, defaultConcurrency, chunkSize).filter((s) => !only || s.id.includes(only));
	log(`Node features in dist/: concurrency ${features.concurrency ? `yes (default ${defaultConcurrency})` : 'no'}, chunkSize ${features.chunkSize ? `yes (default ${chunkSize})` : 'no'}, importMode ${features.importMode ? 'yes' : 'no'}, version ${features.defaultVersion}`);

	const sandbox = await SandboxProcess.start();
	const proxy = await startLatencyProxy({ upstreamPort: sandbox.port, oneWayDelayMs: ONE_WAY_DELAY_MS });
	const outcomes: RowOutcome[] = [];
	try {
		const deps: RowDeps = { sandbox, proxy, features, direct: `http://127.0.0.1:${sandbox.port}` };
		for (const [index, scenario] of rows.entries()) {
			const outcome = await runRow(scenario, deps, index);
			outcomes.push(outcome);
			const speed = outcome.result ? `${(scenario.count / (outcome.result.ms / 1000)).toFixed(0)}/s in ${(outcome.result.ms / 1000).toFixed(2)} s, ${outcome.result.failures} failed` : outcome.error;
			log(`  ${scenario.id.padEnd(42)} ${speed}, connections ${outcome.connections?.connections ?? '—'} (peak ${outcome.connections?.peakConcurrent ?? '—'}), RSS ${outcome.result?.maxRssMb.toFixed(0) ?? '—'} MB`);
		}
	} finally {
		await proxy.stop();
		sandbox.stop();
	}

	const report = renderReport(
		outcomes,
		{
			machine: machine(),
			nodeBuild: nodeBuild(),
			httpRequest: `n8n's HTTP Request node (n8n-nodes-base from n8n ${N8N_RUNTIME_VERSION})`,
			defaultConcurrency,
			concurrencyOption: features.concurrency,
			chunkSize,
			chunkSizeOption: features.chunkSize,
			connectionSource: 'counted by the latency proxy (20 ms) or the sandbox HTTP server\'s accepted connections (0 ms)',
			durationS: (performance.now() - started) / 1000,
			quick,
		},
		sizes.get,
		sizes.getLarge,
		defaultConcurrency,
	);
	log(`\n${report}`);
	const dir = path.join(ARTIFACTS_DIR, 'bench');
	mkdirSync(dir, { recursive: true });
	writeFileSync(path.join(dir, 'latest.md'), report);
	log(`Written to ${path.relative(process.cwd(), path.join(dir, 'latest.md'))}`);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
