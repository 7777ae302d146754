import { toRfc3339Utc } from '../../nodes/AltcraftPromo/helpers/dateTime';

describe('toRfc3339Utc', () => {
	it('reads a picker value without zone in the workflow time zone', () => {
		expect(toRfc3339Utc('2026-08-25T11:00:00', 'Europe/Moscow')).toBe('2026-08-25T08:00:00Z');
		expect(toRfc3339Utc('2026-01-15T09:30', 'America/New_York')).toBe('2026-01-15T14:30:00Z');
		expect(toRfc3339Utc('2026-07-15T09:30', 'America/New_York')).toBe('2026-07-15T13:30:00Z');
		expect(toRfc3339Utc('2026-12-31', 'UTC')).toBe('2026-12-31T00:00:00Z');
	});

	it('keeps an explicit zone and drops milliseconds', () => {
		expect(toRfc3339Utc('2026-08-25T11:00:00.123+03:00', 'America/New_York')).toBe(
			'2026-08-25T08:00:00Z',
		);
		expect(toRfc3339Utc('2026-08-25T08:00:00Z', 'Europe/Moscow')).toBe('2026-08-25T08:00:00Z');
	});

	it('accepts a Date and a Luxon-like DateTime from an expression', () => {
		expect(toRfc3339Utc(new Date(Date.UTC(2026, 4, 1, 10)), 'UTC')).toBe('2026-05-01T10:00:00Z');
		expect(toRfc3339Utc({ toMillis: () => Date.UTC(2026, 4, 1, 10) }, 'UTC')).toBe(
			'2026-05-01T10:00:00Z',
		);
	});

	it('falls back to UTC for an unknown time zone', () => {
		expect(toRfc3339Utc('2026-08-25T11:00:00', 'Not/AZone')).toBe('2026-08-25T11:00:00Z');
	});

	it.each([
		'tomorrow',
		'2026-13-45T99:00:00',
		'2026-02-31',
		'2026-01-01T24:00',
		'25.08.2026',
		'',
		1700000000,
		null,
		{},
	])('rejects %p', (raw) => {
		expect(toRfc3339Utc(raw, 'UTC')).toBeUndefined();
	});
});
