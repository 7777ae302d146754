import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import {
	databaseIdField,
	loyaltyIdField,
	profileMatchingFields,
	requiredCodeField,
} from '../../descriptions/common.descriptions';
import { readProfileMatching } from '../../helpers/matching';
import { readDatabaseId, readLoyaltyId, readOptionalText } from '../../helpers/parameters';
import type { AltcraftRequestBody, PreparedCall } from '../../helpers/types';

export const UNREPORTED_CODE_NOTE =
	'Altcraft attached one of the free codes of the loyalty program, but its API does not report which code it was.';

const properties: INodeProperties[] = [
	loyaltyIdField,
	{
		...requiredCodeField,
		required: false,
		description:
			'The promo code to attach. Leave empty to let Altcraft attach one of the free codes of the program (Altcraft does not say which).',
	},
	databaseIdField,
	...profileMatchingFields,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['promoCode'], operation: ['attach'] } },
	properties,
);

type AttachPlan = IDataObject;

export function prepare(this: IExecuteFunctions, itemIndex: number): PreparedCall<AttachPlan> {
	const code = readOptionalText(this, itemIndex, 'code', 'Promo Code');
	const body: AltcraftRequestBody = {
		loyalty_id: readLoyaltyId(this, itemIndex),
		db_id: readDatabaseId(this, itemIndex),
		...readProfileMatching(this, itemIndex),
	};
	// An empty `code` would be a code named "", so it is left out to get a free one.
	if (code !== '') body.code = code;
	return { request: { endpoint: 'attach', body }, plan: { ...body } };
}

export function shapeOutput(_envelope: unknown, plan: AttachPlan): IDataObject[] {
	if (plan.code !== undefined) return [{ success: true, operation: 'attach', ...plan }];
	return [{ success: true, operation: 'attach', ...plan, code: null, note: UNREPORTED_CODE_NOTE }];
}
