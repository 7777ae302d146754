/**
 * `npm start`: a local n8n with this package loaded as a community node, wired to the Altcraft sandbox.
 *
 * 1. builds and packs the package; 2. starts the sandbox with its demo seed (state kept between runs);
 * 3. installs n8n on first use; 4. installs the package into a persistent n8n user folder the way n8n's
 * community-package installer does; 5. imports the credential and the example workflows; 6. starts n8n on
 * 127.0.0.1; 7. creates the owner account (once) and prints how to log in. Ctrl-C stops everything.
 *
 * Environment:
 *   N8N_PORT (5678), SANDBOX_PORT (8787)            ports on 127.0.0.1
 *   N8N_OWNER_EMAIL, N8N_OWNER_PASSWORD              the login (default: owner@example.com + a generated password)
 *   ALTCRAFT_BASE_URL + ALTCRAFT_TOKEN               use a real Altcraft instead of the sandbox (token never printed)
 *   N8N_VERSION                                      another n8n version (default 2.8.4)
 * Flags: --reset-sandbox (back to the demo seed), --reset (also a fresh n8n user folder), --help (see HELP).
 * Everything lives in .n8n-runtime/start/ (git-ignored).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_TOKEN, startSandbox, type Sandbox } from '../sandbox/src';
import { demoData, demoLines, type DemoData } from './lib/demo';
import { FIRST_INSTALL_TIME, installN8n, runtimeFor } from './lib/install';
import {
	activateWorkflow,
	buildAndPack,
	importCredential,
	importWorkflow,
	installPackageIntoN8n,
	listWorkflowIds,
	N8nRest,
	prepareN8n,
	startN8n,
} from './lib/n8n';
import { DEFAULT_N8N_VERSION, EXAMPLES_DIR, REPO_ROOT, RUNTIME_ROOT } from './lib/paths';
import {
	describePortHolder,
	removeStartPids,
	writeStartPids,
	type StartPids,
} from './lib/port-holder';
import {
	formatDuration,
	isPortInUse,
	isShuttingDown,
	log,
	onCleanup,
	runMain,
	stopProcess,
} from './lib/processes';
import { TRIGGER_EXAMPLE, wireTriggerDemo } from './lib/triggerDemo';

/** ALTCRAFT_START_DIR moves everything elsewhere (the signal tests use a temporary folder). */
const START_DIR = process.env.ALTCRAFT_START_DIR
	? path.resolve(process.env.ALTCRAFT_START_DIR)
	: path.join(RUNTIME_ROOT, 'start');
const OWNER_FILE = path.join(START_DIR, 'owner.json');
/** Which processes a running `npm start` owns, so that a later run can name what an earlier one left behind. */
const PID_FILE = path.join(START_DIR, 'pids.json');

interface Owner {
	email: string;
	password: string;
}

const HELP = `npm start [-- <flags>]: a local n8n with n8n-nodes-altcraft, wired to the Altcraft sandbox.

Flags (after "--", e.g. npm start -- --reset-sandbox):
  --reset-sandbox   put the sandbox back to its demo seed (codes attached in earlier runs become free again)
  --reset           also start n8n from a fresh user folder: new owner login, credential and example workflows
  --help            this text

Without flags both keep their state between runs: the sandbox in .n8n-runtime/start/sandbox-state.json,
n8n (owner, workflows, executions) in .n8n-runtime/start/user.

Environment:
  N8N_PORT (5678), SANDBOX_PORT (8787)        ports on 127.0.0.1
  N8N_OWNER_EMAIL, N8N_OWNER_PASSWORD          the login (default: owner@example.com + a generated password)
  ALTCRAFT_BASE_URL + ALTCRAFT_TOKEN           use a real Altcraft instead of the sandbox (token never printed)
  N8N_VERSION                                  another n8n version (default ${DEFAULT_N8N_VERSION})`;

function portFromEnv(name: string, fallback: number): number {
	const raw = process.env[name];
	if (raw === undefined || raw === '') return fallback;
	const port = Number(raw);
	if (!Number.isInteger(port) || port < 1 || port > 65535)
		throw new Error(`${name} must be a TCP port, got "${raw}"`);
	return port;
}

/**
 * The owner login: from the environment, else the one saved on the first run, else a new one.
 * Saved so that a re-run prints the same login (the file is git-ignored and readable only by you).
 */
function ownerLogin(): Owner {
	const saved = existsSync(OWNER_FILE)
		? (JSON.parse(readFileSync(OWNER_FILE, 'utf8')) as Owner)
		: undefined;
	const owner: Owner = {
		email: process.env.N8N_OWNER_EMAIL || saved?.email || 'owner@example.com',
		// n8n's rule: 8–64 characters with at least one digit and one capital letter.
		password:
			process.env.N8N_OWNER_PASSWORD ||
			saved?.password ||
			`Altcraft-${randomBytes(6).toString('hex')}-Demo1`,
	};
	if (!saved) writeFileSync(OWNER_FILE, JSON.stringify(owner, null, 2) + '\n', { mode: 0o600 });
	return owner;
}

runMain(async () => {
	const started = Date.now();
	const args = process.argv.slice(2);
	if (args.includes('--help') || args.includes('-h')) {
		log(HELP);
		return;
	}
	const unknown = args.filter((arg) => !['--reset', '--reset-sandbox'].includes(arg));
	if (unknown.length > 0) throw new Error(`Unknown flag ${unknown.join(' ')}\n\n${HELP}`);
	const n8nPort = portFromEnv('N8N_PORT', 5678);
	const sandboxPort = portFromEnv('SANDBOX_PORT', 8787);
	const realBaseUrl = process.env.ALTCRAFT_BASE_URL || undefined;
	const realToken = process.env.ALTCRAFT_TOKEN || undefined;
	if (Boolean(realBaseUrl) !== Boolean(realToken)) {
		throw new Error(
			'Set both ALTCRAFT_BASE_URL and ALTCRAFT_TOKEN to use a real Altcraft, or neither for the sandbox.',
		);
	}
	if (realBaseUrl && !/^https?:\/\//.test(realBaseUrl))
		throw new Error(`ALTCRAFT_BASE_URL must start with http:// or https://`);
	const version = process.env.N8N_VERSION || DEFAULT_N8N_VERSION;

	// Fail early and clearly rather than after minutes of installing, before touching the folder an
	// earlier run that is still alive may be using.
	if (await isPortInUse(n8nPort))
		throw new Error(`${describePortHolder(n8nPort, PID_FILE)}. Set N8N_PORT to move n8n.`);
	if (!realBaseUrl && (await isPortInUse(sandboxPort))) {
		throw new Error(
			`${describePortHolder(sandboxPort, PID_FILE)}. Set SANDBOX_PORT to move the sandbox.`,
		);
	}
	if (args.includes('--reset')) rmSync(START_DIR, { recursive: true, force: true });
	mkdirSync(START_DIR, { recursive: true });
	const sandboxState = path.join(START_DIR, 'sandbox-state.json');
	if (args.includes('--reset-sandbox')) rmSync(sandboxState, { force: true });
	const pids: StartPids = {
		script: process.pid,
		n8nPort,
		sandboxPort: realBaseUrl ? undefined : sandboxPort,
		startedAt: new Date().toISOString(),
	};
	writeStartPids(PID_FILE, pids);
	onCleanup(() => removeStartPids(PID_FILE)); // runs after the hook that stops n8n (hooks run last-in, first-out)

	log('[1/6] Building and packing n8n-nodes-altcraft…');
	const packDir = path.join(START_DIR, 'pack');
	rmSync(packDir, { recursive: true, force: true });
	const tarball = await buildAndPack(packDir);

	let credential: { baseUrl: string; token: string };
	let demo: DemoData | undefined;
	let seedLoaded = false;
	let sandbox: Sandbox | undefined;
	if (realBaseUrl && realToken) {
		log(
			`[2/6] Using the real Altcraft at ${realBaseUrl} (token from ALTCRAFT_TOKEN); no sandbox started.`,
		);
		credential = { baseUrl: realBaseUrl, token: realToken };
	} else {
		seedLoaded = !existsSync(sandboxState);
		log(
			`[2/6] Starting the Altcraft sandbox (${seedLoaded ? 'demo seed' : `state kept from earlier runs in ${path.relative(REPO_ROOT, sandboxState)}`})…`,
		);
		const started = await startSandbox({
			port: sandboxPort,
			token: DEFAULT_TOKEN,
			statePath: sandboxState,
		});
		sandbox = started;
		onCleanup(() => started.stop());
		credential = { baseUrl: started.baseUrl, token: started.token };
		demo = demoData(started.getState());
	}

	log(`[3/6] n8n ${version}…`);
	if (!existsSync(path.join(runtimeFor(version).dir, 'node_modules', 'n8n'))) {
		log(
			`  first run: downloading n8n (~2 GB) and building its native module (sqlite3); ${FIRST_INSTALL_TIME} (measured), a line every 20 s`,
		);
	}
	const runtime = await installN8n(version);

	log('[4/6] Installing the package into n8n and importing the credential and example workflows…');
	rmSync(path.join(START_DIR, 'logs'), { recursive: true, force: true }); // this run's logs only
	const setup = await prepareN8n(runtime, path.join(START_DIR, 'user'), {
		port: n8nPort,
		logDir: path.join(START_DIR, 'logs'),
		extraEnv: { N8N_LOG_FORMAT: 'text' }, // a human reads this log
	});
	log(
		"  installing the package into n8n's community nodes folder (npm install of its runtime dependency)…",
	);
	await installPackageIntoN8n(setup, tarball);
	log('  importing the credential "Altcraft Sandbox" (n8n CLI, a few seconds)…');
	await importCredential(setup, credential);
	log('  reading which example workflows n8n already has…');
	const existing = await listWorkflowIds(setup);
	const examples: Array<{ id: string; name: string; file: string; webhookPath?: string }> = [];
	for (const file of [
		'order-webhook-attach-promo.json',
		'import-codes-summary.json',
		'signup-welcome-code.json',
		'checkout-redeem-code.json',
		'keep-program-stocked.json',
		TRIGGER_EXAMPLE,
	]) {
		const workflow = JSON.parse(readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')) as {
			id: string;
			name: string;
			nodes: Array<{ type: string; parameters: { path?: string } }>;
		};
		const webhook = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.webhook');
		const trigger = workflow.nodes.find(
			(node) => node.type === 'n8n-nodes-altcraft.altcraftTrigger',
		);
		examples.push({
			id: workflow.id,
			name: workflow.name,
			file,
			webhookPath: webhook?.parameters.path,
		});
		// Imported once: a re-run must not overwrite what the user changed in the editor.
		if (existing.includes(workflow.id)) continue;
		log(`  importing "${workflow.name}" (n8n CLI, a few seconds each)…`);
		await importWorkflow(setup, path.join(EXAMPLES_DIR, file));
		if (webhook || trigger) {
			log(`  publishing "${workflow.name}" so its production webhook works at once…`);
			await activateWorkflow(setup, workflow.id);
		}
	}

	log(
		`[5/6] Starting n8n on 127.0.0.1:${n8nPort} (log: ${path.relative(REPO_ROOT, path.join(setup.logDir, 'n8n-server.log'))})…`,
	);
	const server = await startN8n(setup);
	writeStartPids(PID_FILE, { ...pids, n8n: server.process.child.pid });
	// Stops n8n before the pid file goes, so that a file naming a live n8n is never removed.
	onCleanup(async () => {
		await stopProcess(server.process);
		removeStartPids(PID_FILE);
	});
	const triggerLines = sandbox ? wireTriggerDemo(sandbox, server.baseUrl) : [];

	log('[6/6] Owner account…');
	const owner = ownerLogin();
	const rest = new N8nRest(server.baseUrl);
	let loginNote = '';
	if (!(await rest.ownerExists())) {
		await rest.setupOwner({ ...owner, firstName: 'Demo', lastName: 'Owner' });
	} else {
		try {
			await rest.login(owner.email, owner.password);
		} catch {
			loginNote =
				'  (that login did not work: the owner was created earlier with another one; `npm start -- --reset` starts a fresh n8n)';
		}
	}

	const sandboxLine = realBaseUrl
		? `Altcraft:       ${realBaseUrl} (your instance; token from ALTCRAFT_TOKEN, not shown)`
		: `Altcraft sandbox: ${credential.baseUrl}  token: ${credential.token}  (demo token; state: ${path.relative(REPO_ROOT, sandboxState)})`;
	const lines = [
		'',
		`Ready in ${formatDuration(Date.now() - started)}.`,
		'',
		`  n8n editor:     ${server.baseUrl}`,
		`  login:          ${owner.email}  /  ${owner.password}`,
		...(loginNote ? [loginNote] : []),
		`  ${sandboxLine}`,
		`  credential:     "Altcraft Sandbox" (id altcraft-sandbox)`,
		...(demo
			? demoLines(demo, {
					seedLoaded,
					stateUrl: `${credential.baseUrl}/__sandbox/state`,
					stateFile: path.relative(REPO_ROOT, sandboxState),
				})
			: []),
		'',
		'  Example workflows:',
		...examples.map((e) => `    ${server.baseUrl}/workflow/${e.id}   ${e.name}`),
		'',
		'  Try the shop-order webhook:',
		...examples
			.filter((e) => e.webhookPath)
			.map(
				(e) =>
					`    curl -s -X POST ${server.baseUrl}/webhook/${e.webhookPath} -H 'content-type: application/json' -d '{"order_id":"A-1001","email":"${demo?.emails[0] ?? 'alice@example.com'}"}'`,
			),
		...triggerLines,
		'',
		realBaseUrl
			? ''
			: '  The sandbox keeps its state between runs; `npm start -- --reset-sandbox` restores the demo seed, `--reset` also a fresh n8n.',
		realBaseUrl ? 'Press Ctrl-C to stop n8n.' : 'Press Ctrl-C to stop n8n and the sandbox.',
	];
	log(lines.join('\n'));

	const exitCode = await server.process.exited;
	if (isShuttingDown()) return;
	throw new Error(
		`n8n stopped unexpectedly (${exitCode}); see ${server.logFile}\n${server.output().slice(-3000)}`,
	);
});
