/**
 * Keeping a program stocked (issue 19): Get Stats, and Import from Generate and Binary File, run
 * through n8n's engine against the sandbox.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { defaultSeedPath, startSandbox, type Sandbox } from '../../sandbox/src';
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

let sandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({
		port: 0,
		token: TOKEN,
		clock: () => new Date('2025-06-01T10:00:00Z'),
	});
});
// loadSeed (not reset): a test that loads its own seed makes it the baseline of reset().
beforeEach(() => sandbox.loadSeed(defaultSeedPath()));
afterAll(async () => {
	await sandbox.stop();
	shutdownEngine();
});

interface Run {
	output: INodeExecutionData[];
	error?: Error;
}

/** Trigger → File Source → Altcraft Promo (items with `file` get it as binary). */
async function run(
	parameters: INodeParameters,
	items: IDataObject[] = [{}],
	onError?: 'continueRegularOutput',
): Promise<Run> {
	const result = await runWorkflow(
		{
			nodes: [
				workflowNode('Trigger', TRIGGER_NODE_TYPE),
				workflowNode('File', FILE_SOURCE_NODE_TYPE),
				altcraftNode(
					ALTCRAFT_NODE_NAME,
					{ resource: 'promoCode', ...parameters },
					onError ? { onError } : {},
				),
			],
			connections: chain('Trigger', 'File', ALTCRAFT_NODE_NAME),
		},
		{
			credentials: { [ALTCRAFT_CREDENTIAL_TYPE]: { baseUrl: sandbox.baseUrl, token: TOKEN } },
			nodeTypes: { [FILE_SOURCE_NODE_TYPE]: new FileSource() },
			startItems: items,
		},
	);
	const output = result.data.resultData.runData[ALTCRAFT_NODE_NAME]?.[0]?.data?.main[0] ?? [];
	return {
		output,
		...(result.data.resultData.error ? { error: result.data.resultData.error } : {}),
	};
}

function fileText(item: INodeExecutionData, field: string): string {
	const binary = item.binary?.[field];
	if (!binary) throw new Error(`no binary field ${field}`);
	return Buffer.from(binary.data, 'base64').toString('utf8');
}

const importRequests = () =>
	sandbox.requests.filter((request) => request.path.endsWith('/promocodes/import')).length;
const codesOf = (loyaltyId: number) =>
	sandbox.getState().loyaltyPrograms.find((program) => program.id === loyaltyId)?.codes ?? [];

describe('Get Stats', () => {
	it('counts a program with a code in every state, free as Attach Free Code sees it', async () => {
		sandbox.loadSeed({
			databases: [{ id: 1, name: 'Shop', profiles: [{ id: 'p1', email: 'a@example.com' }] }],
			loyaltyPrograms: [
				{
					id: 7,
					codes: [
						'FREE-1',
						'FREE-2',
						{ code: 'ATTACHED', attachments: [{ databaseId: 1, profileId: 'p1' }] },
						{
							code: 'ACTIVATED',
							attachments: [{ databaseId: 1, profileId: 'p1' }],
							activated: '2025-05-01T00:00:00Z',
						},
						{ code: 'EXPIRED', expireDate: '2025-05-01T00:00:00Z' },
						{ code: 'NOT-YET-EXPIRED', expireDate: '2025-07-01T00:00:00Z' },
					],
				},
			],
		});
		for (const format of ['json', 'xml']) {
			const result = await run({ operation: 'getStats', loyaltyId: '7', options: { format } });
			expect(result.error).toBeUndefined();
			expect(result.output.map((item) => item.json)).toEqual([
				{
					loyalty_id: 7,
					total: 6,
					free: 3,
					attached: 2,
					activated: 1,
					expired: 1,
					free_ratio: 0.5,
				},
			]);
		}
		// Attach Free Code hands out exactly the 3 free ones, then says none is left.
		for (let attempt = 0; attempt < 4; attempt++) {
			await run(
				{
					operation: 'attachFreeCode',
					loyaltyId: '7',
					databaseId: { __rl: true, mode: 'id', value: 1 },
					matching: 'email',
					email: 'a@example.com',
				},
				[{}],
				'continueRegularOutput',
			);
		}
		const stats = await run({ operation: 'getStats', loyaltyId: '7' });
		expect(stats.output[0].json).toMatchObject({ free: 0, attached: 5 });
	});

	it('reads a program once for many items asking for it', async () => {
		sandbox.clearRequests();
		const result = await run({ operation: 'getStats', loyaltyId: '1' }, [{}, {}, {}]);
		expect(result.output).toHaveLength(3);
		expect(sandbox.requests.filter((request) => request.path.endsWith('/export_all'))).toHaveLength(
			1,
		);
	});
});

describe('Import: Codes', () => {
	it('lists every code by default, as 0.2 did, and adds the failed count and the CSV file', async () => {
		const result = await run({ operation: 'import', loyaltyId: '1', codes: 'NEW-1, WELCOME-0001' });
		expect(result.output[0].json).toEqual({
			inserted: 1,
			duplicated: 1,
			discarded_by_limit: 0,
			duplicated_after_resend: 0,
			requests: 1,
			failed: 1,
			codes: [
				{ code: 'NEW-1', error: 0, error_text: '' },
				{ code: 'WELCOME-0001', error: 500, error_text: 'Promocode duplicated' },
			],
		});
		expect(fileText(result.output[0], 'failedCodes')).toBe(
			'code,error,error_text,after_resend\nWELCOME-0001,500,Promocode duplicated,\n',
		);
	});

	it('with Failed Codes Only keeps the counters, lists only the codes that failed and puts them in a CSV file', async () => {
		const result = await run({
			operation: 'import',
			loyaltyId: '1',
			codes: 'NEW-1, WELCOME-0001, NEW-2, WELCOME-0002',
			perCodeResults: 'failed',
		});
		expect(result.error).toBeUndefined();
		const [item] = result.output;
		expect(item.json).toEqual({
			inserted: 2,
			duplicated: 2,
			discarded_by_limit: 0,
			duplicated_after_resend: 0,
			requests: 1,
			failed: 2,
			codes: [
				{ code: 'WELCOME-0001', error: 500, error_text: 'Promocode duplicated' },
				{ code: 'WELCOME-0002', error: 500, error_text: 'Promocode duplicated' },
			],
		});
		expect(fileText(item, 'failedCodes')).toBe(
			'code,error,error_text,after_resend\nWELCOME-0001,500,Promocode duplicated,\nWELCOME-0002,500,Promocode duplicated,\n',
		);
		expect(item.binary?.failedCodes.mimeType).toBe('text/csv');
	});

	it('has no file when every code went in', async () => {
		const result = await run({
			operation: 'import',
			loyaltyId: '1',
			codes: 'NEW-1',
			perCodeResults: 'failed',
		});
		expect(result.output[0].binary).toBeUndefined();
		expect(result.output[0].json).toMatchObject({ inserted: 1, failed: 0, codes: [] });
	});
});

describe('Import: Generate', () => {
	it('imports exactly Count codes, replacing those the program already has, and gives them as a file', async () => {
		// 5 digits = 100,000 possible codes; every multiple of 3 (a third of them) is already in the program.
		const existing = Array.from({ length: 33_334 }, (_, index) =>
			String(index * 3).padStart(5, '0'),
		);
		sandbox.loadSeed({ loyaltyPrograms: [{ id: 5, codes: existing }] });
		const result = await run({
			operation: 'import',
			loyaltyId: '5',
			source: 'generate',
			count: 2000,
			alphabet: 'digits',
			codeShape: 'length',
			codeLength: 5,
			options: { chunkSize: 250 },
		});
		expect(result.error).toBeUndefined();
		const [item] = result.output;
		expect(item.json).toMatchObject({
			inserted: 2000,
			discarded_by_limit: 0,
			requested: 2000,
			failed: 0,
			codes: [],
		});
		expect(item.json.replaced).toBe(item.json.duplicated);
		expect(Number(item.json.replaced)).toBeGreaterThan(300);
		expect(item.json.generated).toBe(2000 + Number(item.json.replaced));
		const generated = fileText(item, 'data').split('\n').slice(0, -1);
		expect(new Set(generated).size).toBe(2000);
		expect(generated.every((code) => /^\d{5}$/.test(code) && Number(code) % 3 !== 0)).toBe(true);
		expect(codesOf(5)).toHaveLength(35_334);
		expect(item.binary?.failedCodes).toBeUndefined();
	});

	it('follows a pattern with prefix', async () => {
		const result = await run({
			operation: 'import',
			loyaltyId: '1',
			source: 'generate',
			count: 50,
			codeShape: 'pattern',
			pattern: '####-####',
			prefix: 'SALE-',
		});
		const generated = fileText(result.output[0], 'data').trim().split('\n');
		expect(generated).toHaveLength(50);
		expect(
			generated.every((code) =>
				/^SALE-[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{4}-[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{4}$/.test(
					code,
				),
			),
		).toBe(true);
	});

	it.each([
		[{ count: 0 }, 'Count must be a whole number from 1 to 1,000,000, got 0 [item 0]'],
		[
			{ count: 1_000_001 },
			'Count must be a whole number from 1 to 1,000,000, got 1000001 [item 0]',
		],
		[
			{ count: 1000, codeLength: 2 },
			'Length 2 and 31 symbols give 961 possible codes, too few for Count 1,000 [item 0]',
		],
		[
			{ codeShape: 'pattern', pattern: 'AB-##', count: 100 },
			'Pattern with 2 "#" and 31 symbols give 961 possible codes, too few for Count 100 [item 0]',
		],
		[
			{ alphabet: 'custom', customAlphabet: 'A' },
			'Custom Alphabet needs at least 2 different symbols, got 1 [item 0]',
		],
		[
			{ alphabet: 'custom', customAlphabet: '' },
			'Custom Alphabet needs at least 2 different symbols, got 0 [item 0]',
		],
	])('refuses %p before any request', async (settings, message) => {
		sandbox.clearRequests();
		const result = await run({
			operation: 'import',
			loyaltyId: '1',
			source: 'generate',
			count: 10,
			...settings,
		});
		expect(result.error?.message).toBe(message);
		expect(sandbox.requests).toHaveLength(0);
	});
});

describe('Import: Binary File', () => {
	it('imports a text file with BOM, CRLF, quotes, blank lines and repeats', async () => {
		const file = '\uFEFFFILE-1\r\n"FILE-2"\r\n\r\nFILE-1\r\nWELCOME-0001\r\n  FILE-3  \r\n';
		const result = await run(
			{ operation: 'import', loyaltyId: '1', source: 'binaryFile', options: { chunkSize: 2 } },
			[{ file }],
		);
		expect(result.error).toBeUndefined();
		expect(result.output[0].json).toEqual({
			inserted: 3,
			duplicated: 1,
			discarded_by_limit: 0,
			duplicated_after_resend: 0,
			// Two chunks of new codes, then the repeat, once they are answered: Altcraft says it is one.
			requests: 3,
			codes_in_file: 4,
			duplicated_in_file: 1,
			empty_lines: 1,
			failed: 1,
			codes: [{ code: 'WELCOME-0001', error: 500, error_text: 'Promocode duplicated' }],
		});
		expect(codesOf(1).map((code) => code.code)).toEqual(
			expect.arrayContaining(['FILE-1', 'FILE-2', 'FILE-3']),
		);
	});

	it('imports the named column of a CSV file, from another binary field', async () => {
		const file = 'id;Promo Code;note\n1;CSV-1;a\n2;"CSV-2";"b; c"\n';
		const result = await run(
			{
				operation: 'import',
				loyaltyId: '1',
				source: 'binaryFile',
				binaryPropertyName: 'upload',
				fileFormat: 'csv',
				csvColumn: 'promo code',
			},
			[{ file, field: 'upload' }],
		);
		expect(result.error).toBeUndefined();
		expect(result.output[0].json).toMatchObject({ inserted: 2, codes_in_file: 2 });
	});

	it.each([
		[
			'a binary field that does not exist',
			{ binaryPropertyName: 'missing' },
			{ file: 'A\n' },
			"The item has no binary field 'missing' [item 0]",
		],
		[
			'an item without binary data',
			{},
			{},
			"This operation expects the node's input data to contain a binary file 'data', but none was found [item 0]",
		],
		[
			'a file with no codes',
			{},
			{ file: '\r\n\r\n' },
			'The file in Input Binary Field "data" contains no codes [item 0]',
		],
		[
			'a UTF-16 file',
			{},
			{ file: 'A-1\nA-2\n', encoding: 'utf16le' },
			/^The file in Input Binary Field "data" is UTF-16 text; save the file as UTF-8 .*\[item 0\]$/,
		],
		[
			'a file with NUL bytes',
			{},
			{ file: 'A-1\u0000\n' },
			'The file in Input Binary Field "data" holds a NUL byte on line 1; is it a text file? [item 0]',
		],
		[
			'a CSV file without the named column',
			{ fileFormat: 'csv', csvColumn: 'code' },
			{ file: 'id,promo\n1,A\n' },
			'The file in Input Binary Field "data" has no column "code" in its first line (columns: "id", "promo") [item 0]',
		],
	])('refuses %s before any request', async (_name, parameters, item, message) => {
		sandbox.clearRequests();
		const result = await run(
			{ operation: 'import', loyaltyId: '1', source: 'binaryFile', ...parameters },
			[item],
		);
		if (typeof message === 'string') expect(result.error?.message).toBe(message);
		else expect(result.error?.message).toMatch(message);
		expect(importRequests()).toBe(0);
	});

	it('sends nothing for any item when one item has a bad file', async () => {
		sandbox.clearRequests();
		const result = await run({ operation: 'import', loyaltyId: '1', source: 'binaryFile' }, [
			{ file: 'GOOD-1\n' },
			{ file: '\n' },
		]);
		expect(result.error?.message).toBe(
			'The file in Input Binary Field "data" contains no codes [item 1]',
		);
		expect(importRequests()).toBe(0);
	});
});
