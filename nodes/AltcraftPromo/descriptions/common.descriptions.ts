import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

/** Node version 1 fields stay exactly as saved workflows know them. */
const V1_ONLY: IDisplayOptions = { show: { '@version': [1] } };
const FROM_V2: IDisplayOptions = { show: { '@version': [{ _cnd: { gte: 2 } }] } };

const LOYALTY_ID_HINT =
	'A number. In Altcraft, open the Loyalty section and the program: its ID is shown with the program.';

/** Version 1: a number field. n8n does not flag it when it is 0, so a first run fails instead. */
const loyaltyIdField: INodeProperties = {
	displayName: 'Loyalty Program ID',
	name: 'loyaltyId',
	type: 'number',
	required: true,
	default: 0,
	description: 'Numeric ID of the Altcraft loyalty program the promo codes belong to',
};

/**
 * Version 2 makes it a text field with an empty default: n8n marks an empty required text field
 * with an issue before any run, which it never does for a number that defaults to 0.
 * Altcraft has no endpoint that lists loyalty programs, so it stays an ID.
 */
export const loyaltyIdFields: INodeProperties[] = [
	{ ...loyaltyIdField, displayOptions: V1_ONLY },
	{
		displayName: 'Loyalty Program ID',
		name: 'loyaltyId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. 7',
		hint: LOYALTY_ID_HINT,
		description: 'Numeric ID of the Altcraft loyalty program the promo codes belong to',
		displayOptions: FROM_V2,
	},
];

export const requiredCodeField: INodeProperties = {
	displayName: 'Promo Code',
	name: 'code',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. WELCOME-0001',
	description: 'The promo code, exactly as stored in the loyalty program',
};

/** Version 1: a number field. */
const databaseIdField: INodeProperties = {
	displayName: 'Database ID',
	name: 'databaseId',
	type: 'number',
	required: true,
	default: 0,
	description: 'Numeric ID of the Altcraft database that holds the customer profile',
};

/** Digits only, as Altcraft database IDs are. */
const DATABASE_ID_PATTERN = '^[1-9][0-9]*$';

/** Version 2: picked from Altcraft's database list, or given by ID. */
const databaseField: INodeProperties = {
	displayName: 'Database',
	name: 'databaseId',
	type: 'resourceLocator',
	required: true,
	default: { mode: 'list', value: '' },
	description: 'The Altcraft database that holds the customer profile',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a database...',
			typeOptions: { searchListMethod: 'searchDatabases', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 1',
			hint: 'A number: the ID Altcraft shows with the database (From List shows it too)',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: DATABASE_ID_PATTERN,
						errorMessage: 'A database ID is a whole number such as 1',
					},
				},
			],
		},
	],
};

export const databaseIdFields: INodeProperties[] = [
	{ ...databaseIdField, displayOptions: V1_ONLY },
	{ ...databaseField, displayOptions: FROM_V2 },
];

export const profileMatchingFields: INodeProperties[] = [
	{
		displayName: 'Match Profile By',
		name: 'matching',
		type: 'options',
		noDataExpression: true,
		default: 'email',
		description: 'How Altcraft finds the customer profile in the database',
		options: [
			{
				name: 'Custom Field',
				value: 'custom',
				description: 'A custom database field whose value is unique per profile, e.g. a CRM ID',
			},
			{
				name: 'Email',
				value: 'email',
				description: 'Email in the profile or in its subscriptions',
			},
			{
				name: 'Email (Profile Only)',
				value: 'email_profile',
				description: 'Email in the profile itself, ignoring subscriptions',
			},
			{
				name: 'Phone',
				value: 'phone',
				description: 'Phone number in the profile or its SMS subscriptions',
			},
			{
				name: 'Profile ID',
				value: 'profile_id',
				description: 'The Altcraft profile ID',
			},
		],
	},
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		placeholder: 'e.g. name@email.com',
		required: true,
		default: '',
		description: 'Email of the customer profile',
		displayOptions: { show: { matching: ['email', 'email_profile'] } },
	},
	{
		displayName: 'Phone',
		name: 'phone',
		type: 'string',
		placeholder: 'e.g. +79000000000',
		required: true,
		default: '',
		description: 'Phone number of the customer profile, in international format',
		displayOptions: { show: { matching: ['phone'] } },
	},
	{
		displayName: 'Profile ID',
		name: 'profileId',
		type: 'string',
		placeholder: 'e.g. 5c94fbc103e42237764042f8',
		required: true,
		default: '',
		description: 'Altcraft ID of the customer profile',
		displayOptions: { show: { matching: ['profile_id'] } },
	},
	{
		displayName: 'Field Name',
		name: 'fieldName',
		type: 'string',
		placeholder: 'e.g. CRM_ID',
		required: true,
		default: '',
		description: 'API name of the custom database field to match on',
		displayOptions: { show: { matching: ['custom'] } },
	},
	{
		displayName: 'Field Value',
		name: 'fieldValue',
		type: 'string',
		required: true,
		default: '',
		description:
			'Value the custom field must have; for tag fields, several tags separated by commas',
		displayOptions: { show: { matching: ['custom'] } },
	},
];
