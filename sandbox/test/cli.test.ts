/**
 * The CLI as a real process, and a writer killed mid-write. The sources are
 * transpiled (no type check: the typecheck script covers that) into
 * sandbox/dist/test-build, which is fast and leaves `npm run sandbox`'s build alone.
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'fs';
import { request as httpsRequest } from 'https';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { parseArgs } from '../src/cli';
import { startSandbox } from '../src';

const SANDBOX = resolve(__dirname, '..');
const DIST = join(SANDBOX, 'dist', 'test-build', 'src');
const CLI = join(DIST, 'cli.js');
const children = new Set<ChildProcess>();
let dir: string;

/** Transpiles sandbox/src/*.ts to DIST in a plain node process (loading typescript under jest is slow). */
const TRANSPILE = `
const ts = require('typescript');
const fs = require('fs');
const path = require('path');
const [src, out] = process.argv.slice(1);
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
for (const name of fs.readdirSync(src).filter((n) => n.endsWith('.ts'))) {
	const js = ts.transpileModule(fs.readFileSync(path.join(src, name), 'utf8'), {
		compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
		fileName: name,
	});
	fs.writeFileSync(path.join(out, name.replace(/[.]ts$/, '.js')), js.outputText);
}`;

beforeAll(() => {
	execFileSync(process.execPath, ['-e', TRANSPILE, join(SANDBOX, 'src'), DIST], {
		cwd: resolve(SANDBOX, '..'),
		stdio: 'pipe',
	});
});
beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'sandbox-cli-'));
});
afterEach(() => {
	for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
	children.clear();
	rmSync(dir, { recursive: true, force: true });
});

interface Started {
	child: ChildProcess;
	output: () => string;
	baseUrl: string;
}

function exited(child: ChildProcess): Promise<number | null> {
	return new Promise((r) => {
		if (child.exitCode !== null || child.signalCode !== null) r(child.exitCode);
		else child.once('exit', (code) => r(code));
	});
}

function startCli(args: string[], timeoutMs = 10000): Promise<Started> {
	const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
	children.add(child);
	let out = '';
	child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
	child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
	return new Promise((resolvePromise, reject) => {
		const timer = setTimeout(
			() => reject(new Error(`CLI did not start in ${timeoutMs} ms: ${out}`)),
			timeoutMs,
		);
		const check = (): void => {
			const m = /Base URL: (https?:\/\/\S+)/.exec(out);
			if (m && /Token: /.test(out)) {
				clearTimeout(timer);
				resolvePromise({ child, output: () => out, baseUrl: m[1] });
			}
		};
		child.stdout?.on('data', check);
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`CLI exited with ${code}: ${out}`));
		});
	});
}

async function post(
	baseUrl: string,
	method: string,
	body: Record<string, unknown>,
): Promise<Record<string, unknown>> {
	const res = await fetch(`${baseUrl}/api/v1.1/${method}`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify(body),
	});
	return (await res.json()) as Record<string, unknown>;
}

describe('parseArgs', () => {
	it('has the documented defaults and reads every flag (also --flag=value)', () => {
		expect(parseArgs([])).toEqual({
			port: 8787,
			host: '127.0.0.1',
			token: 'sandbox-token',
			tls: false,
			quiet: false,
			help: false,
		});
		expect(
			parseArgs([
				'--port',
				'9000',
				'--token=T',
				'--seed',
				's.json',
				'--state',
				'st.json',
				'--quiet',
				'--host',
				'0.0.0.0',
				'--tls',
			]),
		).toEqual({
			port: 9000,
			host: '0.0.0.0',
			token: 'T',
			seed: 's.json',
			statePath: 'st.json',
			tls: true,
			quiet: true,
			help: false,
		});
	});

	it('rejects unknown flags, missing values and bad ports', () => {
		expect(() => parseArgs(['--nope'])).toThrow(/unknown option/);
		expect(() => parseArgs(['--token'])).toThrow(/needs a value/);
		expect(() => parseArgs(['--port', 'x'])).toThrow(/--port/);
		expect(() => parseArgs(['--port', '70000'])).toThrow(/--port/);
	});
});

describe('CLI process', () => {
	it('prints the base URL and token, serves the default seed, logs requests without the token, stops on SIGTERM', async () => {
		const s = await startCli(['--port', '0', '--token', 'cli-secret-token']);
		expect(s.output()).toMatch(/Token: +cli-secret-token/);
		const r = await post(s.baseUrl, 'promocodes/get', {
			token: 'cli-secret-token',
			loyalty_id: 1,
			code: 'WELCOME-0001',
		});
		expect(r.error).toBe(0);
		const denied = await post(s.baseUrl, 'promocodes/get', {
			token: 'sandbox-token',
			loyalty_id: 1,
			code: 'WELCOME-0001',
		});
		expect(denied.error).toBe(401);
		s.child.kill('SIGTERM');
		expect(await exited(s.child)).toBe(0);
		const log = s.output().split('Press Ctrl+C to stop.')[1];
		expect(log).toMatch(/POST \/api\/v1\.1\/promocodes\/get 200 error=0/);
		expect(log).not.toContain('cli-secret-token');
	});

	it('--state keeps state across restarts; --seed loads a seed file', async () => {
		const statePath = join(dir, 'state.json');
		const a = await startCli(['--port', '0', '--quiet', '--state', statePath]);
		const r = await post(a.baseUrl, 'promocodes/attach', {
			token: 'sandbox-token',
			loyalty_id: 1,
			db_id: 1,
			email: 'bob@example.com',
			code: 'WELCOME-0009',
		});
		expect(r.error).toBe(0);
		a.child.kill('SIGTERM');
		expect(await exited(a.child)).toBe(0);
		const b = await startCli(['--port', '0', '--quiet', '--seed', statePath]);
		const got = await post(b.baseUrl, 'promocodes/get', {
			token: 'sandbox-token',
			loyalty_id: 1,
			code: 'WELCOME-0009',
		});
		expect(got.data).toMatchObject({ is_attached: true, profile_id: '64b000000000000000000002' });
		b.child.kill('SIGTERM');
		await exited(b.child);
	});

	it('exits 1 with a message on a bad option or a bad seed; --help prints usage', async () => {
		const bad = spawn(process.execPath, [CLI, '--bogus'], { stdio: ['ignore', 'pipe', 'pipe'] });
		children.add(bad);
		let err = '';
		bad.stderr?.on('data', (d: Buffer) => (err += d.toString()));
		expect(await exited(bad)).toBe(1);
		expect(err).toMatch(/unknown option "--bogus"/);

		const seedless = spawn(
			process.execPath,
			[CLI, '--port', '0', '--seed', join(dir, 'absent.json')],
			{ stdio: ['ignore', 'pipe', 'pipe'] },
		);
		children.add(seedless);
		expect(await exited(seedless)).toBe(1);

		const help = execFileSync(process.execPath, [CLI, '--help']).toString();
		expect(help).toMatch(/--port N/);
	});
});

describe('CLI --tls', () => {
	it('serves HTTPS with a certificate a client can trust by its printed path; the file goes away on SIGTERM', async () => {
		const { child, output, baseUrl } = await startCli(['--port', '0', '--tls']);
		expect(baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
		const certPath = /TLS: .* in (\S+)/.exec(output())?.[1] ?? '';
		const ca = readFileSync(certPath, 'utf8');
		expect(ca).toContain('BEGIN CERTIFICATE');
		const body = await new Promise<string>((resolvePromise, reject) => {
			const req = httpsRequest(
				`${baseUrl}/api/v1.1/databases/list`,
				{ method: 'POST', ca, headers: { 'Content-Type': 'application/json' } },
				(res) => {
					let text = '';
					res.on('data', (d: Buffer) => (text += d.toString()));
					res.on('end', () => resolvePromise(text));
				},
			);
			req.on('error', reject);
			req.end(JSON.stringify({ token: 'sandbox-token' }));
		});
		expect(JSON.parse(body)).toMatchObject({ error: 0 });
		child.kill('SIGTERM');
		expect(await exited(child)).toBe(0);
		expect(existsSync(certPath)).toBe(false);
	});
});

describe('a writer killed in the middle of writing', () => {
	it('never leaves a corrupt state file', async () => {
		const target = join(dir, 'state.json');
		// A child rewrites the file (about 2 MB) as fast as it can with writeFileAtomic; we SIGKILL it mid-way.
		const script = `
			const { writeFileAtomic } = require(${JSON.stringify(join(DIST, 'persistence.js'))});
			const big = (n) => JSON.stringify({ $comment: 'x'.repeat(2e6), loyaltyPrograms: [{ id: n + 1 }] });
			let n = 0;
			(async () => { for (;;) { await writeFileAtomic(${JSON.stringify(target)}, big(n++)); if (n === 3) process.stdout.write('go\\n'); } })();
		`;
		const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
		children.add(child);
		await new Promise<void>((r) => child.stdout?.once('data', () => r()));
		await new Promise((r) => setTimeout(r, 37));
		child.kill('SIGKILL');
		await exited(child);
		const parsed = JSON.parse(readFileSync(target, 'utf8')) as {
			$comment: string;
			loyaltyPrograms: Array<{ id: number }>;
		};
		expect(parsed.loyaltyPrograms[0].id).toBeGreaterThanOrEqual(3);
		expect(parsed.$comment).toHaveLength(2e6);
		// A sandbox started on that path loads the complete file and removes any temp file left behind.
		const sb = await startSandbox({ port: 0, statePath: target });
		try {
			expect(sb.getState().loyaltyPrograms).toEqual([
				expect.objectContaining({ id: parsed.loyaltyPrograms[0].id }),
			]);
		} finally {
			await sb.stop();
		}
		expect(readdirSync(dir)).toEqual(['state.json']);
	});
});
