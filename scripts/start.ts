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
import { DEFAULT_TOKEN, startSandbox, type SandboxState } from '../sandbox/src';
import { installN8n, runtimeFor } from './lib/install';
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
import { formatDuration, isPortInUse, isShuttingDown, log, onCleanup, runMain } from './lib/processes';

const START_DIR = path.join(RUNTIME_ROOT, 'start');
const OWNER_FILE = path.join(START_DIR, 'owner.json');

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

const SHOP_EXAMPLE = 'order-webhook-attach-promo.json';

interface DemoData {
	program?: { id: number; name: string; freeCodes: number };
	database?: { id: number; name: string };
	emails: string[];
}

/** A saved ID: a number (node version 1) or a resource locator's value (version 2). */
function savedId(value: unknown): number | undefined {
	const raw = typeof value === 'object' && value !== null && 'value' in value ? (value as { value: unknown }).value : value;
	const id = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
	return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/**
 * What to type into a new node: the program and database the shop example uses, read from that
 * workflow, with their names and two customers from the sandbox's current state (not hard-coded,
 * so a changed seed or example still prints the truth).
 */
function demoData(state: SandboxState): DemoData {
	const shop = JSON.parse(readFileSync(path.join(EXAMPLES_DIR, SHOP_EXAMPLE), 'utf8')) as {
		nodes: Array<{ type: string; parameters: Record<string, unknown> }>;
	};
	const altcraftNodes = shop.nodes.filter((node) => /altcraftPromo$/.test(node.type));
	const loyaltyId = altcraftNodes.map((node) => savedId(node.parameters.loyaltyId)).find((id) => id !== undefined);
	const databaseId = altcraftNodes.map((node) => savedId(node.parameters.databaseId)).find((id) => id !== undefined);
	const program = state.loyaltyPrograms.find((entry) => entry.id === loyaltyId);
	const database = state.databases.find((entry) => entry.id === databaseId) ?? state.databases[0];
	const emails = (database?.profiles ?? [])
		.map((profile) => profile.email)
		.filter((email): email is string => typeof email === 'string' && email !== '')
		.slice(0, 2);
	return {
		program: program && {
			id: program.id,
			name: program.name,
			freeCodes: program.codes.filter((code) => code.attachments.length === 0).length,
		},
		database: database && { id: database.id, name: database.name },
		emails,
	};
}

function portFromEnv(name: string, fallback: number): number {
	const raw = process.env[name];
	if (raw === undefined || raw === '') return fallback;
	const port = Number(raw);
	if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${name} must be a TCP port, got "${raw}"`);
	return port;
}

/**
 * The owner login: from the environment, else the one saved on the first run, else a new one.
 * Saved so that a re-run prints the same login (the file is git-ignored and readable only by you).
 */
function ownerLogin(): Owner {
	const saved = existsSync(OWNER_FILE) ? (JSON.parse(readFileSync(OWNER_FILE, 'utf8')) as Owner) : undefined;
	const owner: Owner = {
		email: process.env.N8N_OWNER_EMAIL || saved?.email || 'owner@example.com',
		// n8n's rule: 8–64 characters with at least one digit and one capital letter.
		password: process.env.N8N_OWNER_PASSWORD || saved?.password || `Altcraft-${randomBytes(6).toString('hex')}-Demo1`,
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
		throw new Error('Set both ALTCRAFT_BASE_URL and ALTCRAFT_TOKEN to use a real Altcraft, or neither for the sandbox.');
	}
	if (realBaseUrl && !/^https?:\/\//.test(realBaseUrl)) throw new Error(`ALTCRAFT_BASE_URL must start with http:// or https://`);
	const version = process.env.N8N_VERSION || DEFAULT_N8N_VERSION;

	if (args.includes('--reset')) rmSync(START_DIR, { recursive: true, force: true });
	mkdirSync(START_DIR, { recursive: true });
	const sandboxState = path.join(START_DIR, 'sandbox-state.json');
	if (args.includes('--reset-sandbox')) rmSync(sandboxState, { force: true });

	// Fail early and clearly rather than after minutes of installing.
	if (await isPortInUse(n8nPort)) throw new Error(`127.0.0.1:${n8nPort} is already in use (another n8n?). Set N8N_PORT to move n8n.`);
	if (!realBaseUrl && (await isPortInUse(sandboxPort))) {
		throw new Error(`127.0.0.1:${sandboxPort} is already in use (another sandbox?). Set SANDBOX_PORT to move the sandbox.`);
	}

	log('[1/6] Building and packing n8n-nodes-altcraft…');
	const packDir = path.join(START_DIR, 'pack');
	rmSync(packDir, { recursive: true, force: true });
	const tarball = await buildAndPack(packDir);

	let credential: { baseUrl: string; token: string };
	let demo: DemoData | undefined;
	if (realBaseUrl && realToken) {
		log(`[2/6] Using the real Altcraft at ${realBaseUrl} (token from ALTCRAFT_TOKEN); no sandbox started.`);
		credential = { baseUrl: realBaseUrl, token: realToken };
	} else {
		log('[2/6] Starting the Altcraft sandbox (demo seed)…');
		const sandbox = await startSandbox({ port: sandboxPort, token: DEFAULT_TOKEN, statePath: sandboxState });
		onCleanup(() => sandbox.stop());
		credential = { baseUrl: sandbox.baseUrl, token: sandbox.token };
		demo = demoData(sandbox.getState());
	}

	log(`[3/6] n8n ${version}…`);
	if (!existsSync(path.join(runtimeFor(version).dir, 'node_modules', 'n8n'))) {
		log('  first run: downloading n8n and building its native modules (sqlite3); about 5 minutes, a line every 20 s');
	}
	const runtime = await installN8n(version);

	log('[4/6] Installing the package into n8n and importing the credential and example workflows…');
	rmSync(path.join(START_DIR, 'logs'), { recursive: true, force: true }); // this run's logs only
	const setup = await prepareN8n(runtime, path.join(START_DIR, 'user'), {
		port: n8nPort,
		logDir: path.join(START_DIR, 'logs'),
		extraEnv: { N8N_LOG_FORMAT: 'text' }, // a human reads this log
	});
	log('  installing the package into n8n\'s community nodes folder (npm install of its runtime dependency)…');
	await installPackageIntoN8n(setup, tarball);
	log('  importing the credential "Altcraft Sandbox" (n8n CLI, a few seconds)…');
	await importCredential(setup, credential);
	log('  reading which example workflows n8n already has…');
	const existing = await listWorkflowIds(setup);
	const examples: Array<{ id: string; name: string; file: string; webhookPath?: string }> = [];
	for (const file of ['order-webhook-attach-promo.json', 'import-codes-summary.json', 'signup-welcome-code.json', 'checkout-redeem-code.json']) {
		const workflow = JSON.parse(readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')) as {
			id: string;
			name: string;
			nodes: Array<{ type: string; parameters: { path?: string } }>;
		};
		const webhook = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.webhook');
		examples.push({ id: workflow.id, name: workflow.name, file, webhookPath: webhook?.parameters.path });
		// Imported once: a re-run must not overwrite what the user changed in the editor.
		if (existing.includes(workflow.id)) continue;
		log(`  importing "${workflow.name}" (n8n CLI, a few seconds each)…`);
		await importWorkflow(setup, path.join(EXAMPLES_DIR, file));
		if (webhook) {
			log(`  publishing "${workflow.name}" so its production webhook works at once…`);
			await activateWorkflow(setup, workflow.id);
		}
	}

	log(`[5/6] Starting n8n on 127.0.0.1:${n8nPort} (log: ${path.relative(REPO_ROOT, path.join(setup.logDir, 'n8n-server.log'))})…`);
	const server = await startN8n(setup);

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
			loginNote = '  (that login did not work: the owner was created earlier with another one; `npm start -- --reset` starts a fresh n8n)';
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
			? [
					'',
					'  Demo data in the sandbox (for a new Altcraft Promo node):',
					...(demo.program
						? [`    Loyalty Program ID: ${demo.program.id}  (${demo.program.name}; ${demo.program.freeCodes} free codes)`]
						: []),
					...(demo.database ? [`    Database:           ${demo.database.name} (ID ${demo.database.id})`] : []),
					...(demo.emails.length > 0 ? [`    Customer emails:    ${demo.emails.join(', ')}`] : []),
				]
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
		'',
		realBaseUrl
			? ''
			: '  The sandbox keeps its state between runs; `npm start -- --reset-sandbox` restores the demo seed, `--reset` also a fresh n8n.',
		realBaseUrl ? 'Press Ctrl-C to stop n8n.' : 'Press Ctrl-C to stop n8n and the sandbox.',
	];
	log(lines.join('\n'));

	const exitCode = await server.process.exited;
	if (isShuttingDown()) return;
	throw new Error(`n8n stopped unexpectedly (${exitCode}); see ${server.logFile}\n${server.output().slice(-3000)}`);
});
