/**
 * The Profile resource (Create or Update, Get) and Create Profile If Missing of Attach and Attach
 * Free Code: a new customer gets a profile and a code, and two first orders at once make one profile.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { FORMATS, jsonOf, useSandbox } from './context';

const context = useSandbox();

const HEX24 = /^[0-9a-f]{24}$/;

function profilesWithEmail(email: string) {
	return context.sandbox
		.getState()
		.databases.flatMap((db) => db.profiles.filter((profile) => profile.email === email));
}

function codesHeldBy(loyaltyId: number, profileId: string): string[] {
	const program = context.sandbox
		.getState()
		.loyaltyPrograms.find((entry) => entry.id === loyaltyId);
	return (program?.codes ?? [])
		.filter((code) => code.attachments.some((attachment) => attachment.profileId === profileId))
		.map((code) => code.code);
}

function requestsTo(method: string) {
	return context.sandbox.requests.filter((request) => request.path.endsWith(method));
}

function createOrUpdate(extra: INodeParameters = {}): INodeParameters {
	return {
		resource: 'profile',
		operation: 'createOrUpdate',
		databaseId: 1,
		matching: 'email',
		email: '={{ $json.email }}',
		...extra,
	};
}

describe.each(FORMATS)('Profile over %s', (format) => {
	const options = { format };

	it('Create or Update creates a new customer from Fields and Fields (JSON), output profile_id and the key', async () => {
		const result = await context.run(
			createOrUpdate({
				profileFields: {
					field: [
						{ name: '_fname', value: 'Ivan' },
						{ name: 'CRM_ID', value: '777' },
					],
				},
				profileFieldsJson:
					'{"_lname": "Petrov", "CRM_ID": "ignored", "TAGS": ["new", "web"], "AGE": 30}',
				skipTriggers: true,
				options,
			}),
			{ items: [{ email: 'ivan@example.com' }] },
		);
		expect(result.error).toBeUndefined();
		const [json] = jsonOf(result);
		expect(Object.keys(json)).toEqual([
			'profile_id',
			'matching',
			'email',
			'db_id',
			'skip_triggers',
		]);
		expect(json).toMatchObject({
			matching: 'email',
			email: 'ivan@example.com',
			db_id: 1,
			skip_triggers: true,
		});
		expect(json.profile_id).toMatch(HEX24);
		const [profile] = profilesWithEmail('ivan@example.com');
		expect(profile.id).toBe(json.profile_id);
		// A pair wins over the JSON key of the same name; JSON keeps its types.
		expect(profile.fields).toEqual({
			_fname: 'Ivan',
			_lname: 'Petrov',
			CRM_ID: '777',
			TAGS: ['new', 'web'],
			AGE: format === 'json' ? 30 : '30',
		});
		const [request] = requestsTo('profiles/import');
		expect(request.body).toMatchObject({
			db_id: format === 'json' ? 1 : '1',
			matching: 'email',
			email: 'ivan@example.com',
		});
		expect(String(request.body?.skip_triggers)).toBe('true');
	});

	it('Create or Update updates the profile the matching finds (same profile ID)', async () => {
		const result = await context.run(
			createOrUpdate({ profileFieldsJson: '{"LOYALTY_TIER": "silver"}', options }),
			{
				items: [{ email: 'alice@example.com' }],
			},
		);
		expect(jsonOf(result)[0]).toMatchObject({ profile_id: '64b000000000000000000001' });
		expect(profilesWithEmail('alice@example.com')[0].fields.LOYALTY_TIER).toBe('silver');
	});

	it('Get answers the fields with id first', async () => {
		const result = await context.run(
			{
				resource: 'profile',
				operation: 'get',
				databaseId: 1,
				matching: 'custom',
				fieldName: 'CRM_ID',
				fieldValue: '1002',
				options,
			},
			{ items: [{}] },
		);
		const [json] = jsonOf(result);
		expect(Object.keys(json)[0]).toBe('id');
		expect(json).toMatchObject({ id: '64b000000000000000000002', email: 'bob@example.com' });
	});
});

describe('Profile: bad input fails before any request, naming the field and the item', () => {
	it.each([
		[
			'a field name with a space',
			{ profileFields: { field: [{ name: 'first name', value: 'X' }] } },
			'Fields: "first name" is not a valid profile field name [item 0]',
		],
		[
			'a field name an XML element cannot have',
			{ profileFieldsJson: '{"xmlThing": 1}' },
			'Fields (JSON): "xmlThing" is not a valid profile field name [item 0]',
		],
		[
			'JSON that is a list',
			{ profileFieldsJson: '[1, 2]' },
			'Fields (JSON) must be a JSON object, got a list [item 0]',
		],
		[
			'JSON that is not JSON',
			{ profileFieldsJson: '{"a": ' },
			expect.stringMatching(/^Fields \(JSON\) is not valid JSON: .+ \[item 0\]$/),
		],
		[
			'a null value',
			{ profileFieldsJson: '{"A": null}' },
			'Fields (JSON) → "A" must be text, a number, true/false or a list of texts, got null [item 0]',
		],
	])('%s', async (_name, extra, message) => {
		const result = await context.run(createOrUpdate(extra as INodeParameters), {
			items: [{ email: 'ok@example.com' }],
		});
		expect(result.error?.message).toEqual(message);
		expect(context.sandbox.requests).toHaveLength(0);
	});

	it('a bad field name from an expression names the item that has it', async () => {
		const result = await context.run(
			createOrUpdate({ profileFields: { field: [{ name: '={{ $json.field }}', value: 'x' }] } }),
			{
				items: [
					{ email: 'a@example.com', field: 'GOOD' },
					{ email: 'b@example.com', field: '1bad' },
				],
			},
		);
		expect(result.error?.message).toBe('Fields: "1bad" is not a valid profile field name [item 1]');
		expect(context.sandbox.requests).toHaveLength(0);
	});

	it('a missing matching key in the second item', async () => {
		const result = await context.run(createOrUpdate(), {
			items: [{ email: 'ok@example.com' }, {}],
		});
		expect(result.error?.message).toBe('Email is empty [item 1]');
		expect(context.sandbox.requests).toHaveLength(0);
	});
});

const WELCOME_PROGRAM = 4;

function welcome(extra: IDataObject = {}, options: IDataObject = {}): INodeParameters {
	return {
		operation: 'attachFreeCode',
		loyaltyId: WELCOME_PROGRAM,
		databaseId: 1,
		matching: 'email',
		email: '={{ $json.email }}',
		options: { createProfileIfMissing: true, ...options },
		...extra,
	} as INodeParameters;
}

describe('Create Profile If Missing', () => {
	it('Attach Free Code: a new customer gets a profile and a code, with the fields given', async () => {
		const result = await context.run(welcome({}, { profileFieldsJson: '{"_fname": "Nina"}' }), {
			items: [{ email: 'nina@example.com' }],
		});
		expect(result.error).toBeUndefined();
		const [json] = jsonOf(result);
		const [profile] = profilesWithEmail('nina@example.com');
		expect(profile.fields._fname).toBe('Nina');
		expect(json).toMatchObject({
			email: 'nina@example.com',
			profile_id: profile.id,
			shared: false,
		});
		expect(codesHeldBy(WELCOME_PROGRAM, profile.id)).toEqual([json.code]);
		// The import named the customer: no profiles/get lookup.
		expect(requestsTo('profiles/get')).toHaveLength(0);
	});

	it('Attach Free Code: an existing customer keeps its profile', async () => {
		const result = await context.run(welcome(), { items: [{ email: 'customer01@example.com' }] });
		expect(jsonOf(result)[0]).toMatchObject({ profile_id: '64c000000000000000000001' });
		expect(profilesWithEmail('customer01@example.com')).toHaveLength(1);
	});

	it('off (the default): an unknown customer is an error and nothing is created', async () => {
		const result = await context.run(welcome({ options: {} }), {
			items: [{ email: 'ghost@example.com' }],
		});
		expect(result.error?.message).toMatch(
			/^Altcraft found no customer profile for email "ghost@example.com"/,
		);
		expect(profilesWithEmail('ghost@example.com')).toHaveLength(0);
	});

	it('sign-up race: 10 executions for one new email at once make one profile holding all 10 codes', async () => {
		const outputs = await Promise.all(
			Array.from(
				{ length: 10 },
				async () =>
					jsonOf(await context.run(welcome(), { items: [{ email: 'racer@example.com' }] }))[0],
			),
		);
		const profiles = profilesWithEmail('racer@example.com');
		expect(profiles).toHaveLength(1);
		expect(new Set(outputs.map((json) => json.profile_id))).toEqual(new Set([profiles[0].id]));
		expect(codesHeldBy(WELCOME_PROGRAM, profiles[0].id).sort()).toEqual(
			outputs.map((json) => json.code).sort(),
		);
	});

	it('sign-up race with an Order ID: 10 deliveries of one sign-up make one profile with one code', async () => {
		const outputs = await Promise.all(
			Array.from(
				{ length: 10 },
				async () =>
					jsonOf(
						await context.run(welcome({ idempotencyKey: 'signup-1' }), {
							items: [{ email: 'keyed@example.com' }],
						}),
					)[0],
			),
		);
		const profiles = profilesWithEmail('keyed@example.com');
		expect(profiles).toHaveLength(1);
		expect(new Set(outputs.map((json) => json.code)).size).toBe(1);
		expect(codesHeldBy(WELCOME_PROGRAM, profiles[0].id)).toEqual([outputs[0].code]);
	});

	it('Attach: the named code goes to the profile the import created', async () => {
		const result = await context.run(
			{
				operation: 'attach',
				loyaltyId: 1,
				code: 'WELCOME-0003',
				databaseId: 1,
				matching: 'phone',
				phone: '+7 900 123-45-67',
				options: { createProfileIfMissing: true },
			},
			{ items: [{}] },
		);
		expect(result.error).toBeUndefined();
		const [json] = jsonOf(result);
		expect(json).toMatchObject({ code: 'WELCOME-0003', phone: '+79001234567', success: true });
		expect(json.profile_id).toMatch(HEX24);
		expect(codesHeldBy(1, json.profile_id as string)).toEqual(['WELCOME-0003']);
	});

	it('refuses Match Profile By Profile ID (Altcraft gives new profiles their IDs) before any request', async () => {
		const result = await context.run(
			{
				operation: 'attach',
				loyaltyId: 1,
				code: 'WELCOME-0003',
				databaseId: 1,
				matching: 'profile_id',
				profileId: '64b000000000000000000001',
				options: { createProfileIfMissing: true },
			},
			{ items: [{}] },
		);
		expect(result.error?.message).toBe(
			'Create Profile If Missing cannot create a profile from a Profile ID [item 0]',
		);
		expect(context.sandbox.requests).toHaveLength(0);
	});

	it('Profile Fields (JSON) that is not an object fails before any request', async () => {
		const result = await context.run(welcome({}, { profileFieldsJson: '"Nina"' }), {
			items: [{ email: 'nina@example.com' }],
		});
		expect(result.error?.message).toBe(
			'Profile Fields (JSON) must be a JSON object, got string [item 0]',
		);
		expect(context.sandbox.requests).toHaveLength(0);
	});
});
