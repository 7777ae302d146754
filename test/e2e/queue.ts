/**
 * Queue-mode end-to-end test: n8n's distributed engine (main + workers over Redis, one PostgreSQL
 * database) running this package, with 100 concurrent shop orders, a worker killed mid-run, and the
 * throughput of 1 vs 2 workers.
 *
 *   npm run test:e2e:queue                    # n8n 2.8.4, the shop example (Attach Free Code)
 *   npm run test:e2e:queue -- --stand-in      # a stand-in order workflow that attaches ORDER-<order id>
 *   npm run test:e2e:queue -- --stand-in=free-code   # a minimal webhook → Attach Free Code → answer workflow
 *   npm run test:e2e:queue -- --tarball=FILE  # test that packed package instead of packing the working tree
 *   npm run test:e2e:queue -- --rounds=1      # fewer throughput rounds (default 3) for a quicker run
 *
 * Installs Debian's redis-server and postgresql when missing (apt-get), n8n on demand, packs the package
 * and installs it into every n8n process's own nodes folder, starts the sandbox (in this process) with
 * 1400 customers and 1800 free codes in the shop example's program, then: 1 worker serves 3 × 100
 * concurrent orders; a second worker joins; the import example runs on a worker (an editor-style
 * manual run offloaded to the queue) and 20 checkouts of one code race across both workers (checkout example); 3 × 100 orders with 2 workers (both must take part); 10 orders
 * posted twice at once; worker-2 stops with SIGTERM and 1 worker serves 3 × 100 again (throughput =
 * median orders/s, 1 vs 2 workers); a second worker starts again; worker-1 is SIGKILLed during 60
 * orders while the sandbox holds the answers of the attaches it applied (so every run kills a worker
 * whose attaches went through unanswered); the shop retries the refused orders once. Each order is checked against the sandbox's state and n8n's executions table (which
 * worker ran it: the workers' own "Worker started execution N" log lines).
 * Everything it started is stopped at the end (also on failure and Ctrl-C), and every process of the
 * run is checked to be gone and every port free. Logs and results.json: artifacts/e2e-queue/.
 *
 * Why PostgreSQL: n8n 2.8.4 warns "Scaling mode is not officially supported with sqlite" at startup
 * (commands/base-command.js) and three processes writing one SQLite file would contend for its lock.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type HeldAnswer, type Sandbox } from '../../sandbox/src';
import { installN8n } from '../../scripts/lib/install';
import {
	activateWorkflow,
	buildAndPack,
	importCredential,
	importWorkflow,
	N8nRest,
	nodeOutput,
	type N8nServer,
	type N8nSetup,
} from '../../scripts/lib/n8n';
import {
	ARTIFACTS_DIR,
	DEFAULT_N8N_VERSION,
	EXAMPLES_DIR,
	REPO_ROOT,
} from '../../scripts/lib/paths';
import {
	formatDuration,
	isPortInUse,
	isShuttingDown,
	log,
	onCleanup,
	runMain,
	stopProcess,
	waitFor,
} from '../../scripts/lib/processes';
import {
	ensureRedisAndPostgres,
	psqlQuery,
	startPostgres,
	startRedis,
	type Postgres,
	type Service,
} from '../../scripts/lib/services';
import {
	killWorker,
	prepareMain,
	QUEUE_TIMINGS,
	startMain,
	startWorker,
	stopWorker,
	WORKER_CONCURRENCY,
	workerExecutions,
	type ClusterConfig,
	type Worker,
} from './queue/cluster';
import { CHECKOUT, checkoutRace } from './queue/checkout';
import { cpuDelta, members, sampleCpu, type CpuGroup, type CpuSample } from './queue/cpu';
import {
	executionError,
	executionRows,
	getExecution,
	runManually,
	type ExecutionRow,
} from './queue/executions';
import {
	assertNoTokenAtRest,
	describeSearch,
	sandboxLogFile,
	searchTokenAtRest,
} from './lib/token-at-rest';
import { clientPortsOfGroup } from './queue/sockets';
import {
	codesByCustomer,
	customerEmail,
	customerId,
	holders,
	makeOrders,
	postOrders,
	queueSeed,
	summarizeStatuses,
	type Order,
	type OrderResult,
} from './queue/orders';
import { checkTriggerBurst, TRIGGER_FIXTURE, TRIGGER_WORKFLOW_ID } from './queue/trigger';

const LOG_DIR = path.join(ARTIFACTS_DIR, 'e2e-queue');
const CUSTOMERS = 1400;
const CODES = 1800;
const ORDERS = 100;
/** Bursts of ORDERS per throughput figure (--rounds=N): one 100-order burst is too short to trust alone. */
let ROUNDS = 3;
/** Orders before any measured round: the first hundred executions of a fresh n8n are markedly slower. */
const WARMUP = 50;
const FAULT_ORDERS = 60;
const DUPLICATES = 10;
/** Attaches of worker-1 that the sandbox has applied and holds unanswered when worker-1 is killed. */
const HELD_ON_KILLED = 3;
interface OrderWorkflow {
	file: string;
	id: string;
	/** Its webhook path. */
	path: string;
	/**
	 * Whether the same order posted twice at the same moment must still give one code (the shop example
	 * promises it through Attach Free Code's Order ID); otherwise the test only reports the count.
	 */
	duplicateSafe: boolean;
}
const SHOP_EXAMPLE: OrderWorkflow = {
	file: path.join(EXAMPLES_DIR, 'order-webhook-attach-promo.json'),
	id: 'altcraft-order-promo',
	path: 'altcraft-shop-order',
	duplicateSafe: true,
};
/** Order workflows that stand in for the shop example (test/e2e/queue/*.json). */
const STAND_INS: Record<string, OrderWorkflow> = {
	// The order's own code: a second attach of it to the same customer is refused, so it dedupes by nature.
	'by-id': {
		file: path.join(__dirname, 'queue', 'order-by-id.json'),
		id: 'altcraft-queue-order-by-id',
		path: 'altcraft-queue-order-by-id',
		duplicateSafe: true,
	},
	// Attach Free Code alone, without the example's duplicate-order handling.
	'free-code': {
		file: path.join(__dirname, 'queue', 'order-free-code.json'),
		id: 'altcraft-queue-order-free-code',
		path: 'altcraft-queue-order-free-code',
		duplicateSafe: false,
	},
};

interface Context {
	sandbox: Sandbox;
	pg: Postgres;
	rest: N8nRest;
	main: N8nServer;
	mainSetup: N8nSetup;
	config: ClusterConfig;
	workers: Worker[];
	addWorker: (name: string) => Promise<Worker>;
	orderUrl: string;
	orderWorkflowId: string;
	orderDuplicateSafe: boolean;
	/** Process groups whose CPU time is reported per batch. */
	cpuGroups: CpuGroup[];
	sandboxLog: ReturnType<typeof sandboxLogFile>;
}

const measurements: Record<string, unknown> = {};

async function check(name: string, fn: () => Promise<void>): Promise<void> {
	const started = Date.now();
	try {
		await fn();
		log(`  ✔ ${name} (${formatDuration(Date.now() - started)})`);
	} catch (error) {
		// After Ctrl-C the services vanish under the running check: that is not a finding worth printing.
		if (!isShuttingDown())
			log(`  ✘ ${name}\n    ${(error as Error).message.split('\n').join('\n    ')}`);
		throw error;
	}
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Every 200 answer names a code that the sandbox shows attached to exactly that customer, and only it. */
function assertOrdersServed(sandbox: Sandbox, results: OrderResult[]): void {
	const failed = results.filter((r) => r.status !== 200 || !r.code);
	assert.equal(
		failed.length,
		0,
		`${failed.length} of ${results.length} orders not served (${summarizeStatuses(results)}); first: ${JSON.stringify(failed[0])}`,
	);
	const codes = results.map((r) => r.code);
	assert.equal(new Set(codes).size, results.length, 'every order got a different code');
	for (const r of results) {
		assert.deepEqual(
			holders(sandbox, r.code as string),
			[`1:${customerId(r.customer)}`],
			`${r.code} (order ${r.orderId}) is held by exactly its customer`,
		);
	}
}

/** No profile (of the given orders' customers, or none at all) holds more than one code. */
function assertNobodyHoldsTwo(sandbox: Sandbox, orders?: Order[]): void {
	const only = orders ? new Set(orders.map((o) => customerId(o.customer))) : undefined;
	const doubles = [...codesByCustomer(sandbox.getState())].filter(
		([id, codes]) => codes.length > 1 && (!only || only.has(id)),
	);
	assert.deepEqual(doubles, [], 'no customer holds two codes');
}

/** Execution rows of the order workflow created after `afterId`. */
async function newExecutions(ctx: Context, afterId: number): Promise<ExecutionRow[]> {
	return (await executionRows(ctx.pg, ctx.orderWorkflowId)).filter(
		(row) => Number(row.id) > afterId,
	);
}

async function lastExecutionId(ctx: Context): Promise<number> {
	const rows = await executionRows(ctx.pg, ctx.orderWorkflowId);
	return rows.length === 0 ? 0 : Math.max(...rows.map((r) => Number(r.id)));
}

/** Which worker's log names each execution; asserts that exactly one worker ran each. */
function executionsByWorker(ctx: Context, rows: ExecutionRow[]): Record<string, number> {
	const counts: Record<string, number> = Object.fromEntries(ctx.workers.map((w) => [w.name, 0]));
	for (const row of rows) {
		const ranOn = ctx.workers
			.filter((w) => workerExecutions(w).started.has(row.id))
			.map((w) => w.name);
		assert.equal(
			ranOn.length,
			1,
			`execution ${row.id} started on exactly one worker (found: ${ranOn.join(', ') || 'none'})`,
		);
		counts[ranOn[0]] += 1;
	}
	return counts;
}

/** What each node of the newest execution after `afterId` output (first item), for a failure message. */
async function describeLatestExecution(ctx: Context, afterId: number): Promise<string> {
	try {
		const rows = await newExecutions(ctx, afterId);
		if (rows.length === 0) return 'no execution was stored';
		const execution = await getExecution(ctx.rest, ctx.config.runtime, rows[rows.length - 1].id);
		const runData = execution.run?.data.resultData.runData ?? {};
		const lines = Object.entries(runData).map(([node, runs]) => {
			const outputs = runs[0]?.data?.main ?? [];
			return `  ${node}: ${outputs.map((items, i) => `output ${i}: ${JSON.stringify(items?.[0]?.json ?? null)}`).join('; ')}`;
		});
		return [
			`execution ${execution.id} (${execution.status}${executionError(execution) ? `: ${executionError(execution)}` : ''}):`,
			...lines,
		]
			.join('\n')
			.slice(0, 4000);
	} catch (error) {
		return `(could not read the execution: ${(error as Error).message})`;
	}
}

/** API calls the batch made, per method and order, e.g. "promocodes/attach 1.00, promocodes/get 1.00"; plus new connections. */
function apiCallsPerOrder(sandbox: Sandbox, orders: number): string {
	const counts = new Map<string, number>();
	for (const request of sandbox.requests) {
		const method = request.path.replace(/^\/api\/v1\.1\//, '').replace(/\/$/, '');
		counts.set(method, (counts.get(method) ?? 0) + 1);
	}
	const perOrder = [...counts]
		.sort()
		.map(([method, count]) => `${method} ${(count / orders).toFixed(2)}`);
	return `${perOrder.join(', ')}; ${sandbox.stats().apiConnections} connections`;
}

/** Sends a batch, checks it completely, returns orders per second and the CPU seconds each process used. */
async function servedBatch(
	ctx: Context,
	label: string,
	orders: Order[],
): Promise<{ rate: number; byWorker: Record<string, number>; cpu: CpuSample }> {
	const before = await lastExecutionId(ctx);
	const cpuBefore = sampleCpu(ctx.cpuGroups);
	ctx.sandbox.clearRequests();
	ctx.sandbox.resetStats();
	const { results, ms } = await postOrders(ctx.orderUrl, orders);
	const calls = apiCallsPerOrder(ctx.sandbox, orders.length);
	const cpu = cpuDelta(cpuBefore, sampleCpu(ctx.cpuGroups));
	try {
		assertOrdersServed(ctx.sandbox, results);
	} catch (error) {
		throw new Error(`${(error as Error).message}\n${await describeLatestExecution(ctx, before)}`);
	}
	const rows = await waitFor(
		`${orders.length} finished executions (${label})`,
		async () => {
			const found = await newExecutions(ctx, before);
			return found.length === orders.length && found.every((r) => r.status === 'success')
				? found
				: undefined;
		},
		{ timeoutMs: 30_000 },
	);
	const byWorker = executionsByWorker(ctx, rows);
	const rate = orders.length / (ms / 1000);
	const busy = Object.values(cpu).reduce((a, b) => a + b, 0);
	const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
	const percentile = (p: number) =>
		latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
	log(
		`    ${label}: ${orders.length} orders in ${(ms / 1000).toFixed(2)} s = ${rate.toFixed(1)} orders/s ` +
			`(answer p50 ${percentile(50)} ms, p95 ${percentile(95)} ms); by worker ${JSON.stringify(byWorker)}`,
	);
	log(
		`      CPU s: ${JSON.stringify(cpu)}; ${busy.toFixed(1)} CPU s in ${(ms / 1000).toFixed(1)} s on ${os.cpus().length} cores`,
	);
	log(`      Altcraft calls per order: ${calls}`);
	return { rate, byWorker, cpu };
}

async function runSuite(ctx: Context): Promise<void> {
	const [worker1] = ctx.workers;
	let next = 1;
	const take = (count: number) => {
		const first = next;
		next += count;
		return first;
	};

	await check('main runs in queue mode', async () => {
		const { data } = await ctx.rest.request<{ executionMode?: string }>('GET', '/settings');
		assert.equal(data.executionMode, 'queue');
		assert.ok(
			!ctx.main.output().includes('not officially supported with sqlite'),
			'on PostgreSQL, not SQLite',
		);
	});

	const rates1: number[] = [];
	await check(
		`1 worker: ${ROUNDS} × ${ORDERS} concurrent orders, each served with its own code`,
		async () => {
			await servedBatch(ctx, 'warm-up, 1 worker', makeOrders('W1', take(WARMUP), WARMUP));
			for (let round = 1; round <= ROUNDS; round++) {
				const { rate, byWorker, cpu } = await servedBatch(
					ctx,
					`1 worker, round ${round}`,
					makeOrders(`A${round}`, take(ORDERS), ORDERS),
				);
				assert.equal(byWorker[worker1.name], ORDERS);
				rates1.push(rate);
				if (round === 1) measurements.cpuSecondsOneWorker = cpu;
			}
		},
	);

	await check('a second worker joins the queue', async () => {
		await ctx.addWorker('worker-2');
		await servedBatch(ctx, 'warm-up, 2 workers', makeOrders('W2', take(WARMUP), WARMUP));
	});

	await check('example "import codes and summarize" runs on a worker', async () => {
		const execution = await runManually(
			ctx.rest,
			ctx.config.runtime,
			'altcraft-import-codes',
			'Start',
		);
		assert.equal(
			execution.status,
			'success',
			`status ${execution.status}: ${executionError(execution) ?? ''}`,
		);
		assert.ok(execution.run, 'run data stored');
		const [imported] = nodeOutput(execution.run, 'Import codes');
		assert.equal(imported.inserted, 3, `import result ${JSON.stringify(imported)}`);
		for (const code of ['SPRING-2026-01', 'SPRING-2026-02', 'SPRING-2026-03'])
			assert.ok(ctx.sandbox.getCode(1, code), `${code} in the sandbox`);
		const ranOn = ctx.workers
			.filter((w) => workerExecutions(w).started.has(execution.id))
			.map((w) => w.name);
		assert.equal(ranOn.length, 1, `one worker ran execution ${execution.id}`);
		log(`    execution ${execution.id} ran on ${ranOn[0]}`);
	});

	await check(
		'example "checkout": 20 checkouts of one code at once, run on both workers → exactly one 200, 19 × 422 already_redeemed',
		async () => {
			// A customer of its own, whom no order uses: the order checks count every code a customer holds.
			const race = await checkoutRace(
				ctx.main.baseUrl,
				ctx.sandbox,
				ctx.workers,
				customerEmail(take(1)),
				'WELCOME-0001',
			);
			assert.deepEqual(
				race.statuses,
				[200, ...Array(19).fill(422)],
				`statuses ${race.statuses.join(',')}`,
			);
			assert.deepEqual(race.reasons, Array(19).fill('already_redeemed'));
			assert.ok(ctx.sandbox.getCode(1, 'WELCOME-0001')?.activated, 'WELCOME-0001 activated');
			for (const w of ctx.workers)
				assert.ok(
					race.byWorker[w.name] > 0,
					`${w.name} ran some checkouts (${JSON.stringify(race.byWorker)})`,
				);
			log(
				`    checkouts per worker ${JSON.stringify(race.byWorker)}, ${race.activations} activation request(s) reached Altcraft`,
			);
		},
	);

	await check(
		'Altcraft Trigger: 1,000 events in 50 batches at once reach main, run on the workers, none lost or doubled',
		async () => {
			await checkTriggerBurst(ctx.rest, ctx.main.baseUrl, ctx.config, ctx.workers);
		},
	);

	const rates2: number[] = [];
	await check(
		`2 workers: ${ORDERS} concurrent orders of distinct customers → ${ORDERS} × 200, distinct codes, each held by its customer, both workers used`,
		async () => {
			const { rate, byWorker, cpu } = await servedBatch(
				ctx,
				'2 workers, round 1',
				makeOrders('B1', take(ORDERS), ORDERS),
			);
			measurements.cpuSecondsTwoWorkers = cpu;
			for (const w of ctx.workers)
				assert.ok(
					byWorker[w.name] > 0,
					`${w.name} executed some orders (${JSON.stringify(byWorker)})`,
				);
			assertNobodyHoldsTwo(ctx.sandbox);
			rates2.push(rate);
			measurements.byWorker = byWorker;
		},
	);
	await check(
		`2 workers: ${ROUNDS - 1} more rounds of ${ORDERS} orders for the throughput figure`,
		async () => {
			for (let round = 2; round <= ROUNDS; round++) {
				rates2.push(
					(
						await servedBatch(
							ctx,
							`2 workers, round ${round}`,
							makeOrders(`B${round}`, take(ORDERS), ORDERS),
						)
					).rate,
				);
			}
			assertNobodyHoldsTwo(ctx.sandbox);
		},
	);
	const duplicateTitle = ctx.orderDuplicateSafe
		? 'never gives its customer two codes'
		: 'answers clearly (second codes counted: not promised)';
	await check(
		`the same order posted twice at once (${DUPLICATES} orders, whichever workers take them) ${duplicateTitle}`,
		async () => {
			const orders = makeOrders('D', take(DUPLICATES), DUPLICATES);
			const { results } = await postOrders(ctx.orderUrl, [...orders, ...orders]);
			log(`    answers: ${summarizeStatuses(results)}`);
			const held = codesByCustomer(ctx.sandbox.getState());
			for (const r of results) {
				if (r.status === 200 && r.code)
					assert.ok(
						(held.get(customerId(r.customer)) ?? []).includes(r.code),
						`${r.code} (order ${r.orderId}) held by its customer`,
					);
				else
					assert.ok(
						r.status >= 400,
						`order ${r.orderId}: a clear answer, not ${r.status || r.error} ${r.text.slice(0, 200)}`,
					);
			}
			const twice = orders.filter((o) => (held.get(customerId(o.customer)) ?? []).length > 1);
			measurements.simultaneousDuplicates = {
				orders: DUPLICATES,
				customersWithTwoCodes: twice.length,
			};
			log(`    ${twice.length} of ${DUPLICATES} customers got two codes`);
			if (ctx.orderDuplicateSafe) assertNobodyHoldsTwo(ctx.sandbox, orders);
			for (const order of orders) {
				const named = results.filter((r) => r.orderId === order.orderId && r.code);
				assert.ok(named.length > 0, `order ${order.orderId}: one of the two answers names a code`);
				if (ctx.orderDuplicateSafe) {
					assert.equal(
						named.length,
						2,
						`order ${order.orderId}: both deliveries answered with a code`,
					);
					assert.equal(
						named[0].code,
						named[1].code,
						`order ${order.orderId}: both deliveries answered with one code`,
					);
				}
			}
			if (ctx.orderDuplicateSafe) {
				// The same orders once more, on whichever workers: every answer is the code the order already has.
				const again = await postOrders(ctx.orderUrl, orders);
				const before = codesByCustomer(ctx.sandbox.getState());
				for (const r of again.results) {
					assert.equal(
						r.status,
						200,
						`order ${r.orderId} sent again: ${r.status} ${r.text.slice(0, 200)}`,
					);
					assert.deepEqual(
						before.get(customerId(r.customer)),
						[r.code],
						`order ${r.orderId} sent again: the same code, no second one`,
					);
				}
				log(
					`    the ${DUPLICATES} orders sent again: ${summarizeStatuses(again.results)}, 0 new codes`,
				);
			}
		},
	);

	// n8n keeps getting faster over the first few hundred executions (JIT): 1-worker rounds before AND after
	// the 2-worker rounds keep that drift out of the ratio.
	await check(
		`worker-2 stops gracefully (SIGTERM); 1 worker again: ${ROUNDS} × ${ORDERS} orders`,
		async () => {
			const worker2 = ctx.workers[1];
			await stopWorker(worker2);
			assert.equal(await worker2.process.exited, 0, 'worker-2 exits 0 on SIGTERM');
			for (let round = 1; round <= ROUNDS; round++) {
				const { rate, byWorker } = await servedBatch(
					ctx,
					`1 worker again, round ${round}`,
					makeOrders(`C${round}`, take(ORDERS), ORDERS),
				);
				assert.equal(byWorker[worker1.name], ORDERS);
				rates1.push(rate);
			}
		},
	);
	await check('a second worker starts again', async () => {
		await ctx.addWorker('worker-2-restarted');
		await servedBatch(ctx, 'warm-up, 2 workers again', makeOrders('W3', take(WARMUP), WARMUP));
	});
	const [rate1, rate2] = [median(rates1), median(rates2)];
	measurements.ordersPerSecond = {
		oneWorker: Number(rate1.toFixed(1)),
		twoWorkers: Number(rate2.toFixed(1)),
		ratio: Number((rate2 / rate1).toFixed(2)),
		rounds: {
			oneWorker: rates1.map((r) => Number(r.toFixed(1))),
			twoWorkers: rates2.map((r) => Number(r.toFixed(1))),
		},
	};
	log(
		`    throughput (median of ${rates1.length} / ${rates2.length} rounds of ${ORDERS} orders): 1 worker ${rate1.toFixed(1)} orders/s, 2 workers ${rate2.toFixed(1)} orders/s, ratio ${(rate2 / rate1).toFixed(2)}`,
	);

	let refusedInFault: OrderResult[] = [];
	await check(
		`worker-1 SIGKILLed while Altcraft holds the answers of attaches it applied (${FAULT_ORDERS} orders): no customer holds two codes, every order answered or visibly failed, no silent re-run`,
		async () => {
			const before = await lastExecutionId(ctx);
			// The sandbox applies every attach but holds its answer (a test-only switch) until worker-1 is dead:
			// every run kills a worker whose attaches went through unanswered, the worst moment for a worker to
			// die, whatever the timing. The surviving worker's held answers are sent after the kill.
			ctx.sandbox.holdAppliedAnswers('promocodes/attach');
			const faultOrders = makeOrders('F', take(FAULT_ORDERS), FAULT_ORDERS);
			const batch = postOrders(ctx.orderUrl, faultOrders);
			const worker1Group = worker1.process.child.pid ?? 0;
			let heldOnKilled: HeldAnswer[];
			try {
				heldOnKilled = await waitFor(
					`${HELD_ON_KILLED} attaches of worker-1 applied and held unanswered`,
					async () => {
						const ports = clientPortsOfGroup(worker1Group, ctx.sandbox.port);
						const held = ctx.sandbox
							.heldAnswers()
							.filter((h) => h.remotePort !== undefined && ports.has(h.remotePort));
						return held.length >= HELD_ON_KILLED ? held : undefined;
					},
					{ timeoutMs: 60_000, intervalMs: 100 },
				);
			} catch (error) {
				ctx.sandbox.releaseHeldAnswers();
				throw error;
			}
			const killedAt = Date.now();
			killWorker(worker1);
			await worker1.process.exited;
			const released = ctx.sandbox.releaseHeldAnswers();
			// Its log up to the kill: executions it had started and not finished.
			const { started: startedByKilled, finished: finishedByKilled } = workerExecutions(worker1);
			const inFlightOnKill = [...startedByKilled].filter(
				(id) => Number(id) > before && !finishedByKilled.has(id),
			);
			log(
				`    killed worker-1 (SIGKILL) holding ${heldOnKilled.length} applied, unanswered attaches, executions ${inFlightOnKill.join(', ')} in flight; ${released} held answers of worker-2 sent`,
			);
			const { results, ms } = await batch;
			log(`    answers after ${formatDuration(ms)}: ${summarizeStatuses(results)}`);

			// n8n must settle every execution: none may stay "new"/"running" once the stalled jobs are failed.
			const rows = await waitFor(
				'every fault-phase execution to reach a final status',
				async () => {
					const found = await newExecutions(ctx, before);
					return found.length === FAULT_ORDERS &&
						found.every((r) => ['success', 'error', 'crashed', 'canceled'].includes(r.status))
						? found
						: undefined;
				},
				{ timeoutMs: 90_000, intervalMs: 1000 },
			);
			const settledAfter = Date.now() - killedAt;
			const statusCounts: Record<string, number> = {};
			for (const row of rows) statusCounts[row.status] = (statusCounts[row.status] ?? 0) + 1;
			log(
				`    executions: ${JSON.stringify(statusCounts)}, all settled ${formatDuration(settledAfter)} after the kill`,
			);

			assertNobodyHoldsTwo(ctx.sandbox, faultOrders);
			const served = results.filter((r) => r.status === 200 && r.code);
			const refused = results.filter((r) => !(r.status === 200 && r.code));
			const refusedAnswers = [
				...new Set(refused.map((r) => `${r.status} ${r.text.slice(0, 200)}`)),
			];
			log(`    refused orders were answered: ${refusedAnswers.join(' | ') || '(none)'}`);
			for (const r of served)
				assert.deepEqual(
					holders(ctx.sandbox, r.code as string),
					[`1:${customerId(r.customer)}`],
					`${r.code} (order ${r.orderId}) held by its customer`,
				);
			for (const r of refused) {
				assert.ok(
					r.status >= 400,
					`order ${r.orderId} got a clear failure (an HTTP error), not ${r.status || r.error} ${r.text.slice(0, 200)}`,
				);
			}
			// The attaches that were applied when worker-1 died: each customer holds exactly that code, the order
			// was answered as a failure (nobody told the shop a code it never learnt), and no other worker
			// attached again for that customer after the kill (no silent re-run).
			for (const held of heldOnKilled) {
				const email = String(held.body.email);
				const order = results.find((r) => customerEmail(r.customer) === email);
				assert.ok(order, `the held attach for ${email} belongs to a fault-phase order`);
				assert.deepEqual(
					codesByCustomer(ctx.sandbox.getState()).get(customerId(order.customer)),
					[String(held.body.code)],
					`${email} holds exactly the code applied before the kill`,
				);
				assert.ok(
					!(order.status === 200 && order.code),
					`order ${order.orderId} (attach applied, worker killed) is not answered as served: ${order.status} ${order.text.slice(0, 200)}`,
				);
				const again = ctx.sandbox.requests.filter(
					(r) =>
						r.path.endsWith('promocodes/attach') &&
						Date.parse(r.receivedAt) >= killedAt &&
						r.body?.email === email,
				);
				assert.deepEqual(
					again.map((r) => r.body?.code),
					[],
					`no attach for ${email} after the kill (no silent re-run)`,
				);
			}
			const failedExecutions = rows.filter((r) => r.status !== 'success');
			// Refusals the workflow answered itself (its error branch echoes the order) come from a successful
			// execution; every other refusal is n8n's own answer for an execution that failed. Not the other way
			// round: a worker killed right after "Respond to Webhook" leaves a served order whose execution n8n
			// then marks as failed.
			const refusedByN8n = refused.filter(
				(r) => (r.body?.orderId ?? r.body?.order_id) !== r.orderId,
			);
			assert.ok(
				refusedByN8n.length <= failedExecutions.length,
				`every order n8n refused is visible as a failed execution: ${refusedByN8n.length} refused, ${failedExecutions.length} failed`,
			);
			if (refusedByN8n.length < failedExecutions.length) {
				log(
					`    ${failedExecutions.length - refusedByN8n.length} execution(s) failed after answering their order`,
				);
			}
			// maxStalledCount 0: n8n never hands a job of the dead worker to another one.
			const rerun = rows.filter(
				(row) => ctx.workers.filter((w) => workerExecutions(w).started.has(row.id)).length > 1,
			);
			assert.deepEqual(
				rerun.map((r) => r.id),
				[],
				'no execution was started on two workers (no silent re-run)',
			);
			// The log can lag the database by a line (a kill between saving and logging "finished"), so this
			// asks only that the kill demonstrably hit running executions and n8n reported them.
			const failedInFlight = inFlightOnKill.filter((id) =>
				failedExecutions.some((r) => r.id === id),
			);
			assert.ok(
				failedInFlight.length > 0,
				`executions in flight on the killed worker (${inFlightOnKill.join(', ')}) are reported failed`,
			);
			const sample = failedExecutions[0]
				? await getExecution(ctx.rest, ctx.config.runtime, failedExecutions[0].id)
				: undefined;
			const sampleError = sample ? executionError(sample) : undefined;
			if (sample)
				log(`    execution ${sample.id}: status ${sample.status}, error "${sampleError ?? ''}"`);
			const heldByRefused = refused.filter(
				(r) =>
					(codesByCustomer(ctx.sandbox.getState()).get(customerId(r.customer)) ?? []).length > 0,
			);
			log(
				`    ${heldByRefused.length} of ${refused.length} refused orders' customers hold a code (attached before the worker died)`,
			);
			refusedInFault = refused;
			measurements.fault = {
				orders: FAULT_ORDERS,
				appliedUnansweredOnKilledWorker: heldOnKilled.length,
				heldAnswersSentToSurvivor: released,
				inFlightOnKilledWorker: inFlightOnKill.length,
				inFlightReportedFailed: failedInFlight.length,
				answers: summarizeStatuses(results),
				executions: statusCounts,
				settledAfterKillMs: settledAfter,
				failedExecutionError: sampleError,
				refusedAnswers,
				refusedButHoldingCode: heldByRefused.length,
			};
		},
	);

	const retryTitle = ctx.orderDuplicateSafe ? 'never a second code' : 'second codes counted';
	await check(
		`the shop retries each refused order once (same order ID): a code or a clear answer; ${retryTitle}`,
		async () => {
			if (refusedInFault.length === 0) {
				log('    skipped: no order was refused');
				return;
			}
			const retried = refusedInFault.map(({ orderId, customer }) => ({ orderId, customer }));
			const { results } = await postOrders(ctx.orderUrl, retried);
			log(`    retry answers: ${summarizeStatuses(results)}`);
			for (const r of results) {
				if (r.status === 200 && r.code)
					assert.deepEqual(
						holders(ctx.sandbox, r.code),
						[`1:${customerId(r.customer)}`],
						`${r.code} (retried order ${r.orderId}) held by its customer`,
					);
				else
					assert.ok(
						r.status >= 400,
						`retried order ${r.orderId} got a clear answer, not ${r.status || r.error} ${r.text.slice(0, 200)}`,
					);
			}
			const held = codesByCustomer(ctx.sandbox.getState());
			const count = (r: OrderResult) => (held.get(customerId(r.customer)) ?? []).length;
			const outcome = {
				servedOnRetry: results.filter((r) => r.status === 200 && r.code).length,
				refusedAgainHoldingOneCode: results.filter(
					(r) => !(r.status === 200 && r.code) && count(r) === 1,
				).length,
				refusedAgainHoldingNoCode: results.filter(
					(r) => !(r.status === 200 && r.code) && count(r) === 0,
				).length,
				holdingTwoCodes: results.filter((r) => count(r) > 1).length,
				answersWhenRefusedAgain: [
					...new Set(
						results
							.filter((r) => !(r.status === 200 && r.code))
							.map((r) => `${r.status} ${r.text.slice(0, 160)}`),
					),
				],
			};
			log(`    after the retry: ${JSON.stringify(outcome)}`);
			measurements.retry = outcome;
			if (ctx.orderDuplicateSafe) assertNobodyHoldsTwo(ctx.sandbox, retried);
		},
	);

	await check('the surviving worker keeps serving orders', async () => {
		await servedBatch(ctx, '1 surviving worker', makeOrders('S', take(10), 10));
	});

	await check(
		'no token at rest: n8n output, debug logs, PostgreSQL dump, event logs, user folders, sandbox log',
		async () => {
			const token = ctx.sandbox.token;
			// Read back and searched here, so that the token never appears on a command line.
			const rows = await psqlQuery(ctx.pg, 'select count(*) from execution_data');
			assert.ok(Number(rows[0][0]) > 0, 'execution data stored');
			const report = await searchTokenAtRest({
				token,
				userFolders: readdirSync(ctx.config.root).map((name) => path.join(ctx.config.root, name)),
				logDirs: [LOG_DIR],
				sandboxLogs: [ctx.sandboxLog.flush()],
				postgres: { pg: ctx.pg, dumpDir: path.dirname(ctx.config.root) },
				outputs: [
					{ label: 'main output', text: ctx.main.output() },
					...ctx.workers.map((w) => ({ label: `${w.name} output`, text: w.output() })),
					{
						label: 'sandbox request log (HTTP view)',
						text: await (await fetch(`${ctx.sandbox.baseUrl}/__sandbox/requests`)).text(),
					},
				],
				positiveControl: {
					label: "the sandbox's raw request bodies",
					text: ctx.sandbox.requests.map((r) => r.rawBody).join('\n'),
				},
			});
			log(`    searched: ${describeSearch(report)}`);
			assertNoTokenAtRest(report, ['postgres dump', 'event logs', 'n8n logs', 'sandbox log']);
		},
	);
}

interface Running {
	n8n: Array<{ name: string; stop: () => Promise<void> }>;
	services: Service[];
	sandbox?: Sandbox;
	ports: number[];
	/** Process-group ids (every child is started as a group leader). */
	groups: number[];
}

/** Stops everything in order (n8n before its database and queue), then lists what is still there. */
function makeTeardown(running: Running): () => Promise<string[]> {
	let done: Promise<string[]> | undefined;
	return () =>
		(done ??= (async () => {
			// Every process of the run, taken before stopping: PostgreSQL's backends are not in its process group.
			const pids = running.groups.flatMap((leader) => members(leader));
			await Promise.all(running.n8n.map((p) => p.stop()));
			await running.sandbox?.stop();
			for (const service of [...running.services].reverse()) await service.stop();
			const leftovers: string[] = [];
			for (const port of running.ports)
				if (await isPortInUse(port)) leftovers.push(`port ${port} still in use`);
			const alive = pids.filter((pid) => existsSync(`/proc/${pid}`));
			if (alive.length > 0) leftovers.push(`processes ${alive.join(', ')} still alive`);
			log(
				leftovers.length === 0
					? '  teardown: every process stopped, every port free'
					: `  teardown left: ${leftovers.join(', ')}`,
			);
			return leftovers;
		})());
}

runMain(async () => {
	const started = Date.now();
	const args = process.argv.slice(2);
	const standInArg = args.find((a) => a === '--stand-in' || a.startsWith('--stand-in='));
	const standIn =
		standInArg === undefined
			? undefined
			: standInArg === '--stand-in'
				? 'by-id'
				: standInArg.slice('--stand-in='.length);
	if (standIn !== undefined && !STAND_INS[standIn])
		throw new Error(`--stand-in=${standIn}: use one of ${Object.keys(STAND_INS).join(', ')}`);
	const version = args.find((a) => !a.startsWith('--')) ?? DEFAULT_N8N_VERSION;
	const order = standIn ? STAND_INS[standIn] : SHOP_EXAMPLE;
	const rounds = args.find((a) => a.startsWith('--rounds='));
	if (rounds) ROUNDS = Math.max(1, Math.min(10, Number(rounds.slice('--rounds='.length)) || 3));
	rmSync(LOG_DIR, { recursive: true, force: true });
	mkdirSync(LOG_DIR, { recursive: true });
	const work = mkdtempSync(path.join(os.tmpdir(), 'altcraft-queue-'));
	onCleanup(() => rmSync(work, { recursive: true, force: true })); // registered first: runs last

	log(`Queue-mode e2e on n8n ${version} (logs: ${path.relative(REPO_ROOT, LOG_DIR)})`);
	if (standIn)
		log(
			`  order workflow: the stand-in ${path.relative(REPO_ROOT, order.file)} (--stand-in=${standIn})`,
		);
	else if (!readFileSync(order.file, 'utf8').includes('"attachFreeCode"')) {
		log(
			'  note: examples/order-webhook-attach-promo.json does not use Attach Free Code yet; concurrent orders will collide',
		);
	}

	const running: Running = { n8n: [], services: [], ports: [], groups: [] };
	const teardown = makeTeardown(running);
	onCleanup(async () => void (await teardown())); // on failure and Ctrl-C; a no-op after the normal teardown
	const trackService = (service: Service) => {
		running.services.push(service);
		running.ports.push(service.port);
		if (service.process.child.pid) running.groups.push(service.process.child.pid);
	};

	await ensureRedisAndPostgres();
	const runtime = await installN8n(version);
	const given = args.find((a) => a.startsWith('--tarball='))?.slice('--tarball='.length);
	if (!given) log('Building and packing n8n-nodes-altcraft…');
	const tarball = given ? path.resolve(given) : await buildAndPack(path.join(work, 'pack'));

	const redis = await startRedis(LOG_DIR);
	trackService(redis);
	const pg = await startPostgres(LOG_DIR);
	trackService(pg);
	const token = `queue-${randomBytes(12).toString('hex')}`;
	const sandboxLog = sandboxLogFile(path.join(LOG_DIR, 'sandbox.log'));
	const sandbox = await startSandbox({
		port: 0,
		token,
		seed: queueSeed(CUSTOMERS, CODES),
		maxRequestLog: 20_000,
		log: sandboxLog.log,
	});
	running.sandbox = sandbox;
	running.ports.push(sandbox.port);
	log(`  redis 127.0.0.1:${redis.port}, postgres 127.0.0.1:${pg.port}, sandbox ${sandbox.baseUrl}`);

	const config: ClusterConfig = {
		runtime,
		root: path.join(work, 'n8n'),
		logDir: LOG_DIR,
		redisPort: redis.port,
		pg,
		encryptionKey: randomBytes(24).toString('hex'),
	};
	const mainSetup = await prepareMain(config, tarball);
	await importCredential(mainSetup, { baseUrl: sandbox.baseUrl, token });
	for (const file of ['import-codes-summary.json', CHECKOUT.file])
		await importWorkflow(mainSetup, path.join(EXAMPLES_DIR, file));
	await activateWorkflow(mainSetup, CHECKOUT.id);
	await importWorkflow(mainSetup, order.file);
	await activateWorkflow(mainSetup, order.id);
	await importWorkflow(mainSetup, TRIGGER_FIXTURE);
	await activateWorkflow(mainSetup, TRIGGER_WORKFLOW_ID);

	const main = await startMain(mainSetup);
	running.n8n.push({ name: 'main', stop: () => stopProcess(main.process, 15_000) });
	if (main.process.child.pid) running.groups.push(main.process.child.pid);
	running.ports.push(mainSetup.port, Number(mainSetup.env.N8N_RUNNERS_BROKER_PORT));
	const cpuGroups: CpuGroup[] = [];
	for (const [name, tracked] of [
		['main', main.process],
		['postgres', pg.process],
		['redis', redis.process],
	] as const) {
		if (tracked.child.pid) cpuGroups.push({ name, pgid: tracked.child.pid });
	}
	const workers: Worker[] = [];
	const addWorker = async (name: string) => {
		const worker = await startWorker(config, name, mainSetup);
		workers.push(worker);
		if (worker.process.child.pid) cpuGroups.push({ name, pgid: worker.process.child.pid });
		running.n8n.push({ name, stop: () => stopWorker(worker) });
		if (worker.process.child.pid) running.groups.push(worker.process.child.pid);
		running.ports.push(
			Number(worker.setup.env.QUEUE_HEALTH_CHECK_PORT),
			Number(worker.setup.env.N8N_RUNNERS_BROKER_PORT),
		);
		return worker;
	};
	await addWorker('worker-1');
	log(`  main ${main.baseUrl} + worker-1 up after ${formatDuration(Date.now() - started)}`);

	const rest = new N8nRest(main.baseUrl);
	const owner = {
		email: 'owner@example.com',
		password: `Queue-${randomBytes(6).toString('hex')}-Pass1`,
		firstName: 'Queue',
		lastName: 'E2E',
	};
	await rest.setupOwner(owner);
	await rest.login(owner.email, owner.password);

	const ctx: Context = {
		sandbox,
		pg,
		rest,
		main,
		mainSetup,
		config,
		workers,
		addWorker,
		orderUrl: `${main.baseUrl}/webhook/${order.path}`,
		orderWorkflowId: order.id,
		orderDuplicateSafe: order.duplicateSafe,
		cpuGroups,
		sandboxLog,
	};
	let failure: unknown;
	try {
		await runSuite(ctx);
	} catch (error) {
		failure = error;
	}
	const leftovers = await teardown();
	measurements.durationMs = Date.now() - started;
	writeFileSync(
		path.join(LOG_DIR, 'results.json'),
		JSON.stringify(
			{
				n8n: version,
				node: process.version,
				orderWorkflow: order.id,
				workerConcurrency: WORKER_CONCURRENCY,
				timings: QUEUE_TIMINGS,
				passed: !failure,
				...measurements,
			},
			null,
			2,
		) + '\n',
	);
	if (failure) throw failure;
	assert.deepEqual(leftovers, [], 'teardown leaves nothing running');
	log(`\nQueue e2e passed in ${formatDuration(Date.now() - started)}`);
});
