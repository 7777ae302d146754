/** Time helpers: the API speaks RFC 3339 in UTC with `Z` and no fraction, e.g. 2024-04-01T12:39:34Z. */

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Format a Date as `YYYY-MM-DDTHH:MM:SSZ`. */
export function formatTime(d: Date): string {
	return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Parse an RFC 3339 string; normalise it to UTC `Z` without fraction. Returns undefined when invalid. */
export function normalizeTime(value: string): string | undefined {
	if (!RFC3339.test(value)) return undefined;
	const ms = Date.parse(value);
	if (Number.isNaN(ms)) return undefined;
	return formatTime(new Date(ms));
}

/** A clock the sandbox reads "now" from; tests may pass their own. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();
