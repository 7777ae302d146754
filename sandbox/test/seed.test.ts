/** Seed format validation, the default seed the team relies on, and the error table in the README. */
import { readFileSync } from 'fs';
import { join } from 'path';
import { ERRORS, SeedError, defaultSeedPath, errorTableMarkdown, normalizeSeed } from '../src';

describe('default seed (ids from the team contract)', () => {
	const state = normalizeSeed(JSON.parse(readFileSync(defaultSeedPath(), 'utf8')));
	const db = (id: number) => state.databases.find((d) => d.id === id);
	const program = (id: number) => state.loyaltyPrograms.find((p) => p.id === id);

	it('database 1 "Demo shop customers" with alice, bob, carol first', () => {
		expect(db(1)?.name).toBe('Demo shop customers');
		expect(
			db(1)
				?.profiles.slice(0, 3)
				.map((p) => [p.id, p.email, p.phone, p.fields.CRM_ID]),
		).toEqual([
			['64b000000000000000000001', 'alice@example.com', '+79000000001', '1001'],
			['64b000000000000000000002', 'bob@example.com', '+79000000002', '1002'],
			['64b000000000000000000003', 'carol@example.com', '+79000000003', '1003'],
		]);
	});

	it('database 1 also holds 60 shop customers customer01 … customer60@example.com', () => {
		const customers = db(1)?.profiles.filter((p) => p.email?.startsWith('customer')) ?? [];
		expect(customers).toHaveLength(60);
		expect(customers[0]).toMatchObject({
			id: '64c000000000000000000001',
			email: 'customer01@example.com',
			phone: '+79001000001',
		});
		expect(customers[59]).toMatchObject({
			id: '64c000000000000000000060',
			email: 'customer60@example.com',
		});
		expect(new Set(db(1)?.profiles.map((p) => p.email)).size).toBe(db(1)?.profiles.length);
		expect(db(1)?.profiles.every((p) => /^[0-9a-f]{24}$/.test(p.id))).toBe(true);
	});

	it('program 4 "Shop welcome": 200 free single-use codes; program 5 "Shared campaign": multi-profile', () => {
		expect(program(4)).toMatchObject({
			name: 'Shop welcome',
			allowNewCodes: false,
			multiProfileCodes: false,
			codeLimit: null,
		});
		expect(program(4)?.codes.map((c) => c.code)).toEqual(
			Array.from({ length: 200 }, (_, i) => `SHOP-${String(i + 1).padStart(4, '0')}`),
		);
		expect(program(4)?.codes.every((c) => c.attachments.length === 0)).toBe(true);
		expect(program(5)).toMatchObject({
			name: 'Shared campaign',
			allowNewCodes: false,
			multiProfileCodes: true,
		});
		expect(program(5)?.codes.filter((c) => c.attachments.length === 0)).toHaveLength(20);
		expect(
			program(5)
				?.codes.find((c) => c.code === 'SHARED-HELD')
				?.attachments.map((a) => a.profileId),
		).toEqual(['64b000000000000000000001', '64b000000000000000000002']);
	});

	it('database 2 "Newsletter" with dave', () => {
		expect(db(2)?.name).toBe('Newsletter');
		expect(db(2)?.profiles.some((p) => p.email === 'dave@example.com')).toBe(true);
	});

	it('programs 1 Welcome discount, 2 VIP, 3 Limited', () => {
		expect(program(1)).toMatchObject({
			name: 'Welcome discount',
			allowNewCodes: true,
			multiProfileCodes: false,
		});
		expect(program(1)?.codes.map((c) => c.code)).toEqual(
			Array.from({ length: 10 }, (_, i) => `WELCOME-${String(i + 1).padStart(4, '0')}`),
		);
		expect(program(1)?.codes.every((c) => c.attachments.length === 0)).toBe(true);
		expect(program(2)).toMatchObject({
			name: 'VIP',
			allowNewCodes: false,
			multiProfileCodes: true,
			codes: [{ code: 'VIP-2026', attachments: [] }],
		});
		expect(program(3)).toMatchObject({ name: 'Limited', codeLimit: 5 });
		expect(program(3)?.codes.length).toBeGreaterThanOrEqual(2);
	});
});

describe('seed validation', () => {
	it('expands shorthand codes and applies defaults', () => {
		const s = normalizeSeed({
			defaultCreated: '2024-01-01T00:00:00+03:00',
			loyaltyPrograms: [{ id: 4, codes: ['A'] }],
		});
		expect(s).toEqual({
			databases: [],
			loyaltyPrograms: [
				{
					id: 4,
					name: 'Loyalty program #4',
					allowNewCodes: true,
					multiProfileCodes: false,
					codeLimit: null,
					codes: [
						{
							code: 'A',
							created: '2023-12-31T21:00:00Z',
							attachments: [],
							activated: null,
							expireDate: null,
						},
					],
				},
			],
		});
	});

	it.each([
		[{ databases: {} }, /databases: must be an array/],
		[{ databases: [{ id: 1 }] }, /databases\[0\]\.name/],
		[
			{
				databases: [
					{ id: 1, name: 'a' },
					{ id: 1, name: 'b' },
				],
			},
			/duplicate database id 1/,
		],
		[
			{
				databases: [
					{
						id: 1,
						name: 'a',
						profiles: [{ id: 'p', subscriptions: [{ channel: 'push', address: 'x' }] }],
					},
				],
			},
			/channel/,
		],
		[
			{ databases: [{ id: 1, name: 'a', profiles: [{ id: 'p', fields: { X: {} } }] }] },
			/fields\.X/,
		],
		[{ loyaltyPrograms: [{ id: 1, codes: ['A', 'A'] }] }, /duplicate code A/],
		[{ loyaltyPrograms: [{ id: 1, codeLimit: 1, codes: ['A', 'B'] }] }, /more than codeLimit/],
		[
			{
				loyaltyPrograms: [
					{ id: 1, codes: [{ code: 'A', attachments: [{ databaseId: 1, profileId: 'x' }] }] },
				],
			},
			/no profile x in database 1/,
		],
		[
			{ loyaltyPrograms: [{ id: 1, codes: [{ code: 'A', activated: '2024-01-01T00:00:00Z' }] }] },
			/must be attached/,
		],
		[{ loyaltyPrograms: [{ id: 1, codes: [{ code: 'A', expireDate: 'soon' }] }] }, /RFC 3339/],
		[{ loyaltyPrograms: [{ id: 1, colour: 'red' }] }, /loyaltyPrograms\[0\]\.colour: unknown key/],
		[
			{
				databases: [{ id: 1, name: 'd', profiles: [{ id: 'a' }, { id: 'b' }] }],
				loyaltyPrograms: [
					{
						id: 1,
						codes: [
							{
								code: 'A',
								attachments: [
									{ databaseId: 1, profileId: 'a' },
									{ databaseId: 1, profileId: 'b' },
								],
							},
						],
					},
				],
			},
			/several attachments but multiProfileCodes is false/,
		],
		[
			{ databases: [{ id: 1, name: 'a', profiles: [{ id: 'p', fields: { phones: 'x' } }] }] },
			/fields\.phones: is reserved/,
		],
		[[], /must be an object/],
	])('rejects %j', (seed, message) => {
		expect(() => normalizeSeed(seed)).toThrow(SeedError);
		expect(() => normalizeSeed(seed)).toThrow(message);
	});
});

describe('error table', () => {
	it('sandbox/README.md carries the table exactly as errors.ts defines it', () => {
		const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
		expect(readme).toContain(errorTableMarkdown());
	});

	it("business-rule errors come on HTTP 200; only documented entries claim to be Altcraft's", () => {
		const documented = Object.entries(ERRORS)
			.filter(([, s]) => s.source !== 'sandbox')
			.map(([k, s]) => `${k}:${s.source}`);
		expect(documented.sort()).toEqual([
			'badRequest:altcraft-code',
			'codeDuplicated:altcraft',
			'ok:altcraft',
			'tokenRequired:altcraft-code',
		]);
		for (const [key, s] of Object.entries(ERRORS)) {
			if (
				!key.startsWith('fault') &&
				!['methodNotFound', 'httpMethodNotAllowed', 'bodyTooLarge'].includes(key)
			) {
				expect(s.httpStatus).toBe(200);
			}
		}
	});
});
