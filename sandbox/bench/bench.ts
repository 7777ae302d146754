/**
 * Sandbox benchmark: N concurrent keep-alive clients on loopback send small
 * requests to a sandbox running in its own process (the real CLI), for a
 * bounded number of requests and a bounded time per scenario.
 *
 *   npm run bench:sandbox -- [--requests 20000] [--concurrency 16] [--seconds 15]
 */
import { ChildProcess, spawn } from 'child_process';
import { Agent, request } from 'http';
import { join } from 'path';

interface Scenario {
	name: string;
	path: string;
	contentType: string;
	body: (i: number) => string;
	okMarker: string;
}

interface Result {
	name: string;
	requests: number;
	failed: number;
	seconds: number;
	rps: number;
	p50: number;
	p99: number;
}

const TOKEN = 'bench-token';
const EMAILS = ['alice@example.com', 'bob@example.com', 'carol@example.com'];

function arg(name: string, dflt: number): number {
	const i = process.argv.indexOf(`--${name}`);
	if (i < 0) return dflt;
	const v = Number(process.argv[i + 1]);
	if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} needs a positive number`);
	return v;
}

const SCENARIOS: Scenario[] = [
	{
		name: 'get (JSON)',
		path: '/api/v1.1/promocodes/get',
		contentType: 'application/json',
		body: () => JSON.stringify({ token: TOKEN, code: 'WELCOME-0001', loyalty_id: 1 }),
		okMarker: '"error":0,',
	},
	{
		name: 'get (XML)',
		path: '/api/v1.1/promocodes/get',
		contentType: 'application/xml',
		body: () =>
			`<xml><token>${TOKEN}</token><code>WELCOME-0001</code><loyalty_id>1</loyalty_id><format>xml</format></xml>`,
		okMarker: '<error>0</error>',
	},
	{
		name: 'attach (JSON)',
		path: '/api/v1.1/promocodes/attach',
		contentType: 'application/json',
		body: (i) =>
			JSON.stringify({
				token: TOKEN,
				loyalty_id: 1,
				db_id: 1,
				matching: 'email',
				email: EMAILS[i % 3],
				code: `BENCH-J-${i}`,
			}),
		okMarker: '"error":0,',
	},
	{
		name: 'attach (XML)',
		path: '/api/v1.1/promocodes/attach',
		contentType: 'application/xml',
		body: (i) =>
			`<xml><token>${TOKEN}</token><loyalty_id>1</loyalty_id><db_id>1</db_id><matching>email</matching><email>${EMAILS[i % 3]}</email><code>BENCH-X-${i}</code><format>xml</format></xml>`,
		okMarker: '<error>0</error>',
	},
];

function startServer(): Promise<{ child: ChildProcess; port: number }> {
	const cli = join(__dirname, '..', 'src', 'cli.js');
	const child = spawn(process.execPath, [cli, '--port', '0', '--quiet', '--token', TOKEN], {
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	return new Promise((resolve, reject) => {
		let out = '';
		const timer = setTimeout(() => reject(new Error(`sandbox did not start: ${out}`)), 10000);
		child.stdout?.on('data', (d: Buffer) => {
			out += d.toString();
			const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
			if (m) {
				clearTimeout(timer);
				resolve({ child, port: Number(m[1]) });
			}
		});
		child.once('exit', (code) => reject(new Error(`sandbox exited with ${code}: ${out}`)));
	});
}

function post(
	agent: Agent,
	port: number,
	path: string,
	contentType: string,
	body: string,
): Promise<string> {
	return new Promise((resolve, reject) => {
		const req = request(
			{
				host: '127.0.0.1',
				port,
				path,
				method: 'POST',
				agent,
				headers: { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) },
			},
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (c: Buffer) => chunks.push(c));
				res.on('end', () => resolve(Buffer.concat(chunks).toString()));
				res.on('error', reject);
			},
		);
		req.on('error', reject);
		req.end(body);
	});
}

async function run(
	s: Scenario,
	port: number,
	total: number,
	concurrency: number,
	seconds: number,
): Promise<Result> {
	await post(new Agent(), port, '/__sandbox/reset', 'application/json', '');
	const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
	const latencies = new Float64Array(total);
	let issued = 0;
	let done = 0;
	let failed = 0;
	const start = process.hrtime.bigint();
	const deadline = Date.now() + seconds * 1000;
	const worker = async (): Promise<void> => {
		while (issued < total && Date.now() < deadline) {
			const i = issued++;
			const t0 = process.hrtime.bigint();
			const text = await post(agent, port, s.path, s.contentType, s.body(i));
			latencies[done++] = Number(process.hrtime.bigint() - t0) / 1e6;
			if (!text.includes(s.okMarker)) failed++;
		}
	};
	await Promise.all(Array.from({ length: concurrency }, worker));
	const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
	agent.destroy();
	const sorted = Array.from(latencies.subarray(0, done)).sort((a, b) => a - b);
	const pct = (p: number): number =>
		sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
	return {
		name: s.name,
		requests: done,
		failed,
		seconds: elapsed,
		rps: done / elapsed,
		p50: pct(50),
		p99: pct(99),
	};
}

async function main(): Promise<void> {
	const total = arg('requests', 20000);
	const concurrency = arg('concurrency', 16);
	const seconds = arg('seconds', 15);
	const { child, port } = await startServer();
	try {
		console.log(
			`Sandbox benchmark: ${total} requests (max ${seconds}s) per scenario, ${concurrency} keep-alive clients, Node ${process.version}`,
		);
		console.log('| scenario | requests | failed | seconds | requests/s | p50 ms | p99 ms |');
		console.log('|---|---|---|---|---|---|---|');
		// Warm-up (JIT), not reported.
		await run(SCENARIOS[0], port, 2000, concurrency, 5);
		for (const s of SCENARIOS) {
			const r = await run(s, port, total, concurrency, seconds);
			console.log(
				`| ${r.name} | ${r.requests} | ${r.failed} | ${r.seconds.toFixed(2)} | ${Math.round(r.rps)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} |`,
			);
		}
	} finally {
		child.kill('SIGTERM');
	}
}

main().catch((e: Error) => {
	console.error(e.message);
	process.exit(1);
});
