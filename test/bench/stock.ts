/**
 * Benchmark of issue 19, "keep a program stocked" (not part of `npm test`):
 *
 *   npm run bench:stock                  # 1,000,000 and 100,000 codes, 2 passes (~5 minutes)
 *   npm run bench:stock -- --passes 1    # one pass
 *   npm run bench:stock -- --quick       # 100,000 and 10,000 codes, to check the machinery
 *
 * Each row runs in a fresh process against one sandbox in its own process, rows compared with
 * each other back to back (raw, node, raw, node …) so they share whatever else the machine does:
 * - Import from a text file (12 bytes a line) and Import of generated codes, by the built node
 *   through n8n's engine (binary data on disk, as n8n 2.x keeps it, stored before the measured run) and by a bare keep-alive client
 *   sending the same chunks (1000 codes, two in flight) and parsing the answers;
 * - Get Stats on the program of 1,000,000 codes the file import made, against the bare client
 *   downloading and parsing export_all.
 * Memory: peak RSS growth of the row's process, and the peak of what JavaScript holds (V8 heap
 * in use + buffers), which leaves out pages the allocator keeps after garbage is freed.
 * Prints a Markdown report and writes it to artifacts/bench/stock.md.
 */
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ARTIFACTS_DIR } from '../../scripts/lib/paths';
import { SandboxProcess } from './lib/children';
import { ATTACH_PROGRAM, GET_PROGRAM, IMPORT_PROGRAM } from './lib/fixtures';
import type { StockRowJob, StockRowKind, StockRowResult } from './stock-row';

const CHUNK_SIZE = 1000;

function log(line: string): void {
	process.stdout.write(`${line}\n`);
}

function argValue(name: string): string | undefined {
	const index = process.argv.indexOf(`--${name}`);
	return index >= 0 ? process.argv[index + 1] : undefined;
}

/** `count` codes of 11 characters, one per line: 12 bytes a code (12 MB for 1,000,000). */
function writeCodeFile(dir: string, name: string, prefix: string, count: number): string {
	const file = path.join(dir, name);
	const lines: string[] = [];
	for (let index = 0; index < count; index++)
		lines.push(`${prefix}${String(index).padStart(11 - prefix.length, '0')}\n`);
	writeFileSync(file, lines.join(''));
	return file;
}

function runRow(job: StockRowJob): Promise<StockRowResult> {
	return new Promise((resolve, reject) => {
		const child = fork(path.join(__dirname, 'stock-row.ts'), [JSON.stringify(job)], {
			execArgv: ['--import', 'tsx', '--expose-gc'],
			stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
		});
		let out = '';
		child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
		child.on('exit', (code) => {
			const line = out.trim().split('\n').pop() ?? '';
			if (code !== 0 || !line.startsWith('{'))
				reject(new Error(`${job.kind} exited ${code}: ${out.slice(-500)}`));
			else resolve(JSON.parse(line) as StockRowResult);
		});
	});
}

/** The middle value; of an even count, the mean of the two middle ones. */
const median = (values: number[]) => {
	const sorted = [...values].sort((a, b) => a - b);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
const seconds = (ms: number) => (ms / 1000).toFixed(2);

interface RowStats {
	ms: number[];
	growth: number[];
	held: number[];
	peak: number[];
	output?: Record<string, unknown>;
}

async function main(): Promise<void> {
	const started = performance.now();
	const quick = process.argv.includes('--quick');
	const passes = Number(argValue('passes') ?? 2);
	const sizes = quick ? [100_000, 10_000] : [1_000_000, 100_000];
	const dir = mkdtempSync(path.join(os.tmpdir(), 'altcraft-bench-stock-'));
	const loadBefore = os.loadavg();
	const sandbox = await SandboxProcess.start();
	const results = new Map<string, RowStats>();
	try {
		const files = new Map(
			sizes.map((size) => [size, writeCodeFile(dir, `codes-${size}.txt`, 'CODE', size)]),
		);
		const warmFile = writeCodeFile(dir, 'warm.txt', 'WARM', 2000);
		const base = {
			baseUrl: `http://127.0.0.1:${sandbox.port}`,
			token: sandbox.token,
			chunkSize: CHUNK_SIZE,
			warmFile,
		};
		const row = async (kind: StockRowKind, size: number, extra: Partial<StockRowJob> = {}) => {
			const job: StockRowJob = {
				...base,
				kind,
				loyaltyId: IMPORT_PROGRAM,
				warmLoyaltyId: ATTACH_PROGRAM,
				...extra,
			};
			const result = await runRow(job);
			const key = `${kind} ${size}`;
			const stats = results.get(key) ?? { ms: [], growth: [], held: [], peak: [] };
			stats.ms.push(result.ms);
			stats.growth.push(result.rssGrowthBytes);
			stats.held.push(result.heldGrowthBytes);
			stats.peak.push(result.peakRssBytes);
			stats.output = result.output;
			results.set(key, stats);
			log(
				`  ${key.padEnd(22)} ${seconds(result.ms).padStart(7)} s   RSS +${mb(result.rssGrowthBytes)} MB (peak ${mb(result.peakRssBytes)} MB), heap+external +${mb(result.heldGrowthBytes)} MB   ${JSON.stringify(result.output)}`,
			);
		};
		for (let pass = 1; pass <= passes; pass++) {
			for (const size of sizes) {
				log(`pass ${pass}/${passes}, ${size.toLocaleString('en-US')} codes`);
				for (const kind of ['raw-file', 'n8n-file'] as const) {
					await sandbox.reset();
					await row(kind, size, { file: files.get(size) });
				}
				if (size === sizes[0]) {
					// The program now holds the file's codes (the node's import): count them both ways.
					for (const kind of ['raw-stats', 'n8n-stats', 'raw-stats', 'n8n-stats'] as const) {
						await row(kind, size, { warmLoyaltyId: GET_PROGRAM });
					}
				}
				for (const kind of ['raw-generated', 'n8n-generated'] as const) {
					await sandbox.reset();
					await row(kind, size, { count: size });
				}
			}
		}
	} finally {
		sandbox.stop();
		rmSync(dir, { recursive: true, force: true });
	}

	const get = (kind: StockRowKind, size: number) => results.get(`${kind} ${size}`) as RowStats;
	const [large, small] = sizes;
	const lines: string[] = [
		`# Stock benchmark (issue 19)`,
		'',
		`${os.availableParallelism()} CPUs, ${os.cpus()[0]?.model.trim()}, Node ${process.version}; load average ${loadBefore.map((v) => v.toFixed(1)).join(' ')} before, ${os
			.loadavg()
			.map((v) => v.toFixed(1))
			.join(
				' ',
			)} after; ${passes} pass(es), every pass shown; chunks of ${CHUNK_SIZE} codes, two in flight; sandbox in its own process.`,
		'',
		'| Row | Codes | Bare client | Node in n8n | Node / bare, each pass (median) | Node RSS growth, each pass (peak) | Node heap + external growth |',
		'|---|---:|---:|---:|---:|---:|---:|',
	];
	for (const [label, raw, node] of [
		['Import from a text file', 'raw-file', 'n8n-file'],
		['Import, generated codes', 'raw-generated', 'n8n-generated'],
		['Get Stats (export_all)', 'raw-stats', 'n8n-stats'],
	] as const) {
		for (const size of sizes) {
			const bare = results.get(`${raw} ${size}`);
			const engine = results.get(`${node} ${size}`);
			if (!bare || !engine) continue;
			// Each node run against the bare run just before it: both met the same load on the machine.
			const ratios = engine.ms.map((ms, index) => ms / bare.ms[index]);
			lines.push(
				`| ${label} | ${size.toLocaleString('en-US')} | ${bare.ms.map(seconds).join(', ')} s | ${engine.ms.map(seconds).join(', ')} s | ${ratios.map((ratio) => ratio.toFixed(2)).join(', ')} (${median(ratios).toFixed(2)}) | ${engine.growth.map(mb).join(', ')} MB (${mb(Math.max(...engine.peak))} MB) | ${engine.held.map(mb).join(', ')} MB |`,
			);
		}
	}
	const flat = (kind: StockRowKind, measure: 'growth' | 'held') =>
		(median(get(kind, large)[measure]) / median(get(kind, small)[measure])).toFixed(2);
	lines.push(
		'',
		`Growth ${large.toLocaleString('en-US')} / ${small.toLocaleString('en-US')} codes (medians; 1.00 = flat): RSS file import ${flat('n8n-file', 'growth')}, generated ${flat('n8n-generated', 'growth')}; heap + external file import ${flat('n8n-file', 'held')}, generated ${flat('n8n-generated', 'held')}.`,
		'',
		`Time: the node's own execution time as n8n records it, the bare client's wall time. The file is stored in n8n's binary storage (as an upload would be) before the measured run. RSS growth: peak RSS of the row's process during the run minus RSS just before it (after a warm-up run and GC); heap + external: the same for V8's heap in use plus buffers.`,
		`Finished in ${((performance.now() - started) / 60_000).toFixed(1)} minutes.`,
	);
	const report = lines.join('\n');
	log(`\n${report}`);
	mkdirSync(path.join(ARTIFACTS_DIR, 'bench'), { recursive: true });
	writeFileSync(path.join(ARTIFACTS_DIR, 'bench', 'stock.md'), `${report}\n`);
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
