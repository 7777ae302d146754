import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { loyaltyIdFields, requiredCodeField } from '../../descriptions/common.descriptions';
import { readLoyaltyId, readRequiredText } from '../../helpers/parameters';
import type { AltcraftEnvelope, PreparedCall } from '../../helpers/types';

const properties: INodeProperties[] = [...loyaltyIdFields, requiredCodeField];

export const description = updateDisplayOptions(
	{ show: { resource: ['promoCode'], operation: ['get'] } },
	properties,
);

export function prepare(this: IExecuteFunctions, itemIndex: number): PreparedCall<null> {
	return {
		request: {
			method: 'promocodes/get',
			body: {
				code: readRequiredText(this, itemIndex, 'code', 'Promo Code'),
				loyalty_id: readLoyaltyId(this, itemIndex),
			},
		},
		plan: null,
	};
}

/** The key order of Altcraft's JSON answer; XML lists the same keys alphabetically. */
const DOCUMENTED_KEY_ORDER = [
	'created',
	'is_attached',
	'is_activated',
	'is_expired',
	'attached',
	'activated',
	'expired',
	'expire_date',
	'loyalty_id',
	'code',
	'database_id',
	'profile_id',
];

/**
 * Altcraft's own record of the code: state flags, times ("" when unset), profile when attached.
 * Keys come in one order whatever the wire format, so the item looks the same in n8n either way.
 */
export function shapeOutput(envelope: AltcraftEnvelope): IDataObject[] {
	const data = envelope.data && !Array.isArray(envelope.data) ? envelope.data : {};
	const ordered: IDataObject = {};
	for (const key of DOCUMENTED_KEY_ORDER) if (key in data) ordered[key] = data[key];
	return [{ ...ordered, ...data }];
}
