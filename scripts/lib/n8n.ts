/**
 * Driving a real n8n (installed by install.ts) from scripts: environment, community-package install of
 * this package, CLI imports/executions, starting the server, owner setup and login over REST.
 * Used by `npm start` and by the e2e suites, so both exercise exactly the same path.
 */
import { randomBytes } from 'node:crypto';
import {
	cpSync,
	existsSync,
	mkdirSync,
	readdirSync,
	readFileSync,
	rmSync,
	symlinkSync,
	writeFileSync,
} from 'node:fs';
import path from 'node:path';
import type { N8nRuntime } from './install';
import { CREDENTIAL_ID, CREDENTIAL_NAME, PACKAGE_NAME, REPO_ROOT } from './paths';
import {
	freePort,
	runCommand,
	startProcess,
	waitFor,
	type RunResult,
	type Tracked,
} from './processes';

export interface N8nSetup {
	runtime: N8nRuntime;
	/** N8N_USER_FOLDER: n8n keeps its data in `<userFolder>/.n8n`. */
	userFolder: string;
	port: number;
	env: NodeJS.ProcessEnv;
	/** Every n8n CLI call and the server write their output here (for leak checks and debugging). */
	logDir: string;
}

export function isN8n1(runtime: N8nRuntime): boolean {
	return runtime.version.startsWith('1.');
}

/**
 * Environment for every n8n process. Why each group:
 * - loopback only, on the given ports (the task-runner broker port too, so two n8n can run side by side);
 * - everything that would phone home is off (this machine has no network beyond loopback; each of these
 *   would otherwise log connection errors or hang on a timeout);
 * - the community-package machinery is on (that is how our package loads) but must not try to reinstall
 *   or fetch the verified-packages list.
 */
export async function prepareN8n(
	runtime: N8nRuntime,
	userFolder: string,
	{
		port,
		logDir,
		extraEnv = {},
	}: { port: number; logDir: string; extraEnv?: Record<string, string> },
): Promise<N8nSetup> {
	mkdirSync(path.join(userFolder, '.n8n'), { recursive: true });
	mkdirSync(logDir, { recursive: true });
	const runnersPort = await freePort();
	const env: NodeJS.ProcessEnv = {
		...process.env,
		N8N_USER_FOLDER: userFolder,
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PORT: String(port),
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}`,
		WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_SECURE_COOKIE: 'false', // plain http on loopback: the browser must keep the auth cookie
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_RUNNERS_BROKER_PORT: String(runnersPort),
		N8N_RUNNERS_MODE: 'internal',
		GENERIC_TIMEZONE: 'UTC',
		TZ: 'UTC',
		DB_TYPE: 'sqlite',
		DB_SQLITE_POOL_SIZE: '2',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_DIAGNOSTICS_CONFIG_FRONTEND: '',
		N8N_DIAGNOSTICS_CONFIG_BACKEND: '',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		EXTERNAL_FRONTEND_HOOKS_URLS: '',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_FORMAT: 'json', // one JSON object per log line: easy to tell apart from --rawOutput
		N8N_LOG_OUTPUT: 'console',
		N8N_NO_COLOR: '1',
		NO_COLOR: '1',
		...extraEnv,
	};
	return { runtime, userFolder, port, env, logDir };
}

let logCounter = 0;

/** Runs `n8n <args>` to completion; its output is captured and also kept in logDir. */
export async function n8nCli(
	setup: N8nSetup,
	args: string[],
	{ timeoutMs = 5 * 60_000 } = {},
): Promise<RunResult> {
	logCounter += 1;
	const logFile = path.join(
		setup.logDir,
		`n8n-cli-${String(logCounter).padStart(2, '0')}-${args[0].replace(/[^a-z0-9]+/gi, '-')}.log`,
	);
	return runCommand(process.execPath, [setup.runtime.bin, ...args], {
		cwd: setup.userFolder,
		env: setup.env,
		timeoutMs,
		logFile,
	});
}

/** Like n8nCli but throws with n8n's output when the command fails. */
export async function n8nCliOk(setup: N8nSetup, args: string[]): Promise<RunResult> {
	const result = await n8nCli(setup, args);
	if (result.code !== 0) {
		throw new Error(
			`n8n ${args.join(' ')} exited ${result.code}\n${(result.stdout + result.stderr).slice(-4000)}`,
		);
	}
	return result;
}

/** Top-level repo entries that are neither build inputs nor shipped: left out of the staging copy. */
const NOT_PACKAGE_INPUTS = new Set([
	'node_modules',
	'.git',
	'.n8n-runtime',
	'artifacts',
	'dist',
	'coverage',
	'.sandbox-state',
	'test',
	'sandbox',
	'scripts',
	'examples',
	'.ci',
]);

/**
 * Builds the package from a private staging copy of the repo and `npm pack`s it into `workDir`;
 * returns the tarball path. Why a copy: the repo's `dist/` is shared with everyone else's `npm test`
 * (which starts with `rimraf dist`), so packing it in place can catch it half-built.
 */
export async function buildAndPack(workDir: string): Promise<string> {
	const stage = path.join(workDir, 'package-src');
	mkdirSync(stage, { recursive: true });
	for (const entry of readdirSync(REPO_ROOT)) {
		if (!NOT_PACKAGE_INPUTS.has(entry))
			cpSync(path.join(REPO_ROOT, entry), path.join(stage, entry), { recursive: true });
	}
	symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(stage, 'node_modules'), 'dir');
	const build = await runCommand('npm', ['run', 'build'], { cwd: stage });
	if (build.code !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
	const result = await runCommand('npm', ['pack', '--json', '--pack-destination', workDir], {
		cwd: stage,
	});
	if (result.code !== 0) throw new Error(`npm pack failed:\n${result.stderr}`);
	const [info] = JSON.parse(result.stdout) as Array<{ filename: string }>;
	return path.join(workDir, info.filename);
}

/**
 * Installs the packed tarball into `<userFolder>/.n8n/nodes/node_modules/n8n-nodes-altcraft` the way n8n 2.x's
 * CommunityPackagesService.downloadPackage does after `npm pack`: extract, drop dev/peer/optional
 * dependencies from its package.json, `npm install` its runtime dependencies with n8n's flags, and record
 * it in nodes/package.json. n8n then loads it from there at startup (node type n8n-nodes-altcraft.altcraftPromo).
 */
export async function installPackageIntoN8n(setup: N8nSetup, tarball: string): Promise<string> {
	const nodesDir = path.join(setup.userFolder, '.n8n', 'nodes');
	const packageDir = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
	rmSync(packageDir, { recursive: true, force: true });
	mkdirSync(packageDir, { recursive: true });
	const untar = await runCommand('tar', [
		'-xzf',
		tarball,
		'-C',
		packageDir,
		'--strip-components=1',
	]);
	if (untar.code !== 0) throw new Error(`tar failed: ${untar.stderr}`);

	const manifestPath = path.join(packageDir, 'package.json');
	const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown> & {
		version: string;
	};
	delete manifest.devDependencies;
	delete manifest.peerDependencies;
	delete manifest.optionalDependencies;
	writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
	const install = await runCommand(
		'npm',
		[
			'install',
			'--audit=false',
			'--fund=false',
			'--bin-links=false',
			'--install-strategy=shallow',
			'--ignore-scripts=true',
			'--package-lock=false',
		],
		{ cwd: packageDir },
	);
	if (install.code !== 0)
		throw new Error(`npm install of the package's dependencies failed:\n${install.stderr}`);

	const nodesManifest = path.join(nodesDir, 'package.json');
	const nodesPackage = existsSync(nodesManifest)
		? (JSON.parse(readFileSync(nodesManifest, 'utf8')) as { dependencies?: Record<string, string> })
		: { name: 'installed-nodes', private: true, dependencies: {} };
	nodesPackage.dependencies = { ...nodesPackage.dependencies, [PACKAGE_NAME]: manifest.version };
	writeFileSync(nodesManifest, JSON.stringify(nodesPackage, null, 2));
	return packageDir;
}

/**
 * Creates (or overwrites) the credential the examples use, id "altcraft-sandbox".
 * import:credentials encrypts plaintext `data` with the instance's key. The file holding the plaintext
 * token lives in a temp folder only for the duration of the call.
 */
export async function importCredential(
	setup: N8nSetup,
	data: { baseUrl: string; token: string },
): Promise<void> {
	const file = path.join(setup.userFolder, `credentials-${randomBytes(4).toString('hex')}.json`);
	writeFileSync(
		file,
		JSON.stringify(
			[{ id: CREDENTIAL_ID, name: CREDENTIAL_NAME, type: 'altcraftApi', data }],
			null,
			2,
		),
		{ mode: 0o600 },
	);
	try {
		await n8nCliOk(setup, ['import:credentials', `--input=${file}`]);
	} finally {
		rmSync(file, { force: true });
	}
}

/** Imports one workflow file (a copy, so n8n never rewrites files in examples/). */
export async function importWorkflow(setup: N8nSetup, workflowFile: string): Promise<void> {
	const copy = path.join(setup.userFolder, `import-${path.basename(workflowFile)}`);
	cpSync(workflowFile, copy);
	try {
		await n8nCliOk(setup, ['import:workflow', `--input=${copy}`]);
	} finally {
		rmSync(copy, { force: true });
	}
}

/** Ids of the workflows n8n already has (`n8n list:workflow` prints "id|name" lines). */
export async function listWorkflowIds(setup: N8nSetup): Promise<string[]> {
	const result = await n8nCliOk(setup, ['list:workflow']);
	// With N8N_LOG_FORMAT=json each "id|name" line arrives inside a JSON log record's message.
	return logMessages(result.stdout)
		.filter((line) => line.includes('|'))
		.map((line) => line.split('|')[0].trim());
}

/** The message of each output line: JSON log records are unwrapped, plain lines kept as they are. */
export function logMessages(output: string): string[] {
	return output.split('\n').map((line) => {
		if (!line.startsWith('{"')) return line;
		try {
			const record = JSON.parse(line) as { message?: unknown };
			return typeof record.message === 'string' ? record.message : line;
		} catch {
			return line;
		}
	});
}

/**
 * Makes a workflow's triggers live at the next server start (production webhooks).
 * 2.x: `publish:workflow` (workflows have draft and published versions); 1.x: `update:workflow --active=true`.
 */
export async function activateWorkflow(setup: N8nSetup, id: string): Promise<void> {
	if (isN8n1(setup.runtime))
		await n8nCliOk(setup, ['update:workflow', `--id=${id}`, '--active=true']);
	else await n8nCliOk(setup, ['publish:workflow', `--id=${id}`]);
}

export interface ExecuteResult {
	code: number;
	/** The parsed IRun printed by `--rawOutput` (success) or in the error report (failure), if any. */
	run?: N8nRun;
	output: string;
}

export interface N8nRun {
	data: {
		resultData: {
			runData: Record<
				string,
				Array<{
					data?: { main: Array<Array<{ json: Record<string, unknown> }> | null> };
					/** ms, as n8n records it */
					executionTime?: number;
				}>
			>;
			error?: { message: string };
			lastNodeExecuted?: string;
		};
	};
	status?: string;
	finished?: boolean;
}

/** Extracts the first multi-line pretty-printed JSON object (what `n8n execute` prints) from unwrapped log output. */
function parseRun(output: string): N8nRun | undefined {
	const start = output.search(/^\{\n/m);
	if (start < 0) return undefined;
	const end = output.indexOf('\n}', start);
	if (end < 0) return undefined;
	try {
		return JSON.parse(output.slice(start, end + 2)) as N8nRun;
	} catch {
		return undefined;
	}
}

/** `n8n execute --id=<id> --rawOutput`: runs a workflow from its Manual Trigger. */
export async function executeWorkflow(setup: N8nSetup, id: string): Promise<ExecuteResult> {
	const result = await n8nCli(setup, ['execute', `--id=${id}`, '--rawOutput']);
	const output = result.stdout + result.stderr;
	// The run data arrives as the (multi-line) message of one JSON log record.
	return { code: result.code, run: parseRun(logMessages(output).join('\n')), output };
}

/** Items a node produced on its given output in the first run of that node. */
export function nodeOutput(
	run: N8nRun,
	nodeName: string,
	outputIndex = 0,
): Array<Record<string, unknown>> {
	const runs = run.data.resultData.runData[nodeName];
	if (!runs)
		throw new Error(
			`node "${nodeName}" did not run (ran: ${Object.keys(run.data.resultData.runData).join(', ')})`,
		);
	return (runs[0].data?.main[outputIndex] ?? []).map((item) => item.json);
}

export interface N8nServer {
	process: Tracked;
	baseUrl: string;
	logFile: string;
	/** Everything the server printed so far. */
	output: () => string;
}

/** `n8n start` on 127.0.0.1:<port>; resolves once the REST API is up and active workflows are registered. */
export async function startN8n(
	setup: N8nSetup,
	{ echo = false, nodeArgs = [] }: { echo?: boolean; nodeArgs?: string[] } = {},
): Promise<N8nServer> {
	const logFile = path.join(setup.logDir, 'n8n-server.log');
	let output = '';
	const child = startProcess('n8n', process.execPath, [...nodeArgs, setup.runtime.bin, 'start'], {
		cwd: setup.userFolder,
		env: setup.env,
		logFile,
		echo,
		onOutput: (chunk) => (output += chunk),
	});
	const baseUrl = `http://127.0.0.1:${setup.port}`;
	await waitFor(
		`n8n on ${baseUrl}`,
		async () => {
			const health = await fetch(`${baseUrl}/healthz/readiness`);
			if (!health.ok) return undefined;
			const settings = await fetch(`${baseUrl}/rest/settings`);
			// Readiness comes before the active workflows' webhooks are registered; this line comes after.
			return settings.ok && output.includes('Editor is now accessible via') ? true : undefined;
		},
		{ timeoutMs: 180_000, intervalMs: 1000, watch: child },
	);
	return { process: child, baseUrl, logFile, output: () => output };
}

/** A REST session against n8n's internal API (cookie auth, as the editor uses it). */
export class N8nRest {
	private cookie = '';
	// Since 1.8x the auth cookie is bound to a browser id sent as a header; any stable value works.
	private readonly browserId = randomBytes(8).toString('hex');

	constructor(readonly baseUrl: string) {}

	async request<T = unknown>(
		method: string,
		route: string,
		body?: unknown,
	): Promise<{ status: number; data: T }> {
		const response = await fetch(`${this.baseUrl}/rest${route}`, {
			method,
			headers: {
				'content-type': 'application/json',
				'browser-id': this.browserId,
				...(this.cookie ? { cookie: this.cookie } : {}),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const setCookie = response.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
		if (setCookie) this.cookie = setCookie.split(';')[0];
		const text = await response.text();
		let parsed: unknown = text;
		try {
			parsed = JSON.parse(text);
		} catch {
			// not JSON (e.g. an HTML error page)
		}
		const data = (
			parsed && typeof parsed === 'object' && 'data' in parsed
				? (parsed as { data: T }).data
				: parsed
		) as T;
		return { status: response.status, data };
	}

	/** GET of a signed-in page outside /rest (e.g. /types/nodes.json, /icons/...), with the session cookie. */
	async getSignedIn(route: string): Promise<Response> {
		return fetch(`${this.baseUrl}${route}`, {
			headers: { 'browser-id': this.browserId, ...(this.cookie ? { cookie: this.cookie } : {}) },
		});
	}

	/** True once an owner exists (the editor would otherwise show the setup page). */
	async ownerExists(): Promise<boolean> {
		const { data } = await this.request<{ userManagement: { showSetupOnFirstLoad?: boolean } }>(
			'GET',
			'/settings',
		);
		return data.userManagement.showSetupOnFirstLoad === false;
	}

	/** POST /rest/owner/setup: turns the instance's shell owner into a real account (only once per instance). */
	async setupOwner(owner: {
		email: string;
		password: string;
		firstName: string;
		lastName: string;
	}): Promise<void> {
		const { status, data } = await this.request('POST', '/owner/setup', owner);
		if (status !== 200) throw new Error(`owner setup failed (${status}): ${JSON.stringify(data)}`);
	}

	async login(email: string, password: string): Promise<void> {
		const { status, data } = await this.request('POST', '/login', {
			emailOrLdapLoginId: email,
			email,
			password,
		});
		if (status !== 200)
			throw new Error(`login as ${email} failed (${status}): ${JSON.stringify(data)}`);
	}
}
