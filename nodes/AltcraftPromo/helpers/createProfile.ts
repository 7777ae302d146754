import type { IExecuteFunctions } from 'n8n-workflow';

import type { ItemApi } from '../actions/types';
import type { AltcraftRequestBody } from '../transport';
import type { ProfileMatching } from './matching';
import { invalidParameter } from './parameters';
import { checkFieldName, importData, readProfileFields } from './profileFields';
import { importProfile } from './profileImport';

/**
 * Options → Create Profile If Missing of Attach and Attach Free Code: the profile `data` to import
 * before the code is attached, or undefined when the option is off. Checked with the item.
 */
export function readCreateProfile(
	context: IExecuteFunctions,
	itemIndex: number,
	matching: ProfileMatching,
): AltcraftRequestBody | undefined {
	if (context.getNodeParameter('options.createProfileIfMissing', itemIndex, false) !== true)
		return undefined;
	if (matching.matching === 'profile_id') {
		throw invalidParameter(
			context,
			itemIndex,
			'Create Profile If Missing cannot create a profile from a Profile ID',
			'Altcraft gives new profiles their IDs; match the customer by Email, Phone or a Custom Field to create the profile when it is missing.',
		);
	}
	if (matching.matching === 'custom')
		checkFieldName(context, itemIndex, matching.field_name, 'Field Name');
	const fields = readProfileFields(context, itemIndex, {
		jsonParameter: 'options.profileFieldsJson',
		jsonDisplayName: 'Profile Fields (JSON)',
	});
	return importData(matching, fields);
}

/**
 * Creates or updates the customer (Altcraft's add-or-update import, keyed by the matching) and
 * answers the matching that names exactly that profile, for the attach that follows.
 */
export async function ensureProfile(
	api: ItemApi,
	databaseId: number,
	matching: AltcraftRequestBody,
	data: AltcraftRequestBody,
): Promise<{ profileId: string; attachMatching: AltcraftRequestBody }> {
	// Triggers fire as Altcraft's default has it: a new customer gets the database's welcome campaign.
	const profileId = await importProfile(api, { databaseId, matching, data, skipTriggers: false });
	return { profileId, attachMatching: { matching: 'profile_id', profile_id: profileId } };
}
