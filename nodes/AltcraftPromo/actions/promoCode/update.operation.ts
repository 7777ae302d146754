import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { loyaltyIdFields, requiredCodeField } from '../../descriptions/common.descriptions';
import { toRfc3339Utc } from '../../helpers/dateTime';
import { invalidParameter, readLoyaltyId, readRequiredText } from '../../helpers/parameters';
import type { AltcraftRequestBody } from '../../transport';
import type { ItemApi, OperationEffect, OperationOption } from '../types';

export const option: OperationOption = {
	name: 'Update',
	value: 'update',
	description: 'Change the expiry date or the activation of a promo code',
	action: 'Update promo code',
};

export const effect: OperationEffect = 'repeatable';

export const properties: INodeProperties[] = [
	...loyaltyIdFields,
	requiredCodeField,
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		description: 'Altcraft needs at least one of these',
		options: [
			{
				displayName: 'Activated',
				name: 'activated',
				type: 'boolean',
				default: false,
				description: 'Whether the code is marked as used; turn off to deactivate it',
			},
			{
				displayName: 'Expire Date',
				name: 'expireDate',
				type: 'dateTime',
				default: '',
				description:
					'When the code expires; a time without a zone is read in the workflow time zone and sent in UTC',
			},
		],
	},
];

type UpdatePlan = AltcraftRequestBody;

export function prepare(this: IExecuteFunctions, itemIndex: number): UpdatePlan {
	const code = readRequiredText(this, itemIndex, 'code', 'Promo Code');
	const loyaltyId = readLoyaltyId(this, itemIndex);
	const fields = this.getNodeParameter('updateFields', itemIndex, {}) as IDataObject;
	const body: AltcraftRequestBody = { code, loyalty_id: loyaltyId };

	if (fields.activated !== undefined) {
		if (typeof fields.activated !== 'boolean') {
			throw invalidParameter(
				this,
				itemIndex,
				`Activated must be true or false, got ${JSON.stringify(fields.activated)}`,
			);
		}
		body.activated = fields.activated;
	}
	if (fields.expireDate !== undefined && fields.expireDate !== '' && fields.expireDate !== null) {
		const expireDate = toRfc3339Utc(fields.expireDate, this.getTimezone());
		if (!expireDate) {
			throw invalidParameter(
				this,
				itemIndex,
				`Expire Date ${JSON.stringify(fields.expireDate)} is not a valid date and time`,
				'Use the date picker or an ISO 8601 value such as 2026-12-31T23:59:00Z.',
			);
		}
		body.expire_date = expireDate;
	}
	if (body.activated === undefined && body.expire_date === undefined) {
		throw invalidParameter(
			this,
			itemIndex,
			'Update needs at least one of Activated or Expire Date',
			'Add "Activated" or "Expire Date" under Update Fields; Altcraft rejects an update without them.',
		);
	}
	return body;
}

export async function execute(plan: UpdatePlan, api: ItemApi): Promise<IDataObject[]> {
	await api.call({ method: 'promocodes/update', body: plan });
	return [{ success: true, operation: 'update', ...plan }];
}
