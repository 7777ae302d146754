/**
 * The processes of each started service and their CPU time, from /proc (Linux). The CPU time explains a
 * throughput number on a small machine (which process spent the cores: n8n main, each worker, PostgreSQL,
 * Redis, this test + sandbox); the process list lets the teardown prove that nothing is left running.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
	ticksPerSecond ??=
		Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
	return ticksPerSecond;
}

interface ProcStat {
	pid: number;
	ppid: number;
	pgrp: number;
	/** utime + stime + cutime + cstime, in clock ticks. */
	ticks: number;
}

function readProcStats(): ProcStat[] {
	const stats: ProcStat[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		let stat: string;
		try {
			stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
		} catch {
			continue; // exited while we were looking
		}
		// Fields after "(comm)": state ppid pgrp … utime(14) stime(15) cutime(16) cstime(17), 1-based overall.
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
		stats.push({ pid: Number(entry), ppid: Number(fields[1]), pgrp: Number(fields[2]), ticks });
	}
	return stats;
}

/**
 * A started service's processes: its process group (n8n and its task runner) plus the leader's direct
 * children, because PostgreSQL's backends each call setsid() and so leave the postmaster's group.
 */
function isMember(stat: ProcStat, leader: number): boolean {
	return stat.pid === leader || stat.pgrp === leader || stat.ppid === leader;
}

/** Pids of the live processes that belong to the service started as `leader`. */
export function members(leader: number): number[] {
	return readProcStats()
		.filter((stat) => isMember(stat, leader))
		.map((stat) => stat.pid);
}

/**
 * CPU seconds (user + system) used so far by a service's live processes, including the children they
 * have reaped (so short-lived PostgreSQL backends and task runners are counted too).
 */
export function groupCpuSeconds(leader: number): number {
	const ticks = readProcStats()
		.filter((stat) => isMember(stat, leader))
		.reduce((sum, stat) => sum + stat.ticks, 0);
	return ticks / clockTicks();
}

export interface CpuGroup {
	name: string;
	pgid: number;
}

export type CpuSample = Record<string, number>;

/** CPU seconds (user + system) used so far by this process. */
export function ownCpuSeconds(): number {
	const own = process.cpuUsage();
	return (own.user + own.system) / 1e6;
}

/** CPU seconds of each group, plus this process (the test's HTTP client and the in-process sandbox). */
export function sampleCpu(groups: CpuGroup[]): CpuSample {
	const sample: CpuSample = {};
	for (const group of groups) sample[group.name] = groupCpuSeconds(group.pgid);
	sample['test+sandbox'] = ownCpuSeconds();
	return sample;
}

/** CPU seconds each group used between two samples, rounded to 0.01 s. */
export function cpuDelta(before: CpuSample, after: CpuSample): CpuSample {
	const delta: CpuSample = {};
	for (const [name, value] of Object.entries(after))
		delta[name] = Math.round((value - (before[name] ?? 0)) * 100) / 100;
	return delta;
}
