/**
 * End-to-end test of the Altcraft Trigger in a real `n8n start` (not jest: it needs installed n8n).
 *
 *   npm run test:e2e:trigger                 # every version in scripts/lib/paths.ts N8N_VERSIONS
 *   npm run test:e2e:trigger -- 2.8.4        # one version
 *
 * For each version: installs the packed package as a community package, imports and publishes the example
 * "a promo code was redeemed" and a test workflow with two triggers (promo events behind a secret; all
 * events with the repeats window), starts n8n, and points the sandbox's action hooks at both production
 * URLs. Then: codes attached, activated and detached in the sandbox arrive as exactly the expected events,
 * in order, once each; a wrong or missing secret runs nothing; bad bodies get their answer and run nothing;
 * 10,000 events in one batch run; a 20 MB body gets a clear refusal and n8n keeps working.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox/src';
import { installN8n } from '../../scripts/lib/install';
import {
	activateWorkflow,
	buildAndPack,
	installPackageIntoN8n,
	isN8n1,
	N8nRest,
	n8nCliOk,
	prepareN8n,
	startN8n,
	type N8nServer,
	type N8nSetup,
} from '../../scripts/lib/n8n';
import { ARTIFACTS_DIR, EXAMPLES_DIR, N8N_VERSIONS } from '../../scripts/lib/paths';
import {
	formatDuration,
	freePort,
	log,
	onCleanup,
	runMain,
	stopProcess,
} from '../../scripts/lib/processes';
import {
	eventKeys,
	executionList,
	post,
	productionUrl,
	settledExecutions,
	TRIGGER_WORKFLOW,
	type TriggeredExecution,
} from './trigger/events';

const FIXTURE = path.join(__dirname, 'fixtures', 'trigger-e2e.json');
const EXAMPLE_FILE = path.join(EXAMPLES_DIR, 'altcraft-trigger-code-activated.json');

interface ExampleTrigger {
	id: string;
	webhookId: string;
	secret: string;
}

/** The example's workflow id, its trigger's webhook id and secret, read from the file (not repeated here). */
function exampleTrigger(): ExampleTrigger {
	const workflow = JSON.parse(readFileSync(EXAMPLE_FILE, 'utf8')) as {
		id: string;
		nodes: Array<{ type: string; webhookId?: string; parameters: { secret?: string } }>;
	};
	const trigger = workflow.nodes.find((node) => node.type === 'n8n-nodes-altcraft.altcraftTrigger');
	assert.ok(trigger?.webhookId, 'the example has an Altcraft Trigger with a webhookId');
	return { id: workflow.id, webhookId: trigger.webhookId, secret: trigger.parameters.secret ?? '' };
}

interface CheckResult {
	name: string;
	ok: boolean;
	error?: string;
}

async function check(results: CheckResult[], name: string, fn: () => Promise<void>): Promise<void> {
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

const DB = 1;
const PROGRAM = 1;
const customers = [
	'alice@example.com',
	'bob@example.com',
	'carol@example.com',
	'customer01@example.com',
	'customer02@example.com',
	'customer03@example.com',
];

async function api(
	sandbox: Sandbox,
	method: string,
	params: Record<string, unknown>,
): Promise<void> {
	const response = await fetch(`${sandbox.baseUrl}/api/v1.1/promocodes/${method}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ token: sandbox.token, loyalty_id: PROGRAM, ...params }),
	});
	const envelope = (await response.json()) as { error: number; error_text: string };
	assert.equal(
		envelope.error,
		0,
		`sandbox ${method} ${JSON.stringify(params)}: ${envelope.error} ${envelope.error_text}`,
	);
}

/**
 * Imports and publishes both workflows with as few n8n CLI calls as possible (each starts n8n: 10–20 s on a
 * busy 2-core machine): one import of a folder; 1.x activates all at once, 2.x publishes one by one.
 */
async function importAndPublish(setup: N8nSetup, files: string[], ids: string[]): Promise<void> {
	const dir = path.join(setup.userFolder, 'import');
	mkdirSync(dir, { recursive: true });
	for (const file of files) cpSync(file, path.join(dir, path.basename(file)));
	await n8nCliOk(setup, ['import:workflow', '--separate', `--input=${dir}`]);
	rmSync(dir, { recursive: true, force: true });
	if (isN8n1(setup.runtime)) await n8nCliOk(setup, ['update:workflow', '--all', '--active=true']);
	else for (const id of ids) await activateWorkflow(setup, id);
}

const byTrigger = (executions: TriggeredExecution[], trigger: string) =>
	executions.filter((e) => e.trigger === trigger);

async function runVersion(version: string, tarball: string): Promise<CheckResult[]> {
	const results: CheckResult[] = [];
	const logDir = path.join(ARTIFACTS_DIR, 'e2e-trigger', version);
	rmSync(logDir, { recursive: true, force: true });
	mkdirSync(logDir, { recursive: true });
	const userFolder = mkdtempSync(path.join(os.tmpdir(), `n8n-trigger-${version}-`));
	const example = exampleTrigger();
	let sandbox: Sandbox | undefined;
	let server: N8nServer | undefined;
	const cleanup = async () => {
		await sandbox?.stop();
		if (server) await stopProcess(server.process);
		rmSync(userFolder, { recursive: true, force: true });
	};
	onCleanup(cleanup);
	try {
		log(`\n── n8n ${version} ──`);
		const runtime = await installN8n(version);
		const setup = await prepareN8n(runtime, userFolder, { port: await freePort(), logDir });
		let rest: N8nRest;
		let promoUrl = '';
		let allUrl = '';
		/** Executions of the test workflow so far (count), for "nothing ran" checks. */
		const testRuns = async () => (await executionList(rest, TRIGGER_WORKFLOW.id)).length;

		await check(
			results,
			'the trigger and the example workflow are published and n8n starts',
			async () => {
				await installPackageIntoN8n(setup, tarball);
				await importAndPublish(setup, [FIXTURE, EXAMPLE_FILE], [TRIGGER_WORKFLOW.id, example.id]);
				server = await startN8n(setup);
				rest = new N8nRest(server.baseUrl);
				const owner = {
					email: 'owner@example.com',
					password: 'E2e-trigger-Passw0rd',
					firstName: 'E2e',
					lastName: 'Owner',
				};
				await rest.setupOwner(owner);
				await rest.login(owner.email, owner.password);
				promoUrl = productionUrl(
					server.baseUrl,
					TRIGGER_WORKFLOW.promoWebhookId,
					TRIGGER_WORKFLOW.secret,
				);
				allUrl = productionUrl(server.baseUrl, TRIGGER_WORKFLOW.allWebhookId);
			},
		);

		await check(
			results,
			'sandbox attaches, activates and detaches codes: each trigger gets exactly its events, in order, once',
			async () => {
				sandbox = await startSandbox({
					port: 0,
					hooks: {
						urls: [promoUrl, productionUrl(server!.baseUrl, example.webhookId, example.secret)],
						batchSize: 4,
						flushMs: 300,
						responseRegex: '^OK$',
					},
				});
				const sb = sandbox;
				const code = (n: number) => `WELCOME-000${n}`;
				const attach = (n: number) =>
					api(sb, 'attach', {
						db_id: DB,
						matching: 'email',
						email: customers[n - 1],
						code: code(n),
					});
				const activate = (n: number) => api(sb, 'activate', { code: code(n) });
				await attach(1);
				await attach(2);
				await activate(2);
				await attach(3);
				await activate(1);
				await api(sb, 'detach', {
					db_id: DB,
					matching: 'email',
					email: customers[2],
					code: code(3),
				});
				await attach(4);
				await attach(5);
				await activate(5);
				await attach(6);
				const test = await sb.hooks.sendTestEvent({ kind: 'activate', code: 'TEST-ONLY' });
				await sb.hooks.flush();
				const failed = sb.hooks.deliveries.filter((d) => !d.ok);
				assert.deepEqual(failed, [], 'every hook delivery answered 200 OK');
				assert.equal(test.length, 2, 'the test event went to both URLs');
				const batches = sb.hooks.deliveries.length - test.length;

				const expected = [
					'attach 1',
					'attach 2',
					'activate 2',
					'attach 3',
					'activate 1',
					'attach 4',
					'attach 5',
					'activate 5',
					'attach 6',
				].map((step) => {
					const [kind, n] = step.split(' ');
					return `promocode_${kind} ${code(Number(n))}`;
				});
				const executions = await settledExecutions(rest, runtime, TRIGGER_WORKFLOW.id, 3);
				const promo = byTrigger(executions, TRIGGER_WORKFLOW.promo);
				assert.equal(
					promo.length,
					executions.length,
					`only the promo trigger ran (${executions.map((e) => e.trigger).join(', ')})`,
				);
				assert.ok(
					promo.every((e) => e.status === 'success'),
					'all succeeded',
				);
				assert.deepEqual(
					eventKeys(promo.flatMap((e) => e.events)),
					expected,
					'the promo trigger got every attach and activate in order, no detach, no test event, no duplicate',
				);
				assert.deepEqual(promo[0].events[0], {
					event_type: 'promocode_attach',
					event_date: promo[0].events[0].event_date,
					profile_id: '64b000000000000000000001',
					list_id: 1,
					account_id: 1,
					is_test: false,
					_md5: 'c160f8cc69a4f0bf2b0362752353d060',
					custom_data: { email: 'alice@example.com' },
					event_data: { loyalty_id: 1, code: 'WELCOME-0001' },
				});

				const redeemed = await settledExecutions(rest, runtime, example.id, 1);
				assert.deepEqual(eventKeys(redeemed.flatMap((e) => e.events)), [
					'promocode_activate WELCOME-0002',
					'promocode_activate WELCOME-0001',
					'promocode_activate WELCOME-0005',
				]);
				assert.deepEqual(
					redeemed
						.flatMap((e) => e.nodes['Code redeemed'] ?? [])
						.map(
							(item) =>
								`${String(item.code)} ${String(item.customer_email)} ${String(item.loyalty_program)}`,
						),
					[
						'WELCOME-0002 bob@example.com 1',
						'WELCOME-0001 alice@example.com 1',
						'WELCOME-0005 customer02@example.com 1',
					],
				);
				log(
					`    ${batches} hook requests for 11 events (batch size 4, flush 300 ms); ${promo.length} + ${redeemed.length} executions`,
				);
			},
		);

		await check(results, 'a wrong or missing secret: 401, nothing runs', async () => {
			const before = await testRuns();
			const batch = [{ event_type: 'promocode_attach', event_data: { code: 'X' } }];
			for (const url of [
				productionUrl(server!.baseUrl, TRIGGER_WORKFLOW.promoWebhookId, 'wrong'),
				productionUrl(server!.baseUrl, TRIGGER_WORKFLOW.promoWebhookId),
			]) {
				const answer = await post(url, batch);
				assert.equal(answer.status, 401, `${answer.status} ${answer.text}`);
				assert.ok(
					!answer.text.includes(TRIGGER_WORKFLOW.secret),
					'the answer does not reveal the secret',
				);
			}
			await settledExecutions(rest, runtime, TRIGGER_WORKFLOW.id, before);
			assert.equal(await testRuns(), before, 'no execution');
		});

		await check(
			results,
			'bad bodies get their answer and run nothing; an empty array is 200 OK',
			async () => {
				const before = await testRuns();
				const cases: Array<[string, unknown, string, number[]]> = [
					// The trigger reads the body itself (n8n would refuse broken JSON with its own 422).
					['broken JSON as application/json', '[{"event_type":', 'application/json', [400]],
					['text that is not JSON', 'event_type=open', 'text/plain', [400]],
					['a JSON object', { event_type: 'open' }, 'application/json', [400]],
					['an array of strings', ['open'], 'application/json', [400]],
					['an empty array', [], 'application/json', [200]],
				];
				const seen: string[] = [];
				for (const [name, body, type, statuses] of cases) {
					const answer = await post(allUrl, body, type);
					seen.push(`${name}: ${answer.status} ${answer.text.slice(0, 90)}`);
					assert.ok(statuses.includes(answer.status), `${name}: ${answer.status} ${answer.text}`);
					if (answer.status === 200) assert.equal(answer.text, 'OK');
				}
				log(seen.map((line) => `    ${line}`).join('\n'));
				await settledExecutions(rest, runtime, TRIGGER_WORKFLOW.id, before);
				assert.equal(await testRuns(), before, 'no execution');
			},
		);

		await check(
			results,
			'events without event_type and of unknown types pass "All"; the same batch again is ignored',
			async () => {
				const before = await testRuns();
				const batch = [
					{ profile_id: 'no-type' },
					{ event_type: 'brand_new_kind', event_data: { code: 'Z' } },
					{ event_type: 'open', is_test: true },
				];
				const first = await post(allUrl, batch);
				assert.deepEqual([first.status, first.text], [200, 'OK']);
				const again = await post(allUrl, batch);
				assert.deepEqual([again.status, again.text], [200, 'OK']);
				const executions = await settledExecutions(rest, runtime, TRIGGER_WORKFLOW.id, before + 1);
				assert.equal(executions.length, before + 1, 'one execution: the repeat was ignored');
				assert.deepEqual(
					executions[executions.length - 1].events,
					batch.slice(0, 2),
					'the test event was left out',
				);
			},
		);

		await check(results, '10,000 events in one batch run as 10,000 items', async () => {
			const before = await testRuns();
			const events = Array.from({ length: 10_000 }, (_, i) => ({
				event_type: 'promocode_attach',
				event_date: '2026-12-06T12:00:00Z',
				profile_id: `p${i}`,
				list_id: 1,
				is_test: false,
				event_data: { loyalty_id: 1, code: `BULK-${String(i).padStart(5, '0')}` },
			}));
			const started = Date.now();
			const answer = await post(allUrl, events);
			const ms = Date.now() - started;
			assert.deepEqual(
				[answer.status, answer.text],
				[200, 'OK'],
				`${answer.status} ${answer.text}`,
			);
			const executions = await settledExecutions(rest, runtime, TRIGGER_WORKFLOW.id, before + 1, {
				timeoutMs: 120_000,
			});
			const last = executions[executions.length - 1];
			assert.equal(last.status, 'success');
			assert.equal(last.events.length, 10_000);
			assert.equal((last.events[9_999].event_data as { code: string }).code, 'BULK-09999');
			log(
				`    ${(Buffer.byteLength(JSON.stringify(events)) / 1e6).toFixed(1)} MB answered in ${ms} ms`,
			);
		});

		await check(
			results,
			'a 20 MB body is refused clearly, runs nothing, and n8n keeps working',
			async () => {
				const before = await testRuns();
				const big = JSON.stringify([{ event_type: 'open', blob: 'x'.repeat(20 * 1024 * 1024) }]);
				const answer = await post(allUrl, big);
				log(`    20 MB: ${answer.status} ${answer.text.slice(0, 160)}`);
				assert.equal(answer.status, 413, `${answer.status} ${answer.text.slice(0, 300)}`);
				const health = await fetch(`${server!.baseUrl}/healthz`);
				assert.equal(health.status, 200, 'n8n is up');
				const after = await post(allUrl, [{ event_type: 'open', n: 'after-20mb' }]);
				assert.deepEqual([after.status, after.text], [200, 'OK']);
				const executions = await settledExecutions(rest, runtime, TRIGGER_WORKFLOW.id, before + 1);
				assert.equal(executions.length, before + 1, 'only the batch after it ran');
			},
		);
	} catch (error) {
		if (results.every((r) => r.ok)) {
			results.push({ name: 'setup', ok: false, error: (error as Error).message });
			log(`  ✘ setup: ${(error as Error).message}`);
		}
	} finally {
		if (server) writeFileSync(path.join(logDir, 'n8n-server-output.log'), server.output());
		await cleanup();
		server = undefined;
		sandbox = undefined;
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
	let passed = 0;
	let failed = 0;
	for (const version of versions) {
		const versionStarted = Date.now();
		const results = await runVersion(version, tarball);
		const ok = results.filter((r) => r.ok).length;
		passed += ok;
		failed += results.length - ok;
		log(
			`  n8n ${version}: ${ok} passed, ${results.length - ok} failed in ${formatDuration(Date.now() - versionStarted)}`,
		);
	}
	log(`\nTrigger e2e finished in ${formatDuration(Date.now() - started)}`);
	log(`e2e-trigger: ${passed} passed, ${failed} failed`);
	if (failed > 0) throw new Error(`Trigger e2e: ${failed} check(s) failed`);
});
