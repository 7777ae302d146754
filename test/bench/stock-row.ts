/**
 * One row of the stock benchmark in a fresh process (forked by stock.ts), so its peak RSS is its
 * own: a bare keep-alive client, or the built node through n8n's engine (n8n-core's
 * WorkflowExecute, binary data on disk as n8n 2.x keeps it by default). Prints one JSON line.
 *
 * Rows: raw-file / n8n-file (codes from a text file, stored in n8n's binary storage before the
 * measured run, as an upload would have stored it), raw-generated / n8n-generated (new random
 * codes), raw-stats / n8n-stats (count the free codes of a program from one export_all).
 */
import { randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type * as DI from '@n8n/di';
import { BinaryDataService } from 'n8n-core';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import {
	ALTCRAFT_CREDENTIAL_TYPE,
	ALTCRAFT_NODE_NAME,
	TRIGGER_NODE_TYPE,
	altcraftNode,
	chain,
	runWorkflow,
	shutdownEngine,
	workflowNode,
} from '../harness';
import { FILE_SOURCE_NODE_TYPE, FileSource } from '../support/file-source-node';
import { RawClient } from './lib/raw-client';

export type StockRowKind =
	| 'raw-file'
	| 'n8n-file'
	| 'raw-generated'
	| 'n8n-generated'
	| 'raw-stats'
	| 'n8n-stats';

export interface StockRowJob {
	kind: StockRowKind;
	baseUrl: string;
	token: string;
	loyaltyId: number;
	/** The text file (raw-file, n8n-file). */
	file?: string;
	/** Codes to generate (raw-generated, n8n-generated). */
	count?: number;
	chunkSize: number;
	/** Program and file for the warm-up run (a few thousand codes). */
	warmLoyaltyId: number;
	warmFile?: string;
}

export interface StockRowResult {
	kind: StockRowKind;
	ms: number;
	/** Peak RSS during the measured run minus RSS just before it. */
	rssGrowthBytes: number;
	peakRssBytes: number;
	/** Peak of V8's heap in use plus external memory (buffers) during the run, minus before it. */
	heldGrowthBytes: number;
	output: IDataObject;
}

const IN_FLIGHT = 2;
const { Container } = require(
	require.resolve('@n8n/di', { paths: [path.dirname(require.resolve('n8n-core'))] }),
) as typeof DI;

/** The bare client: chunks of codes, two in flight on keep-alive connections, answers parsed and checked. */
async function sendChunks(
	job: StockRowJob,
	loyaltyId: number,
	codes: string[],
): Promise<IDataObject> {
	const client = new RawClient(job.baseUrl, job.token, IN_FLIGHT);
	let next = 0;
	let inserted = 0;
	let requests = 0;
	try {
		const worker = async () => {
			while (next < codes.length) {
				const chunk = codes.slice(next, next + job.chunkSize);
				next += job.chunkSize;
				const envelope = await client.send(
					'promocodes/import',
					{ codes: chunk, loyalty_id: loyaltyId },
					'json',
				);
				if (envelope.error !== 0) throw new Error(`raw import: Altcraft error ${envelope.error}`);
				inserted += envelope.inserted ?? 0;
				requests++;
			}
		};
		await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
	} finally {
		client.close();
	}
	return { inserted, requests };
}

function readLines(file: string): string[] {
	return readFileSync(file, 'utf8')
		.split('\n')
		.map((line) => line.trim())
		.filter((line) => line !== '');
}

const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
function randomCodes(count: number): string[] {
	const codes = new Set<string>();
	while (codes.size < count) {
		let code = '';
		for (let index = 0; index < 12; index++) code += ALPHABET[randomInt(ALPHABET.length)];
		codes.add(code);
	}
	return [...codes];
}

async function rawStats(job: StockRowJob, loyaltyId: number): Promise<IDataObject> {
	const response = await fetch(`${job.baseUrl}/api/v1.1/promocodes/export_all`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ token: job.token, loyalty_id: loyaltyId }),
	});
	const envelope = JSON.parse(await response.text()) as { error: number; data: IDataObject[] };
	if (envelope.error !== 0) throw new Error(`export_all: Altcraft error ${envelope.error}`);
	let free = 0;
	for (const entry of envelope.data)
		if (!entry.attached && !entry.activated && !entry.expired) free++;
	return { total: envelope.data.length, free };
}

/**
 * Stores the file in n8n's binary storage (as an upload would) and returns its reference. Done
 * before the measured run: streaming a file into storage leaves buffers for the garbage
 * collector that are n8n's, not the Altcraft node's.
 */
async function storeFile(file: string): Promise<IDataObject> {
	const result = await runWorkflow(
		{
			nodes: [
				workflowNode('Trigger', TRIGGER_NODE_TYPE),
				workflowNode('File', FILE_SOURCE_NODE_TYPE),
			],
			connections: chain('Trigger', 'File'),
		},
		{ nodeTypes: { [FILE_SOURCE_NODE_TYPE]: new FileSource() }, startItems: [{ path: file }] },
	);
	const stored = result.data.resultData.runData.File?.[0]?.data?.main[0]?.[0]?.binary?.data;
	if (!stored) throw new Error(`the file ${file} was not stored`);
	return stored as unknown as IDataObject;
}

async function runNode(
	job: StockRowJob,
	parameters: INodeParameters,
	stored?: IDataObject,
): Promise<{ output: IDataObject; ms: number }> {
	const result = await runWorkflow(
		{
			nodes: [
				workflowNode('Trigger', TRIGGER_NODE_TYPE),
				workflowNode('File', FILE_SOURCE_NODE_TYPE),
				altcraftNode(ALTCRAFT_NODE_NAME, {
					resource: 'promoCode',
					options: { chunkSize: job.chunkSize },
					...parameters,
				}),
			],
			connections: chain('Trigger', 'File', ALTCRAFT_NODE_NAME),
		},
		{
			credentials: { [ALTCRAFT_CREDENTIAL_TYPE]: { baseUrl: job.baseUrl, token: job.token } },
			nodeTypes: { [FILE_SOURCE_NODE_TYPE]: new FileSource() },
			startItems: [stored ? { stored } : {}],
		},
	);
	if (result.data.resultData.error) throw result.data.resultData.error;
	const taskData = result.data.resultData.runData[ALTCRAFT_NODE_NAME][0];
	const item = taskData.data?.main[0]?.[0];
	const { codes: _codes, ...output } = item?.json ?? {};
	// The Altcraft node's own time, as n8n records it (the file node before it is not counted).
	return { output, ms: taskData.executionTime };
}

async function once(
	job: StockRowJob,
	loyaltyId: number,
	file: string | undefined,
	stored?: IDataObject,
): Promise<{ output: IDataObject; ms?: number }> {
	switch (job.kind) {
		case 'raw-file':
			return { output: await sendChunks(job, loyaltyId, readLines(file as string)) };
		case 'raw-generated':
			throw new Error('raw-generated sends codes made before the clock starts');
		case 'raw-stats':
			return { output: await rawStats(job, loyaltyId) };
		case 'n8n-file':
			return await runNode(
				job,
				{ operation: 'import', loyaltyId: String(loyaltyId), source: 'binaryFile' },
				stored ?? (await storeFile(file as string)),
			);
		case 'n8n-generated':
			return await runNode(job, {
				operation: 'import',
				loyaltyId: String(loyaltyId),
				source: 'generate',
				count: job.count,
			});
		case 'n8n-stats':
			return await runNode(job, { operation: 'getStats', loyaltyId: String(loyaltyId) });
	}
}

function heldByJavaScript(): number {
	const usage = process.memoryUsage();
	return usage.heapUsed + usage.external;
}

function gc(): void {
	(globalThis as { gc?: () => void }).gc?.();
}

async function main(): Promise<void> {
	const job = JSON.parse(process.argv[2]) as StockRowJob;
	const storage = mkdtempSync(path.join(os.tmpdir(), 'altcraft-bench-binary-'));
	process.env.N8N_BINARY_DATA_STORAGE_PATH = storage;
	try {
		const engine = job.kind.startsWith('n8n-');
		const generatedRaw = job.kind === 'raw-generated';
		// Warm-up: modules loaded, JIT warm, connections and binary storage set up.
		if (engine) {
			const warm = { ...job, count: 2000 };
			await runWorkflow(
				{ nodes: [workflowNode('Trigger', TRIGGER_NODE_TYPE)], connections: {} },
				{},
			);
			await Container.get(BinaryDataService).init();
			await once(warm, job.warmLoyaltyId, job.warmFile);
		} else if (generatedRaw) {
			await sendChunks(job, job.warmLoyaltyId, randomCodes(2000));
		} else {
			await once(job, job.warmLoyaltyId, job.warmFile);
		}
		const codes = generatedRaw ? randomCodes(job.count as number) : undefined;
		const stored = job.kind === 'n8n-file' ? await storeFile(job.file as string) : undefined;
		gc();
		gc();
		const rssBefore = process.memoryUsage.rss();
		let peak = rssBefore;
		// What JavaScript holds (V8 heap in use plus buffers outside it): unlike RSS, it does not
		// include pages the allocator keeps after garbage is freed.
		const heldBefore = heldByJavaScript();
		let heldPeak = heldBefore;
		const sampler = setInterval(() => {
			peak = Math.max(peak, process.memoryUsage.rss());
			heldPeak = Math.max(heldPeak, heldByJavaScript());
		}, 5);
		const maxRssBefore = process.resourceUsage().maxRSS * 1024;
		const started = performance.now();
		const { output, ms } = codes
			? { output: await sendChunks(job, job.loyaltyId, codes), ms: undefined }
			: await once(job, job.loyaltyId, job.file, stored);
		const wall = performance.now() - started;
		clearInterval(sampler);
		peak = Math.max(peak, process.memoryUsage.rss());
		const maxRss = process.resourceUsage().maxRSS * 1024;
		// A new lifetime peak during the run is a peak of the run too (the sampler may miss a spike).
		if (maxRss > maxRssBefore) peak = Math.max(peak, maxRss);
		const result: StockRowResult = {
			kind: job.kind,
			ms: ms ?? wall,
			rssGrowthBytes: peak - rssBefore,
			peakRssBytes: peak,
			heldGrowthBytes: heldPeak - heldBefore,
			output,
		};
		process.stdout.write(`${JSON.stringify(result)}\n`);
	} finally {
		if (job.kind.startsWith('n8n-')) shutdownEngine();
		rmSync(storage, { recursive: true, force: true });
	}
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
