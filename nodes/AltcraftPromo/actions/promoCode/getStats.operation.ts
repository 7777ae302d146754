import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { loyaltyIdFields } from '../../descriptions/common.descriptions';
import { readLoyaltyId } from '../../helpers/parameters';
import { computeProgramStats } from '../../helpers/programStats';
import type { ItemApi, OperationEffect, OperationOption } from '../types';

export const option: OperationOption = {
	name: 'Get Stats',
	value: 'getStats',
	description: 'Count the codes of a loyalty program: free, attached, activated, expired',
	action: 'Get promo code stats',
};

export const effect: OperationEffect = 'none';

export const properties: INodeProperties[] = [
	{
		displayName:
			'Altcraft sends every code of the program in one answer, which is counted here; for a program with many codes this takes a few seconds. "Free" counts the codes Attach Free Code can hand out.',
		name: 'statsNotice',
		type: 'notice',
		default: '',
	},
	...loyaltyIdFields,
];

interface GetStatsPlan {
	loyaltyId: number;
}

export function prepare(this: IExecuteFunctions, itemIndex: number): GetStatsPlan {
	return { loyaltyId: readLoyaltyId(this, itemIndex) };
}

/**
 * One item per program. Items asking for the same program in one execution share one download
 * (a program of 1,000,000 codes is ~25 MB of JSON).
 */
export async function execute(plan: GetStatsPlan, api: ItemApi): Promise<IDataObject[]> {
	const stats = await api.once(`getStats:${plan.loyaltyId}`, async () => {
		const envelope = await api.read({
			method: 'promocodes/export_all',
			body: { loyalty_id: plan.loyaltyId },
		});
		return computeProgramStats(envelope.data);
	});
	return [{ loyalty_id: plan.loyaltyId, ...stats }];
}
