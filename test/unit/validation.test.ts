import type { IExecuteFunctions, INode } from 'n8n-workflow';

import { parseCodesList } from '../../nodes/AltcraftPromo/helpers/codesList';
import { toRfc3339Utc } from '../../nodes/AltcraftPromo/helpers/dateTime';
import { readProfileMatching } from '../../nodes/AltcraftPromo/helpers/matching';
import { readDatabaseId } from '../../nodes/AltcraftPromo/helpers/databaseId';
import {
	describeForbiddenCharacter,
	readLoyaltyId,
	readRequiredText,
} from '../../nodes/AltcraftPromo/helpers/parameters';
import {
	describeBaseUrlProblem,
	normalizeBaseUrl,
} from '../../nodes/AltcraftPromo/transport/baseUrl';

const NODE: INode = {
	id: 'validation-test',
	name: 'Altcraft',
	type: 'CUSTOM.altcraftPromo',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/** Just enough of IExecuteFunctions for the parameter readers. */
function contextWith(parameters: Record<string, unknown>): IExecuteFunctions {
	return {
		getNode: () => NODE,
		getNodeParameter: (name: string, _itemIndex: number, fallback?: unknown) =>
			name in parameters ? parameters[name] : fallback,
	} as unknown as IExecuteFunctions;
}

describe('toRfc3339Utc: no silent rollover', () => {
	it.each([
		'2026-02-30T10:00:00Z',
		'2026-02-29T10:00:00+03:00',
		'2027-02-29',
		'2026-04-31T00:00:00Z',
		'2026-13-01',
		'2026-00-10',
		'2026-01-00',
		'2026-01-01T24:00:00Z',
		'2026-01-01T23:60:00Z',
		'2026-01-01T23:59:60Z',
		'2026-08-25T11:00:00+24:00',
		'2026-02-30 10:00 Z',
		'Mon, 30 Feb 2026 10:00:00 +0000',
		'Tue, 25 Aug 2026 24:00:00 +0300',
		'Feb 30 2026 10:00 +0000',
		'2026/02/28 10:00 +0000',
	])('rejects %p', (raw) => {
		expect(toRfc3339Utc(raw, 'Europe/Berlin')).toBeUndefined();
	});

	it.each([
		['2028-02-29T12:00:00Z', '2028-02-29T12:00:00Z'],
		['2028-02-29', '2028-02-28T23:00:00Z'],
		['2026-08-25Z', '2026-08-25T00:00:00Z'],
		['2026-08-25T11:00+0300', '2026-08-25T08:00:00Z'],
		['2026-08-25 11:00:00+03:00', '2026-08-25T08:00:00Z'],
		['2026-08-25T11:00:00.999-05:30', '2026-08-25T16:30:00Z'],
		['2026-08-25t11:00:00z', '2026-08-25T11:00:00Z'],
		['Tue, 25 Aug 2026 11:00:00 +0300', '2026-08-25T08:00:00Z'],
		['Aug 25, 2026 11:00 +0000', '2026-08-25T11:00:00Z'],
		['2026-12-31T23:59:59Z', '2026-12-31T23:59:59Z'],
		// DST in Berlin: 02:30 does not exist on 29 March and happens twice on 25 October.
		['2026-03-29T02:30:00', '2026-03-29T01:30:00Z'],
		['2026-10-25T02:30:00', '2026-10-25T01:30:00Z'],
		['2026-07-01T00:00:00', '2026-06-30T22:00:00Z'],
	])('keeps %p as %p', (raw, expected) => {
		expect(toRfc3339Utc(raw, 'Europe/Berlin')).toBe(expected);
	});

	it('refuses instants RFC 3339 cannot write (year beyond 9999 or before 0)', () => {
		expect(toRfc3339Utc(new Date(Date.UTC(10000, 0, 1)), 'UTC')).toBeUndefined();
		expect(toRfc3339Utc({ toMillis: () => Date.UTC(-1, 0, 1) }, 'UTC')).toBeUndefined();
		expect(toRfc3339Utc(new Date(Number.NaN), 'UTC')).toBeUndefined();
		expect(toRfc3339Utc(new Date(Date.UTC(9999, 11, 31, 23, 59, 59)), 'UTC')).toBe(
			'9999-12-31T23:59:59Z',
		);
	});

	it('reads a two-digit year as that year, not as 19xx', () => {
		expect(toRfc3339Utc('0026-05-01T00:00:00Z', 'UTC')).toBe('0026-05-01T00:00:00Z');
	});
});

describe('describeForbiddenCharacter', () => {
	it.each([
		['A\u0000B', 'contains a control character (U+0000) at position 2'],
		['\u0007', 'contains a control character (U+0007) at position 1'],
		['A\tB', 'contains a control character (U+0009) at position 2'],
		['A\nB', 'contains a control character (U+000A) at position 2'],
		['A\rB', 'contains a control character (U+000D) at position 2'],
		['A\u001fB', 'contains a control character (U+001F) at position 2'],
		['Код\uFFFE', 'contains a non-character (U+FFFE) at position 4'],
		['\uFFFF', 'contains a non-character (U+FFFF) at position 1'],
		['🎉\uD800', 'contains a broken character (lone surrogate) (U+D800) at position 2'],
		['\uDC00x', 'contains a broken character (lone surrogate) (U+DC00) at position 1'],
	])('%j: %s', (text, problem) => {
		expect(describeForbiddenCharacter(text)).toBe(problem);
	});

	it.each([
		'WELCOME-0001',
		'Промо-Код',
		'🎉🎁',
		'<>&"\'',
		'a b',
		'\u007f\u0080\u00a0',
		'\uFFFD',
		'\u{10FFFF}',
	])('lets %j through', (text) => {
		expect(describeForbiddenCharacter(text)).toBeUndefined();
	});
});

describe('parseCodesList refuses characters the API cannot take', () => {
	it('names the entry and the position', () => {
		expect(parseCodesList(['OK-1', 'BAD\u0000-2'])).toEqual({
			problem: 'entry 2 contains a control character (U+0000) at position 4',
		});
		expect(parseCodesList('OK-1, BA\u000bD')).toEqual({
			problem: 'entry 2 contains a control character (U+000B) at position 3',
		});
	});

	it('still trims tabs and line ends around codes', () => {
		expect(parseCodesList('\tA-1\t\r\nКод-🎉\n')).toEqual({ codes: ['A-1', 'Код-🎉'] });
	});
});

describe('IDs', () => {
	it.each([
		[7, 7],
		['7', 7],
		[' 42 ', 42],
		['007', 7],
		[Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
		[String(Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER],
		[{ __rl: true, mode: 'id', value: '12' }, 12],
	])('reads %p as %p', (raw, expected) => {
		expect(readDatabaseId(contextWith({ databaseId: raw }), 0)).toBe(expected);
	});

	it.each([
		[
			1e20,
			'Loyalty Program ID must be a positive whole number of at most 9007199254740991, got 100000000000000000000 [item 3]',
		],
		[
			'100000000000000000000',
			'Loyalty Program ID must be a positive whole number of at most 9007199254740991, got 100000000000000000000 [item 3]',
		],
		[
			Number.MAX_SAFE_INTEGER + 1,
			'Loyalty Program ID must be a positive whole number of at most 9007199254740991, got 9007199254740992 [item 3]',
		],
		['1e3', 'Loyalty Program ID must be a positive whole number, got "1e3" [item 3]'],
		['0x10', 'Loyalty Program ID must be a positive whole number, got "0x10" [item 3]'],
		['+5', 'Loyalty Program ID must be a positive whole number, got "+5" [item 3]'],
		['1.0', 'Loyalty Program ID must be a positive whole number, got "1.0" [item 3]'],
		[1.5, 'Loyalty Program ID must be a positive whole number, got 1.5 [item 3]'],
		[-1, 'Loyalty Program ID must be a positive whole number, got -1 [item 3]'],
		['-1', 'Loyalty Program ID must be a positive whole number, got "-1" [item 3]'],
		[0, 'Loyalty Program ID must be a positive whole number, got 0 [item 3]'],
		['', 'Loyalty Program ID must be a positive whole number, got "" [item 3]'],
		[true, 'Loyalty Program ID must be a positive whole number, got true [item 3]'],
	])('rejects %p', (raw, message) => {
		expect(() => readLoyaltyId(contextWith({ loyaltyId: raw }), 3)).toThrow(message);
	});
});

describe('text fields refuse control characters', () => {
	it('names the field, the character and the item', () => {
		expect(() =>
			readRequiredText(contextWith({ code: 'A\u0000' }), 1, 'code', 'Promo Code'),
		).toThrow('Promo Code contains a control character (U+0000) at position 2 [item 1]');
	});

	it('trims surrounding white space (line ends included) as before', () => {
		expect(readRequiredText(contextWith({ code: '\t Код-🎉 \r\n' }), 0, 'code', 'Promo Code')).toBe(
			'Код-🎉',
		);
	});
});

describe('phone matching', () => {
	const phone = (value: unknown) =>
		readProfileMatching(contextWith({ matching: 'phone', phone: value }), 2);

	it.each([
		['+79000000001', '+79000000001'],
		['+7 900 000-00-01', '+79000000001'],
		['+7 (900) 000.00.01', '+79000000001'],
		['8 900 000 00 01', '89000000001'],
		[79000000001, '79000000001'],
		['+123456789012345', '+123456789012345'],
	])('%p is sent as %p', (raw, sent) => {
		expect(phone(raw)).toEqual({ matching: 'phone', phone: sent });
	});

	const allowed =
		'may contain only digits, one leading +, spaces, dashes, dots and parentheses [item 2]';
	it.each([
		['+7 900 ABC-DE-FG', `Phone "+7 900 ABC-DE-FG" ${allowed}`],
		['+7 900 000 00 01 ext 5', `Phone "+7 900 000 00 01 ext 5" ${allowed}`],
		['7+9000000001', `Phone "7+9000000001" ${allowed}`],
		['++79000000001', `Phone "++79000000001" ${allowed}`],
		['+7/900/0000001', `Phone "+7/900/0000001" ${allowed}`],
		['+()-', `Phone "+()-" ${allowed}`],
		[
			'+1234567890123456',
			'Phone "+1234567890123456" has 16 digits; a phone number has at most 15 [item 2]',
		],
		['+7\u00009000000001', 'Phone contains a control character (U+0000) at position 3 [item 2]'],
	])('rejects %p', (raw, message) => {
		expect(() => phone(raw)).toThrow(message);
	});
});

describe('email matching', () => {
	const email = (value: string) =>
		readProfileMatching(contextWith({ matching: 'email', email: value }), 0);

	it.each(['alice@example.com', "o'brien+promo@mail.example.co.uk", 'иван@пример.рф', 'a@b.c'])(
		'accepts %p',
		(value) => {
			expect(email(value)).toEqual({ matching: 'email', email: value });
		},
	);

	it.each([
		'alice.example.com',
		'a@b',
		'a@b.',
		'a@.b',
		'a@b..c',
		'a b@c.d',
		'a@b@c.d',
		'@example.com',
	])('rejects %p', (value) => {
		expect(() => email(value)).toThrow(`Email "${value}" is not an email address [item 0]`);
	});
});

describe('Base URL', () => {
	it.each([
		['https://host/?x=1', 'must not contain a query string; remove "?" and everything after it'],
		['https://host/api/v1.1?token=abc', 'must not contain a query string'],
		['https://host?', 'must not contain a query string'],
		['https://host/#top', 'must not contain a fragment; remove "#" and everything after it'],
		[
			'https://user:pass@host',
			'must not contain a user name or password; remove the "user:password@" part',
		],
		['https://user@host/api/v1.1', 'must not contain a user name or password'],
		[
			'https://host/api/v1.1/promocodes/get',
			'must end at the instance address or at /api/v1.1, not at "/api/v1.1/promocodes/get"',
		],
		['https://host/api/v1', 'not at "/api/v1"'],
		['https://host/api', 'not at "/api"'],
		['https://host:99999', 'is not a valid address'],
		['https://exa mple.com', 'is not a valid address'],
		['ftp://host', 'must be an http:// or https:// address'],
		['https://?x=1', 'must be an http:// or https:// address'],
	])('%s', (raw, problem) => {
		expect(describeBaseUrlProblem(raw)).toContain(problem);
		expect(describeBaseUrlProblem(raw)).toMatch(/^The Base URL in the Altcraft API credential /);
		expect(normalizeBaseUrl(raw)).toBeUndefined();
	});

	it.each([
		['https://example.altcraft.com', 'https://example.altcraft.com'],
		['https://host/altcraft/api/v1.1/', 'https://host/altcraft'],
		['http://127.0.0.1:8787/API/V1.1', 'http://127.0.0.1:8787'],
		['https://пример.рф', 'https://пример.рф'],
	])('accepts %s', (raw, normalized) => {
		expect(describeBaseUrlProblem(raw)).toBeUndefined();
		expect(normalizeBaseUrl(raw)).toBe(normalized);
	});
});
