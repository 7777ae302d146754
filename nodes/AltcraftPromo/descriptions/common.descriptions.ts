import type { INodeProperties } from 'n8n-workflow';

export const loyaltyIdField: INodeProperties = {
	displayName: 'Loyalty Program ID',
	name: 'loyaltyId',
	type: 'number',
	required: true,
	default: 0,
	description: 'Numeric ID of the Altcraft loyalty program the promo codes belong to',
};

export const requiredCodeField: INodeProperties = {
	displayName: 'Promo Code',
	name: 'code',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. WELCOME-0001',
	description: 'The promo code, exactly as stored in the loyalty program',
};

export const databaseIdField: INodeProperties = {
	displayName: 'Database ID',
	name: 'databaseId',
	type: 'number',
	required: true,
	default: 0,
	description: 'Numeric ID of the Altcraft database that holds the customer profile',
};

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
		description: 'Value the custom field must have; for tag fields, several tags separated by commas',
		displayOptions: { show: { matching: ['custom'] } },
	},
];

export const wireFormatOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [
		{
			displayName: 'Wire Format',
			name: 'format',
			type: 'options',
			default: 'json',
			description:
				'Format of the requests sent to Altcraft and of its answers. The output of this node is the same either way.',
			options: [
				{ name: 'JSON', value: 'json' },
				{ name: 'XML', value: 'xml' },
			],
		},
	],
};
