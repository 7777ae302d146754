import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { SandboxSeed } from '../../sandbox/src';
import { FORMATS, TOKEN, jsonOf, useSandbox } from './context';

const context = useSandbox();

/** Profiles and a program whose values are exactly the tricky texts sent below. */
const TRICKY = [
	'ПРОМО-Код-001',
	'🎉GIFT🎁-👩‍💻',
	`<b>&"'</b>`,
	']]><![CDATA[x',
	'&amp;&#x41;&lt;',
	'A B\u00a0C',
	'e\u0301-\u00e9',
	'\\n{"x":1}\\',
	'X\u007f\u0085\u2028\u2029X',
	'\u{10FFFF}\uFFFD',
];
const TRICKY_EMAIL = "o'brien&co+<promo>@пример.рф";
const TRICKY_PROFILE_ID = `<id>&"'Ж-🎉`;

const SEED: SandboxSeed = {
	databases: [
		{
			id: 1,
			name: 'Tricky values',
			profiles: [
				...TRICKY.map((value, index) => ({ id: `p-${index}`, fields: { CRM_ID: value } })),
				{ id: TRICKY_PROFILE_ID, email: TRICKY_EMAIL, phone: '+79000000001' },
			],
		},
	],
	loyaltyPrograms: [
		{ id: 1, allowNewCodes: true, multiProfileCodes: true, codes: ['WELCOME-0001'] },
	],
};

beforeAll(() => context.sandbox.loadSeed(SEED));

interface BadInput {
	label: string;
	/** The field as the message names it. */
	field: string;
	parameters: INodeParameters;
	/** One item per entry; the bad value is in the last one unless it is the only one. */
	items?: IDataObject[];
	/** A fragment of the message after the field name. */
	message: string;
	/** The item the message must name; undefined for credential problems, which concern every item. */
	item?: number;
	baseUrl?: string;
}

const get = { operation: 'get', loyaltyId: 1, code: 'WELCOME-0001' };
const activate = { operation: 'activate', loyaltyId: 1, code: 'WELCOME-0001' };
const update = { operation: 'update', loyaltyId: 1, code: 'WELCOME-0001' };
const attach = {
	operation: 'attach',
	loyaltyId: 1,
	databaseId: 1,
	code: 'WELCOME-0001',
	matching: 'email',
	email: 'a@example.com',
};
const detach = { ...attach, operation: 'detach' };
const importCodes = { operation: 'import', loyaltyId: 1 };
const byPhone = { ...attach, matching: 'phone', phone: '={{ $json.v }}' };
const expiring = (value: string) => ({ ...update, updateFields: { expireDate: value } });
const fromItem = (value: string | string[]): IDataObject[] => [{ v: value }];
const MAX = Number.MAX_SAFE_INTEGER;
const ID_TOO_LARGE = `must be a positive whole number of at most ${MAX}`;
const NOT_WHOLE = 'must be a positive whole number, got';
const PHONE_CHARACTERS =
	'may contain only digits, one leading +, spaces, dashes, dots and parentheses';
const NOT_A_DATE = 'is not a valid date and time';

const BAD_INPUTS: BadInput[] = [
	// IDs: plain whole numbers up to 2^53 - 1 only
	{
		label: 'loyalty ID 1e20',
		parameters: { ...get, loyaltyId: '={{ 1e20 }}' },
		field: 'Loyalty Program ID',
		message: `${ID_TOO_LARGE}, got 100000000000000000000`,
	},
	{
		label: 'loyalty ID "1e3"',
		parameters: { ...get, loyaltyId: '={{ "1e3" }}' },
		field: 'Loyalty Program ID',
		message: `${NOT_WHOLE} "1e3"`,
	},
	{
		label: 'loyalty ID "0x10"',
		parameters: { ...activate, loyaltyId: '={{ "0x10" }}' },
		field: 'Loyalty Program ID',
		message: `${NOT_WHOLE} "0x10"`,
	},
	{
		label: 'loyalty ID -5',
		parameters: { ...update, loyaltyId: -5, updateFields: { activated: true } },
		field: 'Loyalty Program ID',
		message: `${NOT_WHOLE} -5`,
	},
	{
		label: 'loyalty ID 1.5',
		parameters: { ...importCodes, loyaltyId: 1.5, codes: 'A' },
		field: 'Loyalty Program ID',
		message: `${NOT_WHOLE} 1.5`,
	},
	{
		label: 'loyalty ID "12abc"',
		parameters: { operation: 'getAll', loyaltyId: '={{ "12abc" }}', returnAll: true },
		field: 'Loyalty Program ID',
		message: `${NOT_WHOLE} "12abc"`,
	},
	{
		label: 'database ID 2^53',
		parameters: { ...attach, databaseId: '={{ 2 ** 53 }}' },
		field: 'Database',
		message: 'got 9007199254740992',
	},
	{
		label: 'database ID "9007199254740993"',
		parameters: { ...detach, databaseId: '={{ "9007199254740993" }}' },
		field: 'Database',
		message: 'got 9007199254740993',
	},
	{
		label: 'database ID "-1"',
		parameters: { ...attach, databaseId: '={{ "-1" }}' },
		field: 'Database',
		message: 'got "-1"',
	},
	// Dates that do not exist are refused, never rolled over
	{
		label: 'expire date 2026-02-30T10:00:00Z',
		parameters: expiring('2026-02-30T10:00:00Z'),
		field: 'Expire Date',
		message: `"2026-02-30T10:00:00Z" ${NOT_A_DATE}`,
	},
	{
		label: 'expire date 2026-13-01',
		parameters: expiring('2026-13-01'),
		field: 'Expire Date',
		message: `"2026-13-01" ${NOT_A_DATE}`,
	},
	{
		label: 'expire date 24:00',
		parameters: expiring('2026-01-01T24:00'),
		field: 'Expire Date',
		message: `"2026-01-01T24:00" ${NOT_A_DATE}`,
	},
	{
		label: 'expire date 29 Feb in a common year, with zone',
		parameters: expiring('2027-02-29T10:00:00+03:00'),
		field: 'Expire Date',
		message: `"2027-02-29T10:00:00+03:00" ${NOT_A_DATE}`,
	},
	{
		label: 'expire date RFC 2822 30 Feb',
		parameters: expiring('Mon, 30 Feb 2026 10:00:00 +0000'),
		field: 'Expire Date',
		message: `"Mon, 30 Feb 2026 10:00:00 +0000" ${NOT_A_DATE}`,
	},
	{
		label: 'expire date 31 April',
		parameters: expiring('2026-04-31'),
		field: 'Expire Date',
		message: `"2026-04-31" ${NOT_A_DATE}`,
	},
	{
		label: 'expire date second 60',
		parameters: expiring('2026-08-25T11:00:60Z'),
		field: 'Expire Date',
		message: `"2026-08-25T11:00:60Z" ${NOT_A_DATE}`,
	},
	// Phones
	{
		label: 'phone with Latin letters',
		parameters: byPhone,
		items: fromItem('+7 900 ABC-DE-FG'),
		field: 'Phone',
		message: `"+7 900 ABC-DE-FG" ${PHONE_CHARACTERS}`,
	},
	{
		label: 'phone with an extension in Cyrillic',
		parameters: byPhone,
		items: fromItem('+7 900 000-00-01 доб. 5'),
		field: 'Phone',
		message: `"+7 900 000-00-01 доб. 5" ${PHONE_CHARACTERS}`,
	},
	{
		label: 'phone with + not in front',
		parameters: byPhone,
		items: fromItem('79000000001+'),
		field: 'Phone',
		message: `"79000000001+" ${PHONE_CHARACTERS}`,
	},
	{
		label: 'phone with 16 digits',
		parameters: byPhone,
		items: fromItem('+7900000000123456'),
		field: 'Phone',
		message: '"+7900000000123456" has 16 digits; a phone number has at most 15',
	},
	{
		label: 'phone with a NUL',
		parameters: byPhone,
		items: fromItem('+7900\u00000000001'),
		field: 'Phone',
		message: 'contains a control character (U+0000) at position 6',
	},
	{
		label: 'phone in the third item',
		parameters: byPhone,
		items: [{ v: '+79000000001' }, { v: '+79000000002' }, { v: 'call me' }],
		field: 'Phone',
		message: `"call me" ${PHONE_CHARACTERS}`,
		item: 2,
	},
	// Characters neither XML 1.0 nor Altcraft's exact comparison can take, in every text field
	{
		label: 'code with NUL (get)',
		parameters: { ...get, code: '={{ $json.v }}' },
		items: fromItem('WELCOME\u00000001'),
		field: 'Promo Code',
		message: 'contains a control character (U+0000) at position 8',
	},
	{
		label: 'code with backspace over XML (activate)',
		parameters: { ...activate, code: '={{ $json.v }}', options: { format: 'xml' } },
		items: fromItem('A\bB'),
		field: 'Promo Code',
		message: 'contains a control character (U+0008) at position 2',
	},
	{
		label: 'code with an inner tab (detach)',
		parameters: { ...detach, code: '={{ $json.v }}' },
		items: fromItem('A\tB'),
		field: 'Promo Code',
		message: 'contains a control character (U+0009) at position 2',
	},
	{
		label: 'code with an inner line break (attach)',
		parameters: { ...attach, code: '={{ $json.v }}' },
		items: fromItem('A\r\nB'),
		field: 'Promo Code',
		message: 'contains a control character (U+000D) at position 2',
	},
	{
		label: 'code with U+FFFE (update)',
		parameters: { ...update, code: '={{ $json.v }}', updateFields: { activated: true } },
		items: fromItem('A\uFFFE'),
		field: 'Promo Code',
		message: 'contains a non-character (U+FFFE) at position 2',
	},
	{
		label: 'code with a lone surrogate',
		parameters: { ...get, code: '={{ $json.v }}', options: { format: 'xml' } },
		items: fromItem('A\uD83C'),
		field: 'Promo Code',
		message: 'contains a broken character (lone surrogate) (U+D83C) at position 2',
	},
	{
		label: 'codes list entry with U+0001',
		parameters: { ...importCodes, codes: '={{ $json.v }}' },
		items: fromItem(['OK-1', 'BAD\u0001']),
		field: 'Promo Codes',
		message: 'entry 2 contains a control character (U+0001) at position 4',
	},
	{
		label: 'codes text with a vertical tab',
		parameters: { ...importCodes, codes: '={{ $json.v }}', options: { format: 'xml' } },
		items: fromItem('OK-1\nOK-2\nB\u000bAD'),
		field: 'Promo Codes',
		message: 'entry 3 contains a control character (U+000B) at position 2',
	},
	{
		label: 'email with BEL',
		parameters: { ...attach, email: '={{ $json.v }}' },
		items: fromItem('al\u0007ice@example.com'),
		field: 'Email',
		message: 'contains a control character (U+0007) at position 3',
	},
	{
		label: 'profile ID with ESC',
		parameters: { ...attach, matching: 'profile_id', profileId: '={{ $json.v }}' },
		items: fromItem('64b\u001b[0m'),
		field: 'Profile ID',
		message: 'contains a control character (U+001B) at position 4',
	},
	{
		label: 'field name with a line break',
		parameters: { ...detach, matching: 'custom', fieldName: '={{ $json.v }}', fieldValue: '1001' },
		items: fromItem('CRM\nID'),
		field: 'Field Name',
		message: 'contains a control character (U+000A) at position 4',
	},
	{
		label: 'field value with NUL',
		parameters: {
			...attach,
			matching: 'custom',
			fieldName: 'CRM_ID',
			fieldValue: '={{ $json.v }}',
		},
		items: fromItem('1001\u0000'),
		field: 'Field Value',
		message: 'contains a control character (U+0000) at position 5',
	},
	// Emails
	{
		label: 'email without a dot in the domain',
		parameters: { ...attach, email: 'alice@example' },
		field: 'Email',
		message: '"alice@example" is not an email address',
	},
	{
		label: 'email with two @',
		parameters: { ...detach, matching: 'email_profile', email: 'alice@@example.com' },
		field: 'Email',
		message: '"alice@@example.com" is not an email address',
	},
	// Base URL: a credential problem, so no item is named; each row expects what to remove.
	{
		label: 'Base URL with a query string',
		parameters: get,
		baseUrl: 'http://127.0.0.1:9/?x=1',
		field: 'Base URL',
		message: 'must not contain a query string; remove "?" and everything after it',
	},
	{
		label: 'Base URL with a fragment',
		parameters: get,
		baseUrl: 'http://127.0.0.1:9/#api',
		field: 'Base URL',
		message: 'must not contain a fragment; remove "#" and everything after it',
	},
	{
		label: 'Base URL with user:password@',
		parameters: get,
		baseUrl: 'http://user:secret@127.0.0.1:9',
		field: 'Base URL',
		message: 'must not contain a user name or password; remove the "user:password@" part',
	},
	{
		label: 'Base URL of a method',
		parameters: get,
		baseUrl: 'http://127.0.0.1:9/api/v1.1/promocodes/get',
		field: 'Base URL',
		message: 'must end at the instance address or at /api/v1.1, not at "/api/v1.1/promocodes/get"',
	},
];

describe('bad inputs are refused before any request, naming the field and the item', () => {
	it.each(BAD_INPUTS.map((row) => [row.label, row] as const))('%s', async (_label, row) => {
		const baseUrl = row.baseUrl?.replace('http://127.0.0.1:9', context.sandbox.baseUrl);
		const result = await context.run(row.parameters, { items: row.items, baseUrl });
		const error = result.error as Error & { context?: { itemIndex?: number } };
		expect(error).toBeDefined();
		expect(error.message).toContain(row.field);
		expect(error.message).toContain(row.message);
		if (row.baseUrl === undefined) {
			const item = row.item ?? 0;
			expect(error.message).toMatch(new RegExp(`\\[item ${item}\\]$`));
			expect(error.context?.itemIndex).toBe(item);
		}
		expect(context.sandbox.requests).toHaveLength(0);
		expect(JSON.stringify(result.run)).not.toContain(TOKEN);
	});

	it('under Continue On Fail each bad item gets its own error item and only good items are sent', async () => {
		const items = [{ v: '+7 (900) 000-00-01' }, { v: '+7 900 ABC' }, { v: 'x\u0000' }];
		const result = await context.run(byPhone, { items, onError: 'continueRegularOutput' });
		expect(result.output.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
		]);
		expect(jsonOf(result).slice(1)).toEqual([
			{ error: `Phone "+7 900 ABC" ${PHONE_CHARACTERS} [item 1]` },
			{ error: 'Phone contains a control character (U+0000) at position 2 [item 2]' },
		]);
		expect(context.sandbox.requests).toHaveLength(1);
	});
});

/** What the sandbox parsed from the last requests, without the token. */
function received(): Array<Record<string, unknown>> {
	return context.sandbox.requests.map((request) => {
		const { token: _token, ...parameters } = request.body as Record<string, unknown>;
		return parameters;
	});
}

const xmlEscaped = (text: string) =>
	text
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&apos;');

describe.each(FORMATS)('legitimate tricky values are sent byte-exact over %s', (format) => {
	const options = { format };

	/** The raw request carried the value in the format's own escaping, and nothing else changed it. */
	function expectRawCarries(rawBody: string, name: string, value: string) {
		if (format === 'xml') expect(rawBody).toContain(`<${name}>${xmlEscaped(value)}</${name}>`);
		else expect(rawBody).toContain(JSON.stringify(value));
	}

	it('codes: import, then get each back', async () => {
		const imported = await context.run(
			{ operation: 'import', loyaltyId: 1, codes: '={{ $json.codes }}', options },
			{ items: [{ codes: TRICKY }] },
		);
		expect(imported.error).toBeUndefined();
		expect(received()[0].codes).toEqual(TRICKY);
		for (const code of TRICKY) expectRawCarries(context.sandbox.requests[0].rawBody, 'codes', code);
		expect(jsonOf(imported)[0]).toMatchObject({ inserted: TRICKY.length, duplicated: 0 });
		for (const code of TRICKY) expect(context.sandbox.getCode(1, code)?.code).toBe(code);

		context.sandbox.clearRequests();
		const got = await context.run(
			{ operation: 'get', loyaltyId: 1, code: '={{ $json.code }}', options },
			{ items: TRICKY.map((code) => ({ code })) },
		);
		expect(got.error).toBeUndefined();
		// Items run concurrently, so the server may see them in any order.
		expect(
			received()
				.map((parameters) => parameters.code)
				.sort(),
		).toEqual([...TRICKY].sort());
		expect(jsonOf(got).map((item) => item.code)).toEqual(TRICKY);
	});

	it('custom field values: attach finds each profile', async () => {
		const result = await context.run(
			// One after another: the holders of the shared code are compared in input order.
			{
				operation: 'attach',
				loyaltyId: 1,
				databaseId: 1,
				code: 'WELCOME-0001',
				matching: 'custom',
				fieldName: 'CRM_ID',
				fieldValue: '={{ $json.value }}',
				options: { ...options, concurrency: 1 },
			},
			{ items: TRICKY.map((value) => ({ value })) },
		);
		expect(result.error).toBeUndefined();
		expect(
			received()
				.map((parameters) => parameters.field_value)
				.sort(),
		).toEqual([...TRICKY].sort());
		context.sandbox.requests.forEach((request, index) =>
			expectRawCarries(request.rawBody, 'field_value', TRICKY[index]),
		);
		expect(jsonOf(result).map((item) => item.field_value)).toEqual(TRICKY);
		const attachedTo = context.sandbox
			.getCode(1, 'WELCOME-0001')
			?.attachments.map((attachment) => attachment.profileId);
		expect(attachedTo).toEqual(TRICKY.map((_value, index) => `p-${index}`));
	});

	it.each([
		['email', { matching: 'email', email: TRICKY_EMAIL }, 'email', TRICKY_EMAIL],
		[
			'profile ID',
			{ matching: 'profile_id', profileId: TRICKY_PROFILE_ID },
			'profile_id',
			TRICKY_PROFILE_ID,
		],
		[
			'formatted phone, sent as + and digits',
			{ matching: 'phone', phone: '+7 (900) 000-00-01' },
			'phone',
			'+79000000001',
		],
	])('%s', async (_label, matching, name, sent) => {
		const result = await context.run({
			operation: 'attach',
			loyaltyId: 1,
			databaseId: 1,
			code: 'WELCOME-0001',
			...matching,
			options,
		});
		expect(result.error).toBeUndefined();
		expect(received()[0][name]).toBe(sent);
		expectRawCarries(context.sandbox.requests[0].rawBody, name, sent);
		expect(
			context.sandbox
				.getCode(1, 'WELCOME-0001')
				?.attachments.map((attachment) => attachment.profileId),
		).toEqual([TRICKY_PROFILE_ID]);
	});
});
