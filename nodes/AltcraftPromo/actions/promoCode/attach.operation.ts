import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	databaseIdFields,
	loyaltyIdFields,
	profileMatchingFields,
	requiredCodeField,
} from '../../descriptions/common.descriptions';
import { ensureProfile, readCreateProfile } from '../../helpers/createProfile';
import { readDatabaseId } from '../../helpers/databaseId';
import { readProfileMatching } from '../../helpers/matching';
import { readLoyaltyId, readOptionalText } from '../../helpers/parameters';
import { profileMatchingOf } from '../../helpers/promoState';
import type { AltcraftRequestBody } from '../../transport';
import type { ItemApi, OperationEffect, OperationOption } from '../types';

export const UNREPORTED_CODE_HINT =
	'Altcraft attached one of the free codes of the loyalty program but does not say which, so "code" is empty. Use the Attach Free Code operation to get the code in the output.';

export const option: OperationOption = {
	name: 'Attach',
	value: 'attach',
	description: 'Give a promo code to a customer profile',
	action: 'Attach promo code',
};

export const effect: OperationEffect = 'once';

export const properties: INodeProperties[] = [
	...loyaltyIdFields,
	{
		...requiredCodeField,
		required: false,
		description:
			'The promo code to attach. Leave empty to let Altcraft attach one of the free codes of the program (Altcraft does not say which).',
	},
	{
		displayName:
			'With Promo Code empty, Altcraft attaches one of the free codes of the program but does not say which one, so the output has no code. To get the attached code, use the Attach Free Code operation instead.',
		name: 'noCodeNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { code: [''] } },
	},
	...databaseIdFields,
	...profileMatchingFields,
];

interface AttachPlan {
	body: AltcraftRequestBody;
	/** Options → Create Profile If Missing: the profile data to import first. */
	createProfile: AltcraftRequestBody | undefined;
}

export function prepare(this: IExecuteFunctions, itemIndex: number): AttachPlan {
	const code = readOptionalText(this, itemIndex, 'code', 'Promo Code');
	const matching = readProfileMatching(this, itemIndex);
	const body: AltcraftRequestBody = {
		loyalty_id: readLoyaltyId(this, itemIndex),
		db_id: readDatabaseId(this, itemIndex),
		...matching,
	};
	// An empty `code` would be a code named "", so it is left out to get a free one.
	if (code !== '') body.code = code;
	return { body, createProfile: readCreateProfile(this, itemIndex, matching) };
}

/** `code` comes first, where the table view shows it; `null` when Altcraft picked one it does not name. */
export async function execute(plan: AttachPlan, api: ItemApi): Promise<IDataObject[]> {
	const { body, createProfile } = plan;
	let created: IDataObject = {};
	let request = body;
	if (createProfile) {
		const { loyalty_id: loyaltyId, db_id: databaseId, code: requested } = body;
		const { profileId, attachMatching } = await ensureProfile(
			api,
			databaseId as number,
			profileMatchingOf(body),
			createProfile,
		);
		request = {
			loyalty_id: loyaltyId,
			db_id: databaseId,
			...attachMatching,
			...(requested === undefined ? {} : { code: requested }),
		};
		created = { profile_id: profileId };
	}
	await api.call({ method: 'promocodes/attach', body: request });
	const { code, ...rest } = body;
	if (code === undefined) api.hint(UNREPORTED_CODE_HINT);
	return [{ code: code ?? null, success: true, operation: 'attach', ...rest, ...created }];
}
