/** POST /api/v1.1/profiles/import: add or update, top-level profile_id, JSON and XML, one profile under a race. */
import { ERRORS, Sandbox, startSandbox } from '../src';
import { call, fails, ok } from './helpers';

let sb: Sandbox;
beforeAll(async () => {
	sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
	await sb.stop();
});
beforeEach(() => sb.reset());

const E = (key: keyof typeof ERRORS): [number, string] => [ERRORS[key].error, ERRORS[key].text];
const HEX24 = /^[0-9a-f]{24}$/;

function profilesWithEmail(email: string) {
	return sb
		.getState()
		.databases.flatMap((db) => db.profiles.filter((profile) => profile.email === email));
}

describe('profiles/import', () => {
	it('creates a profile for a new email and answers its 24-hex id top-level', async () => {
		const env = await ok(sb, 'profiles/import', {
			db_id: 1,
			matching: 'email',
			email: 'new@example.com',
			skip_triggers: true,
			data: { email: 'new@example.com', _fname: 'Ivan', AGE: 30, TAGS: ['a', 'b'] },
		});
		expect(Object.keys(env)).toEqual(['data', 'error', 'error_text', 'profile_id']);
		expect(env.profile_id).toMatch(HEX24);
		const got = await ok(sb, 'profiles/get', { db_id: 1, email: 'new@example.com' });
		expect(got.data).toEqual({
			id: env.profile_id,
			email: 'new@example.com',
			phones: [],
			_fname: 'Ivan',
			AGE: 30,
			TAGS: ['a', 'b'],
			subscriptions: [],
		});
	});

	it('updates the profile the matching finds (same id, fields merged)', async () => {
		const env = await ok(sb, 'profiles/import', {
			db_id: 1,
			email: 'alice@example.com',
			data: { LOYALTY_TIER: 'silver' },
		});
		expect(env.profile_id).toBe('64b000000000000000000001');
		const got = await ok(sb, 'profiles/get', { db_id: 1, email: 'alice@example.com' });
		expect(got.data).toMatchObject({
			id: '64b000000000000000000001',
			LOYALTY_TIER: 'silver',
			CRM_ID: '1001',
		});
	});

	it('creates by phone and by custom field, holding the key; profile_id only updates', async () => {
		const byPhone = await ok(sb, 'profiles/import', {
			db_id: 1,
			matching: 'phone',
			phone: '+79005550000',
			data: {},
		});
		expect(
			(await ok(sb, 'profiles/get', { db_id: 1, matching: 'phone', phone: '+7 900 555-00-00' }))
				.data,
		).toMatchObject({ id: byPhone.profile_id });
		const byCustom = await ok(sb, 'profiles/import', {
			db_id: 1,
			matching: 'custom',
			field_name: 'CRM_ID',
			field_value: '9999',
			data: {},
		});
		expect(
			(
				await ok(sb, 'profiles/get', {
					db_id: 1,
					matching: 'custom',
					field_name: 'CRM_ID',
					field_value: '9999',
				})
			).data,
		).toMatchObject({ id: byCustom.profile_id });
		expect(
			await fails(sb, 'profiles/import', {
				db_id: 1,
				matching: 'profile_id',
				profile_id: 'ffffffffffffffffffffffff',
				data: {},
			}),
		).toEqual(E('profileNotFound'));
	});

	it('50 concurrent imports of one new email make one profile', async () => {
		const envs = await Promise.all(
			Array.from(
				{ length: 50 },
				async (_unused, index) =>
					await ok(sb, 'profiles/import', {
						db_id: 1,
						email: 'race@example.com',
						data: { N: String(index) },
					}),
			),
		);
		expect(new Set(envs.map((env) => env.profile_id)).size).toBe(1);
		expect(profilesWithEmail('race@example.com')).toHaveLength(1);
	});

	it('takes XML (data as nested elements) and answers XML', async () => {
		const res = await fetch(`${sb.baseUrl}/api/v1.1/profiles/import`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/xml' },
			body: `<xml><token>${sb.token}</token><db_id>1</db_id><matching>email</matching><email>xml@example.com</email><skip_triggers>false</skip_triggers><data><email>xml@example.com</email><_fname>Olga</_fname></data><format>xml</format></xml>`,
		});
		const text = await res.text();
		expect(text).toMatch(
			/^<xml><data\/><error>0<\/error><error_text>Successful operation<\/error_text><profile_id>[0-9a-f]{24}<\/profile_id><\/xml>$/,
		);
		expect(
			(await ok(sb, 'profiles/get', { db_id: 1, email: 'xml@example.com' })).data,
		).toMatchObject({ _fname: 'Olga' });
	});

	it.each([
		['no data', { db_id: 1, email: 'x@example.com' }, 'data is required and must be an object'],
		[
			'a bad field name',
			{ db_id: 1, email: 'x@example.com', data: { 'first name': 'X' } },
			'data: "first name" is not a field name',
		],
		[
			'a null value',
			{ db_id: 1, email: 'x@example.com', data: { A: null } },
			'data.A must be a string, number, boolean or array of strings',
		],
		[
			'subscriptions',
			{ db_id: 1, email: 'x@example.com', data: { subscriptions: [] } },
			'data.subscriptions cannot be imported in the sandbox',
		],
	])('%s → 400, nothing created', async (_name, params, detail) => {
		expect(await fails(sb, 'profiles/import', params)).toEqual([
			400,
			`Incorrect request: ${detail}`,
		]);
		expect(profilesWithEmail('x@example.com')).toHaveLength(0);
	});

	it('unknown database → error', async () => {
		expect(
			await fails(sb, 'profiles/import', { db_id: 99, email: 'x@example.com', data: {} }),
		).toEqual(E('databaseNotFound'));
	});

	it('needs the token', async () => {
		const r = await call(
			sb,
			'profiles/import',
			{ db_id: 1, email: 'x@example.com', data: {} },
			{ noToken: true },
		);
		expect(r.body.error).toBe(401);
	});
});
