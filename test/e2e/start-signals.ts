/**
 * `npm start` always stops what it started: Ctrl-C (SIGINT to its whole process group, as a terminal sends
 * it), once or twice, at several moments of start-up and while running, leaves no process and no port.
 *
 *   npm run test:e2e:start-signals                  # stand-in cases, then real `npm start` with n8n 2.8.4
 *   npm run test:e2e:start-signals -- --fake-only   # only the stand-in cases (seconds, no n8n needed)
 *   npm run test:e2e:start-signals -- --launcher=tsx
 *       every case launched as `npm start` used to be (`exec tsx scripts/start.ts`): shows the check failing
 *
 * Stand-in cases: package.json's own `start` command with scripts/start.ts replaced by
 * start-signals/fake-start.ts (same process handling, a server child that takes 2 s to stop like n8n),
 * run through npm like `npm start`. Real cases: `npm start` itself, in a temporary start folder
 * (ALTCRAFT_START_DIR) on free ports, interrupted during the n8n CLI imports, while n8n starts, and once
 * and twice after "Ready". After each: the command exited with 130, no process it ever had is alive
 * (sampled from /proc every 50 ms, so a process re-parented to PID 1 still counts), no process works in
 * or names the start folder, and its ports are free. The same start folder is reused, so the cases also
 * check that an interrupted run leaves nothing that breaks the next one.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installN8n } from '../../scripts/lib/install';
import { DEFAULT_N8N_VERSION, REPO_ROOT } from '../../scripts/lib/paths';
import {
	formatDuration,
	freePort,
	isPortInUse,
	log,
	runMain,
	sleep,
} from '../../scripts/lib/processes';
import {
	commandLine,
	isLinux,
	killAll,
	launch,
	processesUnder,
	survivors,
} from './start-signals/watch';

interface Case {
	name: string;
	/** Ctrl-C is sent once this line was printed. */
	at: RegExp;
	/** Extra delay after the line, ms. */
	delayMs?: number;
	/** How many SIGINTs, 300 ms apart (a user pressing Ctrl-C again while it stops). */
	presses: number;
}

interface Outcome {
	name: string;
	exitCode: number | null;
	stoppedInMs: number;
	processes: number;
	leftovers: string[];
}

const FAKE_CASES: Case[] = [
	{ name: 'during a short-lived command', at: /PHASE command/, delayMs: 300, presses: 1 },
	{ name: 'while the event loop is busy', at: /PHASE busy/, delayMs: 200, presses: 1 },
	{ name: 'while busy, pressed twice', at: /PHASE busy/, delayMs: 500, presses: 2 },
	{ name: 'while the server starts', at: /PHASE server/, presses: 1 },
	{ name: 'while running', at: /READY/, presses: 1 },
	{ name: 'while running, pressed twice', at: /READY/, presses: 2 },
];

const REAL_CASES: Case[] = [
	{ name: 'during the n8n CLI imports', at: /\[4\/6\]/, delayMs: 2000, presses: 1 },
	{ name: 'while n8n starts', at: /\[5\/6\]/, delayMs: 3000, presses: 1 },
	{ name: 'while running', at: /Press Ctrl-C to stop/, presses: 1 },
	{ name: 'while running, pressed twice', at: /Press Ctrl-C to stop/, presses: 2 },
];

function sendCtrlC(pgid: number): void {
	try {
		process.kill(-pgid, 'SIGINT');
	} catch {
		// the group is gone already
	}
}

/** Runs one case: launch, wait for the moment, Ctrl-C, wait for the exit, list what is left (and kill it). */
async function runCase(
	kase: Case,
	command: { file: string; args: string[] },
	{
		cwd,
		env,
		folder,
		ports,
		timeoutMs,
	}: { cwd: string; env: NodeJS.ProcessEnv; folder: string; ports: number[]; timeoutMs: number },
): Promise<Outcome> {
	const run = launch(command.file, command.args, { cwd, env });
	const pgid = run.child.pid;
	assert.ok(pgid, 'launched');
	try {
		await run.waitForOutput(kase.at, timeoutMs);
		if (kase.delayMs) await sleep(kase.delayMs);
		const sentAt = Date.now();
		for (let press = 0; press < kase.presses; press++) {
			if (press > 0) await sleep(300);
			sendCtrlC(pgid);
		}
		const exit = await Promise.race([run.exited, sleep(60_000).then(() => undefined)]);
		await sleep(500); // a last sample, and time for anything re-parented to show itself
		run.stopWatching();
		const leftovers: string[] = [];
		if (!exit) leftovers.push('`npm start` still running 60 s after Ctrl-C');
		const alive = survivors(run.seen);
		for (const info of alive)
			leftovers.push(
				`PID ${info.pid} (parent ${info.ppid}) alive: ${commandLine(info.pid).slice(0, 140)}`,
			);
		for (const pid of processesUnder(folder)) {
			if (!alive.some((info) => info.pid === pid))
				leftovers.push(
					`PID ${pid} alive, working in the test folder: ${commandLine(pid).slice(0, 140)}`,
				);
		}
		for (const port of ports)
			if (await isPortInUse(port)) leftovers.push(`port ${port} still in use`);
		killAll([...alive.map((info) => info.pid), ...processesUnder(folder), ...(exit ? [] : [pgid])]);
		if (!exit) sendCtrlC(pgid);
		return {
			name: kase.name,
			exitCode: exit?.code ?? null,
			stoppedInMs: (exit?.at ?? Date.now()) - sentAt,
			processes: run.seen.size,
			leftovers,
		};
	} catch (error) {
		run.stopWatching();
		killAll([...survivors(run.seen).map((info) => info.pid), ...processesUnder(folder)]);
		throw error;
	}
}

function report(outcomes: Outcome[]): void {
	for (const o of outcomes) {
		const verdict = o.leftovers.length === 0 && o.exitCode === 130 ? '✔' : '✘';
		log(
			`  ${verdict} ${o.name}: exit ${o.exitCode}, stopped ${(o.stoppedInMs / 1000).toFixed(1)} s after Ctrl-C, ${o.processes} processes seen, ${o.leftovers.length === 0 ? 'nothing left' : `left: ${o.leftovers.join('; ')}`}`,
		);
	}
}

/** package.json's `start` command, with the script swapped for another (the stand-in), as an `npm exec --call`. */
function startCommandFor(
	script: string,
	scriptArgs: string[],
	launcher: 'package' | 'tsx',
): { file: string; args: string[] } {
	const scripts = (
		JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
			scripts: Record<string, string>;
		}
	).scripts;
	assert.ok(
		scripts.start.includes('scripts/start.ts'),
		`package.json's start runs scripts/start.ts (${scripts.start})`,
	);
	const start = launcher === 'tsx' ? 'exec tsx scripts/start.ts' : scripts.start;
	return {
		file: 'npm',
		args: [
			'exec',
			'--call',
			`${start.replace('scripts/start.ts', script)} ${scriptArgs.join(' ')}`,
		],
	};
}

async function fakeCases(launcher: 'package' | 'tsx'): Promise<Outcome[]> {
	log(
		`Stand-in cases (${launcher === 'tsx' ? 'launched with the tsx CLI, as npm start was' : "package.json's start command"}, fake n8n that takes 2 s to stop):`,
	);
	const outcomes: Outcome[] = [];
	for (const kase of FAKE_CASES) {
		const folder = mkdtempSync(path.join(os.tmpdir(), 'altcraft-start-signals-'));
		try {
			const port = await freePort();
			const command = startCommandFor(
				path.relative(REPO_ROOT, path.join(__dirname, 'start-signals', 'fake-start.ts')),
				[String(port), folder],
				launcher,
			);
			outcomes.push(
				await runCase(kase, command, {
					cwd: REPO_ROOT,
					env: process.env,
					folder,
					ports: [port],
					timeoutMs: 60_000,
				}),
			);
			report(outcomes.slice(-1));
		} finally {
			rmSync(folder, { recursive: true, force: true });
		}
	}
	return outcomes;
}

async function realCases(launcher: 'package' | 'tsx'): Promise<Outcome[]> {
	log(
		`Real cases: \`npm start\`${launcher === 'tsx' ? ' launched with the tsx CLI, as it was' : ''} with n8n ${DEFAULT_N8N_VERSION} in a temporary start folder:`,
	);
	const command =
		launcher === 'tsx'
			? { file: 'npm', args: ['exec', '--call', 'exec tsx scripts/start.ts'] }
			: { file: 'npm', args: ['start'] };
	await installN8n(DEFAULT_N8N_VERSION); // on first use: not part of what is interrupted
	const folder = mkdtempSync(path.join(os.tmpdir(), 'altcraft-start-signals-'));
	const outcomes: Outcome[] = [];
	try {
		for (const kase of REAL_CASES) {
			const [n8nPort, sandboxPort] = [await freePort(), await freePort()];
			const env = {
				...process.env,
				ALTCRAFT_START_DIR: folder,
				N8N_PORT: String(n8nPort),
				SANDBOX_PORT: String(sandboxPort),
			};
			const started = Date.now();
			outcomes.push(
				await runCase(kase, command, {
					cwd: REPO_ROOT,
					env,
					folder,
					ports: [n8nPort, sandboxPort],
					timeoutMs: 8 * 60_000,
				}),
			);
			report(outcomes.slice(-1));
			log(`    (${formatDuration(Date.now() - started)} for this case)`);
		}
		assert.ok(
			!existsSync(path.join(folder, 'pids.json')),
			'the pid file is removed when npm start stops',
		);
	} finally {
		rmSync(folder, { recursive: true, force: true });
	}
	return outcomes;
}

runMain(async () => {
	if (!isLinux()) throw new Error('this test reads /proc: Linux only');
	const args = process.argv.slice(2);
	const launcher = args.includes('--launcher=tsx') ? 'tsx' : 'package';
	const started = Date.now();
	const outcomes = await fakeCases(launcher);
	if (!args.includes('--fake-only')) outcomes.push(...(await realCases(launcher)));
	const failed = outcomes.filter((o) => o.leftovers.length > 0 || o.exitCode !== 130);
	assert.deepEqual(
		failed.map((o) => `${o.name}: exit ${o.exitCode}; ${o.leftovers.join('; ')}`),
		[],
		'every Ctrl-C stops everything: exit 130, no process and no port left',
	);
	log(
		`\nStart-signal e2e passed: ${outcomes.length} cases in ${formatDuration(Date.now() - started)}`,
	);
});
