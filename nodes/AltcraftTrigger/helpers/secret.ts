import { createHash, timingSafeEqual } from 'node:crypto';

/** The query parameter that carries the secret: the only thing an Altcraft action hook can add to a request. */
export const SECRET_QUERY_PARAMETER = 'secret';

function digest(text: string): Buffer {
	return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Whether the request may start the workflow. No secret configured: every request may. Otherwise the
 * query value must equal it. Both sides are hashed first so the comparison takes the same time whatever
 * the given value is, its length included (timingSafeEqual alone needs equal lengths and would tell them).
 */
export function secretAccepted(expected: string, given: unknown): boolean {
	if (expected === '') return true;
	if (typeof given !== 'string') return false; // missing, or repeated (?secret=a&secret=b arrives as an array)
	return timingSafeEqual(digest(given), digest(expected));
}
