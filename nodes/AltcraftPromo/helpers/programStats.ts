import type { IDataObject } from 'n8n-workflow';

/** One program's codes by state, from one export_all answer. */
export interface ProgramStats {
	total: number;
	/** What Attach Free Code can hand out: not attached, not activated, not expired. */
	free: number;
	/** Held by a profile (activated or not). */
	attached: number;
	activated: number;
	expired: number;
	/** free / total, 0 for an empty program; rounded to 4 decimals. */
	free_ratio: number;
}

/** A time Altcraft sets only when the event happened: absent, null or "" mean it did not. */
function isSet(value: unknown): boolean {
	return value !== undefined && value !== null && value !== '' && value !== false;
}

export function isAttachedEntry(entry: IDataObject): boolean {
	return isSet(entry.attached) || entry.is_attached === true;
}

export function isActivatedEntry(entry: IDataObject): boolean {
	return isSet(entry.activated) || entry.is_activated === true;
}

export function isExpiredEntry(entry: IDataObject): boolean {
	return isSet(entry.expired) || entry.is_expired === true;
}

/**
 * The one rule of which codes are free, shared by Attach Free Code and Get Stats: export_all
 * lists `attached` / `activated` only when set, and `expired` / `is_expired` where Altcraft
 * says so; a code with none of them is one nobody holds.
 */
export function isFreeEntry(entry: IDataObject): boolean {
	return !isAttachedEntry(entry) && !isActivatedEntry(entry) && !isExpiredEntry(entry);
}

/** Counts one export_all answer (`data` as the transport decoded it: a list, one entry, or nothing). */
export function computeProgramStats(data: unknown): ProgramStats {
	const entries: unknown[] = Array.isArray(data)
		? data
		: data && typeof data === 'object'
			? [data]
			: [];
	const stats: ProgramStats = {
		total: 0,
		free: 0,
		attached: 0,
		activated: 0,
		expired: 0,
		free_ratio: 0,
	};
	for (const value of entries) {
		if (!value || typeof value !== 'object') continue;
		const entry = value as IDataObject;
		if (typeof entry.code !== 'string' || entry.code === '') continue;
		stats.total++;
		const attached = isAttachedEntry(entry);
		const activated = isActivatedEntry(entry);
		const expired = isExpiredEntry(entry);
		if (attached) stats.attached++;
		if (activated) stats.activated++;
		if (expired) stats.expired++;
		if (!attached && !activated && !expired) stats.free++;
	}
	stats.free_ratio =
		stats.total === 0 ? 0 : Math.round((stats.free / stats.total) * 10_000) / 10_000;
	return stats;
}
