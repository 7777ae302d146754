/** Every promo-code rule of the issue, over the real HTTP server, in both wire formats. */
import { ERRORS, Sandbox, startSandbox } from '../src';
import { call, fails, ok } from './helpers';

const ALICE = '64b000000000000000000001';
const BOB = '64b000000000000000000002';
const CAROL = '64b000000000000000000003';

let now = new Date('2025-06-01T10:00:00Z');
let sb: Sandbox;

beforeAll(async () => {
	sb = await startSandbox({ port: 0, clock: () => now });
});
afterAll(async () => {
	await sb.stop();
});
beforeEach(() => {
	now = new Date('2025-06-01T10:00:00Z');
	sb.reset();
});

const E = (key: keyof typeof ERRORS): [number, string] => [ERRORS[key].error, ERRORS[key].text];
const attachAlice = { loyalty_id: 1, db_id: 1, matching: 'email', email: 'alice@example.com' };
const formats = [
	['JSON', {}, {}],
	['XML', { format: 'xml' }, { xml: true }],
] as const;

describe.each(formats)('over %s', (_name, fmt, opts) => {
	const go = (method: string, params: Record<string, unknown>) =>
		call(sb, method, { ...params, ...fmt }, opts);
	const err = (method: string, params: Record<string, unknown>) =>
		fails(sb, method, { ...params, ...fmt }, opts);
	const okc = (method: string, params: Record<string, unknown>) =>
		ok(sb, method, { ...params, ...fmt }, opts);

	describe('attach', () => {
		it('attaches a free code to the matched profile', async () => {
			await okc('promocodes/attach', { ...attachAlice, code: 'WELCOME-0003' });
			expect(sb.getCode(1, 'WELCOME-0003')?.attachments).toEqual([
				{ databaseId: 1, profileId: ALICE, attached: '2025-06-01T10:00:00Z' },
			]);
		});

		it('refuses a code that is attached when the program has single-use codes', async () => {
			await okc('promocodes/attach', { ...attachAlice, code: 'WELCOME-0003' });
			expect(
				await err('promocodes/attach', {
					...attachAlice,
					email: 'bob@example.com',
					code: 'WELCOME-0003',
				}),
			).toEqual(E('codeAlreadyAttached'));
			expect(await err('promocodes/attach', { ...attachAlice, code: 'WELCOME-0003' })).toEqual(
				E('codeAlreadyAttached'),
			);
		});

		it('imports and attaches an unknown code when the program allows new codes', async () => {
			await okc('promocodes/attach', { ...attachAlice, code: 'BRAND-NEW' });
			const c = sb.getCode(1, 'BRAND-NEW');
			expect(c).toMatchObject({
				created: '2025-06-01T10:00:00Z',
				attachments: [{ profileId: ALICE }],
			});
		});

		it('refuses an unknown code when the program does not allow new codes', async () => {
			expect(
				await err('promocodes/attach', { ...attachAlice, loyalty_id: 2, code: 'NOPE' }),
			).toEqual(E('newCodesNotAllowed'));
			expect(sb.getCode(2, 'NOPE')).toBeUndefined();
		});

		it('refuses a new code when the program is at its code limit', async () => {
			await okc('promocodes/import', { loyalty_id: 3, codes: ['L-3', 'L-4', 'L-5'] });
			expect(
				await err('promocodes/attach', { ...attachAlice, loyalty_id: 3, code: 'L-6' }),
			).toEqual(E('codeLimitReached'));
		});

		it('without a code attaches one free code, then errors when none is free', async () => {
			await okc('promocodes/attach', { ...attachAlice, loyalty_id: 3 });
			expect(sb.getCode(3, 'LIMITED-0001')?.attachments).toHaveLength(1);
			expect(await err('promocodes/attach', { ...attachAlice, loyalty_id: 3 })).toEqual(
				E('noFreeCodes'),
			);
		});

		it('without a code skips expired free codes', async () => {
			await okc('promocodes/update', {
				loyalty_id: 1,
				code: 'WELCOME-0001',
				expire_date: '2025-01-01T00:00:00Z',
			});
			await okc('promocodes/attach', { ...attachAlice, code: '' });
			expect(sb.getCode(1, 'WELCOME-0001')?.attachments).toHaveLength(0);
			expect(sb.getCode(1, 'WELCOME-0002')?.attachments).toHaveLength(1);
			expect(await err('promocodes/attach', { ...attachAlice, code: 'WELCOME-0001' })).toEqual(
				E('codeExpired'),
			);
		});

		it('errors when no profile matches, or the database does not exist', async () => {
			expect(
				await err('promocodes/attach', {
					...attachAlice,
					email: 'nobody@example.com',
					code: 'WELCOME-0001',
				}),
			).toEqual(E('profileNotFound'));
			expect(
				await err('promocodes/attach', { ...attachAlice, db_id: 99, code: 'WELCOME-0001' }),
			).toEqual(E('databaseNotFound'));
			expect(
				await err('promocodes/attach', { ...attachAlice, loyalty_id: 99, code: 'WELCOME-0001' }),
			).toEqual(E('loyaltyNotFound'));
			expect(sb.getCode(1, 'WELCOME-0001')?.attachments).toHaveLength(0);
		});

		it('multi-profile codes attach to several profiles but not twice to one', async () => {
			const vip = { ...attachAlice, loyalty_id: 2, code: 'VIP-2026' };
			await okc('promocodes/attach', vip);
			now = new Date('2025-06-01T11:00:00Z');
			await okc('promocodes/attach', { ...vip, matching: 'profile_id', profile_id: BOB });
			expect(await err('promocodes/attach', vip)).toEqual(E('codeAlreadyAttachedToProfile'));
			expect(sb.getCode(2, 'VIP-2026')?.attachments.map((a) => a.profileId)).toEqual([ALICE, BOB]);
			// get reports the first attachment
			const got = await okc('promocodes/get', { loyalty_id: 2, code: 'VIP-2026' });
			expect(got.data).toMatchObject({ attached: '2025-06-01T10:00:00Z', profile_id: ALICE });
		});
	});

	describe('matching', () => {
		it.each([
			['email (profile)', { matching: 'email', email: 'BOB@example.com' }, BOB],
			['email (subscription)', { matching: 'email', email: 'alice.news@example.com' }, ALICE],
			['email is the default', { email: 'carol@example.com' }, CAROL],
			['email_profile', { matching: 'email_profile', email: 'alice@example.com' }, ALICE],
			['phone', { matching: 'phone', phone: '+7 900 000-00-02' }, BOB],
			['phone (SMS subscription)', { matching: 'phone', phone: '+79000000101' }, ALICE],
			['profile_id', { matching: 'profile_id', profile_id: CAROL }, CAROL],
			['custom', { matching: 'custom', field_name: 'CRM_ID', field_value: '1003' }, CAROL],
		])('finds the profile by %s', async (_label, matching, profileId) => {
			await okc('promocodes/attach', {
				loyalty_id: 1,
				db_id: 1,
				code: 'WELCOME-0005',
				...matching,
			});
			expect(sb.getCode(1, 'WELCOME-0005')?.attachments[0].profileId).toBe(profileId);
		});

		it('email_profile does not search subscriptions', async () => {
			const r = await err('promocodes/attach', {
				...attachAlice,
				matching: 'email_profile',
				email: 'alice.news@example.com',
			});
			expect(r).toEqual(E('profileNotFound'));
		});

		it('custom matches a tag field by comma-separated tags', async () => {
			await okc('promocodes/attach', {
				loyalty_id: 1,
				db_id: 2,
				matching: 'custom',
				field_name: 'INTERESTS',
				field_value: 'news, sale',
			});
			expect(sb.getState().loyaltyPrograms[0].codes[0].attachments[0].profileId).toBe(
				'64b000000000000000000004',
			);
		});

		it('rejects an unsupported matching mode and missing matching fields with 400', async () => {
			const [code, text] = await err('promocodes/attach', { ...attachAlice, matching: 'push_sub' });
			expect(code).toBe(400);
			expect(text).toMatch(/unsupported matching/);
			expect(
				(await err('promocodes/attach', { loyalty_id: 1, db_id: 1, matching: 'phone' }))[1],
			).toMatch(/phone is required/);
			expect(
				(
					await err('promocodes/attach', {
						loyalty_id: 1,
						db_id: 1,
						matching: 'custom',
						field_name: 'CRM_ID',
					})
				)[1],
			).toMatch(/field_value is required/);
		});
	});

	describe('detach', () => {
		it('detaches a code from the matched profile; the code is free again', async () => {
			await okc('promocodes/attach', { ...attachAlice, code: 'WELCOME-0004' });
			await okc('promocodes/activate', { loyalty_id: 1, code: 'WELCOME-0004' });
			await okc('promocodes/detach', {
				...attachAlice,
				matching: 'profile_id',
				profile_id: ALICE,
				code: 'WELCOME-0004',
			});
			expect(sb.getCode(1, 'WELCOME-0004')).toMatchObject({ attachments: [], activated: null });
			await okc('promocodes/attach', {
				...attachAlice,
				email: 'bob@example.com',
				code: 'WELCOME-0004',
			});
		});

		it('errors without a code', async () => {
			const [code, text] = await err('promocodes/detach', attachAlice);
			expect(code).toBe(400);
			expect(text).toMatch(/code is required/);
		});

		it('errors when the code is attached to several profiles', async () => {
			const vip = { ...attachAlice, loyalty_id: 2, code: 'VIP-2026' };
			await okc('promocodes/attach', vip);
			await okc('promocodes/attach', { ...vip, email: 'bob@example.com' });
			expect(await err('promocodes/detach', vip)).toEqual(E('codeAttachedToSeveral'));
		});

		it('errors when the code is not attached to the matched profile', async () => {
			expect(await err('promocodes/detach', { ...attachAlice, code: 'WELCOME-0001' })).toEqual(
				E('codeNotAttachedToProfile'),
			);
			await okc('promocodes/attach', { ...attachAlice, code: 'WELCOME-0001' });
			expect(
				await err('promocodes/detach', {
					...attachAlice,
					email: 'bob@example.com',
					code: 'WELCOME-0001',
				}),
			).toEqual(E('codeNotAttachedToProfile'));
			expect(await err('promocodes/detach', { ...attachAlice, code: 'UNKNOWN' })).toEqual(
				E('codeNotFound'),
			);
		});
	});

	describe('activate', () => {
		it('activates only an attached code', async () => {
			expect(await err('promocodes/activate', { loyalty_id: 1, code: 'WELCOME-0002' })).toEqual(
				E('codeNotAttached'),
			);
			await okc('promocodes/attach', { ...attachAlice, code: 'WELCOME-0002' });
			const r = await go('promocodes/activate', { loyalty_id: 1, code: 'WELCOME-0002' });
			expect(r.status).toBe(200);
			expect(r.body.data === null || r.body.data === '').toBe(true);
			expect(sb.getCode(1, 'WELCOME-0002')?.activated).toBe('2025-06-01T10:00:00Z');
			// GUESS (see sandbox/README.md): a second activation is refused and changes nothing.
			now = new Date('2025-06-02T10:00:00Z');
			expect(await err('promocodes/activate', { loyalty_id: 1, code: 'WELCOME-0002' })).toEqual(
				E('codeAlreadyActivated'),
			);
			expect(sb.getCode(1, 'WELCOME-0002')?.activated).toBe('2025-06-01T10:00:00Z');
		});

		it('errors for an unknown code or program, and for an expired code', async () => {
			expect(await err('promocodes/activate', { loyalty_id: 1, code: 'NOPE' })).toEqual(
				E('codeNotFound'),
			);
			expect(await err('promocodes/activate', { loyalty_id: 42, code: 'NOPE' })).toEqual(
				E('loyaltyNotFound'),
			);
			await okc('promocodes/attach', { ...attachAlice, code: 'WELCOME-0002' });
			await okc('promocodes/update', {
				loyalty_id: 1,
				code: 'WELCOME-0002',
				expire_date: '2025-06-01T09:00:00Z',
			});
			expect(await err('promocodes/activate', { loyalty_id: 1, code: 'WELCOME-0002' })).toEqual(
				E('codeExpired'),
			);
		});
	});

	describe('update', () => {
		it('needs at least one of activated, expire_date', async () => {
			const [code, text] = await err('promocodes/update', { loyalty_id: 1, code: 'WELCOME-0001' });
			expect(code).toBe(400);
			expect(text).toMatch(/at least one of activated, expire_date/);
		});

		it('an expiry in the past makes the code expired; a future one does not', async () => {
			await okc('promocodes/update', {
				loyalty_id: 1,
				code: 'WELCOME-0001',
				expire_date: '2025-05-01T08:00:00+03:00',
			});
			let got = (await okc('promocodes/get', { loyalty_id: 1, code: 'WELCOME-0001' }))
				.data as Record<string, unknown>;
			expect(String(got.is_expired)).toBe('true');
			expect(got.expire_date).toBe('2025-05-01T05:00:00Z');
			expect(got.expired).toBe('2025-05-01T05:00:00Z');
			await okc('promocodes/update', {
				loyalty_id: 1,
				code: 'WELCOME-0001',
				expire_date: '2025-07-01T00:00:00Z',
			});
			got = (await okc('promocodes/get', { loyalty_id: 1, code: 'WELCOME-0001' })).data as Record<
				string,
				unknown
			>;
			expect(String(got.is_expired)).toBe('false');
			expect(got.expired ?? '').toBe('');
			now = new Date('2025-07-01T00:00:00Z');
			got = (await okc('promocodes/get', { loyalty_id: 1, code: 'WELCOME-0001' })).data as Record<
				string,
				unknown
			>;
			expect(String(got.is_expired)).toBe('true');
		});

		it('activated true needs an attached code; false deactivates', async () => {
			expect(
				await err('promocodes/update', { loyalty_id: 1, code: 'WELCOME-0001', activated: true }),
			).toEqual(E('codeNotAttached'));
			await okc('promocodes/attach', { ...attachAlice, code: 'WELCOME-0001' });
			await okc('promocodes/update', { loyalty_id: 1, code: 'WELCOME-0001', activated: true });
			expect(sb.getCode(1, 'WELCOME-0001')?.activated).toBe('2025-06-01T10:00:00Z');
			await okc('promocodes/update', { loyalty_id: 1, code: 'WELCOME-0001', activated: false });
			expect(sb.getCode(1, 'WELCOME-0001')?.activated).toBeNull();
		});

		it('rejects a bad expire_date or activated value without changing anything', async () => {
			const bad = await err('promocodes/update', {
				loyalty_id: 1,
				code: 'WELCOME-0001',
				expire_date: 'tomorrow',
				activated: false,
			});
			expect(bad[0]).toBe(400);
			expect(
				(
					await err('promocodes/update', { loyalty_id: 1, code: 'WELCOME-0001', activated: 'yes' })
				)[0],
			).toBe(400);
			expect(sb.getCode(1, 'WELCOME-0001')?.expireDate).toBeNull();
			expect(
				await err('promocodes/update', { loyalty_id: 1, code: 'NOPE', activated: false }),
			).toEqual(E('codeNotFound'));
		});
	});

	describe('get', () => {
		it('reports unset times as "" and no database_id/profile_id while unattached', async () => {
			const r = await go('promocodes/get', { loyalty_id: 1, code: 'WELCOME-0001' });
			const data = r.body.data as Record<string, unknown>;
			expect(Object.keys(data).sort()).toEqual([
				'activated',
				'attached',
				'code',
				'created',
				'expire_date',
				'expired',
				'is_activated',
				'is_attached',
				'is_expired',
				'loyalty_id',
			]);
			expect([data.attached, data.activated, data.expired, data.expire_date]).toEqual([
				'',
				'',
				'',
				'',
			]);
			expect(data.created).toBe('2024-04-01T12:39:34Z');
		});

		it('adds database_id and profile_id when attached', async () => {
			const data = (await okc('promocodes/get', { loyalty_id: 3, code: 'LIMITED-0002' }))
				.data as Record<string, unknown>;
			expect(data).toMatchObject({
				attached: '2024-04-01T14:02:05Z',
				activated: '2024-04-01T14:04:12Z',
				expire_date: '2030-12-31T23:59:59Z',
				expired: '',
				profile_id: CAROL,
			});
			expect(String(data.database_id)).toBe('1');
			expect(String(data.is_attached)).toBe('true');
			expect(String(data.is_activated)).toBe('true');
		});

		it('errors for an unknown code and for a missing or non-numeric loyalty_id', async () => {
			expect(await err('promocodes/get', { loyalty_id: 1, code: 'NOPE' })).toEqual(
				E('codeNotFound'),
			);
			expect((await err('promocodes/get', { code: 'NOPE' }))[1]).toMatch(/loyalty_id is required/);
			expect((await err('promocodes/get', { loyalty_id: 'one', code: 'NOPE' }))[1]).toMatch(
				/loyalty_id must be an integer/,
			);
		});
	});

	describe('import', () => {
		it('reports each code and counters that add up, with top-level error 0', async () => {
			const codes = ['N-1', 'N-2', 'N-1', 'LIMITED-0001', 'N-3', 'N-4', 'N-5'];
			const env = await okc('promocodes/import', { loyalty_id: 3, codes });
			const data = (Array.isArray(env.data) ? env.data : [env.data]) as Array<
				Record<string, unknown>
			>;
			expect(data.map((d) => [d.code, Number(d.error)])).toEqual([
				['N-1', 0],
				['N-2', 0],
				['N-1', 500],
				['LIMITED-0001', 500],
				['N-3', 0],
				['N-4', 409],
				['N-5', 409],
			]);
			expect(data[2].error_text).toBe('Promocode duplicated');
			expect(data[5].error_text).toBe(ERRORS.codeLimitReached.text);
			expect([env.inserted, env.duplicated, env.discarded_by_limit].map(Number)).toEqual([3, 2, 2]);
			expect(Number(env.error)).toBe(0);
			expect(sb.getState().loyaltyPrograms[2].codes.map((c) => c.code)).toEqual([
				'LIMITED-0001',
				'LIMITED-0002',
				'N-1',
				'N-2',
				'N-3',
			]);
		});

		it('takes a single code and rejects a missing codes list', async () => {
			const env = await okc('promocodes/import', { loyalty_id: 1, codes: ['ONE'] });
			expect(Number(env.inserted)).toBe(1);
			expect((await err('promocodes/import', { loyalty_id: 1 }))[1]).toMatch(/codes is required/);
		});
	});

	describe('export_all', () => {
		it('lists every code with attached/activated only when set', async () => {
			await okc('promocodes/attach', { ...attachAlice, loyalty_id: 3, code: 'LIMITED-0001' });
			const r = await go('promocodes/export_all', { loyalty_id: 3 });
			const data = r.body.data as Array<Record<string, unknown>>;
			expect(data).toEqual([
				{ code: 'LIMITED-0001', attached: '2025-06-01T10:00:00Z' },
				{
					code: 'LIMITED-0002',
					attached: '2024-04-01T14:02:05Z',
					activated: '2024-04-01T14:04:12Z',
				},
			]);
		});

		it('adds expired (the expiry time) once it has passed', async () => {
			await okc('promocodes/update', {
				loyalty_id: 3,
				code: 'LIMITED-0001',
				expire_date: '2025-06-01T10:00:00Z',
			});
			await okc('promocodes/update', {
				loyalty_id: 3,
				code: 'LIMITED-0002',
				expire_date: '2025-06-01T10:00:01Z',
			});
			const data = (await go('promocodes/export_all', { loyalty_id: 3 })).body.data as Array<
				Record<string, unknown>
			>;
			expect(data.map((entry) => entry.expired)).toEqual(['2025-06-01T10:00:00Z', undefined]);
		});
	});

	describe('databases/list', () => {
		it('pages with from_id/limit/next_from_id and capitalised Groups keys', async () => {
			const first = await okc('databases/list', { limit: 1 });
			const d1 = (Array.isArray(first.data) ? first.data : [first.data]) as Array<
				Record<string, unknown>
			>;
			expect(d1).toHaveLength(1);
			expect(d1[0].name).toBe('Demo shop customers');
			const groups = [d1[0].Groups].flat() as Array<Record<string, unknown>>;
			expect(groups.map((g) => [String(g.Id), g.Name])).toEqual([['0', 'main']]);
			expect(Number(first.next_from_id)).toBe(2);
			expect(Number(first.total_count)).toBe(2);
			const second = await okc('databases/list', { limit: 1, from_id: first.next_from_id });
			expect(
				(second.data as Record<string, unknown>).name ??
					(second.data as Array<Record<string, unknown>>)[0].name,
			).toBe('Newsletter');
			const third = await go('databases/list', { limit: 1, from_id: second.next_from_id });
			expect(
				third.body.data === '' || (Array.isArray(third.body.data) && third.body.data.length === 0),
			).toBe(true);
		});
	});
});

describe('JSON shapes match the documented examples exactly', () => {
	it('get (unattached): key order and types', async () => {
		const r = await call(sb, 'promocodes/get', { loyalty_id: '1', code: 'WELCOME-0001' });
		expect(r.text).toBe(
			'{"data":{"created":"2024-04-01T12:39:34Z","is_attached":false,"is_activated":false,"is_expired":false,"attached":"","activated":"","expired":"","expire_date":"","loyalty_id":1,"code":"WELCOME-0001"},"error":0,"error_text":"Successful operation"}',
		);
		expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
	});

	it('action endpoints answer data: null', async () => {
		const r = await call(sb, 'promocodes/attach', { ...attachAlice, code: 'WELCOME-0001' });
		expect(r.text).toBe('{"data":null,"error":0,"error_text":"Successful operation"}');
	});

	it('import: data[] and the counters, keys in alphabetical order', async () => {
		const r = await call(sb, 'promocodes/import', {
			loyalty_id: 1,
			codes: ['CODE-1', 'WELCOME-0001'],
		});
		expect(r.text).toBe(
			'{"data":[{"code":"CODE-1","error":0,"error_text":""},{"code":"WELCOME-0001","error":500,"error_text":"Promocode duplicated"}],"discarded_by_limit":0,"duplicated":1,"error":0,"error_text":"Successful operation","inserted":1}',
		);
	});

	it('databases/list', async () => {
		const r = await call(sb, 'databases/list', { from_id: 2 });
		expect(r.text).toBe(
			'{"data":[{"id":2,"name":"Newsletter","ui_tags":["newsletter","marketing"],"Groups":[{"Id":0,"Name":"main"}]}],"error":0,"error_text":"Successful operation","next_from_id":3,"total_count":2}',
		);
	});

	it('databases/list filters by ui_tags, groups and groups_id', async () => {
		const byTag = await ok(sb, 'databases/list', { ui_tags: ['marketing'] });
		expect((byTag.data as Array<{ id: number }>).map((d) => d.id)).toEqual([2]);
		const byGroup = await ok(sb, 'databases/list', { groups: ['main'], groups_id: [0] });
		expect((byGroup.data as unknown[]).length).toBe(2);
		const none = await ok(sb, 'databases/list', { groups: ['other'] });
		expect(none).toMatchObject({ data: [], total_count: 0, next_from_id: 1 });
	});
});

describe('XML shapes match the documented examples', () => {
	it('get: alphabetical children, empty times self-closing, no prolog', async () => {
		const r = await call(
			sb,
			'promocodes/get',
			{ loyalty_id: 1, code: 'WELCOME-0001', format: 'xml' },
			{ xml: true },
		);
		expect(r.text).toBe(
			'<xml><data><activated/><attached/><code>WELCOME-0001</code><created>2024-04-01T12:39:34Z</created><expire_date/><expired/><is_activated>false</is_activated><is_attached>false</is_attached><is_expired>false</is_expired><loyalty_id>1</loyalty_id></data><error>0</error><error_text>Successful operation</error_text></xml>',
		);
		expect(r.headers.get('content-type')).toBe('application/xml; charset=utf-8');
	});

	it('action endpoints answer <data/>', async () => {
		const r = await call(
			sb,
			'promocodes/attach',
			{ ...attachAlice, code: 'WELCOME-0001', format: 'xml' },
			{ xml: true },
		);
		expect(r.text).toBe(
			'<xml><data/><error>0</error><error_text>Successful operation</error_text></xml>',
		);
	});

	it('import: repeated <data>, <error_text/> when empty', async () => {
		const r = await call(
			sb,
			'promocodes/import',
			{ loyalty_id: 1, codes: ['CODE-1', 'CODE-2'], format: 'xml' },
			{ xml: true },
		);
		expect(r.text).toBe(
			'<xml><data><code>CODE-1</code><error>0</error><error_text/></data><data><code>CODE-2</code><error>0</error><error_text/></data><discarded_by_limit>0</discarded_by_limit><duplicated>0</duplicated><error>0</error><error_text>Successful operation</error_text><inserted>2</inserted></xml>',
		);
	});

	it('databases/list: nested Groups, repeated ui_tags, <ui_tags/> when empty', async () => {
		sb.loadSeed({ databases: [{ id: 7, name: 'A & B', groups: [{ id: 1, name: 'sub' }] }] });
		const r = await call(sb, 'databases/list', { format: 'xml' }, { xml: true });
		expect(r.text).toBe(
			'<xml><data><Groups><Id>1</Id><Name>sub</Name></Groups><id>7</id><name>A &amp; B</name><ui_tags/></data><error>0</error><error_text>Successful operation</error_text><next_from_id>8</next_from_id><total_count>1</total_count></xml>',
		);
	});
});
