import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { loyaltyIdFields, requiredCodeField } from '../../descriptions/common.descriptions';
import { readLoyaltyId, readRequiredText } from '../../helpers/parameters';
import type { ItemApi, OperationEffect, OperationOption } from '../types';

export const option: OperationOption = {
	name: 'Activate',
	value: 'activate',
	description: 'Mark an attached promo code as used',
	action: 'Activate promo code',
};

export const effect: OperationEffect = 'once';

export const properties: INodeProperties[] = [
	...loyaltyIdFields,
	{
		...requiredCodeField,
		description:
			'The promo code to mark as used. Altcraft activates only a code that is attached to a profile.',
	},
];

interface ActivatePlan {
	code: string;
	loyalty_id: number;
}

export function prepare(this: IExecuteFunctions, itemIndex: number): ActivatePlan {
	return {
		code: readRequiredText(this, itemIndex, 'code', 'Promo Code'),
		loyalty_id: readLoyaltyId(this, itemIndex),
	};
}

/** Altcraft answers `data: null`, so the item says what was done. */
export async function execute(plan: ActivatePlan, api: ItemApi): Promise<IDataObject[]> {
	await api.call({ method: 'promocodes/activate', body: { ...plan } });
	return [{ success: true, operation: 'activate', ...plan }];
}
