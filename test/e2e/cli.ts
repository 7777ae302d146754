/**
 * End-to-end test with the real n8n CLI (not jest: it installs n8n, which takes minutes).
 *
 *   npm run test:e2e:cli                    # every version in scripts/lib/paths.ts N8N_VERSIONS
 *   npm run test:e2e:cli -- 2.8.4           # one version
 *
 * For each n8n version: installs n8n on demand, installs the `npm pack`ed package into a temp user
 * folder exactly like a community install, starts the sandbox on a free loopback port with a random
 * token, imports the credential and every example workflow, runs them (CLI `execute`, and the shop
 * webhook example through a started n8n: see cli/shop.ts), and asserts on the workflows' output AND on
 * the sandbox's state.
 * Finally every byte n8n printed or stored is searched for the token.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox/src';
import { installN8n } from '../../scripts/lib/install';
import {
	buildAndPack,
	executeWorkflow,
	importCredential,
	importWorkflow,
	installPackageIntoN8n,
	listWorkflowIds,
	nodeOutput,
	prepareN8n,
	type N8nRun,
	type N8nSetup,
} from '../../scripts/lib/n8n';
import { ARTIFACTS_DIR, EXAMPLES_DIR, N8N_VERSIONS, REPO_ROOT } from '../../scripts/lib/paths';
import { formatDuration, freePort, log, onCleanup, runMain } from '../../scripts/lib/processes';
import { CHECKOUT, runCheckoutChecks, SIGNUP } from './cli/checkout';
import { runShopChecks, SHOP } from './cli/shop';
import {
	assertNoTokenAtRest,
	describeSearch,
	sandboxLogFile,
	searchTokenAtRest,
} from './lib/token-at-rest';
import { runStockChecks, STOCK } from './cli/stock';

const EXAMPLE = {
	order: SHOP.id,
	importSummary: 'altcraft-import-codes',
	stock: STOCK.id,
	signup: SIGNUP.id,
	checkout: CHECKOUT.id,
} as const;
const FAILING_WORKFLOW = path.join(__dirname, 'fixtures', 'failing-get.json');
const SLOW_GETS_WORKFLOW = path.join(__dirname, 'fixtures', 'slow-gets.json');

interface CheckResult {
	name: string;
	ok: boolean;
	error?: string;
}

/** Runs the named check; a failure is recorded and rethrown so the version's run stops there. */
async function check(
	results: CheckResult[],
	name: string,
	fn: () => Promise<void> | void,
): Promise<void> {
	const started = Date.now();
	try {
		await fn();
		results.push({ name, ok: true });
		log(`  ✔ ${name} (${formatDuration(Date.now() - started)})`);
	} catch (error) {
		const message = (error as Error).message;
		results.push({ name, ok: false, error: message });
		log(`  ✘ ${name}\n    ${message.split('\n').join('\n    ')}`);
		throw error;
	}
}

function program(sandbox: Sandbox, id: number) {
	const found = sandbox.getState().loyaltyPrograms.find((p) => p.id === id);
	assert.ok(found, `sandbox has loyalty program ${id}`);
	return found;
}

async function runVersion(version: string, tarball: string): Promise<CheckResult[]> {
	const results: CheckResult[] = [];
	const logDir = path.join(ARTIFACTS_DIR, 'e2e-cli', version);
	rmSync(logDir, { recursive: true, force: true });
	mkdirSync(logDir, { recursive: true });
	const userFolder = mkdtempSync(path.join(os.tmpdir(), `n8n-e2e-${version}-`));
	const token = `e2e-${randomBytes(12).toString('hex')}`; // random, so a search for it cannot hit by chance
	const sandboxLog = sandboxLogFile(path.join(ARTIFACTS_DIR, 'e2e-cli', `sandbox-${version}.log`));
	const sandbox = await startSandbox({ port: 0, token, log: sandboxLog.log });
	const cleanup = async () => {
		await sandbox.stop();
		rmSync(userFolder, { recursive: true, force: true });
	};
	onCleanup(cleanup); // also on Ctrl-C
	const outputs: string[] = [];
	let setup: N8nSetup;
	/** `n8n execute --id` that must succeed; returns the run data. */
	const runOk = async (id: string): Promise<N8nRun> => {
		const result = await executeWorkflow(setup, id);
		outputs.push(result.output);
		assert.equal(
			result.code,
			0,
			`execute ${id} exited ${result.code}:\n${result.output.slice(-3000)}`,
		);
		assert.ok(result.run, 'execute printed the run data');
		return result.run;
	};

	try {
		log(`\n── n8n ${version} ──`);
		const runtime = await installN8n(version);
		// Debug level: the level that logs the most, for the token-at-rest check.
		setup = await prepareN8n(runtime, userFolder, {
			port: await freePort(),
			logDir,
			extraEnv: { N8N_LOG_LEVEL: 'debug' },
		});
		log(
			`  sandbox ${sandbox.baseUrl}, n8n user folder ${userFolder}, logs ${path.relative(REPO_ROOT, logDir)}`,
		);

		await check(results, 'package installs as a community package', async () => {
			const dir = await installPackageIntoN8n(setup, tarball);
			assert.ok(existsSync(path.join(dir, 'dist/nodes/AltcraftPromo/AltcraftPromo.node.js')));
			assert.ok(
				existsSync(path.join(dir, 'node_modules/fast-xml-parser')),
				'runtime dependency installed',
			);
		});

		await check(results, 'credential and all example workflows import', async () => {
			await importCredential(setup, { baseUrl: sandbox.baseUrl, token });
			const files = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json'));
			assert.ok(files.length >= 3, 'at least three examples');
			for (const file of [
				...files.map((f) => path.join(EXAMPLES_DIR, f)),
				FAILING_WORKFLOW,
				SLOW_GETS_WORKFLOW,
			])
				await importWorkflow(setup, file);
			const ids = await listWorkflowIds(setup);
			for (const id of [...Object.values(EXAMPLE), 'altcraft-e2e-failing'])
				assert.ok(ids.includes(id), `workflow ${id} imported (have ${ids.join(', ')})`);
		});

		await check(
			results,
			'example "import codes and summarize" runs and imports into the sandbox',
			async () => {
				const before = program(sandbox, 1).codes.length;
				const run = await runOk(EXAMPLE.importSummary);
				const [imported] = nodeOutput(run, 'Import codes');
				assert.deepEqual(
					[imported.inserted, imported.duplicated, imported.discarded_by_limit],
					[3, 0, 0],
				);
				assert.equal(nodeOutput(run, 'Get all codes').length, before + 3);
				const [summary] = nodeOutput(run, 'Summary');
				assert.deepEqual(summary, {
					imported: 3,
					duplicated: 0,
					discarded_by_limit: 0,
					total_codes: before + 3,
					free_codes: before + 3,
					attached_codes: 0,
					activated_codes: 0,
				});
				const codes = program(sandbox, 1).codes.map((c) => c.code);
				for (const code of ['SPRING-2026-01', 'SPRING-2026-02', 'SPRING-2026-03'])
					assert.ok(codes.includes(code), `${code} in the sandbox`);
			},
		);

		await runStockChecks((name, fn) => check(results, name, fn), runOk, sandbox);

		await runShopChecks((name, fn) => check(results, name, fn), setup, sandbox, outputs);

		await runCheckoutChecks((name, fn) => check(results, name, fn), setup, sandbox, outputs);

		await check(
			results,
			'a failing Altcraft call fails the execution with the API error',
			async () => {
				const result = await executeWorkflow(setup, 'altcraft-e2e-failing');
				outputs.push(result.output);
				assert.notEqual(result.code, 0, 'execute must exit non-zero');
				assert.match(
					result.output,
					/NO-SUCH-CODE|not found|does not exist/i,
					'the error names the problem',
				);
			},
		);

		await check(
			results,
			'no token at rest: n8n output, debug logs, SQLite database, event logs, sandbox log',
			async () => {
				const report = await searchTokenAtRest({
					token,
					userFolders: [userFolder],
					logDirs: [logDir],
					sandboxLogs: [sandboxLog.flush()],
					outputs: [
						...outputs.map((text, i) => ({ label: `captured output #${i}`, text })),
						{
							label: 'sandbox request log (HTTP view)',
							text: await (await fetch(`${sandbox.baseUrl}/__sandbox/requests`)).text(),
						},
					],
					positiveControl: {
						label: "the sandbox's raw request bodies",
						text: sandbox.requests.map((r) => r.rawBody).join('\n'),
					},
				});
				log(`    searched: ${describeSearch(report)}`);
				assertNoTokenAtRest(report, ['sqlite database', 'event logs', 'n8n logs', 'sandbox log']);
				const leakedToSandbox = sandbox.requests.filter((r) => r.path.includes(token));
				assert.equal(leakedToSandbox.length, 0, 'token never in a URL');
			},
		);
	} catch (error) {
		// A failed check() is already recorded; anything else (n8n install, setup) is recorded here.
		if (results.every((r) => r.ok)) {
			results.push({ name: 'setup', ok: false, error: (error as Error).message });
			log(`  ✘ setup: ${(error as Error).message}`);
		}
	} finally {
		await cleanup();
	}
	return results;
}

runMain(async () => {
	const started = Date.now();
	const requested = process.argv.slice(2).filter((a) => !a.startsWith('--'));
	const versions = requested.length > 0 ? requested : [...N8N_VERSIONS];

	log('Building and packing n8n-nodes-altcraft…');
	const packDir = mkdtempSync(path.join(os.tmpdir(), 'altcraft-pack-'));
	onCleanup(() => rmSync(packDir, { recursive: true, force: true }));
	const tarball = await buildAndPack(packDir);
	log(`  ${path.basename(tarball)}`);

	const summary: Record<string, { passed: number; failed: number; durationMs: number }> = {};
	let passed = 0;
	let failed = 0;
	for (const version of versions) {
		const versionStarted = Date.now();
		const results = await runVersion(version, tarball);
		const ok = results.filter((r) => r.ok).length;
		const bad = results.length - ok;
		summary[version] = { passed: ok, failed: bad, durationMs: Date.now() - versionStarted };
		passed += ok;
		failed += bad;
		const note = bad > 0 ? ' (stopped at the first failure)' : '';
		log(
			`  n8n ${version}: ${ok} passed, ${bad} failed${note} in ${formatDuration(Date.now() - versionStarted)}`,
		);
	}
	mkdirSync(path.join(ARTIFACTS_DIR, 'e2e-cli'), { recursive: true });
	writeFileSync(
		path.join(ARTIFACTS_DIR, 'e2e-cli', 'results.json'),
		JSON.stringify(
			{ node: process.version, finishedAt: new Date().toISOString(), versions: summary },
			null,
			2,
		) + '\n',
	);
	log(`\nCLI e2e finished in ${formatDuration(Date.now() - started)}`);
	log(`e2e-cli: ${passed} passed, ${failed} failed`);
	if (failed > 0) throw new Error(`CLI e2e: ${failed} check(s) failed`);
});
