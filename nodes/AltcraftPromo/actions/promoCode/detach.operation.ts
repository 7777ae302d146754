import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	databaseIdFields,
	loyaltyIdFields,
	profileMatchingFields,
	requiredCodeField,
} from '../../descriptions/common.descriptions';
import { readDatabaseId } from '../../helpers/databaseId';
import { readProfileMatching } from '../../helpers/matching';
import { readLoyaltyId, readRequiredText } from '../../helpers/parameters';
import type { AltcraftRequestBody } from '../../transport';
import type { ItemApi, OperationEffect, OperationOption } from '../types';

export const option: OperationOption = {
	name: 'Detach',
	value: 'detach',
	description: 'Take a promo code back from a customer profile',
	action: 'Detach promo code',
};

export const effect: OperationEffect = 'once';

export const properties: INodeProperties[] = [
	...loyaltyIdFields,
	{ ...requiredCodeField, description: 'The promo code to take back from the profile' },
	...databaseIdFields,
	...profileMatchingFields,
];

type DetachPlan = AltcraftRequestBody;

export function prepare(this: IExecuteFunctions, itemIndex: number): DetachPlan {
	return {
		code: readRequiredText(this, itemIndex, 'code', 'Promo Code'),
		loyalty_id: readLoyaltyId(this, itemIndex),
		db_id: readDatabaseId(this, itemIndex),
		...readProfileMatching(this, itemIndex),
	};
}

export async function execute(plan: DetachPlan, api: ItemApi): Promise<IDataObject[]> {
	await api.call({ method: 'promocodes/detach', body: plan });
	return [{ success: true, operation: 'detach', ...plan }];
}
