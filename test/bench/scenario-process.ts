/**
 * Runs one benchmark row in a fresh process (forked by bench.ts), so each row's peak RSS is its
 * own and no row inherits another's heap or sockets. Protocol: job → warm-up straight to the
 * sandbox → 'warmed'; then per pass: (parent resets the sandbox and zeroes its connection counters)
 * 'go' → measured run → 'pass'; finally 'finish' → 'done' with the peak RSS.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type * as EngineClients from './lib/engine-clients';
import type { ChildToParent, ParentToChild, ScenarioJob } from './lib/protocol';
import { importCodes, rawAttach, rawGet, rawImport, type RawRun } from './lib/raw-client';

const WARMUP_ITEMS = 40;
const WARMUP_CODES = 2000;

function send(message: ChildToParent): void {
	process.send?.(message);
}

function nextMessage(): Promise<ParentToChild> {
	return new Promise((resolve) =>
		process.once('message', (message: ParentToChild) => resolve(message)),
	);
}

/**
 * n8n-core and the harness are loaded only by engine rows, so a raw-client row's peak RSS is the
 * raw client's, not n8n's.
 */
let engine: typeof EngineClients | undefined;
const loadEngine = (): typeof EngineClients =>
	(engine ??= require('./lib/engine-clients') as typeof EngineClients);

function httpRequestNote(): string | undefined {
	const version = engine?.httpRequestNodeVersion();
	return version === undefined ? undefined : `HTTP Request v${version}`;
}

/** Successes and failures in an engine node's output (a failed item carries json.error). */
function countOutput(
	job: ScenarioJob,
	output: INodeExecutionData[],
): { ok: number; failures: number } {
	const { scenario } = job;
	if (scenario.operation === 'import') {
		const inserted = output.reduce(
			(sum, item) => sum + (typeof item.json.inserted === 'number' ? item.json.inserted : 0),
			0,
		);
		return { ok: inserted, failures: scenario.count - inserted };
	}
	const good = (json: IDataObject) =>
		scenario.client === 'httpRequestNode' ? json.error === 0 : json.error === undefined;
	const ok = output.filter((item) => good(item.json)).length;
	return { ok, failures: scenario.count - ok };
}

/** Prepares everything a run needs (input items, code lists) and returns the part to time. */
function prepare(
	job: ScenarioJob,
	baseUrl: string,
	count: number,
	runTag: string,
): () => Promise<{ ok: number; failures: number }> {
	const { scenario } = job;
	if (scenario.client === 'raw') {
		const run: RawRun = {
			baseUrl,
			token: job.token,
			concurrency: scenario.concurrency ?? 1,
			format: scenario.format,
			count,
			runTag,
			chunkSize: scenario.chunkSize,
		};
		if (scenario.operation === 'import') {
			const codes = importCodes(runTag, count);
			return async () => {
				const ok = await rawImport(run, codes);
				return { ok, failures: count - ok };
			};
		}
		const task = scenario.operation === 'get' ? rawGet : rawAttach;
		return async () => {
			const ok = await task(run);
			return { ok, failures: count - ok };
		};
	}
	const { runAltcraft, runHttpRequestNode } = loadEngine();
	const run: EngineClients.EngineRun = {
		baseUrl,
		token: job.token,
		operation: scenario.operation,
		format: scenario.format,
		count,
		concurrency: scenario.concurrency,
		chunkSize: scenario.chunkSize,
		runTag,
		features: job.features,
	};
	const scaled = { ...job, scenario: { ...scenario, count } };
	if (scenario.client === 'httpRequestNode') {
		return async () => {
			const outcome = await runHttpRequestNode(run);
			if (outcome.error) throw outcome.error;
			return countOutput(scaled, outcome.output);
		};
	}
	const items =
		scenario.operation === 'import' ? [{ codes: importCodes(runTag, count) }] : undefined;
	return async () => {
		const outcome = await runAltcraft(run, items);
		if (outcome.error) throw outcome.error;
		return countOutput(scaled, outcome.output);
	};
}

async function main(): Promise<void> {
	const first = await nextMessage();
	if (first.type !== 'job') throw new Error('expected a job first');
	const { job } = first;
	const warmupCount = job.scenario.operation === 'import' ? WARMUP_CODES : WARMUP_ITEMS;
	await prepare(job, job.warmupBaseUrl, warmupCount, `${job.runTag}W`)();
	send({ type: 'warmed' });
	for (;;) {
		const message = await nextMessage();
		if (message.type === 'finish') break;
		if (message.type !== 'go') throw new Error('expected go or finish');
		// A tag per pass: attach and import codes must be new in every pass.
		const measured = prepare(job, job.baseUrl, job.scenario.count, `${job.runTag}P${message.pass}`);
		global.gc?.();
		const started = performance.now();
		const { ok, failures } = await measured();
		send({ type: 'pass', result: { ms: performance.now() - started, ok, failures } });
	}
	send({ type: 'done', maxRssMb: process.resourceUsage().maxRSS / 1024, note: httpRequestNote() });
	if (engine) (require('../harness') as typeof import('../harness')).shutdownEngine();
}

/** n8n hands workflow errors back as plain objects at times; their message is what matters. */
function messageOf(error: unknown): string {
	if (
		typeof error === 'object' &&
		error !== null &&
		'message' in error &&
		typeof error.message === 'string'
	) {
		const description =
			'description' in error && typeof error.description === 'string'
				? ` (${error.description})`
				: '';
		return `${error.message}${description}`;
	}
	return String(error);
}

main().catch((error: unknown) => {
	send({ type: 'failed', message: messageOf(error) });
	process.exitCode = 1;
});
