/** ISO 8601 as people and n8n write it: date, optional clock time, optional zone (`Z`, `+03:00`, `+0300`). */
const ISO_DATE_TIME =
	/^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const HAS_ZONE = /(?:Z|[+-]\d{2}:?\d{2})$/i;
/** RFC 2822 and similar texts that Date.parse reads, e.g. `Tue, 25 Aug 2026 11:00:00 +0300`. */
const DAY_MONTH_YEAR = /\b(\d{1,2})\s+([a-z]{3})[a-z]*\.?,?\s+(\d{4})\b/i;
const MONTH_DAY_YEAR = /\b([a-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(\d{4})\b/i;
const CLOCK = /\b(\d{1,2}):(\d{2})(?::(\d{2}))?\b/;
const MONTH_NAMES = [
	'jan',
	'feb',
	'mar',
	'apr',
	'may',
	'jun',
	'jul',
	'aug',
	'sep',
	'oct',
	'nov',
	'dec',
];

/** Date.UTC without its two surprises: years 0-99 mean 1900-1999, and 2026-02-30 rolls into March. */
function exactUtcMs(
	year: number,
	month: number,
	day: number,
	hour = 0,
	minute = 0,
	second = 0,
): number {
	if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59)
		return Number.NaN;
	const date = new Date(0);
	date.setUTCFullYear(year, month - 1, day);
	date.setUTCHours(hour, minute, second, 0);
	if (
		date.getUTCFullYear() !== year ||
		date.getUTCMonth() !== month - 1 ||
		date.getUTCDate() !== day
	) {
		return Number.NaN;
	}
	return date.getTime();
}

/** `Z`, `+03:00` or `-0530` as minutes east of UTC; NaN for an offset no clock has. */
function offsetMinutes(zone: string): number {
	if (zone.toUpperCase() === 'Z') return 0;
	const hours = Number(zone.slice(1, 3));
	const minutes = Number(zone.slice(-2));
	if (hours > 23 || minutes > 59) return Number.NaN;
	return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

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
function wallClockToUtcMs(wallClock: number, timeZone: string): number {
	try {
		// Two passes settle the offset on the right side of a DST change.
		const firstGuess = wallClock - zoneOffsetMs(wallClock, timeZone);
		return wallClock - zoneOffsetMs(firstGuess, timeZone);
	} catch {
		return wallClock;
	}
}

function parseIsoText(match: RegExpMatchArray, timeZone: string): number {
	const [, year, month, day, hour = '0', minute = '0', second = '0', zone] = match;
	const exact = exactUtcMs(+year, +month, +day, +hour, +minute, +second);
	if (Number.isNaN(exact)) return exact;
	return zone === undefined
		? wallClockToUtcMs(exact, timeZone)
		: exact - offsetMinutes(zone) * 60_000;
}

/**
 * Other texts with a zone are left to Date.parse, which silently rolls `30 Feb` into March
 * and `24:00` into the next day; the date and clock it read are checked first.
 */
function legacyDayMonthYear(text: string): [string, string, string] | undefined {
	const dayFirst = text.match(DAY_MONTH_YEAR);
	if (dayFirst) return [dayFirst[1], dayFirst[2], dayFirst[3]];
	const monthFirst = text.match(MONTH_DAY_YEAR);
	return monthFirst ? [monthFirst[2], monthFirst[1], monthFirst[3]] : undefined;
}

function parseLegacyText(text: string): number {
	const date = legacyDayMonthYear(text);
	if (!date) return Number.NaN;
	const [day, monthName, year] = date;
	const month = MONTH_NAMES.indexOf(monthName.toLowerCase()) + 1;
	const [, hour = '0', minute = '0', second = '0'] = text.match(CLOCK) ?? [];
	if (Number.isNaN(exactUtcMs(+year, month, +day, +hour, +minute, +second))) return Number.NaN;
	return Date.parse(text);
}

function formatRfc3339Utc(ms: number): string {
	return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface DateTimeLike {
	toMillis(): number;
}

function isDateTimeLike(value: unknown): value is DateTimeLike {
	return (
		typeof value === 'object' &&
		value !== null &&
		typeof (value as DateTimeLike).toMillis === 'function'
	);
}

/**
 * Converts what n8n hands over for a date-time field (picker text without zone, ISO text with
 * zone, a Date or a Luxon DateTime from an expression) into the RFC 3339 UTC form Altcraft
 * documents, e.g. `2026-08-25T08:00:00Z`. Returns `undefined` for anything that is not a date,
 * including dates that do not exist (`2026-02-30`, `24:00`) rather than rolling them over.
 */
export function toRfc3339Utc(raw: unknown, timeZone: string): string | undefined {
	let ms: number | undefined;
	if (raw instanceof Date) ms = raw.getTime();
	else if (isDateTimeLike(raw)) ms = raw.toMillis();
	else if (typeof raw === 'string') {
		const text = raw.trim();
		const iso = text.match(ISO_DATE_TIME);
		if (iso) ms = parseIsoText(iso, timeZone);
		else if (HAS_ZONE.test(text)) ms = parseLegacyText(text);
	}
	if (ms === undefined || Number.isNaN(ms)) return undefined;
	// RFC 3339 has four-digit years; toISOString would write +010000 or -000001.
	const year = new Date(ms).getUTCFullYear();
	return year < 0 || year > 9999 ? undefined : formatRfc3339Utc(ms);
}
