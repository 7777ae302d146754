import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { loyaltyIdFields } from '../../descriptions/common.descriptions';
import { parseCodesList } from '../../helpers/codesList';
import { invalidParameter, readLoyaltyId } from '../../helpers/parameters';
import type { AltcraftEnvelope, CallResult } from '../../transport';
import type { ItemApi, OperationEffect, OperationOption } from '../types';
import { runItemPool } from '../itemPool';

const CHUNKS_IN_FLIGHT = 2;

export const option: OperationOption = {
	name: 'Import',
	value: 'import',
	description: 'Add new promo codes to a loyalty program',
	action: 'Import promo codes',
};

export const effect: OperationEffect = 'repeatable';

export const properties: INodeProperties[] = [
	...loyaltyIdFields,
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
	},
	{
		displayName: 'Import Mode',
		name: 'importMode',
		type: 'options',
		default: 'perItem',
		description: 'Whether each input item is its own import or the codes of all items go in together',
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
	},
];


interface ImportPlan {
	codes: string[];
	loyaltyId: number;
}

export function prepare(this: IExecuteFunctions, itemIndex: number): ImportPlan {
	const loyaltyId = readLoyaltyId(this, itemIndex);
	const parsed = parseCodesList(this.getNodeParameter('codes', itemIndex, ''));
	if ('problem' in parsed) {
		throw invalidParameter(
			this,
			itemIndex,
			`Promo Codes ${parsed.problem}`,
			'Give one code per line, codes separated by commas, or an expression such as {{ $json.codes }} that returns a list of codes.',
		);
	}
	return { codes: parsed.codes, loyaltyId };
}


interface ImportTotals {
	inserted: number;
	duplicated: number;
	discarded_by_limit: number;
	/** Duplicates counted by chunks that were resent after a lost answer: the lost attempt may have inserted them. */
	duplicated_after_resend: number;
	requests: number;
	codes: IDataObject[];
}

function count(envelope: AltcraftEnvelope, key: string): number {
	const value = envelope[key];
	return typeof value === 'number' ? value : 0;
}

function addChunk(totals: ImportTotals, result: CallResult): void {
	const { envelope } = result;
	totals.inserted += count(envelope, 'inserted');
	totals.duplicated += count(envelope, 'duplicated');
	totals.discarded_by_limit += count(envelope, 'discarded_by_limit');
	totals.requests++;
	const perCode = Array.isArray(envelope.data) ? envelope.data : [];
	if (result.resentAfterUnknownOutcome) {
		totals.duplicated_after_resend += count(envelope, 'duplicated');
		for (const entry of perCode) totals.codes.push({ ...entry, after_resend: true });
	} else {
		for (const entry of perCode) totals.codes.push(entry);
	}
}

/**
 * Long lists go in chunks, at most two at a time: Altcraft documents no size limit, and a chunk lost
 * to a timeout costs a resend of that chunk only. Resending is harmless (codes already in the
 * program come back as duplicated); the output says which duplicates follow such a resend.
 */
async function importCodes(codes: string[], loyaltyId: number, api: ItemApi): Promise<IDataObject[]> {
	const { chunkSize } = api.options;
	const totals: ImportTotals = {
		inserted: 0,
		duplicated: 0,
		discarded_by_limit: 0,
		duplicated_after_resend: 0,
		requests: 0,
		codes: [],
	};
	const chunkCount = Math.ceil(codes.length / chunkSize);
	const results: CallResult[] = new Array(chunkCount);
	// Two chunks in flight: one travels and is imported while the answer to the other is read.
	await runItemPool(chunkCount, { concurrency: CHUNKS_IN_FLIGHT, batching: undefined, signal: api.signal }, async (chunkIndex) => {
		const chunk = codes.slice(chunkIndex * chunkSize, (chunkIndex + 1) * chunkSize);
		results[chunkIndex] = await api.call({ method: 'promocodes/import', body: { codes: chunk, loyalty_id: loyaltyId } });
	});
	for (const result of results) addChunk(totals, result);
	if (totals.duplicated_after_resend > 0) {
		api.hint(
			`${totals.duplicated_after_resend} codes were reported as duplicated after a request was resent; the lost attempt may have inserted them (see "after_resend" in codes).`,
		);
	}
	const { codes: perCode, ...counters } = totals;
	return [{ ...counters, codes: perCode }];
}

export async function execute(plan: ImportPlan, api: ItemApi): Promise<IDataObject[]> {
	return await importCodes(plan.codes, plan.loyaltyId, api);
}

/** Import Mode "One Import for All Items": the codes of every item in one import, one output item. */
export const combined = {
	applies(this: IExecuteFunctions): boolean {
		return this.getNodeParameter('importMode', 0, 'perItem') === 'allItems';
	},
	async execute(plans: ImportPlan[], api: ItemApi): Promise<IDataObject[]> {
		const { loyaltyId } = plans[0];
		const other = plans.find((plan) => plan.loyaltyId !== loyaltyId);
		if (other) {
			throw new Error(
				`"One Import for All Items" needs one Loyalty Program ID for all items, got ${loyaltyId} and ${other.loyaltyId}`,
			);
		}
		return await importCodes(
			plans.flatMap((plan) => plan.codes),
			loyaltyId,
			api,
		);
	},
};
