const NAIVE_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/;
const HAS_ZONE = /(?:Z|[+-]\d{2}:?\d{2})$/i;

/** Milliseconds to add to a UTC instant to get the wall-clock time in `timeZone`. */
function zoneOffsetMs(utcMs: number, timeZone: string): number {
	const parts = new Intl.DateTimeFormat('en-US', {
		timeZone,
		hourCycle: 'h23',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit',
		second: '2-digit',
	}).formatToParts(new Date(utcMs));
	const part = (type: Intl.DateTimeFormatPartTypes) =>
		Number(parts.find((entry) => entry.type === type)?.value ?? 0);
	const wallClockAsUtc = Date.UTC(
		part('year'),
		part('month') - 1,
		part('day'),
		part('hour'),
		part('minute'),
		part('second'),
	);
	return wallClockAsUtc - utcMs;
}

/** A wall-clock time without zone, as n8n's date picker gives it, read in the workflow's time zone. */
function wallClockToUtcMs(match: RegExpMatchArray, timeZone: string): number {
	const [, year, month, day, hour = '0', minute = '0', second = '0'] = match;
	const wallClock = Date.UTC(+year, +month - 1, +day, +hour, +minute, +second);
	// Date.UTC rolls 2026-02-31 over into March; a date that does not exist is an error instead.
	const check = new Date(wallClock);
	if (check.getUTCMonth() !== +month - 1 || check.getUTCDate() !== +day || +hour > 23 || +minute > 59 || +second > 59) {
		return Number.NaN;
	}
	try {
		// Two passes settle the offset on the right side of a DST change.
		const firstGuess = wallClock - zoneOffsetMs(wallClock, timeZone);
		return wallClock - zoneOffsetMs(firstGuess, timeZone);
	} catch {
		return wallClock;
	}
}

function formatRfc3339Utc(ms: number): string {
	return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface DateTimeLike {
	toMillis(): number;
}

function isDateTimeLike(value: unknown): value is DateTimeLike {
	return typeof value === 'object' && value !== null && typeof (value as DateTimeLike).toMillis === 'function';
}

/**
 * Converts what n8n hands over for a date-time field (picker text without zone, ISO text with
 * zone, a Date or a Luxon DateTime from an expression) into the RFC 3339 UTC form Altcraft
 * documents, e.g. `2026-08-25T08:00:00Z`. Returns `undefined` for anything that is not a date.
 */
export function toRfc3339Utc(raw: unknown, timeZone: string): string | undefined {
	let ms: number | undefined;
	if (raw instanceof Date) ms = raw.getTime();
	else if (isDateTimeLike(raw)) ms = raw.toMillis();
	else if (typeof raw === 'string') {
		const text = raw.trim();
		const naive = text.match(NAIVE_DATE_TIME);
		if (naive) ms = wallClockToUtcMs(naive, timeZone);
		else if (HAS_ZONE.test(text)) ms = Date.parse(text);
	}
	return ms === undefined || Number.isNaN(ms) ? undefined : formatRfc3339Utc(ms);
}
