/**
 * Attach Free Code through n8n's engine and the sandbox on loopback: what an Order ID (idempotency
 * key) costs next to no key, per order (requests and time), on a program of 200 codes, of 100,000
 * codes, and of 100,000 codes of which 90 % were attached within the replay window (the walk then
 * reads holders on its way); then 50 orders at once with the process-wide list sharing on and off.
 * All rows are measured in one run, side by side. Prints Markdown tables for docs/performance.md.
 *
 *   npm run bench:free-code
 */
import os from 'node:os';

import { startSandbox, type Sandbox, type SandboxSeed } from '../../sandbox/src';
import { runAltcraftNode, shutdownEngine } from '../harness';

const TOKEN = 'bench-token';
const ORDERS = 20;
const ORDERS_AT_ONCE = 50;
const BUYERS = 3 * ORDERS_AT_ONCE + 6 * ORDERS + 2;

interface ProgramSpec {
	id: number;
	label: string;
	codes: number;
	/** Share of the codes already attached (within the replay window) before the orders. */
	attachedShare: number;
}

const PROGRAMS: ProgramSpec[] = [
	{ id: 1, label: '200 codes', codes: 200, attachedShare: 0 },
	{ id: 2, label: '100,000 codes', codes: 100_000, attachedShare: 0 },
	{
		id: 3,
		label: '100,000 codes, 90 % attached in the last hour',
		codes: 100_000,
		attachedShare: 0.9,
	},
];

const buyer = (index: number) => `buyer${index}@example.com`;
const profileId = (index: number) => `64d${String(index).padStart(21, '0')}`;

function seed(): SandboxSeed {
	const profiles = Array.from({ length: BUYERS + 1 }, (_unused, index) => ({
		id: profileId(index),
		email: buyer(index),
	}));
	const recent = new Date(Date.now() - 30 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
	return {
		databases: [{ id: 1, name: 'Shop', profiles }],
		loyaltyPrograms: PROGRAMS.map((program) => ({
			id: program.id,
			name: program.label,
			allowNewCodes: false,
			multiProfileCodes: false,
			codes: Array.from({ length: program.codes }, (_unused, index) => {
				const code = `P${program.id}-${String(index).padStart(6, '0')}`;
				// Every tenth code stays free; the others are held by a customer who orders nothing here.
				if (index % 10 === 0 || index >= program.codes * program.attachedShare) return code;
				return {
					code,
					attachments: [{ databaseId: 1, profileId: profileId(BUYERS), attached: recent }],
				};
			}),
		})),
	} as unknown as SandboxSeed;
}

const order = (loyaltyId: number, email: string, idempotencyKey: string) => ({
	parameters: {
		resource: 'promoCode',
		operation: 'attachFreeCode',
		loyaltyId,
		databaseId: 1,
		matching: 'email',
		email,
		idempotencyKey,
	},
	items: [{}],
});

interface Row {
	program: string;
	mode: string;
	msPerOrder: number;
	requestsPerOrder: number;
}

/** ORDERS orders one after another (each its own execution), as a quiet shop sends them. */
async function sequential(
	sandbox: Sandbox,
	credentials: { baseUrl: string; token: string },
	program: ProgramSpec,
	keyed: boolean,
	firstBuyer: number,
): Promise<Row> {
	sandbox.clearRequests();
	const started = performance.now();
	for (let index = 0; index < ORDERS; index++) {
		const run = await runAltcraftNode({
			...order(
				program.id,
				buyer(firstBuyer + index),
				keyed ? `order-${program.id}-${firstBuyer + index}` : '',
			),
			credentials,
		});
		if (run.error) throw run.error;
	}
	const ms = performance.now() - started;
	return {
		program: program.label,
		mode: keyed ? 'with Order ID' : 'without key',
		msPerOrder: ms / ORDERS,
		requestsPerOrder: sandbox.requests.length / ORDERS,
	};
}

async function main(): Promise<void> {
	const sandbox = await startSandbox({ port: 0, token: TOKEN, seed: seed() });
	const credentials = { baseUrl: sandbox.baseUrl, token: TOKEN };
	try {
		// Each order reads the program itself, as after a restart or on a quiet shop: the key's worst case.
		process.env.ALTCRAFT_FREE_CODE_LIST_SECONDS = '0';
		await runAltcraftNode({ ...order(1, buyer(0), ''), credentials });

		const rows: Row[] = [];
		let nextBuyer = 1;
		/** The first buyer of the keyed orders on the 100,000-code program, resent below. */
		let keyedBuyers = 0;
		for (const program of PROGRAMS) {
			rows.push(await sequential(sandbox, credentials, program, false, nextBuyer));
			nextBuyer += ORDERS;
			if (program.id === 2) keyedBuyers = nextBuyer;
			rows.push(await sequential(sandbox, credentials, program, true, nextBuyer));
			nextBuyer += ORDERS;
		}
		// A resent order: the same keys again.
		sandbox.clearRequests();
		const replayStarted = performance.now();
		for (let index = 0; index < ORDERS; index++) {
			const run = await runAltcraftNode({
				...order(2, buyer(keyedBuyers + index), `order-2-${keyedBuyers + index}`),
				credentials,
			});
			if (run.error) throw run.error;
			if (run.output[0]?.json.replay !== true) throw new Error('a resent order was not recognised');
		}
		const replayRow: Row = {
			program: '100,000 codes',
			mode: 'the same orders resent (replays)',
			msPerOrder: (performance.now() - replayStarted) / ORDERS,
			requestsPerOrder: sandbox.requests.length / ORDERS,
		};

		const sale = async (keyed: boolean, listSeconds: string) => {
			process.env.ALTCRAFT_FREE_CODE_LIST_SECONDS = listSeconds;
			sandbox.clearRequests();
			const saleStarted = performance.now();
			const first = nextBuyer;
			nextBuyer += ORDERS_AT_ONCE;
			const runs = await Promise.all(
				Array.from(
					{ length: ORDERS_AT_ONCE },
					async (_unused, index) =>
						await runAltcraftNode({
							...order(2, buyer(first + index), keyed ? `sale-${first + index}` : ''),
							credentials,
						}),
				),
			);
			return {
				seconds: (performance.now() - saleStarted) / 1000,
				failed: runs.filter((run) => run.error).length,
				codes: new Set(runs.map((run) => run.output[0]?.json.code)).size,
				reads: sandbox.requests.filter((request) => request.path.endsWith('/export_all')).length,
			};
		};
		const sharedPlain = await sale(false, '15');
		const sharedKeyed = await sale(true, '15');
		const separateKeyed = await sale(true, '0');

		const risk = await replayRisk();

		console.log(
			`Machine: ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? ''}, Node ${process.version}, load ${os
				.loadavg()
				.map((value) => value.toFixed(1))
				.join(' ')}`,
		);
		console.log('');
		console.log(
			`| Program | Orders (${ORDERS}, one after another, each reads the program) | Time per order | Requests per order | Time vs without key |`,
		);
		console.log('|---|---|--:|--:|--:|');
		const all = [...rows, replayRow];
		for (const row of all) {
			const base = rows.find(
				(entry) => entry.program === row.program && entry.mode === 'without key',
			) as Row;
			console.log(
				`| ${row.program} | ${row.mode} | ${row.msPerOrder.toFixed(0)} ms | ${row.requestsPerOrder.toFixed(1)} | ${(row.msPerOrder / base.msPerOrder).toFixed(2)}× |`,
			);
		}
		console.log('');
		console.log(
			`| ${ORDERS_AT_ONCE} orders at once, program of 100,000 codes | Time for all | Distinct codes | Failed | Program reads |`,
		);
		console.log('|---|--:|--:|--:|--:|');
		for (const [label, result] of [
			['without key, one n8n process (list shared for 15 s)', sharedPlain],
			['with Order ID, one n8n process (list shared for 15 s)', sharedKeyed],
			[`with Order ID, list not shared (as ${ORDERS_AT_ONCE} separate processes)`, separateKeyed],
		] as const) {
			console.log(
				`| ${label} | ${result.seconds.toFixed(2)} s | ${result.codes} | ${result.failed} | ${result.reads} |`,
			);
		}
		console.log('');
		console.log(
			"| Returning customers: every order a new Order ID | Orders | Answered as a replay (another order's code) | Rate |",
		);
		console.log('|---|--:|--:|--:|');
		for (const row of risk)
			console.log(
				`| ${row.label} | ${row.orders} | ${row.falseReplays} | ${((100 * row.falseReplays) / row.orders).toFixed(2)} % |`,
			);
	} finally {
		await sandbox.stop();
		shutdownEngine();
	}
}

/**
 * How often a customer's new order is answered with the code of their earlier order (the residual
 * risk of recognising orders by reading Altcraft only): customers order again and again, each order
 * with a new key, 10 at a time, until the program is used up to the given share.
 */
async function replayRisk(): Promise<
	Array<{ label: string; orders: number; falseReplays: number }>
> {
	const rows: Array<{ label: string; orders: number; falseReplays: number }> = [];
	for (const spec of [
		{
			label: '1,000 codes, 100 customers ordering 3 times each (30 % used)',
			codes: 1_000,
			customers: 100,
			rounds: 3,
		},
		{
			label: '1,000 codes, 100 customers ordering 9 times each (90 % used)',
			codes: 1_000,
			customers: 100,
			rounds: 9,
		},
		{
			label: '200 codes, 60 customers ordering 3 times each (90 % used)',
			codes: 200,
			customers: 60,
			rounds: 3,
		},
	]) {
		const profiles = Array.from({ length: spec.customers }, (_unused, index) => ({
			id: profileId(index),
			email: buyer(index),
		}));
		const riskSandbox = await startSandbox({
			port: 0,
			token: TOKEN,
			seed: {
				databases: [{ id: 1, name: 'Shop', profiles }],
				loyaltyPrograms: [
					{
						id: 7,
						name: 'Risk',
						allowNewCodes: false,
						multiProfileCodes: false,
						codes: Array.from({ length: spec.codes }, (_unused, index) => `R-${index}`),
					},
				],
			} as unknown as SandboxSeed,
		});
		process.env.ALTCRAFT_FREE_CODE_LIST_SECONDS = '15';
		let falseReplays = 0;
		let orders = 0;
		try {
			for (let round = 0; round < spec.rounds; round++) {
				for (let first = 0; first < spec.customers; first += 10) {
					const runs = await Promise.all(
						Array.from(
							{ length: Math.min(10, spec.customers - first) },
							async (_unused, offset) =>
								await runAltcraftNode({
									...order(7, buyer(first + offset), `risk-${round}-${first + offset}`),
									credentials: { baseUrl: riskSandbox.baseUrl, token: TOKEN },
								}),
						),
					);
					for (const run of runs) {
						if (run.error) throw run.error;
						orders++;
						if (run.output[0]?.json.replay === true) falseReplays++;
					}
				}
			}
		} finally {
			await riskSandbox.stop();
		}
		rows.push({ label: spec.label, orders, falseReplays });
	}
	return rows;
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
