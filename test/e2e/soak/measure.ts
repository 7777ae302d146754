/**
 * Measurements for the soak: the resident memory of a worker's processes, sampled over time, and
 * percentiles. Linux /proc.
 */
import { readFileSync } from 'node:fs';
import { members } from '../queue/cpu';

/** Resident memory (MB) of a service's processes (a worker: n8n and its task runner). */
export function groupRssMb(leader: number): number {
	let kb = 0;
	for (const pid of members(leader)) {
		try {
			const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
			if (match) kb += Number(match[1]);
		} catch {
			// exited meanwhile
		}
	}
	return kb / 1024;
}

export interface Sample {
	at: number;
	/** Summed RSS of every worker, MB. */
	rssMb: number;
	/** Connections open at the sandbox. */
	sockets: number;
}

/** Mean of the samples taken in [from, to]. */
export function meanRss(samples: Sample[], from: number, to: number): number {
	const inside = samples.filter((s) => s.at >= from && s.at <= to);
	return inside.length === 0 ? NaN : inside.reduce((sum, s) => sum + s.rssMb, 0) / inside.length;
}

export function percentile(values: number[], p: number): number {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
