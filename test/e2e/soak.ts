/**
 * Soak: a sale with faults. n8n 2.8.4 in queue mode (main + 2 workers, Redis, PostgreSQL) runs the shop
 * example (examples/order-webhook-attach-promo.json, read at run time) while orders arrive at a steady
 * rate and the sandbox is slow and faulty: latency 10–150 ms on every request, 2 % 503 with Retry-After
 * 1 s, 1 % connection reset before the request is handled, 1 % of attaches reset after being applied,
 * and one outage (connections refused) in the middle.
 *
 *   npm run test:soak                       # CI size: 800 orders at 15/s, 5 s outage
 *   npm run test:soak -- --full             # full size: 5,000 orders at 17/s, 20 s outage
 *   npm run test:soak -- --orders=N --rate=R --outage=S --seed=N --speed-rounds=N
 *
 * Asserts on the shop's answers and the sandbox's state, not on the workflow's inner steps (so it holds
 * whatever duplicate handling the example uses): every order answered; every 200 names a code its
 * customer holds, and only that one; every definite failure leaves its customer without a code;
 * "outcome unknown" answers counted, each such customer with at most one code; no customer with two
 * codes, no code on two customers; orders sent during the outage answered 502/503 within the node's
 * budget for one call; served again after the outage without intervention; the workers' memory over the
 * last quarter (at most 1,000 orders) within 15 % of the first; connections to the sandbox never above
 * workers × worker concurrency. Before the sale, without faults, it measures the shop flow's orders/s
 * and p50/p99 against n8n's own floor (Webhook → Respond to Webhook) on the same cluster, in rounds
 * of 50 orders at once taking turns (lib/throughput.ts; reported, not asserted). Prints one table;
 * writes artifacts/soak/results.json.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type ChaosRule } from '../../sandbox/src';
import { installN8n } from '../../scripts/lib/install';
import {
	activateWorkflow,
	buildAndPack,
	importCredential,
	importWorkflow,
} from '../../scripts/lib/n8n';
import {
	ARTIFACTS_DIR,
	DEFAULT_N8N_VERSION,
	EXAMPLES_DIR,
	REPO_ROOT,
} from '../../scripts/lib/paths';
import {
	formatDuration,
	log,
	onCleanup,
	runMain,
	sleep,
	stopProcess,
} from '../../scripts/lib/processes';
import { ensureRedisAndPostgres, startPostgres, startRedis } from '../../scripts/lib/services';
import {
	assertNoTokenAtRest,
	describeSearch,
	sandboxLogFile,
	searchTokenAtRest,
} from './lib/token-at-rest';
import {
	prepareMain,
	startMain,
	startWorker,
	WORKER_CONCURRENCY,
	type ClusterConfig,
	type Worker,
} from './queue/cluster';
import {
	codesByCustomer,
	customerEmail,
	customerId,
	makeOrders,
	orderSequence,
	postOrder,
	queueSeed,
	type OrderResult,
} from './queue/orders';
import { groupRssMb, meanRss, percentile, type Sample } from './soak/measure';
import { groupCpuSeconds, ownCpuSeconds } from './queue/cpu';
import { alternateRounds, floorFlow, floorWorkflow, shopFlow, speedRows } from './lib/throughput';

const LOG_DIR = path.join(ARTIFACTS_DIR, 'soak');
const SHOP_FILE = path.join(EXAMPLES_DIR, 'order-webhook-attach-promo.json');
const WORKERS = 2;
const WARMUP = 30;
/** The shop's own patience per order: an answer later than this counts as none. */
const SHOP_TIMEOUT_MS = 180_000;
/**
 * The node's budget for one call with its defaults: (Max Retries 3 + 1) attempts × Timeout 20 s, plus
 * backoff of at most 0.25 + 0.5 + 1 s. An order refused in an outage must be answered within it.
 */
const NODE_CALL_BUDGET_MS = 4 * 20_000 + 1_750;
const FAULTS: ChaosRule[] = [
	{ fault: { kind: 'status503', retryAfter: 1 }, probability: 0.02 },
	{ fault: 'resetBeforeApply', probability: 0.01 },
	{ fault: 'resetAfterApply', probability: 0.01, path: 'promocodes/attach' },
];
const LATENCY_MS: [number, number] = [10, 150];
const SPEED_ROUND_SIZE = 50;
const FLOOR_ID = 'soak-floor';

interface Settings {
	orders: number;
	rate: number;
	outageS: number;
	seed: number;
	/** Rounds of SPEED_ROUND_SIZE orders per flow for the speed against n8n's floor. */
	speedRounds: number;
	size: 'CI' | 'full' | 'custom';
}

function settingsFrom(args: string[]): Settings {
	const full = args.includes('--full');
	const value = (name: string, fallback: number) => {
		const raw = args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
		if (raw === undefined) return fallback;
		const n = Number(raw);
		if (!Number.isFinite(n) || n <= 0)
			throw new Error(`--${name} must be a positive number, got "${raw}"`);
		return n;
	};
	const custom = args.some((a) => /^--(orders|rate|outage)=/.test(a));
	return {
		orders: Math.round(value('orders', full ? 5000 : 800)),
		rate: value('rate', full ? 17 : 15),
		outageS: value('outage', full ? 20 : 5),
		seed: Math.round(value('seed', 1)),
		speedRounds: Math.round(value('speed-rounds', full ? 10 : 4)),
		size: custom ? 'custom' : full ? 'full' : 'CI',
	};
}

/** The most frequent answers ("12 × 502 Could not reach Altcraft…"), order-specific parts removed. */
function topAnswers(results: OrderResult[]): string {
	const counts = new Map<string, number>();
	for (const r of results) {
		const text = (typeof r.body?.error === 'string' ? r.body.error : r.text)
			.replace(/S-\d+|q-\d+@example\.com|SHOP-\d+|127\.0\.0\.1:\d+/g, '…')
			.slice(0, 90);
		const key = `${r.status} ${text}`;
		counts.set(key, (counts.get(key) ?? 0) + 1);
	}
	return (
		[...counts]
			.sort((a, b) => b[1] - a[1])
			.slice(0, 4)
			.map(([k, v]) => `${v} × ${k}`)
			.join('; ') || 'none'
	);
}

type Outcome = 'served' | 'definite failure' | 'outcome unknown' | 'no answer';

/** What the shop learnt: a code, a failure that says nothing was done, a failure that says it may have been done, or nothing. */
function classify(r: OrderResult): Outcome {
	if (r.status === 0) return 'no answer';
	if (r.status === 200 && r.code) return 'served';
	const text = typeof r.body?.error === 'string' ? r.body.error : r.text;
	return /unknown|may have/i.test(text) ? 'outcome unknown' : 'definite failure';
}

interface Sent extends OrderResult {
	sentAt: number;
	answeredAt: number;
	outcome: Outcome;
}

/** Workflow id and webhook path, read from the example (whatever its current shape). */
function shopWorkflow(): { id: string; webhookPath: string } {
	const workflow = JSON.parse(readFileSync(SHOP_FILE, 'utf8')) as {
		id: string;
		nodes: Array<{ type: string; parameters: { path?: string } }>;
	};
	const webhook = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.webhook');
	assert.ok(webhook?.parameters.path, 'the shop example has a webhook with a path');
	return { id: workflow.id, webhookPath: webhook.parameters.path };
}

runMain(async () => {
	const started = Date.now();
	const settings = settingsFrom(process.argv.slice(2));
	rmSync(LOG_DIR, { recursive: true, force: true });
	mkdirSync(LOG_DIR, { recursive: true });
	const work = mkdtempSync(path.join(os.tmpdir(), 'altcraft-soak-'));
	onCleanup(() => rmSync(work, { recursive: true, force: true })); // registered first: runs last
	log(
		`Soak (${settings.size} size) on n8n ${DEFAULT_N8N_VERSION} in queue mode: ${settings.orders} orders at ${settings.rate}/s, ${settings.outageS} s outage (logs: ${path.relative(REPO_ROOT, LOG_DIR)})`,
	);

	await ensureRedisAndPostgres();
	const runtime = await installN8n(DEFAULT_N8N_VERSION);
	const tarball = await buildAndPack(path.join(work, 'pack'));
	const redis = await startRedis(LOG_DIR);
	onCleanup(() => redis.stop());
	const pg = await startPostgres(LOG_DIR);
	onCleanup(() => pg.stop());
	const token = `soak-${randomBytes(12).toString('hex')}`;
	const customers = settings.orders + WARMUP + settings.speedRounds * SPEED_ROUND_SIZE;
	const sandboxLog = sandboxLogFile(path.join(LOG_DIR, 'sandbox.log'));
	// A request log long enough to trace every order of the sale (about 4 calls each) for a failure's report.
	const sandbox = await startSandbox({
		port: 0,
		token,
		seed: queueSeed(customers, Math.ceil(customers * 1.1)),
		log: sandboxLog.log,
		maxRequestLog: customers * 8,
	});
	onCleanup(() => sandbox.stop());

	const shop = shopWorkflow();
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
	await importWorkflow(mainSetup, SHOP_FILE);
	await activateWorkflow(mainSetup, shop.id);
	const floorFile = path.join(work, 'floor.json');
	writeFileSync(floorFile, JSON.stringify(floorWorkflow(FLOOR_ID, FLOOR_ID)));
	await importWorkflow(mainSetup, floorFile);
	await activateWorkflow(mainSetup, FLOOR_ID);
	const main = await startMain(mainSetup);
	onCleanup(() => stopProcess(main.process, 15_000)); // n8n stops before its database and queue
	const workers: Worker[] = [];
	for (let i = 1; i <= WORKERS; i++) {
		const worker = await startWorker(config, `worker-${i}`, mainSetup);
		workers.push(worker);
		onCleanup(() => stopProcess(worker.process, 15_000));
	}
	const url = `${main.baseUrl}/webhook/${shop.webhookPath}`;
	log(
		`  main + ${WORKERS} workers up after ${formatDuration(Date.now() - started)}; orders go to ${url}`,
	);

	// Warm-up without faults: the first executions of a fresh n8n are slow, and the setup must work.
	const warmup = await Promise.all(
		makeOrders('WARM', 1, WARMUP).map((order) => postOrder(url, order, SHOP_TIMEOUT_MS)),
	);
	const warmFailed = warmup.filter((r) => !(r.status === 200 && r.code));
	assert.equal(
		warmFailed.length,
		0,
		`warm-up orders served without faults; first failure: ${JSON.stringify(warmFailed[0])}`,
	);

	// Speed against n8n's floor on this cluster, before the sale and without faults: rounds of
	// orders at once, the floor (Webhook → Respond to Webhook) and the shop taking turns.
	const cpuOf = (pid: number | undefined) => () => (pid ? groupCpuSeconds(pid) : 0);
	const speeds = await alternateRounds(
		[
			floorFlow(`${main.baseUrl}/webhook/${FLOOR_ID}`),
			shopFlow('shop example', url, orderSequence('T', WARMUP + settings.orders + 1)),
		],
		settings.speedRounds,
		SPEED_ROUND_SIZE,
		{
			main: cpuOf(main.process.child.pid),
			workers: () => workers.reduce((sum, w) => sum + cpuOf(w.process.child.pid)(), 0),
			'PostgreSQL + Redis': () => cpuOf(pg.process.child.pid)() + cpuOf(redis.process.child.pid)(),
			'this process (orders + sandbox)': ownCpuSeconds,
		},
	);
	for (const [name, value] of speedRows(speeds)) log(`  speed, ${name}: ${value}`);

	// The sale.
	sandbox.setChaos({ seed: settings.seed, rules: FAULTS, latencyMs: LATENCY_MS });
	sandbox.resetStats();
	const samples: Sample[] = [];
	const sampler = setInterval(() => {
		const rssMb = workers.reduce(
			(sum, w) => sum + (w.process.child.pid ? groupRssMb(w.process.child.pid) : 0),
			0,
		);
		samples.push({ at: Date.now(), rssMb, sockets: sandbox.stats().connectionsOpen });
	}, 1000);
	const orders = makeOrders('S', WARMUP + 1, settings.orders);
	const saleStart = Date.now();
	const interval = 1000 / settings.rate;
	const outageStart = saleStart + (settings.orders / 2) * interval;
	const outageEnd = outageStart + settings.outageS * 1000;
	const outage = (async () => {
		await sleep(outageStart - Date.now());
		await sandbox.refuseConnections();
		log(
			`  outage from ${new Date().toISOString().slice(11, 23)}: connections refused for ${settings.outageS} s (orders ${Math.round(settings.orders / 2)}…)`,
		);
		await sleep(outageEnd - Date.now());
		await sandbox.acceptConnections();
		log(
			`  outage over at ${new Date().toISOString().slice(11, 23)}: the sandbox accepts connections again`,
		);
	})();
	const pending: Array<Promise<Sent>> = [];
	for (let i = 0; i < orders.length; i++) {
		const due = saleStart + i * interval;
		if (due > Date.now()) await sleep(due - Date.now());
		const sentAt = Date.now();
		pending.push(
			postOrder(url, orders[i], SHOP_TIMEOUT_MS).then((r) => ({
				...r,
				sentAt,
				answeredAt: Date.now(),
				outcome: classify(r),
			})),
		);
		if ((i + 1) % 200 === 0)
			log(`  ${i + 1} orders sent in ${formatDuration(Date.now() - saleStart)}`);
	}
	const sendSeconds = (Date.now() - saleStart) / 1000;
	await outage;
	const results = await Promise.all(pending);
	clearInterval(sampler);
	const saleSeconds = (Math.max(...results.map((r) => r.answeredAt)) - saleStart) / 1000;
	const faultCounts = sandbox.chaosCounts();
	sandbox.setChaos(undefined);
	const maxSockets = sandbox.stats().connectionsMaxOpen;
	await sleep(3000); // executions that answered and are still finishing touch no code, but let them end

	// What must hold, from the answers and the sandbox's state.
	const state = sandbox.getState();
	const held = codesByCustomer(state);
	const holdersOf = new Map<string, string[]>();
	for (const [customer, codes] of held)
		for (const code of codes) holdersOf.set(code, [...(holdersOf.get(code) ?? []), customer]);
	const count = (outcome: Outcome) => results.filter((r) => r.outcome === outcome).length;
	const problems: string[] = [];
	const expect = (ok: boolean, what: string) => {
		if (!ok) problems.push(what);
	};
	const noAnswer = results.filter((r) => r.outcome === 'no answer');
	expect(
		noAnswer.length === 0,
		`${noAnswer.length} orders got no answer (first: ${noAnswer[0]?.orderId} ${noAnswer[0]?.error ?? ''})`,
	);
	const wrongCode = results.filter(
		(r) =>
			r.outcome === 'served' &&
			JSON.stringify(held.get(customerId(r.customer))) !== JSON.stringify([r.code]),
	);
	expect(
		wrongCode.length === 0,
		`${wrongCode.length} served orders' customers do not hold exactly the code reported (first: ${wrongCode[0]?.orderId} reported ${wrongCode[0]?.code}, holds ${JSON.stringify(held.get(customerId(wrongCode[0]?.customer ?? 0)))})`,
	);
	const failedWithCode = results.filter(
		(r) => r.outcome === 'definite failure' && (held.get(customerId(r.customer)) ?? []).length > 0,
	);
	expect(
		failedWithCode.length === 0,
		`${failedWithCode.length} orders answered as a definite failure left their customer with a code (first: ${failedWithCode[0]?.orderId} ${failedWithCode[0]?.status} ${failedWithCode[0]?.text.slice(0, 200)})`,
	);
	const unknownWithTwo = results.filter(
		(r) => r.outcome === 'outcome unknown' && (held.get(customerId(r.customer)) ?? []).length > 1,
	);
	expect(
		unknownWithTwo.length === 0,
		`${unknownWithTwo.length} "outcome unknown" customers hold more than one code`,
	);
	const customersWithTwo = [...held.values()].filter((codes) => codes.length > 1).length;
	expect(customersWithTwo === 0, `${customersWithTwo} customers hold two codes or more`);
	const codesOnTwo = [...holdersOf.values()].filter((holders) => holders.length > 1).length;
	expect(codesOnTwo === 0, `${codesOnTwo} codes are on two customers or more`);
	const duringOutage = results.filter((r) => r.sentAt >= outageStart && r.sentAt <= outageEnd);
	const outageBad = duringOutage.filter(
		(r) =>
			!(r.outcome === 'served' || r.status === 502 || r.status === 503) ||
			r.ms > NODE_CALL_BUDGET_MS,
	);
	expect(duringOutage.length > 0, 'orders were sent during the outage');
	expect(
		outageBad.length === 0,
		`${outageBad.length} orders sent during the outage were not answered 200/502/503 within ${NODE_CALL_BUDGET_MS / 1000} s (first: ${outageBad[0]?.orderId} ${outageBad[0]?.status} after ${outageBad[0]?.ms} ms)`,
	);
	const afterOutage = results.filter((r) => r.sentAt >= outageEnd + 5000);
	const servedAfter = afterOutage.filter((r) => r.outcome === 'served').length;
	const firstServedAfter = results
		.filter((r) => r.sentAt >= outageEnd && r.outcome === 'served')
		.sort((a, b) => a.sentAt - b.sentAt)[0];
	expect(
		afterOutage.length === 0 || servedAfter / afterOutage.length >= 0.9,
		`after the outage only ${servedAfter} of ${afterOutage.length} orders were served (recovery)`,
	);
	const window = Math.min(1000, Math.floor(settings.orders / 4));
	const firstWindow: [number, number] = [results[0].sentAt, results[window - 1].sentAt];
	const lastWindow: [number, number] = [
		results[results.length - window].sentAt,
		Math.max(...results.map((r) => r.answeredAt)),
	];
	const rssFirst = meanRss(samples, ...firstWindow);
	const rssLast = meanRss(samples, ...lastWindow);
	expect(
		rssLast <= rssFirst * 1.15,
		`worker memory grew ${((rssLast / rssFirst - 1) * 100).toFixed(0)} % from the first ${window} orders to the last ${window}`,
	);
	const socketLimit = WORKERS * WORKER_CONCURRENCY;
	expect(
		maxSockets <= socketLimit,
		`up to ${maxSockets} connections open at the sandbox, above ${WORKERS} workers × concurrency ${WORKER_CONCURRENCY} = ${socketLimit}`,
	);

	// For each order that broke a promise: its Altcraft calls as the sandbox saw them (for the report).
	const traceOf = (r: Sent) => {
		const email = customerEmail(r.customer);
		const codes = held.get(customerId(r.customer)) ?? [];
		return sandbox.requests
			.filter(
				(q) =>
					q.body?.email === email ||
					(typeof q.body?.code === 'string' && codes.includes(q.body.code)),
			)
			.map(
				(q) =>
					`${q.receivedAt.slice(11, 23)} ${q.path.replace('/api/v1.1/', '')}${q.body?.code ? ` ${String(q.body.code)}` : ''} → ${q.status ?? 'no answer'}${q.fault ? ` fault=${q.fault}` : ''}${q.appliedError !== undefined ? ` applied error=${q.appliedError}` : ''}`,
			);
	};
	const traces = Object.fromEntries(
		[...wrongCode, ...failedWithCode, ...unknownWithTwo].slice(0, 10).map((r) => [
			r.orderId,
			{
				answer: `${r.status} ${r.text.slice(0, 300)}`,
				sentAt: new Date(r.sentAt).toISOString().slice(11, 23),
				holds: held.get(customerId(r.customer)) ?? [],
				calls: traceOf(r),
			},
		]),
	);
	for (const [orderId, trace] of Object.entries(traces))
		log(`  ${orderId}: ${JSON.stringify(trace, null, 1).replace(/\n\s*/g, ' ')}`);
	const served = results.filter((r) => r.outcome === 'served').map((r) => r.ms);
	const rows: Array<[string, string]> = [
		[
			'orders sent',
			`${settings.orders} in ${sendSeconds.toFixed(1)} s (${(settings.orders / sendSeconds).toFixed(1)}/s asked ${settings.rate}/s)`,
		],
		['all answered after', `${saleSeconds.toFixed(1)} s`],
		['served (200 with a code)', `${count('served')}`],
		[
			'definite failures',
			`${count('definite failure')} (customers holding a code: ${failedWithCode.length})`,
		],
		['failures by answer', topAnswers(results.filter((r) => r.outcome !== 'served'))],
		[
			'outcome unknown',
			`${count('outcome unknown')} (customers with 2+ codes: ${unknownWithTwo.length})`,
		],
		['no answer', `${count('no answer')}`],
		[
			'answer time, served',
			`p50 ${percentile(served, 50)} ms, p99 ${percentile(served, 99)} ms, max ${percentile(served, 100)} ms`,
		],
		['customers with 2+ codes / codes on 2+ customers', `${customersWithTwo} / ${codesOnTwo}`],
		[
			'faults injected',
			`${
				Object.entries(faultCounts)
					.map(([k, v]) => `${k} ${v}`)
					.join(', ') || 'none'
			}; latency ${LATENCY_MS.join('–')} ms`,
		],
		[
			`outage ${settings.outageS} s: orders sent in it`,
			`${duringOutage.length}: ${[...new Set(duringOutage.map((r) => r.status))].map((s) => `${duringOutage.filter((r) => r.status === s).length} × ${s}`).join(', ')}; slowest answer ${percentile(
				duringOutage.map((r) => r.ms),
				100,
			)} ms`,
		],
		[
			'recovery',
			`first served order sent ${firstServedAfter ? `${((firstServedAfter.sentAt - outageEnd) / 1000).toFixed(1)} s` : 'never'} after the outage; ${servedAfter} of ${afterOutage.length} served from 5 s after it`,
		],
		[
			`worker RSS, first / last ${window} orders`,
			`${rssFirst.toFixed(0)} MB / ${rssLast.toFixed(0)} MB (${((rssLast / rssFirst - 1) * 100).toFixed(1)} %)`,
		],
		['connections to the sandbox, most open', `${maxSockets} (limit ${socketLimit})`],
		...speedRows(speeds).map(([name, value]): [string, string] => [
			`speed before the sale (${settings.speedRounds} rounds of ${SPEED_ROUND_SIZE} at once, no faults), ${name}`,
			value,
		]),
	];
	const width = Math.max(...rows.map(([k]) => k.length));
	log(
		`\nSoak ${settings.size} size: n8n ${DEFAULT_N8N_VERSION} queue mode, main + ${WORKERS} workers × concurrency ${WORKER_CONCURRENCY}, seed ${settings.seed}`,
	);
	for (const [k, v] of rows) log(`  ${k.padEnd(width)}  ${v}`);

	const report = await searchTokenAtRest({
		token,
		userFolders: ['main', ...workers.map((w) => w.name)].map((name) =>
			path.join(config.root, name),
		),
		logDirs: [LOG_DIR],
		sandboxLogs: [sandboxLog.flush()],
		postgres: { pg, dumpDir: work },
		outputs: [
			{ label: 'main output', text: main.output() },
			...workers.map((w) => ({ label: `${w.name} output`, text: w.output() })),
		],
		positiveControl: {
			label: "the sandbox's raw request bodies",
			text: sandbox.requests.map((r) => r.rawBody).join('\n'),
		},
	});
	log(`  token at rest: searched ${describeSearch(report)}; found ${report.found.length}`);
	writeFileSync(
		path.join(LOG_DIR, 'results.json'),
		JSON.stringify(
			{
				n8n: DEFAULT_N8N_VERSION,
				settings,
				rows: Object.fromEntries(rows),
				problems,
				traces,
				tokenFound: report.found,
				durationMs: Date.now() - started,
			},
			null,
			2,
		) + '\n',
	);
	assert.deepEqual(problems, [], 'the sale with faults keeps every promise');
	assertNoTokenAtRest(report, ['postgres dump', 'event logs', 'n8n logs', 'sandbox log']);
	log(`\nSoak passed in ${formatDuration(Date.now() - started)}`);
});
