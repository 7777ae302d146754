import type { INodeProperties } from 'n8n-workflow';

export const DEFAULT_TIMEOUT_MS = 20_000;
export const DEFAULT_MAX_RETRIES = 3;
export const DEFAULT_CONCURRENCY = 10;
export const DEFAULT_CHUNK_SIZE = 1_000;
/** Shops resend a webhook for up to about three days (e.g. Shopify 48 h, Stripe 3 days). */
export const DEFAULT_REPLAY_WINDOW_HOURS = 72;

export const nodeOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [
		{
			displayName: 'Batching',
			name: 'batching',
			placeholder: 'Add Batching',
			type: 'fixedCollection',
			typeOptions: { multipleValues: false },
			default: { batch: {} },
			description:
				'For rate-limited accounts: send the items in batches with a pause between them. Within a batch, Concurrency applies.',
			options: [
				{
					displayName: 'Batching',
					name: 'batch',
					values: [
						{
							displayName: 'Items per Batch',
							name: 'batchSize',
							type: 'number',
							typeOptions: { minValue: 1 },
							default: 50,
							description: 'Input items handled before each pause',
						},
						{
							displayName: 'Batch Interval (Ms)',
							name: 'batchInterval',
							type: 'number',
							typeOptions: { minValue: 0 },
							default: 1000,
							description: 'Pause between batches, in milliseconds',
						},
					],
				},
			],
		},
		{
			displayName: 'Codes per Request',
			name: 'chunkSize',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: DEFAULT_CHUNK_SIZE,
			description:
				'Import sends long code lists in requests of at most this many codes and adds up the results',
			displayOptions: { show: { '/operation': ['import'] } },
		},
		{
			displayName: 'Concurrency',
			name: 'concurrency',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: DEFAULT_CONCURRENCY,
			description:
				'How many requests this node keeps in flight at once (1 = one after another). Each uses one kept-alive connection.',
		},
		{
			displayName: 'Create Profile If Missing',
			name: 'createProfileIfMissing',
			type: 'boolean',
			default: false,
			description:
				"Whether to create the customer's profile first when Altcraft has none (a sign-up or a guest's first order), then give the code to it. Uses Altcraft's profile import (add or update): two first orders of one new customer at once end with one profile.",
			displayOptions: { show: { '/operation': ['attach', 'attachFreeCode'] } },
		},
		{
			displayName: 'Fail When Rejected',
			name: 'failWhenRejected',
			type: 'boolean',
			default: false,
			description:
				'Whether a code that cannot be redeemed (not found, not attached, another customer\'s, already used, expired) fails the item instead of giving "redeemed": false and the reason',
			displayOptions: { show: { '/operation': ['redeem'] } },
		},
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: DEFAULT_MAX_RETRIES,
			description:
				'How often a request is sent again after a rate limit, an unavailable server or a lost connection. Calls that change a code are only resent when reading the code back shows the change is not there.',
		},
		{
			displayName: 'Profile Fields (JSON)',
			name: 'profileFieldsJson',
			type: 'json',
			default: '{}',
			description:
				'With Create Profile If Missing: fields for the profile as a JSON object, e.g. {"_fname": "Ivan"}. An existing profile gets them too (Altcraft\'s import adds or updates).',
			displayOptions: {
				show: { '/operation': ['attach', 'attachFreeCode'], createProfileIfMissing: [true] },
			},
		},
		{
			displayName: 'Replay Window (Hours)',
			name: 'replayWindowHours',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: DEFAULT_REPLAY_WINDOW_HOURS,
			description:
				'With an Order ID (Idempotency Key): how long a delivery of the same order is answered with the code it already got. Set it to at least the time your shop keeps resending a webhook.',
			displayOptions: { show: { '/operation': ['attachFreeCode'] } },
		},
		{
			displayName: 'Timeout (Ms)',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: DEFAULT_TIMEOUT_MS,
			description: 'How long to wait for Altcraft to answer one request, in milliseconds',
		},
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
