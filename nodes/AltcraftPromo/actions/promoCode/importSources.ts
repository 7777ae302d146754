/**
 * Import's sources besides the Codes field: Generate (codes made here) and Binary File (codes
 * read from an input file). Their fields, and how an item's settings are read and checked
 * before anything is sent.
 */
import type { IBinaryData, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { BINARY_ENCODING, NodeOperationError } from 'n8n-workflow';

import {
	ALPHABETS,
	type AlphabetPreset,
	type CodeShape,
	DEFAULT_CODE_LENGTH,
	MAX_CODE_LENGTH,
	MAX_GENERATED_CODES,
	checkGeneratorSettings,
	isGeneratorProblem,
} from '../../helpers/codeGenerator';
import {
	type CodeFileFormat,
	CodeFileProblem,
	type CodeFileScan,
	type OpenCodeFile,
	scanCodeFile,
} from '../../helpers/codeFile';
import { invalidParameter, readOptionalText, readRequiredText } from '../../helpers/parameters';

export type ImportSource = 'codes' | 'generate' | 'binaryFile';

const show = (source: ImportSource, extra: Record<string, string[]> = {}) => ({
	show: { source: [source], ...extra },
});

/** Read with a 64 KB buffer: large enough for speed, small enough that memory stays flat. */
const READ_CHUNK_BYTES = 32 * 1024;

export const sourceField: INodeProperties = {
	displayName: 'Source',
	name: 'source',
	type: 'options',
	default: 'codes',
	description: 'Where the codes to import come from',
	options: [
		{
			name: 'Codes',
			value: 'codes',
			description: 'A list in the Promo Codes field, or an expression that gives one',
		},
		{
			name: 'Generate',
			value: 'generate',
			description: 'New random codes made by the node with a cryptographically secure generator',
		},
		{
			name: 'Binary File',
			value: 'binaryFile',
			description: 'A text file with one code per line, or a CSV file, from an input binary field',
		},
	],
};

export const generateFields: INodeProperties[] = [
	{
		displayName: 'Count',
		name: 'count',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: MAX_GENERATED_CODES },
		default: 1000,
		description: `How many new codes to add to the program (at most ${MAX_GENERATED_CODES.toLocaleString('en-US')}); codes Altcraft already has are replaced by new ones until this many are in`,
		displayOptions: show('generate'),
	},
	{
		displayName: 'Alphabet',
		name: 'alphabet',
		type: 'options',
		default: 'unambiguous',
		description: 'The symbols codes are made of',
		options: [
			{
				name: 'Letters and Digits Without Look-Alikes',
				value: 'unambiguous',
				description: `${ALPHABETS.unambiguous}: no 0/O or 1/I/L, which people mix up when they type a code`,
			},
			{ name: 'Digits', value: 'digits', description: ALPHABETS.digits },
			{ name: 'Letters', value: 'letters', description: ALPHABETS.letters },
			{ name: 'Custom', value: 'custom', description: 'The symbols you list' },
		],
		displayOptions: show('generate'),
	},
	{
		displayName: 'Custom Alphabet',
		name: 'customAlphabet',
		type: 'string',
		default: '',
		placeholder: 'e.g. ABCDEF0123456789',
		description: 'Each symbol once, at least two',
		displayOptions: show('generate', { alphabet: ['custom'] }),
	},
	{
		displayName: 'Code Shape',
		name: 'codeShape',
		type: 'options',
		default: 'length',
		options: [
			{
				name: 'Length',
				value: 'length',
				description: 'Prefix, then a number of random symbols, then Postfix',
			},
			{
				name: 'Pattern',
				value: 'pattern',
				description: 'A pattern such as SALE-####-#### where each # is one random symbol',
			},
		],
		displayOptions: show('generate'),
	},
	{
		displayName: 'Length',
		name: 'codeLength',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: MAX_CODE_LENGTH },
		default: DEFAULT_CODE_LENGTH,
		description: 'Random symbols in each code, without Prefix and Postfix',
		displayOptions: show('generate', { codeShape: ['length'] }),
	},
	{
		displayName: 'Pattern',
		name: 'pattern',
		type: 'string',
		default: 'SALE-####-####',
		description: 'Each # becomes one random symbol; every other character is kept as it is',
		displayOptions: show('generate', { codeShape: ['pattern'] }),
	},
	{
		displayName: 'Prefix',
		name: 'prefix',
		type: 'string',
		default: '',
		placeholder: 'e.g. SPRING-',
		description: 'Text at the start of every code',
		displayOptions: show('generate'),
	},
	{
		displayName: 'Postfix',
		name: 'postfix',
		type: 'string',
		default: '',
		description: 'Text at the end of every code',
		displayOptions: show('generate'),
	},
];

export const binaryFileFields: INodeProperties[] = [
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the input binary field containing the file with the codes',
		displayOptions: show('binaryFile'),
	},
	{
		displayName: 'File Format',
		name: 'fileFormat',
		type: 'options',
		default: 'lines',
		options: [
			{ name: 'Text, One Code per Line', value: 'lines' },
			{
				name: 'CSV',
				value: 'csv',
				description: 'Comma, semicolon or tab separated, with a header line',
			},
		],
		displayOptions: show('binaryFile'),
	},
	{
		displayName: 'Column',
		name: 'csvColumn',
		type: 'string',
		default: 'code',
		description: 'The header of the column that holds the codes (upper or lower case alike)',
		displayOptions: show('binaryFile', { fileFormat: ['csv'] }),
	},
];

export function readSource(context: IExecuteFunctions, itemIndex: number): ImportSource {
	const source = context.getNodeParameter('source', itemIndex, 'codes');
	if (source !== 'codes' && source !== 'generate' && source !== 'binaryFile') {
		throw invalidParameter(
			context,
			itemIndex,
			`Source "${String(source)}" is not one of Codes, Generate, Binary File`,
		);
	}
	return source;
}

/** Generate: the checked code shape, or an error naming the field. */
export function readGenerateShape(context: IExecuteFunctions, itemIndex: number): CodeShape {
	const usePattern = context.getNodeParameter('codeShape', itemIndex, 'length') === 'pattern';
	const pattern = usePattern ? readRequiredText(context, itemIndex, 'pattern', 'Pattern') : '';
	const shape = checkGeneratorSettings({
		count: context.getNodeParameter('count', itemIndex, 1000),
		length: usePattern
			? undefined
			: context.getNodeParameter('codeLength', itemIndex, DEFAULT_CODE_LENGTH),
		pattern,
		alphabet: context.getNodeParameter('alphabet', itemIndex, 'unambiguous') as AlphabetPreset,
		customAlphabet: readOptionalText(context, itemIndex, 'customAlphabet', 'Custom Alphabet'),
		prefix: readOptionalText(context, itemIndex, 'prefix', 'Prefix'),
		postfix: readOptionalText(context, itemIndex, 'postfix', 'Postfix'),
	});
	if (isGeneratorProblem(shape))
		throw invalidParameter(context, itemIndex, shape.problem, shape.hint);
	return shape;
}

export interface BinaryCodeFile {
	open: OpenCodeFile;
	format: CodeFileFormat;
	column: string;
	/** The first read of the whole file, started when the item is checked (see scanFilesBeforeSending). */
	scan: Promise<CodeFileScan>;
	/** The scans of every item of this execution, so that no item sends before all files are read. */
	allScans: Array<Promise<CodeFileScan>>;
	continueOnFail: boolean;
}

/** Bytes of binary data, whether n8n keeps it in memory (base64 in the item) or in a file. */
function opener(context: IExecuteFunctions, binary: IBinaryData): OpenCodeFile {
	if (binary.id) {
		const id = binary.id;
		return async function* () {
			yield* await context.helpers.getBinaryStream(id, READ_CHUNK_BYTES);
		};
	}
	return async function* () {
		const bytes = Buffer.from(binary.data, BINARY_ENCODING);
		for (let offset = 0; offset < bytes.length; offset += READ_CHUNK_BYTES)
			yield bytes.subarray(offset, offset + READ_CHUNK_BYTES);
	};
}

/** The scans started in one execution (the router checks every item with the same context). */
const scansByExecution = new WeakMap<IExecuteFunctions, Array<Promise<CodeFileScan>>>();

/**
 * Binary File: the field must exist in the item; the whole file is then read once right away
 * (not text, no such column, no codes at all → an error naming the field and the item), and the
 * import waits for the files of all items, so a bad file stops the run before any request.
 */
export function readBinaryCodeFile(context: IExecuteFunctions, itemIndex: number): BinaryCodeFile {
	const property = readRequiredText(context, itemIndex, 'binaryPropertyName', 'Input Binary Field');
	const binary = context.helpers.assertBinaryData(itemIndex, property);
	const format =
		context.getNodeParameter('fileFormat', itemIndex, 'lines') === 'csv' ? 'csv' : 'lines';
	const column =
		format === 'csv' ? readRequiredText(context, itemIndex, 'csvColumn', 'Column') : '';
	const open = opener(context, binary);
	const scan = scanCodeFile(open, { format, column }).catch((error: unknown) => {
		if (!(error instanceof CodeFileProblem)) throw error;
		throw new NodeOperationError(
			context.getNode(),
			`The file in Input Binary Field "${property}" ${error.message} [item ${itemIndex}]`,
			{
				itemIndex,
				description:
					format === 'csv'
						? `Give a CSV file with a header line and the codes in the column "${column}", or choose File Format "Text, One Code per Line".`
						: 'Give a UTF-8 text file with one code per line, or choose File Format "CSV".',
			},
		);
	});
	// Awaited in execute; a run that stops before (another item's bad parameter) must not leave it unhandled.
	scan.catch(() => undefined);
	let allScans = scansByExecution.get(context);
	if (!allScans) {
		allScans = [];
		scansByExecution.set(context, allScans);
	}
	allScans.push(scan);
	return { open, format, column, scan, allScans, continueOnFail: context.continueOnFail() };
}

/** Waits for every item's file; throws this item's problem, or (without Continue On Fail) the first one. */
export async function scanFilesBeforeSending(file: BinaryCodeFile): Promise<CodeFileScan> {
	const settled = await Promise.allSettled(file.allScans);
	const counts = await file.scan;
	const failed = settled.find(
		(result): result is PromiseRejectedResult => result.status === 'rejected',
	);
	if (failed && !file.continueOnFail) throw failed.reason;
	return counts;
}
