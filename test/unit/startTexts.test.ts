/**
 * What `npm start` tells a newcomer: the demo customers as a range, free codes left and how to get them
 * back, "(demo seed)" only when the seed was loaded; and who holds a busy port.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describeEmails, demoData, demoLines } from '../../scripts/lib/demo';
import { describePortHolder, findPortHolder, writeStartPids } from '../../scripts/lib/port-holder';
import { defaultSeedPath, normalizeSeed, type SandboxState } from '../../sandbox/src';

const seedState = (): SandboxState =>
	normalizeSeed(JSON.parse(readFileSync(defaultSeedPath(), 'utf8')), new Date()) as SandboxState;

test('the default seed is described as its named customers and the numbered range', () => {
	const demo = demoData(seedState());
	expect(demo.emails).toHaveLength(63);
	expect(describeEmails(demo.emails)).toBe(
		'alice@example.com, bob@example.com, carol@example.com and customer01@example.com … customer60@example.com',
	);
	expect(demo.program).toMatchObject({ id: 4, freeCodes: 200, codes: 200 });
});

test('"(demo seed)" only when the seed was loaded; the state URL always; reset advice when no code is left', () => {
	const state = seedState();
	const options = {
		stateUrl: 'http://127.0.0.1:8787/__sandbox/state',
		stateFile: '.n8n-runtime/start/sandbox-state.json',
	};
	const fresh = demoLines(demoData(state), { ...options, seedLoaded: true }).join('\n');
	expect(fresh).toContain('(demo seed, loaded now)');
	expect(fresh).toContain('200 of 200 codes free');
	expect(fresh).toContain('http://127.0.0.1:8787/__sandbox/state');
	expect(fresh).toContain('63 profiles');
	const program = state.loyaltyPrograms.find((p) => p.id === 4);
	for (const code of program?.codes ?? [])
		code.attachments.push({
			databaseId: 1,
			profileId: 'x',
			attached: '2024-01-01T00:00:00Z',
		} as never);
	const used = demoLines(demoData(state), { ...options, seedLoaded: false }).join('\n');
	expect(used).not.toContain('demo seed, loaded now');
	expect(used).toContain('kept from earlier runs in .n8n-runtime/start/sandbox-state.json');
	expect(used).toContain('0 of 200 codes free');
	expect(used).toContain('No free codes left');
	expect(used).toContain('npm start -- --reset-sandbox');
});

describe('a busy port names its holder', () => {
	let server: net.Server;
	let port: number;
	let dir: string;
	beforeAll(async () => {
		server = net.createServer();
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		port = (server.address() as net.AddressInfo).port;
		dir = mkdtempSync(path.join(os.tmpdir(), 'port-holder-'));
	});
	afterAll(async () => {
		await new Promise((resolve) => server.close(resolve));
		rmSync(dir, { recursive: true, force: true });
	});

	const linuxOnly = process.platform === 'linux' ? test : test.skip;
	linuxOnly('the PID and command, and that no npm start of this project started it', () => {
		expect(findPortHolder(port)?.pid).toBe(process.pid);
		const text = describePortHolder(port, path.join(dir, 'none.json'));
		expect(text).toContain(`127.0.0.1:${port} is already in use by PID ${process.pid}`);
		expect(text).toContain("not started by this project's `npm start`");
	});
	linuxOnly('a still-running npm start of this project, from its pid file', () => {
		const pidFile = path.join(dir, 'pids.json');
		writeStartPids(pidFile, {
			script: process.pid,
			n8nPort: port,
			startedAt: '2026-12-06T21:00:00.000Z',
		});
		expect(describePortHolder(port, pidFile)).toContain(
			'an `npm start` of this project started at 2026-12-06T21:00:00.000Z is still running',
		);
	});
	linuxOnly('an n8n left behind by an npm start that is gone', () => {
		const pidFile = path.join(dir, 'pids-n8n.json');
		writeStartPids(pidFile, {
			script: 999_999_999,
			n8n: process.pid,
			n8nPort: port,
			startedAt: '2026-12-06T21:00:00.000Z',
		});
		const text = describePortHolder(port, pidFile);
		expect(text).toContain('the n8n that an earlier `npm start` of this project started');
		expect(text).toContain(`\`kill -TERM -${process.pid}\``);
	});
});
