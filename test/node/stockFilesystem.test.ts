/**
 * Import from a Binary File and Generate's output file when n8n keeps binary data on disk (n8n
 * 2.x's default "filesystem" mode): the file is read as a stream from n8n's binary storage.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type * as DI from '@n8n/di';
import { BinaryDataService } from 'n8n-core';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startSandbox, type Sandbox } from '../../sandbox/src';
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
import { TOKEN } from './context';

/** n8n-core's DI container (the copy of @n8n/di n8n-core resolves), as the harness uses it. */
const { Container } = require(
	require.resolve('@n8n/di', { paths: [path.dirname(require.resolve('n8n-core'))] }),
) as typeof DI;

const storage = mkdtempSync(path.join(os.tmpdir(), 'altcraft-binary-'));
process.env.N8N_BINARY_DATA_STORAGE_PATH = storage;
let sandbox: Sandbox;

async function run(parameters: INodeParameters, items: IDataObject[]) {
	const result = await runWorkflow(
		{
			nodes: [
				workflowNode('Trigger', TRIGGER_NODE_TYPE),
				workflowNode('File', FILE_SOURCE_NODE_TYPE),
				altcraftNode(ALTCRAFT_NODE_NAME, { resource: 'promoCode', ...parameters }),
			],
			connections: chain('Trigger', 'File', ALTCRAFT_NODE_NAME),
		},
		{
			credentials: { [ALTCRAFT_CREDENTIAL_TYPE]: { baseUrl: sandbox.baseUrl, token: TOKEN } },
			nodeTypes: { [FILE_SOURCE_NODE_TYPE]: new FileSource() },
			startItems: items,
		},
	);
	return {
		output: result.data.resultData.runData[ALTCRAFT_NODE_NAME]?.[0]?.data?.main[0] ?? [],
		error: result.data.resultData.error,
	};
}

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, token: TOKEN });
	// The harness puts InstanceSettings into the container on each run; the first run does that.
	await run({ operation: 'getStats', loyaltyId: '1' }, [{}]);
	await Container.get(BinaryDataService).init();
});
afterAll(async () => {
	await sandbox.stop();
	shutdownEngine();
	rmSync(storage, { recursive: true, force: true });
});

it('reads a file kept on disk by n8n as a stream', async () => {
	const file = path.join(storage, 'codes.txt');
	writeFileSync(file, Array.from({ length: 5000 }, (_, index) => `DISK-${index}`).join('\r\n'));
	const result = await run({ operation: 'import', loyaltyId: '1', source: 'binaryFile' }, [
		{ path: file },
	]);
	expect(result.error).toBeUndefined();
	expect(result.output[0].json).toMatchObject({
		inserted: 5000,
		codes_in_file: 5000,
		failed: 0,
		requests: 5,
	});
});

it('refuses a file on disk with no codes before any request', async () => {
	const file = path.join(storage, 'empty.txt');
	writeFileSync(file, '\n\n');
	sandbox.clearRequests();
	const result = await run({ operation: 'import', loyaltyId: '1', source: 'binaryFile' }, [
		{ path: file },
	]);
	expect(result.error?.message).toBe(
		'The file in Input Binary Field "data" contains no codes [item 0]',
	);
	expect(sandbox.requests).toHaveLength(0);
});

it('stores the generated codes on disk and they read back as the codes that went in', async () => {
	const result = await run(
		{ operation: 'import', loyaltyId: '1', source: 'generate', count: 300 },
		[{}],
	);
	const binary = result.output[0].binary?.data;
	expect(binary?.id).toMatch(/^filesystem/);
	const stream = await Container.get(BinaryDataService).getAsStream(binary?.id as string);
	const chunks: Buffer[] = [];
	for await (const chunk of stream) chunks.push(chunk as Buffer);
	const codes = Buffer.concat(chunks).toString('utf8').trim().split('\n');
	expect(codes).toHaveLength(300);
	for (const code of codes.slice(0, 20)) expect(sandbox.getCode(1, code)).toBeDefined();
});
