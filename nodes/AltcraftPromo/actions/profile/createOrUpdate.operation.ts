import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { databaseIdFields, profileMatchingFields } from '../../descriptions/common.descriptions';
import { readDatabaseId } from '../../helpers/databaseId';
import { readProfileMatching } from '../../helpers/matching';
import { checkFieldName, importData, readProfileFields } from '../../helpers/profileFields';
import { importProfile, type ProfileImport } from '../../helpers/profileImport';
import { invalidParameter } from '../../helpers/parameters';
import type { ItemApi, OperationEffect, OperationOption } from '../types';

export const option: OperationOption = {
	name: 'Create or Update',
	value: 'createOrUpdate',
	description: 'Create a customer profile, or update it if the matching finds one',
	action: 'Create or update a profile',
};

// Altcraft's import is add-or-update: running it again sets the same fields on the same profile.
export const effect: OperationEffect = 'repeatable';

export const properties: INodeProperties[] = [
	...databaseIdFields,
	...profileMatchingFields,
	{
		displayName: 'Fields',
		name: 'profileFields',
		type: 'fixedCollection',
		placeholder: 'Add Field',
		typeOptions: { multipleValues: true },
		default: {},
		description: 'Profile fields to set, by their API name in Altcraft (e.g. _fname, CRM_ID)',
		options: [
			{
				displayName: 'Field',
				name: 'field',
				values: [
					{
						displayName: 'Name',
						name: 'name',
						type: 'string',
						default: '',
						placeholder: 'e.g. _fname',
						description: 'API name of the profile field; system fields start with _',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						description: 'Value to set',
					},
				],
			},
		],
	},
	{
		displayName: 'Fields (JSON)',
		name: 'profileFieldsJson',
		type: 'json',
		default: '{}',
		description:
			'More profile fields as a JSON object, e.g. {"_fname": "Ivan", "TAGS": ["vip"]}. Merged with Fields above (a field there wins).',
	},
	{
		displayName: 'Skip Triggers',
		name: 'skipTriggers',
		type: 'boolean',
		default: false,
		description:
			"Whether to import without firing the database's trigger campaigns (e.g. a welcome email to a new profile). Off, as in Altcraft: the import fires them.",
	},
];

export function prepare(this: IExecuteFunctions, itemIndex: number): ProfileImport {
	const matching = readProfileMatching(this, itemIndex);
	if (matching.matching === 'custom')
		checkFieldName(this, itemIndex, matching.field_name, 'Field Name');
	const fields = readProfileFields(this, itemIndex, {
		pairsParameter: 'profileFields',
		jsonParameter: 'profileFieldsJson',
		jsonDisplayName: 'Fields (JSON)',
	});
	const skipTriggers: unknown = this.getNodeParameter('skipTriggers', itemIndex, false);
	if (typeof skipTriggers !== 'boolean') {
		throw invalidParameter(
			this,
			itemIndex,
			`Skip Triggers must be true or false, got ${JSON.stringify(skipTriggers)}`,
		);
	}
	return {
		databaseId: readDatabaseId(this, itemIndex),
		matching,
		data: importData(matching, fields),
		skipTriggers,
	};
}

/** `profile_id` first (what the next node needs), then the matching key and the database. */
export async function execute(plan: ProfileImport, api: ItemApi): Promise<IDataObject[]> {
	const profileId = await importProfile(api, plan);
	return [
		{
			profile_id: profileId,
			...plan.matching,
			db_id: plan.databaseId,
			skip_triggers: plan.skipTriggers,
		},
	];
}
