import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import {
	databaseIdFields,
	loyaltyIdFields,
	profileMatchingFields,
	requiredCodeField,
} from '../../descriptions/common.descriptions';
import { retryOnFailNotice } from '../../descriptions/sideEffects.descriptions';
import { readDatabaseId } from '../../helpers/databaseId';
import { readProfileMatching } from '../../helpers/matching';
import { readLoyaltyId, readRequiredText } from '../../helpers/parameters';
import type { PreparedCall } from '../../helpers/types';

const properties: INodeProperties[] = [
	...loyaltyIdFields,
	{ ...requiredCodeField, description: 'The promo code to take back from the profile' },
	...databaseIdFields,
	...profileMatchingFields,
	retryOnFailNotice,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['promoCode'], operation: ['detach'] } },
	properties,
);

type DetachPlan = IDataObject;

export function prepare(this: IExecuteFunctions, itemIndex: number): PreparedCall<DetachPlan> {
	const body = {
		code: readRequiredText(this, itemIndex, 'code', 'Promo Code'),
		loyalty_id: readLoyaltyId(this, itemIndex),
		db_id: readDatabaseId(this, itemIndex),
		...readProfileMatching(this, itemIndex),
	};
	return { request: { method: 'promocodes/detach', body }, plan: { ...body } };
}

export function shapeOutput(_envelope: unknown, plan: DetachPlan): IDataObject[] {
	return [{ success: true, operation: 'detach', ...plan }];
}
