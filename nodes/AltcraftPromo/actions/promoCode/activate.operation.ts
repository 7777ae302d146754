import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { loyaltyIdFields, requiredCodeField } from '../../descriptions/common.descriptions';
import { retryOnFailNotice } from '../../descriptions/sideEffects.descriptions';
import { readLoyaltyId, readRequiredText } from '../../helpers/parameters';
import type { PreparedCall } from '../../helpers/types';

const properties: INodeProperties[] = [
	...loyaltyIdFields,
	{
		...requiredCodeField,
		description: 'The promo code to mark as used. Altcraft activates only a code that is attached to a profile.',
	},
	retryOnFailNotice,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['promoCode'], operation: ['activate'] } },
	properties,
);

interface ActivatePlan {
	code: string;
	loyalty_id: number;
}

export function prepare(this: IExecuteFunctions, itemIndex: number): PreparedCall<ActivatePlan> {
	const plan: ActivatePlan = {
		code: readRequiredText(this, itemIndex, 'code', 'Promo Code'),
		loyalty_id: readLoyaltyId(this, itemIndex),
	};
	return { request: { method: 'promocodes/activate', body: { ...plan } }, plan };
}

/** Altcraft answers `data: null`, so the item says what was done. */
export function shapeOutput(_envelope: unknown, plan: ActivatePlan): IDataObject[] {
	return [{ success: true, operation: 'activate', ...plan }];
}
