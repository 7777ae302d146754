import { describeForbiddenCharacter } from './parameters';

/**
 * Turns what a user gives as "Promo Codes" into the list Altcraft expects:
 * an array from an expression, or text with one code per line or comma-separated.
 * Entries are trimmed and empty ones dropped; anything that is not text or a number
 * or holds a character Altcraft's API cannot take is reported by its position so the user can find it.
 */
export function parseCodesList(raw: unknown): { codes: string[] } | { problem: string } {
	if (!Array.isArray(raw) && typeof raw !== 'string' && typeof raw !== 'number') {
		return {
			problem: `must be text or a list of codes, got ${raw === null ? 'null' : typeof raw}`,
		};
	}
	const entries: unknown[] = Array.isArray(raw)
		? raw
		: typeof raw === 'string'
			? raw.split(/\r?\n|,/)
			: [raw];
	const codes: string[] = [];
	for (const [position, entry] of entries.entries()) {
		if (typeof entry === 'number' && Number.isFinite(entry)) {
			codes.push(String(entry));
		} else if (typeof entry === 'string') {
			const code = entry.trim();
			const problem = describeForbiddenCharacter(code);
			if (problem) return { problem: `entry ${position + 1} ${problem}` };
			if (code !== '') codes.push(code);
		} else if (entry !== null && entry !== undefined) {
			return { problem: `entry ${position + 1} is ${typeof entry}, not a code` };
		}
	}
	if (codes.length === 0) return { problem: 'contains no codes' };
	return { codes };
}
