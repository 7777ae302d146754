import type { AltcraftRequest } from '../helpers/types';

/**
 * What resending a request after a failure can do, which decides how the transport retries it.
 * This is the table the README shows under "Retries and unknown outcomes".
 * - `none`: reading, or setting values (update), or importing (existing codes come back as
 *   duplicated): resending is harmless, so every transient failure is retried.
 * - `verifiable`: attach of a named code, detach, activate. After a refusal (429, 503, nothing
 *   sent) it is resent; after an ambiguous failure (timeout, reset, 502/504 after sending) the code
 *   is read back first, and resent only when the change is provably not there.
 * - `unverifiable`: attach without a code. Altcraft may have attached a code without saying which,
 *   so it is resent only after a refusal that proves nothing was applied.
 */
export type SideEffect = 'none' | 'verifiable' | 'unverifiable';

export function sideEffectOf(request: AltcraftRequest): SideEffect {
	switch (request.method) {
		case 'promocodes/activate':
		case 'promocodes/detach':
			return 'verifiable';
		case 'promocodes/attach':
			return request.body.code === undefined ? 'unverifiable' : 'verifiable';
		default:
			return 'none';
	}
}

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
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
	if (!value) return undefined;
	const text = value.trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
	const date = Date.parse(text);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - now);
}
