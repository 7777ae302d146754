/**
 * Install e2e: the package installed the way users install it, from a registry through n8n's
 * Community Nodes, instead of copied into n8n's nodes folder.
 *
 *   npm run test:e2e:install                  # n8n 2.8.4: REST and the Community Nodes dialog in Chromium
 *   npm run test:e2e:install -- 1.123.50      # another version (its editor has the same Community Nodes page)
 *   npm run test:e2e:install -- --no-ui       # REST only
 *
 * Starts a Verdaccio registry (temp storage, npm as uplink for fast-xml-parser), publishes the packed
 * package, starts n8n with E2E_TESTS=true and N8N_COMMUNITY_PACKAGES_REGISTRY pointing at Verdaccio (a
 * licensed feature, switched on with PATCH /rest/e2e/feature as n8n's own tests do), then:
 *   1. install over POST /rest/community-packages: what n8n put on disk (no dev/peer dependencies,
 *      fast-xml-parser resolved through the registry), the node and credential in /types/*.json, the
 *      icon served, a published webhook workflow runs the node against the sandbox;
 *   2. publish a higher version (its node description carries a marker), update over PATCH: the marker
 *      shows and the workflow runs;
 *   3. uninstall over DELETE: node, credential type and files gone;
 *   4. install again through the dialog in Chromium, find the node in the node picker;
 *   5. restart n8n: the package loads from disk at startup and the workflow runs;
 *   6. uninstall through the package card's menu, restart: n8n starts without it.
 * Everything it starts is stopped at the end, also on failure and Ctrl-C. Screenshots:
 * artifacts/install/<version>/; logs: artifacts/install-logs/<version>/.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox/src';
import { ensureChromium } from '../../scripts/lib/chromium';
import { installN8n } from '../../scripts/lib/install';
import {
	isN8n1,
	N8nRest,
	prepareN8n,
	startN8n,
	type N8nServer,
	type N8nSetup,
} from '../../scripts/lib/n8n';
import {
	ARTIFACTS_DIR,
	DEFAULT_N8N_VERSION,
	NODE_TYPE,
	PACKAGE_NAME,
	TRIGGER_NODE_TYPE,
} from '../../scripts/lib/paths';
import {
	formatDuration,
	freePort,
	log,
	onCleanup,
	runMain,
	stopProcess,
} from '../../scripts/lib/processes';
import { startVerdaccio, withoutNpmRunEnv, type Registry } from '../../scripts/lib/verdaccio';
import {
	editorTypes,
	installPackage,
	listPackages,
	uninstallPackage,
	updatePackage,
	type InstalledPackage,
} from './install/community';
import { CommunityNodesPage } from './install/dialog';
import { packCurrent, packMarkedVersion, type Release } from './install/packages';
import {
	callWebhook,
	createCredential,
	createWebhookWorkflow,
	WORKFLOW_NAME,
	type WebhookWorkflow,
} from './install/workflow';

const OWNER = {
	email: 'owner@example.com',
	password: `E2e-${randomBytes(6).toString('hex')}-Pass1`,
	firstName: 'E2E',
	lastName: 'Owner',
};
const CREDENTIAL_TYPE = 'altcraftApi';
const UPDATE_VERSION = '0.2.1-e2e';
const CUSTOM_REGISTRY_FEATURE = 'feat:communityNodes:customRegistry';
/** A code of the sandbox's seed (loyalty program 1) the workflow reads. */
const CODE = { loyaltyId: 1, code: 'WELCOME-0001' };

let passed = 0;
async function step(name: string, fn: () => Promise<void>): Promise<void> {
	const t = Date.now();
	try {
		await fn();
	} catch (error) {
		log(`  ✘ ${name}`);
		log(`install-e2e: ${passed} passed, 1 failed`);
		throw error;
	}
	passed += 1;
	log(`  ✔ ${name} (${formatDuration(Date.now() - t)})`);
}

interface Ctx {
	setup: N8nSetup;
	server: N8nServer;
	rest: N8nRest;
	sandbox: Sandbox;
	registry: Registry;
}

function packageDir(setup: N8nSetup): string {
	return path.join(setup.userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
}

/** The custom registry is a licensed feature; E2E_TESTS=true exposes n8n's own test switch for it (in memory, per start). */
async function enableCustomRegistry(rest: N8nRest): Promise<void> {
	const { status } = await rest.request('PATCH', '/e2e/feature', {
		feature: CUSTOM_REGISTRY_FEATURE,
		enabled: true,
	});
	assert.equal(status, 200, `PATCH /rest/e2e/feature: HTTP ${status}`);
}

async function startAndSignIn(
	setup: N8nSetup,
	{ enableRegistry = true } = {},
): Promise<{ server: N8nServer; rest: N8nRest }> {
	const server = await startN8n(setup);
	const rest = new N8nRest(server.baseUrl);
	if (!(await rest.ownerExists())) await rest.setupOwner(OWNER);
	await rest.login(OWNER.email, OWNER.password);
	if (enableRegistry) await enableCustomRegistry(rest);
	return { server, rest };
}

async function restart(ctx: Ctx): Promise<void> {
	await stopProcess(ctx.server.process);
	const { server, rest } = await startAndSignIn(ctx.setup);
	ctx.server = server;
	ctx.rest = rest;
}

function ourPackage(list: InstalledPackage[]): InstalledPackage | undefined {
	return list.find((p) => p.packageName === PACKAGE_NAME);
}

/** What n8n's install left on disk: the release's files, no dev/peer dependencies, runtime deps from our registry. */
function checkInstalledFiles(setup: N8nSetup, release: Release, registry: Registry): string[] {
	const dir = packageDir(setup);
	const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<
		string,
		unknown
	>;
	assert.equal(manifest.version, release.version, 'installed package.json version');
	for (const key of ['devDependencies', 'peerDependencies', 'optionalDependencies'])
		assert.equal(manifest[key], undefined, `n8n removed ${key}`);
	const modules = readdirSync(path.join(dir, 'node_modules'))
		.filter((name) => !name.startsWith('.'))
		.sort();
	assert.ok(
		modules.includes('fast-xml-parser'),
		`fast-xml-parser installed (node_modules: ${modules.join(', ')})`,
	);
	assert.ok(
		!modules.includes('n8n-workflow') && !modules.includes('typescript'),
		`no peer/dev dependency installed (node_modules: ${modules.join(', ')})`,
	);
	// Every installed dependency was resolved through the registry n8n was pointed at (the tarball bytes
	// may come from npm's cache by integrity: n8n 1.x runs npm with the default cache).
	const lock = JSON.parse(
		readFileSync(path.join(dir, 'node_modules', '.package-lock.json'), 'utf8'),
	) as { packages: Record<string, { version: string }> };
	const installed = Object.entries(lock.packages).map(([where, entry]) => ({
		name: where.split('node_modules/').pop() ?? where,
		version: entry.version,
	}));
	assert.ok(installed.length > 0, 'npm recorded the installed dependencies');
	for (const { name, version } of installed)
		assert.ok(
			registry.knowsVersion(name, version),
			`${name}@${version} resolved through ${registry.url}`,
		);
	const nodesManifest = JSON.parse(
		readFileSync(path.join(setup.userFolder, '.n8n', 'nodes', 'package.json'), 'utf8'),
	) as { dependencies: Record<string, string> };
	assert.equal(
		nodesManifest.dependencies[PACKAGE_NAME],
		release.version,
		'nodes/package.json records the version',
	);
	return installed.map(({ name, version }) => `${name}@${version}`);
}

/** The editor's node types list the node (with this release's description) and the credential; the icon is served. */
async function checkTypesPresent(rest: N8nRest, release: Release): Promise<void> {
	const { nodes, credentials } = await editorTypes(rest);
	const versions = nodes.filter((n) => n.name === NODE_TYPE);
	assert.ok(versions.length > 0, `/types/nodes.json lists ${NODE_TYPE}`);
	for (const node of versions)
		assert.equal(
			node.description,
			release.description,
			`${NODE_TYPE} description (v${String(node.version)})`,
		);
	assert.ok(
		credentials.some((c) => c.name === CREDENTIAL_TYPE),
		`/types/credentials.json lists ${CREDENTIAL_TYPE}`,
	);
	const icon = versions[0].iconUrl;
	const iconPath = typeof icon === 'string' ? icon : icon?.light;
	assert.ok(iconPath, `${NODE_TYPE} has an icon URL`);
	const response = await rest.getSignedIn(`/${iconPath.replace(/^\//, '')}`);
	const body = await response.text();
	assert.equal(response.status, 200, `GET /${iconPath}: HTTP ${response.status}`);
	assert.match(body, /<svg/, `${iconPath} is an SVG`);
}

async function checkTypesGone(rest: N8nRest): Promise<void> {
	const { nodes, credentials } = await editorTypes(rest);
	assert.ok(
		!nodes.some((n) => n.name === NODE_TYPE),
		`/types/nodes.json no longer lists ${NODE_TYPE}`,
	);
	assert.ok(
		!credentials.some((c) => c.name === CREDENTIAL_TYPE),
		`/types/credentials.json no longer lists ${CREDENTIAL_TYPE}`,
	);
}

/** The webhook workflow runs the installed node: the code as the sandbox has it, and the sandbox was asked. */
async function checkWorkflowRuns(ctx: Ctx, workflow: WebhookWorkflow): Promise<void> {
	const before = ctx.sandbox.requests.length;
	const answer = await callWebhook(workflow, { code: CODE.code });
	assert.equal(
		answer.status,
		200,
		`webhook answer: HTTP ${answer.status} ${answer.text.slice(0, 500)}`,
	);
	assert.equal(
		answer.body.code,
		CODE.code,
		`the node's output is the code: ${answer.text.slice(0, 500)}`,
	);
	assert.equal(answer.body.loyalty_id ?? CODE.loyaltyId, CODE.loyaltyId);
	assert.ok(ctx.sandbox.requests.length > before, "the sandbox received the node's request");
}

runMain(async () => {
	const started = Date.now();
	const version = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? DEFAULT_N8N_VERSION;
	const runtime = await installN8n(version);
	const withUi = !process.argv.includes('--no-ui');
	const shotDir = path.join(ARTIFACTS_DIR, 'install', version);
	const logDir = path.join(ARTIFACTS_DIR, 'install-logs', version);
	rmSync(shotDir, { recursive: true, force: true });
	rmSync(logDir, { recursive: true, force: true });
	mkdirSync(logDir, { recursive: true });
	if (withUi) await ensureChromium();

	const work = mkdtempSync(path.join(os.tmpdir(), 'n8n-install-e2e-'));
	onCleanup(() => rmSync(work, { recursive: true, force: true }));
	log('Building and packing n8n-nodes-altcraft…');
	const current = await packCurrent(work);
	const registry = await startVerdaccio(work, logDir);
	onCleanup(() => registry.stop());
	await registry.publish(current.tarball);
	log(`Verdaccio on ${registry.url}: published ${PACKAGE_NAME}@${current.version}`);

	const token = `e2e-${randomBytes(12).toString('hex')}`;
	const sandbox = await startSandbox({ port: 0, token });
	onCleanup(() => sandbox.stop());
	const setup = await prepareN8n(runtime, path.join(work, 'user'), {
		port: await freePort(),
		logDir,
		extraEnv: { E2E_TESTS: 'true', N8N_COMMUNITY_PACKAGES_REGISTRY: registry.url },
	});
	// n8n runs `npm pack`/`npm install` itself: give it a user's environment (none of `npm run`'s npm_*
	// variables, e.g. npm_config_local_prefix pointing at this repo) and a cache of its own, as on a clean
	// machine. npm_config_registry: n8n passes --registry to pack/install but not to the `npm outdated` that
	// finds updates for the Community Nodes page, which asks npm's own registry (measured: without this,
	// n8n 2.8.4 shows no update for a version published to Verdaccio), so point npm there too, as an
	// installation with its own registry would in ~/.npmrc.
	setup.env = {
		...withoutNpmRunEnv(setup.env),
		npm_config_cache: path.join(work, 'npm-cache'),
		npm_config_registry: registry.url,
	};
	const ctx: Ctx = {
		setup,
		sandbox,
		registry,
		...(await startAndSignIn(setup, { enableRegistry: false })),
	};
	log(`n8n ${version} on ${ctx.server.baseUrl}, sandbox on ${sandbox.baseUrl}`);

	let workflow: WebhookWorkflow | undefined;
	let ui: CommunityNodesPage | undefined;
	onCleanup(async () => ui?.close());
	const installTimes: Record<string, number> = {};
	try {
		await step(
			'without the custom-registry licence n8n refuses to install from another registry',
			async () => {
				const { status, data } = await ctx.rest.request('POST', '/community-packages', {
					name: PACKAGE_NAME,
				});
				assert.notEqual(status, 200, 'the install is refused');
				assert.match(
					JSON.stringify(data),
					new RegExp(CUSTOM_REGISTRY_FEATURE),
					`the refusal names the feature: ${JSON.stringify(data).slice(0, 300)}`,
				);
				assert.ok(!existsSync(packageDir(setup)), 'nothing was installed');
				await enableCustomRegistry(ctx.rest);
			},
		);

		await step(
			`install ${PACKAGE_NAME} over POST /rest/community-packages (from Verdaccio)`,
			async () => {
				const t = Date.now();
				const installed = await installPackage(ctx.rest, PACKAGE_NAME);
				installTimes.install = Date.now() - t;
				assert.equal(installed.installedVersion, current.version);
				assert.deepEqual(
					installed.installedNodes.map((n) => n.type).sort(),
					[NODE_TYPE, TRIGGER_NODE_TYPE].sort(),
				);
				assert.equal(
					ourPackage(await listPackages(ctx.rest))?.installedVersion,
					current.version,
					'GET /rest/community-packages lists it',
				);
				const modules = checkInstalledFiles(setup, current, registry);
				log(
					`    installed in ${formatDuration(installTimes.install)}; its dependencies: ${modules.join(', ')}`,
				);
			},
		);

		await step("the node and the credential are in the editor's types; the icon is served", () =>
			checkTypesPresent(ctx.rest, current),
		);

		await step('a published webhook workflow with the node runs against the sandbox', async () => {
			const credential = await createCredential(ctx.rest, { baseUrl: sandbox.baseUrl, token });
			const { nodes } = await editorTypes(ctx.rest);
			const nodeVersion = Math.max(
				...nodes.filter((n) => n.name === NODE_TYPE).flatMap((n) => n.version),
			);
			workflow = await createWebhookWorkflow(ctx.rest, setup, credential, {
				loyaltyId: CODE.loyaltyId,
				nodeVersion,
			});
			await checkWorkflowRuns(ctx, workflow);
		});

		const update = await packMarkedVersion(work, UPDATE_VERSION);
		await step(
			`publish ${UPDATE_VERSION}, update over PATCH /rest/community-packages; the new build runs`,
			async () => {
				await registry.publish(update.tarball);
				const listed = ourPackage(await listPackages(ctx.rest));
				log(
					`    GET /rest/community-packages before the update: installed ${listed?.installedVersion}, updateAvailable ${listed?.updateAvailable ?? '(none)'}`,
				);
				// n8n 1.x runs npm with only PATH/NODE_PATH/APPDATA/NODE_ENV (community-packages.service.js
				// executeNpmCommand), so our npm_config_registry does not reach its `npm outdated`.
				if (!isN8n1(runtime))
					assert.equal(
						listed?.updateAvailable,
						UPDATE_VERSION,
						'the Community Nodes page offers the update',
					);
				const t = Date.now();
				const updated = await updatePackage(ctx.rest, PACKAGE_NAME);
				installTimes.update = Date.now() - t;
				assert.equal(updated.installedVersion, UPDATE_VERSION);
				assert.equal(ourPackage(await listPackages(ctx.rest))?.installedVersion, UPDATE_VERSION);
				checkInstalledFiles(setup, update, registry);
				await checkTypesPresent(ctx.rest, update);
				assert.ok(workflow);
				await checkWorkflowRuns(ctx, workflow);
			},
		);

		await step(
			'uninstall over DELETE /rest/community-packages: node, credential type and files are gone',
			async () => {
				await uninstallPackage(ctx.rest, PACKAGE_NAME);
				assert.equal(ourPackage(await listPackages(ctx.rest)), undefined, 'no longer listed');
				assert.ok(!existsSync(packageDir(setup)), `${packageDir(setup)} removed`);
				const nodesManifest = readFileSync(
					path.join(setup.userFolder, '.n8n', 'nodes', 'package.json'),
					'utf8',
				);
				log(`    nodes/package.json after the uninstall: ${nodesManifest.replace(/\s+/g, ' ')}`);
				await checkTypesGone(ctx.rest);
				assert.ok(workflow);
				const answer = await callWebhook(workflow, { code: CODE.code });
				log(
					`    the workflow's webhook after the uninstall: HTTP ${answer.status} ${answer.text.slice(0, 160)}`,
				);
				assert.notEqual(answer.body.code, CODE.code, 'the uninstalled node no longer runs');
			},
		);

		if (withUi) {
			ui = await CommunityNodesPage.open(
				path.join(work, 'chromium-profile'),
				ctx.server.baseUrl,
				shotDir,
			);
			const page = ui;
			await step('install through Settings → Community nodes → Install (Chromium)', async () => {
				await page.signIn(OWNER.email, OWNER.password);
				const card = await page.install(PACKAGE_NAME);
				assert.match(
					card,
					new RegExp(UPDATE_VERSION.replace(/\./g, '\\.')),
					`the card shows version ${UPDATE_VERSION}: "${card}"`,
				);
				assert.equal(ourPackage(await listPackages(ctx.rest))?.installedVersion, UPDATE_VERSION);
				checkInstalledFiles(setup, update, registry);
				await checkTypesPresent(ctx.rest, update);
			});
			await step('the node picker lists "Altcraft Promo"', async () => {
				const listed = await page.searchNodePicker('Altcraft', 'Altcraft Promo');
				assert.match(listed, /Altcraft Promo/);
			});
		} else {
			await step(`install ${UPDATE_VERSION} again over REST`, async () => {
				await installPackage(ctx.rest, PACKAGE_NAME);
				checkInstalledFiles(setup, update, registry);
			});
		}

		await step(
			'restart n8n: the package loads from disk at startup and the workflow runs',
			async () => {
				if (ui) await ui.page.goto('about:blank');
				await restart(ctx);
				assert.equal(ourPackage(await listPackages(ctx.rest))?.installedVersion, UPDATE_VERSION);
				await checkTypesPresent(ctx.rest, update);
				assert.ok(workflow);
				await checkWorkflowRuns(ctx, workflow);
			},
		);

		await step(
			`uninstall${withUi ? " through the package card's menu (its confirmation names the workflow)" : ' over REST'}, restart: n8n starts without the package`,
			async () => {
				if (ui) {
					// The browser's session survives n8n's restart (the same instance key signs the cookie).
					const said = await ui.uninstall(PACKAGE_NAME, WORKFLOW_NAME);
					log(`    the uninstall confirmation said: "${said.slice(0, 300)}"`);
				} else {
					await uninstallPackage(ctx.rest, PACKAGE_NAME);
				}
				assert.ok(!existsSync(packageDir(setup)), 'package folder removed');
				await restart(ctx);
				assert.equal(
					ourPackage(await listPackages(ctx.rest)),
					undefined,
					'not listed after the restart',
				);
				await checkTypesGone(ctx.rest);
				assert.ok(
					!ctx.server.output().includes('some packages are missing'),
					'n8n does not report a missing package',
				);
			},
		);
	} catch (error) {
		await ui?.failureShot();
		throw error;
	}
	log(
		`\nInstall e2e (n8n ${version}) finished in ${formatDuration(Date.now() - started)}: install ${formatDuration(installTimes.install)}, update ${formatDuration(installTimes.update)}${ui ? `; ${ui.screenshotCount} screenshots in ${shotDir}` : ''}`,
	);
	log(`install-e2e: ${passed} passed, 0 failed`);
});
