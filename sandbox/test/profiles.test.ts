/** POST /api/v1.1/profiles/get: every matching mode, JSON and XML, errors, auth. */
import { ERRORS, Sandbox, startSandbox } from '../src';
import { call, fails, ok } from './helpers';

let sb: Sandbox;
beforeAll(async () => {
	sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
	await sb.stop();
});

const E = (key: keyof typeof ERRORS): [number, string] => [ERRORS[key].error, ERRORS[key].text];
const ALICE = {
	id: '64b000000000000000000001',
	email: 'alice@example.com',
	phones: ['+79000000001'],
	CRM_ID: '1001',
	_fname: 'Alice',
	LOYALTY_TIER: 'gold',
	subscriptions: [
		{ channel: 'email', email: 'alice.news@example.com' },
		{ channel: 'sms', phone: '+79000000101' },
	],
};

describe('profiles/get', () => {
	it.each([
		['email (default matching)', { email: 'alice@example.com' }],
		['email via a subscription, any case', { matching: 'email', email: 'Alice.News@Example.com' }],
		['email_profile', { matching: 'email_profile', email: 'alice@example.com' }],
		['phone (digits only)', { matching: 'phone', phone: '+7 900 000-00-01' }],
		['phone via an SMS subscription', { matching: 'phone', phone: '+79000000101' }],
		['profile_id', { matching: 'profile_id', profile_id: '64b000000000000000000001' }],
		['custom', { matching: 'custom', field_name: 'CRM_ID', field_value: '1001' }],
		['custom with a number value', { matching: 'custom', field_name: 'CRM_ID', field_value: 1001 }],
	])('finds alice by %s and answers the profile with its 24-hex id', async (_name, matching) => {
		const env = await ok(sb, 'profiles/get', { db_id: 1, ...matching });
		expect(env).toEqual({ data: ALICE, error: 0, error_text: 'Successful operation' });
	});

	it('answers with or without a trailing slash, and with the token as Bearer', async () => {
		const r = await call(
			sb,
			'profiles/get',
			{ db_id: '1', email: 'bob@example.com' },
			{ path: 'profiles/get/' },
		);
		expect((r.body.data as { id: string }).id).toBe('64b000000000000000000002');
		const b = await call(
			sb,
			'profiles/get',
			{ db_id: 1, email: 'bob@example.com' },
			{ noToken: true, headers: { Authorization: `Bearer ${sb.token}` } },
		);
		expect(b.body.error).toBe(0);
	});

	it('answers XML (phones and tags as repeated elements, subscriptions as blocks)', async () => {
		const r = await call(
			sb,
			'profiles/get',
			{ db_id: 2, matching: 'profile_id', profile_id: '64b000000000000000000004', format: 'xml' },
			{ xml: true },
		);
		expect(r.headers.get('content-type')).toBe('application/xml; charset=utf-8');
		expect(r.text).toBe(
			'<xml><data><CRM_ID>2001</CRM_ID><INTERESTS>sale</INTERESTS><INTERESTS>news</INTERESTS><email>dave@example.com</email>' +
				'<id>64b000000000000000000004</id><phones>+79000000004</phones><subscriptions/></data>' +
				'<error>0</error><error_text>Successful operation</error_text></xml>',
		);
	});

	it('a profile without email or phone: no email key, empty phones', async () => {
		const env = await ok(sb, 'profiles/get', { db_id: 2, email: 'erin@example.com' });
		expect(env.data).toEqual({
			id: '64b000000000000000000005',
			phones: [],
			CRM_ID: '2002',
			subscriptions: [{ channel: 'email', email: 'erin@example.com' }],
		});
	});

	it('finds the shop customers', async () => {
		const env = await ok(sb, 'profiles/get', { db_id: 1, email: 'customer42@example.com' });
		expect(env.data).toMatchObject({
			id: '64c000000000000000000042',
			email: 'customer42@example.com',
		});
	});

	it.each([
		['no such email', { db_id: 1, email: 'nobody@example.com' }, E('profileNotFound')],
		['profile in another database', { db_id: 2, email: 'alice@example.com' }, E('profileNotFound')],
		['unknown database', { db_id: 99, email: 'alice@example.com' }, E('databaseNotFound')],
		[
			'unknown profile_id',
			{ db_id: 1, matching: 'profile_id', profile_id: 'ffffffffffffffffffffffff' },
			E('profileNotFound'),
		],
	])('%s → error', async (_name, params, expected) => {
		expect(await fails(sb, 'profiles/get', params)).toEqual(expected);
	});

	it.each([
		['db_id missing', { email: 'alice@example.com' }, 'db_id is required'],
		['email missing', { db_id: 1 }, 'email is required'],
		['unsupported matching', { db_id: 1, matching: 'push_sub' }, 'unsupported matching "push_sub"'],
		[
			'custom without field_name',
			{ db_id: 1, matching: 'custom', field_value: 'x' },
			'field_name is required',
		],
	])('%s → 400', async (_name, params, detail) => {
		const [error, text] = await fails(sb, 'profiles/get', params);
		expect(error).toBe(400);
		expect(text).toContain(detail);
	});

	it('needs the token', async () => {
		expect(
			await fails(sb, 'profiles/get', { db_id: 1, email: 'alice@example.com' }, { noToken: true }),
		).toEqual(E('tokenRequired'));
		expect(
			await fails(sb, 'profiles/get', { db_id: 1, email: 'alice@example.com', token: 'wrong' }),
		).toEqual(E('tokenInvalid'));
	});
});
