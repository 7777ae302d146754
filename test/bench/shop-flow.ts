/**
 * The shop flow's speed in regular mode (not part of `npm test`): one n8n 2.8.4 with SQLite, set
 * up as `npm start` sets it up, the sandbox on loopback, the shop example
 * (examples/order-webhook-attach-promo.json) against n8n's floor (Webhook → Respond to Webhook):
 *
 *   npm run bench:shop                       # 10 rounds of 50 orders at once per flow
 *   npm run bench:shop -- --rounds 20 --size 50
 *
 * A third flow, the shop example with "Save successful production executions" off, shows what
 * writing the execution data costs. Then where the time goes: time per node as n8n records it,
 * each execution's start to end, and the Altcraft calls per order. Prints a Markdown report and
 * writes it to artifacts/bench/shop-flow.md. The queue-mode figures come from the soak
 * (`npm run test:soak`), which measures the same way on its cluster.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startSandbox } from '../../sandbox/src';
import { installN8n } from '../../scripts/lib/install';
import {
	activateWorkflow,
	buildAndPack,
	importCredential,
	importWorkflow,
	installPackageIntoN8n,
	N8nRest,
	prepareN8n,
	startN8n,
} from '../../scripts/lib/n8n';
import { ARTIFACTS_DIR, DEFAULT_N8N_VERSION, EXAMPLES_DIR } from '../../scripts/lib/paths';
import {
	formatDuration,
	freePort,
	log,
	onCleanup,
	runMain,
	stopProcess,
} from '../../scripts/lib/processes';
import { groupCpuSeconds, ownCpuSeconds } from '../e2e/queue/cpu';
import { orderSequence, queueSeed } from '../e2e/queue/orders';
import {
	alternateRounds,
	executionTimes,
	floorFlow,
	floorWorkflow,
	shopFlow,
	speedRows,
	type FlowUnderTest,
} from '../e2e/lib/throughput';

const SHOP_FILE = path.join(EXAMPLES_DIR, 'order-webhook-attach-promo.json');
const OWNER = {
	email: 'bench@example.com',
	password: 'Bench-Passw0rd',
	firstName: 'Bench',
	lastName: 'Owner',
};

function argValue(name: string, fallback: number): number {
	const index = process.argv.indexOf(`--${name}`);
	const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
	if (!Number.isInteger(value) || value <= 0)
		throw new Error(`--${name} must be a positive integer`);
	return value;
}

interface WorkflowFile {
	id: string;
	name: string;
	nodes: Array<{ type: string; parameters: { path?: string } }>;
	settings?: Record<string, unknown>;
}

runMain(async () => {
	const started = Date.now();
	const rounds = argValue('rounds', 10);
	const size = argValue('size', 50);
	const work = mkdtempSync(path.join(os.tmpdir(), 'altcraft-bench-shop-'));
	onCleanup(() => rmSync(work, { recursive: true, force: true }));
	const logDir = path.join(ARTIFACTS_DIR, 'bench', 'shop-flow-logs');
	rmSync(logDir, { recursive: true, force: true });
	const loadBefore = os.loadavg();

	const runtime = await installN8n(DEFAULT_N8N_VERSION);
	const tarball = await buildAndPack(path.join(work, 'pack'));
	// Every shop order is a new customer with a new order id; two shop flows and a warm-up round.
	const customers =
		(rounds + 1) * size * (2 + process.argv.filter((a) => a === '--workflow').length) + 10;
	const token = `bench-${randomBytes(12).toString('hex')}`;
	const sandbox = await startSandbox({
		port: 0,
		token,
		seed: queueSeed(customers, customers + 100),
		maxRequestLog: customers * 8,
	});
	onCleanup(() => sandbox.stop());

	const setup = await prepareN8n(runtime, path.join(work, 'user'), {
		port: await freePort(),
		logDir,
	});
	await installPackageIntoN8n(setup, tarball);
	await importCredential(setup, { baseUrl: sandbox.baseUrl, token });
	const shop = JSON.parse(readFileSync(SHOP_FILE, 'utf8')) as WorkflowFile;
	const shopPath = shop.nodes.find((node) => node.type === 'n8n-nodes-base.webhook')?.parameters
		.path as string;
	// The same workflow, but n8n keeps no data of its successful executions.
	const unsaved: WorkflowFile = JSON.parse(JSON.stringify(shop)) as WorkflowFile;
	unsaved.id = 'bench-shop-unsaved';
	unsaved.name = `${shop.name} (successful executions not saved)`;
	const unsavedWebhook = unsaved.nodes.find((node) => node.type === 'n8n-nodes-base.webhook');
	if (unsavedWebhook) unsavedWebhook.parameters.path = 'bench-shop-unsaved';
	for (const node of unsaved.nodes as Array<{ webhookId?: string }>)
		if (node.webhookId) node.webhookId = randomUUID();
	unsaved.settings = { ...shop.settings, saveDataSuccessExecution: 'none' };
	const floorFile = path.join(work, 'floor.json');
	writeFileSync(floorFile, JSON.stringify(floorWorkflow('bench-floor', 'bench-floor')));
	const unsavedFile = path.join(work, 'unsaved.json');
	writeFileSync(unsavedFile, JSON.stringify(unsaved));
	for (const [file, id] of [
		[floorFile, 'bench-floor'],
		[SHOP_FILE, shop.id],
		[unsavedFile, unsaved.id],
	] as const) {
		await importWorkflow(setup, file);
		await activateWorkflow(setup, id);
	}
	// --cpu-profile DIR: n8n writes a V8 CPU profile there when it stops (open it in Chrome DevTools).
	const profileIndex = process.argv.indexOf('--cpu-profile');
	const profileDir = profileIndex >= 0 ? path.resolve(process.argv[profileIndex + 1]) : undefined;
	if (profileDir) mkdirSync(profileDir, { recursive: true });
	// --workflow FILE (repeatable): one more flow to compare, e.g. a variant of the shop example;
	// it is imported, published and measured like the others (served = HTTP 200).
	const extraFiles = process.argv
		.map((arg, index) => (arg === '--workflow' ? process.argv[index + 1] : undefined))
		.filter((file): file is string => file !== undefined);
	const extras = extraFiles.map((file) => JSON.parse(readFileSync(file, 'utf8')) as WorkflowFile);
	for (const [index, extra] of extras.entries()) {
		await importWorkflow(setup, path.resolve(extraFiles[index]));
		await activateWorkflow(setup, extra.id);
	}
	const server = await startN8n(setup, {
		nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
	});
	onCleanup(() => stopProcess(server.process, 15_000));
	const rest = new N8nRest(server.baseUrl);
	await rest.setupOwner(OWNER);
	await rest.login(OWNER.email, OWNER.password);
	log(`n8n ${DEFAULT_N8N_VERSION} up after ${formatDuration(Date.now() - started)}`);

	// Each flow that attaches codes has customers of its own: one warm-up round and `rounds` rounds.
	const perFlow = (rounds + 1) * size;
	const customersOf = (prefix: string, flowIndex: number) =>
		orderSequence(prefix, 1 + flowIndex * perFlow);
	const url = (webhookPath: string) => `${server.baseUrl}/webhook/${webhookPath}`;
	const flows: Array<FlowUnderTest & { key: string }> = [
		{ key: 'floor', ...floorFlow(url('bench-floor')) },
		{ key: 'shop', ...shopFlow('shop example', url(shopPath), customersOf('S', 0)) },
		{
			key: 'unsaved',
			...shopFlow(
				'shop example, successful executions not saved',
				url('bench-shop-unsaved'),
				customersOf('U', 1),
			),
		},
	];
	for (const [index, extra] of extras.entries()) {
		flows.push({
			key: extra.id,
			name: extra.name,
			url: url(
				extra.nodes.find((node) => node.type === 'n8n-nodes-base.webhook')?.parameters
					.path as string,
			),
			orders: customersOf(`X${index}`, 2 + index),
			// A variant may answer without a code.
			served: (r) => r.status === 200,
		});
	}
	// --only floor|shop|unsaved: measure one flow alone (e.g. for a CPU profile of it).
	const onlyIndex = process.argv.indexOf('--only');
	if (onlyIndex >= 0) {
		const wanted = process.argv[onlyIndex + 1];
		const kept = flows.filter((flow) => flow.key === wanted);
		if (kept.length === 0) throw new Error(`--only: one of ${flows.map((f) => f.key).join(', ')}`);
		flows.splice(0, flows.length, ...kept);
	}
	log('warm-up: one round per flow');
	await alternateRounds(flows, 1, size);
	sandbox.clearRequests();
	log(`measuring: ${rounds} rounds of ${size} orders at once per flow, taking turns`);
	const n8nPid = server.process.child.pid as number;
	const speeds = await alternateRounds(flows, rounds, size, {
		'n8n (and its task runner)': () => groupCpuSeconds(n8nPid),
		'this process (orders + sandbox)': ownCpuSeconds,
	});
	const shopOrders = speeds
		.filter((_, index) => flows[index].key !== 'floor')
		.reduce((sum, speed) => sum + speed.orders, 0);
	const calls = new Map<string, number>();
	for (const request of sandbox.requests) {
		const method = request.path.replace('/api/v1.1/', '');
		calls.set(method, (calls.get(method) ?? 0) + 1);
	}
	const [floorTimes, shopTimes] = [
		await executionTimes(rest, runtime, 'bench-floor', size),
		await executionTimes(rest, runtime, shop.id, size),
	];

	const lines = [
		'# Shop flow against the floor, regular mode',
		'',
		`n8n ${DEFAULT_N8N_VERSION}, one process, SQLite (as \`npm start\`); sandbox on loopback in the benchmark's process; ${os.availableParallelism()} CPUs; load average ${loadBefore.map((v) => v.toFixed(1)).join(' ')} before, ${os
			.loadavg()
			.map((v) => v.toFixed(1))
			.join(
				' ',
			)} after. ${rounds} rounds of ${size} orders posted at once per flow, flows taking turns; orders/s = orders / summed round time.`,
		'',
		'| Flow | Result |',
		'|---|---|',
		...speedRows(speeds).map(([name, value]) => `| ${name} | ${value} |`),
		'',
		`Altcraft calls per shop order: ${[...calls]
			.sort((a, b) => b[1] - a[1])
			.map(([method, count]) => `${method} ${(count / shopOrders).toFixed(2)}`)
			.join(', ')}.`,
		'',
		`Where the time goes (means over the last ${size} successful executions of each; time per node as n8n records it):`,
		'',
		'| Flow | Execution, start to end | Per node |',
		'|---|---:|---|',
		...[
			['floor', floorTimes],
			['shop example', shopTimes],
		].map(
			([name, times]) =>
				`| ${name as string} | ${(times as typeof shopTimes).executionMs.toFixed(1)} ms | ${(
					times as typeof shopTimes
				).perNode
					.map((entry) => `${entry.node} ${entry.ms.toFixed(1)} ms`)
					.join(', ')} |`,
		),
		'',
		`Finished in ${formatDuration(Date.now() - started)}.`,
	];
	const report = lines.join('\n');
	log(`\n${report}`);
	mkdirSync(path.join(ARTIFACTS_DIR, 'bench'), { recursive: true });
	writeFileSync(path.join(ARTIFACTS_DIR, 'bench', 'shop-flow.md'), `${report}\n`);
});
