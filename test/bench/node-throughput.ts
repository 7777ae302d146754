/**
 * How fast the node maps items to Altcraft calls, measured inside the n8n engine against the
 * sandbox, side by side with a bare HTTP client making the same requests (the floor on this
 * machine). Ratios from one run are what count: this machine is shared and noisy.
 *
 *   npm run bench:node -- [--items 5000]      (runs node --expose-gc)
 *
 * Each request opens a new TCP connection (as n8n's HTTP client does), so keep --items modest:
 * three passes of N requests leave ~3N sockets in TIME_WAIT on loopback.
 */
import http from 'node:http';

import { startSandbox, type Sandbox } from '../../sandbox/src';
import { runAltcraftNode, shutdownEngine } from '../harness';

interface Pass {
	label: string;
	ms: number;
	/** Highest heap seen during the pass, above the heap before it (sampled every 20 ms). */
	peakHeapMb: number;
}

function argument(name: string, fallback: number): number {
	const index = process.argv.indexOf(`--${name}`);
	const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
	if (!Number.isInteger(value) || value < 1 || value > 20000) throw new Error(`--${name} must be 1..20000`);
	return value;
}

const codeFor = (index: number) => `WELCOME-000${(index % 9) + 1}`;

/** The same `get` requests with Node's http module: no engine, no node, no parsing beyond JSON. */
async function bareHttpPass(sandbox: Sandbox, items: number): Promise<void> {
	const url = new URL('/api/v1.1/promocodes/get', sandbox.baseUrl);
	for (let index = 0; index < items; index++) {
		const body = JSON.stringify({ token: sandbox.token, code: codeFor(index), loyalty_id: 1 });
		await new Promise<void>((resolve, reject) => {
			const request = http.request(
				url,
				{ method: 'POST', agent: false, headers: { 'Content-Type': 'application/json', Connection: 'close' } },
				(response) => {
					const chunks: Buffer[] = [];
					response.on('data', (chunk: Buffer) => chunks.push(chunk));
					response.on('end', () => {
						const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error: number };
						if (parsed.error !== 0) reject(new Error(`bare pass: error ${parsed.error}`));
						else resolve();
					});
				},
			);
			request.on('error', reject);
			request.end(body);
		});
	}
}

async function nodePass(sandbox: Sandbox, items: number, format: 'json' | 'xml'): Promise<void> {
	const result = await runAltcraftNode({
		parameters: { resource: 'promoCode', operation: 'get', loyaltyId: 1, code: '={{ $json.code }}', options: { format } },
		items: Array.from({ length: items }, (_unused, index) => ({ code: codeFor(index) })),
		credentials: { baseUrl: sandbox.baseUrl, token: sandbox.token },
	});
	if (result.error) throw result.error;
	if (result.output.length !== items) throw new Error(`${format}: ${result.output.length} of ${items} items came out`);
}

async function measure(label: string, run: () => Promise<void>): Promise<Pass> {
	global.gc?.();
	const heapBefore = process.memoryUsage().heapUsed;
	let peak = heapBefore;
	const sampler = setInterval(() => {
		peak = Math.max(peak, process.memoryUsage().heapUsed);
	}, 20);
	const started = process.hrtime.bigint();
	try {
		await run();
	} finally {
		clearInterval(sampler);
	}
	const ms = Number(process.hrtime.bigint() - started) / 1e6;
	peak = Math.max(peak, process.memoryUsage().heapUsed);
	return { label, ms, peakHeapMb: (peak - heapBefore) / 1e6 };
}

async function main(): Promise<void> {
	const items = argument('items', 5000);
	const sandbox = await startSandbox({ port: 0, maxRequestLog: 10 });
	try {
		// A short warm-up so JIT and first-load costs do not land on the first measured pass.
		await nodePass(sandbox, 50, 'json');
		await nodePass(sandbox, 50, 'xml');
		await bareHttpPass(sandbox, 50);

		const passes = [
			await measure('bare HTTP client (floor)', () => bareHttpPass(sandbox, items)),
			await measure('Altcraft Promo, JSON', () => nodePass(sandbox, items, 'json')),
			await measure('Altcraft Promo, XML', () => nodePass(sandbox, items, 'xml')),
		];
		const [floor, json, xml] = passes;
		console.log(`\n${items} "get" items, sequential, one new connection per request, sandbox on loopback\n`);
		if (!global.gc) console.log('(run with --expose-gc for steadier memory figures)');
		console.log('pass                          time      items/s   ms/item   peak heap');
		for (const pass of passes) {
			console.log(
				`${pass.label.padEnd(28)} ${(pass.ms / 1000).toFixed(2).padStart(6)} s ${(items / (pass.ms / 1000)).toFixed(0).padStart(9)} ${(pass.ms / items).toFixed(3).padStart(9)} ${pass.peakHeapMb.toFixed(0).padStart(7)} MB`,
			);
		}
		console.log(`\nratio JSON / floor: ${(json.ms / floor.ms).toFixed(2)}x`);
		console.log(`ratio XML / floor:  ${(xml.ms / floor.ms).toFixed(2)}x`);
		console.log(`ratio XML / JSON:   ${(xml.ms / json.ms).toFixed(2)}x`);
		console.log(`peak heap per item: JSON ${((json.peakHeapMb * 1e3) / items).toFixed(1)} kB, XML ${((xml.peakHeapMb * 1e3) / items).toFixed(1)} kB`);
	} finally {
		await sandbox.stop();
		shutdownEngine();
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
