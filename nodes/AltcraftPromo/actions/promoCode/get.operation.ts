import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { loyaltyIdFields, requiredCodeField } from '../../descriptions/common.descriptions';
import { readLoyaltyId, readRequiredText } from '../../helpers/parameters';
import type { AltcraftRequestBody } from '../../transport';
import type { ItemApi, OperationEffect, OperationOption } from '../types';

export const option: OperationOption = {
	name: 'Get',
	value: 'get',
	description: 'Get the state of a promo code',
	action: 'Get promo code',
};

export const effect: OperationEffect = 'none';

export const properties: INodeProperties[] = [...loyaltyIdFields, requiredCodeField];

export function prepare(this: IExecuteFunctions, itemIndex: number): AltcraftRequestBody {
	return {
		code: readRequiredText(this, itemIndex, 'code', 'Promo Code'),
		loyalty_id: readLoyaltyId(this, itemIndex),
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
export async function execute(body: AltcraftRequestBody, api: ItemApi): Promise<IDataObject[]> {
	const envelope = await api.read({ method: 'promocodes/get', body });
	const data = envelope.data && !Array.isArray(envelope.data) ? envelope.data : {};
	const ordered: IDataObject = {};
	for (const key of DOCUMENTED_KEY_ORDER) if (key in data) ordered[key] = data[key];
	return [{ ...ordered, ...data }];
}
