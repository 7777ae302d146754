/**
 * How the transport retries: which HTTP statuses prove a refusal or leave the outcome open, how long
 * it waits. Which requests may be resent at all is the endpoint table's `sideEffect` (endpoints.ts).
 */

/** HTTP statuses that say the server refused the request before doing anything. */
export const REFUSED_STATUSES = new Set([429, 503]);
/** Gateway failures: the proxy may have passed the request on before it failed. */
export const AMBIGUOUS_STATUSES = new Set([502, 504]);

/** Longest wait for a `Retry-After` the node accepts; a longer one fails the item at once. */
export const MAX_RETRY_AFTER_MS = 60_000;
const BACKOFF_BASE_MS = 250;
const BACKOFF_CAP_MS = 8_000;

/** Exponential backoff with jitter (half fixed, half random), so parallel items spread out. */
export function backoffMs(retryNumber: number, random: () => number = Math.random): number {
	const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (retryNumber - 1));
	return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** `Retry-After` as seconds or as an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(
	value: string | undefined,
	now: number = Date.now(),
): number | undefined {
	if (!value) return undefined;
	const text = value.trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
	const date = Date.parse(text);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - now);
}
