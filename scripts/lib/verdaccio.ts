/**
 * A throw-away npm registry (Verdaccio, a devDependency) for the install e2e suite: storage in a temp
 * folder, on 127.0.0.1:<free port>, the public npm registry as its uplink for everything except this
 * package (so fast-xml-parser resolves as it would for a user, while n8n-nodes-altcraft comes only from
 * what the test publishes). Tracked like every other child: stopped on exit, failure and Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_NAME } from './paths';
import {
	freePort,
	runCommand,
	startProcess,
	stopProcess,
	waitFor,
	type Tracked,
} from './processes';

export interface Registry {
	url: string;
	process: Tracked;
	/** `npm publish`es a packed tarball under the given dist-tag. */
	publish: (tarball: string, tag?: string) => Promise<void>;
	/** True once the registry knows this version: published to it, or resolved through its uplink for a client. */
	knowsVersion: (name: string, version: string) => boolean;
	stop: () => Promise<void>;
}

/** The environment without what `npm run` exports (npm_config_*, npm_package_*, npm_lifecycle_*): a child npm must read only its own config. */
export function withoutNpmRunEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
	return Object.fromEntries(Object.entries(env).filter(([key]) => !/^npm_/i.test(key)));
}

function config(storage: string, htpasswd: string): string {
	// YAML by hand: a handful of keys, no YAML library needed.
	return [
		`storage: ${JSON.stringify(storage)}`,
		'auth:',
		'  htpasswd:',
		`    file: ${JSON.stringify(htpasswd)}`,
		'uplinks:',
		'  npmjs:',
		'    url: https://registry.npmjs.org/',
		'    timeout: 60s',
		'packages:',
		// Our package: never proxied, so only the versions this run publishes exist.
		`  '${PACKAGE_NAME}':`,
		'    access: $all',
		'    publish: $authenticated',
		"  '**':",
		'    access: $all',
		'    publish: $authenticated',
		'    proxy: npmjs',
		'web:',
		'  enable: false',
		'log: { type: stdout, format: pretty, level: warn }',
		'',
	].join('\n');
}

export async function startVerdaccio(workDir: string, logDir: string): Promise<Registry> {
	const root = path.join(workDir, 'verdaccio');
	const storage = path.join(root, 'storage');
	mkdirSync(storage, { recursive: true });
	mkdirSync(logDir, { recursive: true });
	const configFile = path.join(root, 'config.yaml');
	writeFileSync(configFile, config(storage, path.join(root, 'htpasswd')));
	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	const child = startProcess(
		'verdaccio',
		process.execPath,
		[
			require.resolve('verdaccio/bin/verdaccio'),
			'--config',
			configFile,
			'--listen',
			`127.0.0.1:${port}`,
		],
		{ cwd: root, env: withoutNpmRunEnv(process.env), logFile: path.join(logDir, 'verdaccio.log') },
	);
	await waitFor(
		`verdaccio on ${url}`,
		async () => ((await fetch(`${url}/-/ping`)).ok ? true : undefined),
		{
			timeoutMs: 60_000,
			intervalMs: 300,
			watch: child,
		},
	);

	// A publisher account (CouchDB-style user creation, what `npm adduser` sends) and its token.
	const user = `e2e-${randomBytes(4).toString('hex')}`;
	const response = await fetch(`${url}/-/user/org.couchdb.user:${user}`, {
		method: 'PUT',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({
			name: user,
			password: randomBytes(12).toString('hex'),
			type: 'user',
			roles: [],
			date: new Date().toISOString(),
		}),
	});
	const { token } = (await response.json()) as { token?: string };
	if (!response.ok || !token)
		throw new Error(`verdaccio: creating the publisher account failed (${response.status})`);
	const npmrc = path.join(root, 'publisher.npmrc');
	writeFileSync(npmrc, `//127.0.0.1:${port}/:_authToken=${token}\n`, { mode: 0o600 });

	const publish = async (tarball: string, tag = 'latest'): Promise<void> => {
		const result = await runCommand(
			'npm',
			[
				'publish',
				tarball,
				`--registry=${url}`,
				`--tag=${tag}`,
				`--userconfig=${npmrc}`,
				'--ignore-scripts',
			],
			{
				cwd: root,
				env: withoutNpmRunEnv(process.env),
				timeoutMs: 120_000,
				logFile: path.join(logDir, 'npm-publish.log'),
			},
		);
		if (result.code !== 0)
			throw new Error(
				`npm publish ${path.basename(tarball)} failed (${result.code}):\n${(result.stdout + result.stderr).slice(-3000)}`,
			);
	};

	// Verdaccio keeps each package's metadata (the packument a client asked for) in <storage>/<name>/package.json.
	const knowsVersion = (name: string, version: string) => {
		const file = path.join(storage, name, 'package.json');
		if (!existsSync(file)) return false;
		const packument = JSON.parse(readFileSync(file, 'utf8')) as {
			versions?: Record<string, unknown>;
		};
		return Boolean(packument.versions?.[version]);
	};

	let stopping: Promise<void> | undefined;
	const stop = () => (stopping ??= stopProcess(child, 5000));
	return { url, process: child, publish, knowsVersion, stop };
}
