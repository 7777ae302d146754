/**
 * On-demand install of a given n8n version into `.n8n-runtime/<version>/` (git-ignored).
 *
 * Why not a devDependency: n8n is ~2 GB and FIRST_INSTALL_TIME to install; only the heavy e2e suites and
 * `npm start` need it, so `npm ci && npm test` stays fast and the package's lockfile stays small.
 */
import {
	existsSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	readlinkSync,
	writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { RUNTIME_ROOT } from './paths';
import { formatDuration, log, runCommand, startProcess } from './processes';

export interface N8nRuntime {
	version: string;
	dir: string;
	/** The n8n CLI entry point; run it with `process.execPath` (the current Node). */
	bin: string;
}

const MARKER = '.installed.json';

/**
 * How long a first install of n8n takes, measured on 2-core machines: about 4m40s each in the CI run from
 * a clean clone (2.8.4 and 1.123.50: 9m23s together), 8m20s on a newcomer's first `npm start` on a busy
 * machine, 8m43s for 2.8.4 on a busy 2-core machine on 6 Dec 2026. Printed before the wait begins, so
 * nobody takes a silent minute for a hang.
 */
export const FIRST_INSTALL_TIME = '4 to 9 minutes';

export function runtimeFor(version: string): N8nRuntime {
	const dir = path.join(RUNTIME_ROOT, version);
	return { version, dir, bin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n') };
}

/** Environment for n8n CLI calls that must not touch the network (see n8nEnv in n8n.ts for the full set). */
const QUIET_ENV = {
	N8N_DIAGNOSTICS_ENABLED: 'false',
	N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
	N8N_TEMPLATES_ENABLED: 'false',
};

/** `n8n --version` must print exactly the version: proves the install is complete and loadable. */
async function smokeTest(runtime: N8nRuntime): Promise<string | undefined> {
	if (!existsSync(runtime.bin)) return `missing ${runtime.bin}`;
	const result = await runCommand(process.execPath, [runtime.bin, '--version'], {
		cwd: runtime.dir,
		env: { ...process.env, ...QUIET_ENV },
		timeoutMs: 120_000,
	});
	const printed = result.stdout.trim().split('\n').pop() ?? '';
	if (result.code !== 0 || !printed.includes(runtime.version)) {
		return `\`n8n --version\` exited ${result.code} and printed "${printed}"\n${result.stderr.slice(-2000)}`;
	}
	return undefined;
}

function countPackages(nodeModules: string): number {
	if (!existsSync(nodeModules)) return 0;
	let count = 0;
	for (const name of readdirSync(nodeModules)) {
		if (name.startsWith('.')) continue;
		if (name.startsWith('@')) count += readdirSync(path.join(nodeModules, name)).length;
		else count += 1;
	}
	return count;
}

/**
 * What npm is doing now, for the progress line (npm itself prints nothing for minutes): resolving the
 * tree (no node_modules yet), downloading tarballs (the folders exist before their files), or running
 * install scripts (e.g. sqlite3's native build), seen as npm's child processes.
 */
function installPhase(npmPid: number | undefined, folders: number, tarballs: number): string {
	if (folders === 0) return 'phase 1 of 3: resolving the dependency tree';
	const scripts = npmPid === undefined ? [] : installScripts(npmPid);
	if (scripts.length > 0) return `phase 3 of 3: running install scripts (${scripts.join('; ')})`;
	return `phase 2 of 3: downloading and unpacking packages (${tarballs} tarballs fetched, ${folders} package folders)`;
}

/** "<package>: <command>" of each install script running under npm (Linux /proc; empty elsewhere). */
function installScripts(npmPid: number): string[] {
	if (!existsSync('/proc')) return [];
	const found: string[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry) || Number(entry) === npmPid) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) !== npmPid) continue; // not in npm's process group
			const cwd = readlinkSync(`/proc/${entry}/cwd`);
			const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(cwd)?.[1];
			const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8')
				.split('\0')
				.filter(Boolean)
				.join(' ');
			if (pkg && !found.some((f) => f.startsWith(`${pkg}:`)))
				found.push(`${pkg}: ${command.slice(0, 60)}`);
		} catch {
			// exited meanwhile
		}
	}
	return found;
}

/**
 * Installs n8n@version unless an install that passes the smoke test is already there.
 * Prints a progress line every 20 s (npm itself is silent for minutes) and, on failure,
 * the tail of npm's log plus where the whole log is.
 */
export async function installN8n(version: string, { force = false } = {}): Promise<N8nRuntime> {
	if (!/^\d+\.\d+\.\d+$/.test(version))
		throw new Error(`n8n version must be exact (x.y.z), got "${version}"`);
	const runtime = runtimeFor(version);
	const marker = path.join(runtime.dir, MARKER);

	if (!force && existsSync(marker)) {
		const problem = await smokeTest(runtime);
		if (!problem) {
			log(
				`n8n ${version} is already installed in ${path.relative(process.cwd(), runtime.dir) || '.'} (smoke test ok)`,
			);
			return runtime;
		}
		log(
			`n8n ${version} install in ${runtime.dir} is broken (${problem.split('\n')[0]}); reinstalling`,
		);
	}

	mkdirSync(runtime.dir, { recursive: true });
	// Own package.json: n8n-nodes-base 2.x depends on xlsx from a tarball host that is not reachable
	// here; overriding it with the last registry release (0.18.5) is the only change.
	writeFileSync(
		path.join(runtime.dir, 'package.json'),
		JSON.stringify(
			{
				name: `n8n-runtime-${version}`,
				private: true,
				description:
					'n8n for the e2e suites and npm start of n8n-nodes-altcraft (made by scripts/install-n8n.ts)',
				dependencies: { n8n: version },
				overrides: { xlsx: '0.18.5' },
			},
			null,
			2,
		) + '\n',
	);
	// Own .npmrc: npm reads the .npmrc of the folder that holds package.json, so the repo's
	// `ignore-scripts=true` (needed for the package's dev tooling) does not apply here; say it explicitly
	// anyway, because n8n needs its install scripts (sqlite3 builds its native binding with node-gyp).
	writeFileSync(
		path.join(runtime.dir, '.npmrc'),
		'ignore-scripts=false\nfund=false\naudit=false\nupdate-notifier=false\n',
	);

	const logFile = path.join(runtime.dir, 'npm-install.log');
	writeFileSync(logFile, `npm install n8n@${version} started ${new Date().toISOString()}\n`);
	log(`Installing n8n ${version} into ${runtime.dir}`);
	log(
		`  (${FIRST_INSTALL_TIME} and ~2 GB on first use, measured; a line every 20 s names the phase; npm's log: ${logFile})`,
	);
	const started = Date.now();
	let requests = 0;
	let tarballs = 0;
	const npm = startProcess(
		'npm install n8n',
		'npm',
		['install', '--no-audit', '--no-fund', '--ignore-scripts=false', '--loglevel=http'],
		{
			cwd: runtime.dir,
			env: { ...process.env, npm_config_ignore_scripts: 'false' },
			logFile,
			onOutput: (chunk) => {
				requests += chunk.split('http fetch').length - 1;
				tarballs += (chunk.match(/http fetch GET \d+ \S+\.tgz/g) ?? []).length;
			},
		},
	);
	const ticker = setInterval(() => {
		const phase = installPhase(
			npm.child.pid,
			countPackages(path.join(runtime.dir, 'node_modules')),
			tarballs,
		);
		log(
			`  … still installing n8n ${version}: ${formatDuration(Date.now() - started)}, ${requests} registry requests; ${phase}`,
		);
	}, 20_000);
	const code = await npm.exited;
	clearInterval(ticker);

	if (code !== 0) {
		const tail = readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
		throw new Error(
			`npm install of n8n ${version} failed (exit ${code}) after ${formatDuration(Date.now() - started)}.\n` +
				`Last lines of ${logFile}:\n${tail}\n` +
				`Fix the cause and re-run; delete ${runtime.dir} to start from scratch.`,
		);
	}
	const problem = await smokeTest(runtime);
	if (problem) throw new Error(`n8n ${version} installed but does not run: ${problem}`);
	writeFileSync(
		marker,
		JSON.stringify({
			version,
			installedAt: new Date().toISOString(),
			durationMs: Date.now() - started,
		}) + '\n',
	);
	log(`n8n ${version} installed in ${formatDuration(Date.now() - started)}`);
	return runtime;
}
