import {
	type AltcraftRequest,
	type ApiMethod,
	type SideEffect,
	sideEffectOf,
} from '../../nodes/AltcraftPromo/transport';
import { backoffMs, parseRetryAfter } from '../../nodes/AltcraftPromo/transport/retryPolicy';

const request = (method: ApiMethod, body: AltcraftRequest['body'] = {}): AltcraftRequest => ({
	method,
	body,
});

describe('sideEffectOf', () => {
	it.each<[string, AltcraftRequest, SideEffect]>([
		['get', request('promocodes/get', { code: 'A', loyalty_id: 1 }), 'none'],
		['getAll (export_all)', request('promocodes/export_all', { loyalty_id: 1 }), 'none'],
		['update', request('promocodes/update', { code: 'A', loyalty_id: 1, activated: true }), 'none'],
		['import', request('promocodes/import', { codes: ['A'], loyalty_id: 1 }), 'none'],
		['profiles/get', request('profiles/get', { db_id: 1, email: 'a@example.com' }), 'none'],
		['databases/list', request('databases/list'), 'none'],
		[
			'attach with a code',
			request('promocodes/attach', { code: 'A', loyalty_id: 1, db_id: 1 }),
			'verifiable',
		],
		[
			'attach with an empty code',
			request('promocodes/attach', { code: '', loyalty_id: 1, db_id: 1 }),
			'verifiable',
		],
		[
			'attach without a code',
			request('promocodes/attach', { loyalty_id: 1, db_id: 1 }),
			'unverifiable',
		],
		['detach', request('promocodes/detach', { code: 'A', loyalty_id: 1, db_id: 1 }), 'verifiable'],
		['activate', request('promocodes/activate', { code: 'A', loyalty_id: 1 }), 'verifiable'],
	])('%s → %s', (_label, given, expected) => {
		expect(sideEffectOf(given)).toBe(expected);
	});
});

describe('parseRetryAfter', () => {
	const now = Date.parse('2026-11-23T10:00:00Z');

	it.each<[string, string | undefined, number | undefined]>([
		['whole seconds', '5', 5000],
		['zero', '0', 0],
		['padded', '  7 ', 7000],
		['fractional seconds', '1.5', 1500],
		['fraction rounded to ms', '0.0004', 0],
		['beyond the cap (the caller decides)', '120', 120_000],
		['HTTP date ahead', 'Mon, 23 Nov 2026 10:00:05 GMT', 5000],
		['HTTP date far ahead', 'Mon, 23 Nov 2026 10:02:00 GMT', 120_000],
		['HTTP date now', 'Mon, 23 Nov 2026 10:00:00 GMT', 0],
		['HTTP date in the past → no wait', 'Mon, 23 Nov 2026 09:59:00 GMT', 0],
		['absent', undefined, undefined],
		['empty', '', undefined],
		['garbage', 'soon', undefined],
		['seconds with a unit', '5s', undefined],
	])('%s: %p → %p ms', (_label, value, expected) => {
		expect(parseRetryAfter(value, now)).toBe(expected);
	});

	it.each(['-5', '-0.5', '1 2 3'])(
		'unreadable %p never makes the node wait (V8 may read it as an old date)',
		(value) => {
			// Date.parse is lenient ("-5" is the year -5); a past date means no wait, as an absent header.
			expect([undefined, 0]).toContain(parseRetryAfter(value, now));
		},
	);

	it('a date is measured from the real clock when no "now" is given', () => {
		const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
		const wait = parseRetryAfter(inTenSeconds) as number;
		// toUTCString drops the milliseconds: up to one second less, never more.
		expect(wait).toBeGreaterThan(8_500);
		expect(wait).toBeLessThanOrEqual(10_000);
	});
});

describe('backoffMs', () => {
	// 250 ms × 2^(n-1), capped at 8 s; half of it fixed, half random.
	const ceilings = [250, 500, 1000, 2000, 4000, 8000, 8000, 8000];

	it.each(ceilings.map((ceiling, index) => [index + 1, ceiling / 2, ceiling]))(
		'retry %i: between %i and %i ms',
		(retry, _floor, ceiling) => {
			expect(backoffMs(retry, () => 0)).toBe(ceiling / 2);
			expect(backoffMs(retry, () => 0.999_999)).toBe(ceiling);
			for (let sample = 0; sample < 200; sample++) {
				const wait = backoffMs(retry);
				expect(wait).toBeGreaterThanOrEqual(ceiling / 2);
				expect(wait).toBeLessThanOrEqual(ceiling);
			}
		},
	);

	it('grows with each retry (lower bound of the next ≥ upper bound of the previous up to the cap)', () => {
		for (let retry = 1; retry < 5; retry++) {
			expect(backoffMs(retry + 1, () => 0)).toBeGreaterThanOrEqual(
				backoffMs(retry, () => 0.999_999),
			);
		}
	});

	it('never exceeds 8 s, even after many retries', () => {
		expect(backoffMs(50, () => 0.999_999)).toBe(8000);
		expect(backoffMs(1000, () => 0.999_999)).toBe(8000);
	});

	it('spreads parallel items: jitter gives different waits', () => {
		const waits = new Set(Array.from({ length: 50 }, () => backoffMs(3)));
		expect(waits.size).toBeGreaterThan(5);
	});
});
