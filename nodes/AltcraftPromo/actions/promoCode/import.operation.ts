import { PassThrough, type Readable } from 'stream';

import type {
	IBinaryData,
	IBinaryKeyData,
	IDataObject,
	IExecuteFunctions,
	INodeProperties,
} from 'n8n-workflow';

import { loyaltyIdFields } from '../../descriptions/common.descriptions';
import {
	type CodeShape,
	GeneratorExhaustedError,
	createCodeGenerator,
} from '../../helpers/codeGenerator';
import { readCodeChunks, settleRepeats } from '../../helpers/codeFile';
import { parseCodesList } from '../../helpers/codesList';
import { GeneratedCodesSource } from '../../helpers/generatedCodes';
import { ImportRun, type NextChunk, chunksFrom, chunksOf } from '../../helpers/importRun';
import { invalidParameter, readLoyaltyId } from '../../helpers/parameters';
import { withBinary } from '../outputBinary';
import type { ItemApi, OperationEffect, OperationOption } from '../types';
import {
	type BinaryCodeFile,
	binaryFileFields,
	generateFields,
	readBinaryCodeFile,
	readGenerateShape,
	readSource,
	scanFilesBeforeSending,
	sourceField,
} from './importSources';

/** Two chunks in flight: one travels and is imported while the answer to the other is read. */
const CHUNKS_IN_FLIGHT = 2;

/** Output binary fields: the generated codes (the field n8n nodes read by default) and the failed ones. */
export const CODES_FILE_FIELD = 'data';
export const FAILED_CODES_FILE_FIELD = 'failedCodes';

export const option: OperationOption = {
	name: 'Import',
	value: 'import',
	description: 'Add promo codes to a loyalty program: a list, new generated codes, or a file',
	action: 'Import promo codes',
};

export const effect: OperationEffect = 'repeatable';

export const properties: INodeProperties[] = [
	...loyaltyIdFields,
	sourceField,
	{
		displayName: 'Promo Codes',
		name: 'codes',
		type: 'string',
		typeOptions: { rows: 4 },
		required: true,
		default: '',
		placeholder: 'e.g. SPRING-001, SPRING-002',
		description:
			'Codes to add to the program: one per line or separated by commas, or an expression that gives a list',
		displayOptions: { show: { source: ['codes'] } },
	},
	{
		displayName: 'Import Mode',
		name: 'importMode',
		type: 'options',
		default: 'perItem',
		description:
			'Whether each input item is its own import or the codes of all items go in together',
		options: [
			{
				name: 'One Import per Item',
				value: 'perItem',
				description: 'Each input item gives one output item with its own counters',
			},
			{
				name: 'One Import for All Items',
				value: 'allItems',
				description:
					'The codes of all input items are imported together and summed up in one output item, e.g. one code per item from a spreadsheet',
			},
		],
		displayOptions: { show: { source: ['codes'] } },
	},
	{
		displayName: 'Per-Code Results',
		name: 'perCodeResults',
		type: 'options',
		default: 'all',
		description:
			"Which codes the output item lists with Altcraft's answer for each; the counters are always there",
		options: [
			{
				name: 'All Codes',
				value: 'all',
				description: 'Every code with its result, as before version 0.3',
			},
			{
				name: 'Failed Codes Only',
				value: 'failed',
				description:
					'The first 100 codes Altcraft did not take (all of them in the binary field "failedCodes"): the output stays small however many codes go in',
			},
		],
		displayOptions: { show: { source: ['codes'] } },
	},
	...generateFields,
	...binaryFileFields,
	{
		displayName:
			'The output item has the counters and the first 100 codes Altcraft did not take; every such code is in the binary field "failedCodes" (CSV). Generate also puts the codes that went in into the binary field "data", one per line.',
		displayOptions: { show: { source: ['generate', 'binaryFile'] } },
		name: 'importOutputNotice',
		type: 'notice',
		default: '',
	},
];

/** Makes an output file (n8n keeps it in memory or on disk, as the instance is set up). */
type PrepareFile = (
	content: Buffer | Readable,
	fileName: string,
	mimeType: string,
) => Promise<IBinaryData>;

type ImportPlan = { loyaltyId: number; prepareFile: PrepareFile } & (
	| { source: 'codes'; codes: string[]; keepAllCodes: boolean }
	| { source: 'generate'; shape: CodeShape }
	| { source: 'binaryFile'; file: BinaryCodeFile }
);

export function prepare(this: IExecuteFunctions, itemIndex: number): ImportPlan {
	const loyaltyId = readLoyaltyId(this, itemIndex);
	const source = readSource(this, itemIndex);
	const prepareFile: PrepareFile = async (content, fileName, mimeType) =>
		await this.helpers.prepareBinaryData(content, fileName, mimeType);
	if (source === 'generate')
		return { loyaltyId, prepareFile, source, shape: readGenerateShape(this, itemIndex) };
	if (source === 'binaryFile')
		return { loyaltyId, prepareFile, source, file: readBinaryCodeFile(this, itemIndex) };
	const parsed = parseCodesList(this.getNodeParameter('codes', itemIndex, ''));
	if ('problem' in parsed) {
		throw invalidParameter(
			this,
			itemIndex,
			`Promo Codes ${parsed.problem}`,
			'Give one code per line, codes separated by commas, or an expression such as {{ $json.codes }} that returns a list of codes.',
		);
	}
	const keepAllCodes = this.getNodeParameter('perCodeResults', itemIndex, 'all') !== 'failed';
	return { loyaltyId, prepareFile, source, codes: parsed.codes, keepAllCodes };
}

/**
 * Long lists go in chunks, two at a time: Altcraft documents no size limit, and a chunk lost to a
 * timeout costs a resend of that chunk only. Resending is harmless (codes already in the program
 * come back as duplicated); the output says which duplicates follow such a resend.
 */
async function importChunks(
	loyaltyId: number,
	next: NextChunk,
	api: ItemApi,
	hooks?: ConstructorParameters<typeof ImportRun>[1],
	keepAllCodes = false,
): Promise<ImportRun> {
	const send = async (codes: string[]) => {
		const result = await api.call({
			method: 'promocodes/import',
			body: { codes, loyalty_id: loyaltyId },
		});
		return {
			envelope: result.envelope,
			resentAfterUnknownOutcome: result.resentAfterUnknownOutcome,
		};
	};
	const run = new ImportRun(send, hooks, { keepAllCodes });
	await run.run(next, CHUNKS_IN_FLIGHT, api.signal);
	if (run.counters.duplicated_after_resend > 0) {
		api.hint(
			`${run.counters.duplicated_after_resend} codes were reported as duplicated after a request was resent; the lost attempt may have inserted them (see "after_resend" in codes and in the failedCodes file).`,
		);
	}
	return run;
}

/**
 * Counters first, then what the source adds, then the per-code results: every code (Codes source,
 * "All Codes") or the failed ones (at most 100; the CSV file has all).
 */
async function output(
	run: ImportRun,
	plan: ImportPlan,
	extra: IDataObject,
	files: IBinaryKeyData,
): Promise<IDataObject[]> {
	const { failed, ...counters } = run.counters;
	const codes = run.allCodes ?? (run.failedCodes.listed as unknown as IDataObject[]);
	const json: IDataObject = { ...counters, ...extra, failed, codes };
	if (!run.allCodes && run.failedCodes.truncated) json.codes_truncated = true;
	const csv = run.failedCodes.csv();
	if (csv)
		files[FAILED_CODES_FILE_FIELD] = await plan.prepareFile(csv, 'failed-codes.csv', 'text/csv');
	return [withBinary(json, files)];
}

async function importGenerated(
	plan: ImportPlan & { source: 'generate' },
	api: ItemApi,
): Promise<IDataObject[]> {
	const { shape } = plan;
	// The codes file is written while the codes go in; n8n stores it as it arrives.
	const lines = new PassThrough();
	const stored = plan.prepareFile(lines, 'codes.txt', 'text/plain');
	// No new chunk while the file is behind (n8n stores it as fast as the disk takes it); a
	// failed store frees the wait, and its error comes out where the file is awaited.
	const storeSettled = stored.then(
		() => undefined,
		() => undefined,
	);
	let room: Promise<void> = Promise.resolve();
	const source = new GeneratedCodesSource(
		createCodeGenerator(shape),
		shape.count,
		api.options.chunkSize,
		(piece) => {
			if (!lines.write(piece))
				room = Promise.race([
					new Promise<void>((resolve) => lines.once('drain', () => resolve())),
					storeSettled,
				]);
		},
		async () => await room,
	);
	const run = await importChunks(plan.loyaltyId, source.next, api, source)
		.catch((error: unknown) => {
			if (!(error instanceof GeneratorExhaustedError)) return Promise.reject(error);
			return Promise.reject(
				api.error(
					`Altcraft did not take ${source.replaced.toLocaleString('en-US')} of the generated codes${source.lastFailureText ? ` ("${source.lastFailureText}")` : ''}, more than can be replaced`,
					'The program may already hold many codes of this shape: use a longer Length, another Prefix or a larger alphabet.',
				),
			);
		})
		.finally(() => lines.end());
	if (source.limitReached)
		api.hint(
			`The loyalty program's code limit was reached: ${run.counters.inserted} of ${shape.count} codes went in.`,
		);
	return await output(
		run,
		plan,
		{ requested: shape.count, generated: source.generated, replaced: source.replaced },
		{ [CODES_FILE_FIELD]: await stored },
	);
}

async function importFile(
	plan: ImportPlan & { source: 'binaryFile' },
	api: ItemApi,
): Promise<IDataObject[]> {
	const { file } = plan;
	await scanFilesBeforeSending(file);
	const counts = { codes: 0, duplicatedInFile: 0, blank: 0 };
	const chunks = readCodeChunks(
		file.open,
		{ format: file.format, column: file.column },
		api.options.chunkSize,
		counts,
	);
	const run = await importChunks(plan.loyaltyId, chunksFrom(chunks), api, {
		onChunk: (report) => settleRepeats(report, counts),
	});
	// Repeats within the file are counted as such, not as codes the program already held.
	run.counters.duplicated -= counts.duplicatedInFile;
	return await output(
		run,
		plan,
		{
			codes_in_file: counts.codes,
			duplicated_in_file: counts.duplicatedInFile,
			empty_lines: counts.blank,
		},
		{},
	);
}

export async function execute(plan: ImportPlan, api: ItemApi): Promise<IDataObject[]> {
	if (plan.source === 'generate') return await importGenerated(plan, api);
	if (plan.source === 'binaryFile') return await importFile(plan, api);
	const run = await importChunks(
		plan.loyaltyId,
		chunksOf(plan.codes, api.options.chunkSize),
		api,
		undefined,
		plan.keepAllCodes,
	);
	return await output(run, plan, {}, {});
}

/** Import Mode "One Import for All Items" (Source Codes): every item's codes in one import, one output item. */
export const combined = {
	applies(this: IExecuteFunctions): boolean {
		return (
			this.getNodeParameter('source', 0, 'codes') === 'codes' &&
			this.getNodeParameter('importMode', 0, 'perItem') === 'allItems'
		);
	},
	async execute(plans: ImportPlan[], api: ItemApi): Promise<IDataObject[]> {
		const { loyaltyId } = plans[0];
		const other = plans.find((plan) => plan.loyaltyId !== loyaltyId);
		if (other) {
			throw new Error(
				`"One Import for All Items" needs one Loyalty Program ID for all items, got ${loyaltyId} and ${other.loyaltyId}`,
			);
		}
		const codes = plans.flatMap((plan) => (plan.source === 'codes' ? plan.codes : []));
		const keepAllCodes = plans[0].source === 'codes' && plans[0].keepAllCodes;
		const run = await importChunks(
			loyaltyId,
			chunksOf(codes, api.options.chunkSize),
			api,
			undefined,
			keepAllCodes,
		);
		return await output(run, plans[0], {}, {});
	},
};
