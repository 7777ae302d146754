import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { loyaltyIdField, requiredCodeField } from '../../descriptions/common.descriptions';
import { readLoyaltyId, readRequiredText } from '../../helpers/parameters';
import type { AltcraftEnvelope, PreparedCall } from '../../helpers/types';

const properties: INodeProperties[] = [loyaltyIdField, requiredCodeField];

export const description = updateDisplayOptions(
	{ show: { resource: ['promoCode'], operation: ['get'] } },
	properties,
);

export function prepare(this: IExecuteFunctions, itemIndex: number): PreparedCall<null> {
	return {
		request: {
			endpoint: 'get',
			body: {
				code: readRequiredText(this, itemIndex, 'code', 'Promo Code'),
				loyalty_id: readLoyaltyId(this, itemIndex),
			},
		},
		plan: null,
	};
}

/** Altcraft's own record of the code: state flags, times ("" when unset), profile when attached. */
export function shapeOutput(envelope: AltcraftEnvelope): IDataObject[] {
	const data = envelope.data;
	return [data && !Array.isArray(data) ? data : {}];
}
