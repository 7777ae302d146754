/**
 * Attach Free Code against a large program, through n8n's engine and the sandbox on loopback:
 * one order against a program of 100,000 free codes, then 50 orders arriving at once as 50
 * concurrent executions (as a shop sale sends them), with the process-wide list sharing on and
 * off. Prints a Markdown table for the README.
 *
 *   npm run build && npx tsx test/bench/attach-free-code.ts
 */
import os from 'node:os';

import { startSandbox, type SandboxSeed } from '../../sandbox/src';
import { runAltcraftNode, shutdownEngine } from '../harness';

const TOKEN = 'bench-token';
const CODES = 100_000;
const ORDERS_AT_ONCE = 50;

function seed(): SandboxSeed {
	const profiles = Array.from({ length: 2 * ORDERS_AT_ONCE + 2 }, (_unused, index) => ({
		id: `64d${String(index).padStart(21, '0')}`,
		email: `buyer${index}@example.com`,
	}));
	return {
		databases: [{ id: 1, name: 'Shop', profiles }],
		loyaltyPrograms: [
			{
				id: 9,
				name: 'Big welcome',
				allowNewCodes: false,
				multiProfileCodes: false,
				codes: Array.from({ length: CODES }, (_unused, index) => `BIG-${String(index).padStart(6, '0')}`),
			},
		],
	} as unknown as SandboxSeed;
}

const order = (email: string) => ({
	parameters: {
		resource: 'promoCode',
		operation: 'attachFreeCode',
		loyaltyId: 9,
		databaseId: 1,
		matching: 'email',
		email,
	},
	items: [{}],
});

async function main(): Promise<void> {
	const sandbox = await startSandbox({ port: 0, token: TOKEN, seed: seed() });
	const credentials = { baseUrl: sandbox.baseUrl, token: TOKEN };
	try {
		// Warm-up: loads the node and the engine once, so the first timed order is not paying for that.
		process.env.ALTCRAFT_FREE_CODE_LIST_SECONDS = '0';
		await runAltcraftNode({ ...order('buyer0@example.com'), credentials });

		let started = performance.now();
		const single = await runAltcraftNode({ ...order('buyer1@example.com'), credentials });
		const singleMs = performance.now() - started;
		if (single.error) throw single.error;

		const sale = async (firstBuyer: number, listSeconds: string) => {
			process.env.ALTCRAFT_FREE_CODE_LIST_SECONDS = listSeconds;
			sandbox.clearRequests();
			const saleStarted = performance.now();
			const runs = await Promise.all(
				Array.from({ length: ORDERS_AT_ONCE }, async (_unused, index) =>
					await runAltcraftNode({ ...order(`buyer${firstBuyer + index}@example.com`), credentials }),
				),
			);
			return {
				seconds: (performance.now() - saleStarted) / 1000,
				failed: runs.filter((run) => run.error).length,
				codes: new Set(runs.map((run) => run.output[0]?.json.code)).size,
				reads: sandbox.requests.filter((request) => request.path.endsWith('/export_all')).length,
			};
		};
		// Shared list (the default: one n8n process), then none (as separate queue-mode workers would).
		const shared = await sale(2, '15');
		const separate = await sale(2 + ORDERS_AT_ONCE, '0');

		console.log(`Machine: ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? ''}, Node ${process.version}, load ${os.loadavg().map((value) => value.toFixed(1)).join(' ')}`);
		console.log('');
		console.log('| Attach Free Code, program of 100,000 free codes | Time | Distinct codes | Failed | Program reads |');
		console.log('|---|--:|--:|--:|--:|');
		console.log(`| one order (one execution; reads the whole program) | ${singleMs.toFixed(0)} ms | 1 | 0 | 1 |`);
		for (const [label, result] of [
			[`${ORDERS_AT_ONCE} orders at once, one n8n process (list shared for 15 s)`, shared],
			[`${ORDERS_AT_ONCE} orders at once, list not shared (as ${ORDERS_AT_ONCE} separate processes)`, separate],
		] as const) {
			console.log(`| ${label} | ${result.seconds.toFixed(2)} s for all | ${result.codes} | ${result.failed} | ${result.reads} |`);
		}
	} finally {
		await sandbox.stop();
		shutdownEngine();
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
