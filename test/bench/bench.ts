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
 * Rows compared with each other run interleaved, pass by pass (see lib/children.ts).
 * Prints a Markdown report and writes it to artifacts/bench/latest.md.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ARTIFACTS_DIR, REPO_ROOT, RUNTIME_ROOT } from '../../scripts/lib/paths';
import { runCommand } from '../../scripts/lib/processes';
import { startLatencyProxy } from '../support/latency-proxy';
import {
	N8N_RUNTIME_VERSION,
	NODES_BASE_DIR,
	nodeFeatures,
	snapshotDist,
} from './lib/engine-clients';
import { SandboxProcess, runGroup, type RowDeps } from './lib/children';
import { renderReport, type RowOutcome } from './lib/report';
import { FULL, QUICK, scenarioGroups } from './lib/scenarios';

const ONE_WAY_DELAY_MS = 10;

function log(line: string): void {
	process.stdout.write(`${line}\n`);
}

function argValue(name: string): string | undefined {
	const index = process.argv.indexOf(`--${name}`);
	return index >= 0 ? process.argv[index + 1] : undefined;
}

function machine(loadBefore: number[]): string {
	const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
	const load = (values: number[]) => values.map((v) => v.toFixed(1)).join(' ');
	return `${os.availableParallelism()} CPUs (nproc), ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, Node ${process.version}, ${os.type()} ${os.release()}; load average (1/5/15 min) ${load(loadBefore)} before, ${load(os.loadavg())} after (a shared machine: other work runs alongside)`;
}

function nodeBuild(): string {
	const git = (...args: string[]) =>
		execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
	const head = git('rev-parse', '--short', 'HEAD');
	const nodeCommit = git('log', '-1', '--format=%h %s', '--', 'nodes', 'credentials');
	const dirty = git('status', '--porcelain', '--', 'nodes', 'credentials') !== '';
	return `dist/ built at HEAD ${head} (snapshot taken at the start); last node commit ${nodeCommit.slice(0, 90)}${dirty ? ' (plus uncommitted changes in nodes/ or credentials/)' : ''}`;
}

async function ensureN8nRuntime(): Promise<void> {
	if (
		existsSync(path.join(RUNTIME_ROOT, N8N_RUNTIME_VERSION, '.installed.json')) &&
		existsSync(NODES_BASE_DIR)
	)
		return;
	log(
		`n8n ${N8N_RUNTIME_VERSION} (for the HTTP Request node) is not installed: running npm run n8n:install (4–5 minutes)…`,
	);
	const result = await runCommand('npm', ['run', 'n8n:install', '--', N8N_RUNTIME_VERSION], {
		cwd: REPO_ROOT,
		echo: true,
		timeoutMs: 15 * 60_000,
	});
	if (result.code !== 0) throw new Error(`npm run n8n:install failed (exit ${result.code})`);
}

async function main(): Promise<void> {
	const started = performance.now();
	const loadBefore = os.loadavg();
	const quick = process.argv.includes('--quick');
	const only = argValue('only');
	await ensureN8nRuntime();
	await snapshotDist();
	const build = nodeBuild();
	const { concurrencyDefault, chunkSizeDefault, ...features } = nodeFeatures();
	const defaultConcurrency = concurrencyDefault ?? 5;
	const chunkSize = chunkSizeDefault ?? 1000;
	const sizes = quick ? QUICK : FULL;
	const groups = scenarioGroups(sizes, features, defaultConcurrency, chunkSize)
		.map((group) => group.filter((s) => !only || s.id.includes(only)))
		.filter((group) => group.length > 0);
	log(
		`Node features in dist/: concurrency ${features.concurrency ? `yes (default ${defaultConcurrency})` : 'no'}, chunkSize ${features.chunkSize ? `yes (default ${chunkSize})` : 'no'}, importMode ${features.importMode ? 'yes' : 'no'}, version ${features.defaultVersion}`,
	);

	const sandbox = await SandboxProcess.start();
	const proxy = await startLatencyProxy({
		upstreamPort: sandbox.port,
		oneWayDelayMs: ONE_WAY_DELAY_MS,
	});
	const outcomes: RowOutcome[] = [];
	const logRow = ({ scenario, result: r, error }: RowOutcome) =>
		log(
			r
				? `  ${scenario.id.padEnd(42)} ${(scenario.count / (r.ms / 1000)).toFixed(0)}/s (passes ${r.passMs.map((ms) => (ms / 1000).toFixed(2)).join(' / ')} s), ${r.failures} failed, connections ${r.connections.connections} (peak ${r.connections.peakConcurrent}), RSS ${r.maxRssMb.toFixed(0)} MB`
				: `  ${scenario.id.padEnd(42)} ${error}`,
		);
	try {
		const deps: RowDeps = { sandbox, proxy, features, direct: `http://127.0.0.1:${sandbox.port}` };
		for (const group of groups)
			outcomes.push(...(await runGroup(group, deps, outcomes.length, logRow)));
	} finally {
		await proxy.stop();
		sandbox.stop();
	}

	const report = renderReport(
		outcomes,
		{
			machine: machine(loadBefore),
			nodeBuild: build,
			httpRequest: `n8n-nodes-base of n8n ${N8N_RUNTIME_VERSION}`,
			defaultConcurrency,
			concurrencyOption: features.concurrency,
			chunkSize,
			chunkSizeOption: features.chunkSize,
			connectionSource:
				"counted by the latency proxy (20 ms) or the sandbox HTTP server's accepted connections (0 ms)",
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
	// A row that could not run is a broken bench; a target not met is a finding, reported above.
	const failed = outcomes.filter((o) => o.error || (o.result && o.result.failures > 0));
	if (failed.length > 0) {
		log(`${failed.length} row(s) failed: ${failed.map((o) => o.scenario.id).join(', ')}`);
		process.exitCode = 1;
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
