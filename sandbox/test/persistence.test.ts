/** --state persistence: atomic writes, survival across restarts, leftovers of a crashed write. */
import {
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { normalizeSeed, startSandbox } from '../src';
import { writeFileAtomic } from '../src/persistence';
import { call, ok } from './helpers';

let dir: string;
beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'sandbox-state-'));
});
afterEach(() => {
	rmSync(dir, { recursive: true, force: true });
});

const attach = { loyalty_id: 1, db_id: 1, email: 'alice@example.com', code: 'WELCOME-0001' };

describe('writeFileAtomic', () => {
	it('writes the file and leaves no temp file', async () => {
		const target = join(dir, 'a.json');
		await writeFileAtomic(target, '{"v":1}');
		await writeFileAtomic(target, '{"v":2}');
		expect(readFileSync(target, 'utf8')).toBe('{"v":2}');
		expect(readdirSync(dir)).toEqual(['a.json']);
	});

	it('keeps the old file and removes its temp file when the rename fails', async () => {
		const target = join(dir, 'target');
		mkdirSync(target);
		writeFileSync(join(target, 'keep'), 'x');
		await expect(writeFileAtomic(target, 'new')).rejects.toThrow();
		expect(readdirSync(dir)).toEqual(['target']);
		expect(readFileSync(join(target, 'keep'), 'utf8')).toBe('x');
	});
});

describe('startSandbox({ statePath })', () => {
	it('state survives a restart; the file is a valid seed', async () => {
		const statePath = join(dir, 'state.json');
		const a = await startSandbox({ port: 0, statePath });
		await ok(a, 'promocodes/attach', attach);
		await ok(a, 'promocodes/import', { loyalty_id: 2, codes: ['VIP-NEW'] });
		await a.stop();
		const saved = JSON.parse(readFileSync(statePath, 'utf8')) as unknown;
		expect(() => normalizeSeed(saved)).not.toThrow();
		expect(JSON.stringify(saved)).not.toContain('sandbox-token');

		const b = await startSandbox({ port: 0, statePath });
		try {
			expect(b.getCode(1, 'WELCOME-0001')?.attachments).toHaveLength(1);
			expect(b.getCode(2, 'VIP-NEW')).toBeDefined();
			const r = await call(b, 'promocodes/attach', attach);
			expect(r.body.error).toBe(409);
		} finally {
			await b.stop();
		}
	});

	it('creates the file from the seed when it does not exist; reset saves the seed state', async () => {
		const statePath = join(dir, 'fresh.json');
		const sb = await startSandbox({ port: 0, statePath });
		await sb.flushState();
		expect(existsSync(statePath)).toBe(true);
		await ok(sb, 'promocodes/attach', attach);
		sb.reset();
		await sb.stop();
		const saved = JSON.parse(readFileSync(statePath, 'utf8')) as {
			loyaltyPrograms: Array<{ codes: Array<{ attachments: unknown[] }> }>;
		};
		expect(saved.loyaltyPrograms[0].codes[0].attachments).toEqual([]);
	});

	it('many quick changes are coalesced and the last one wins', async () => {
		const statePath = join(dir, 'burst.json');
		const sb = await startSandbox({ port: 0, statePath });
		await Promise.all(
			Array.from({ length: 40 }, (_, i) =>
				ok(sb, 'promocodes/import', { loyalty_id: 1, codes: [`BURST-${i}`] }),
			),
		);
		await sb.flushState();
		const saved = JSON.parse(readFileSync(statePath, 'utf8')) as {
			loyaltyPrograms: Array<{ codes: unknown[] }>;
		};
		expect(saved.loyaltyPrograms[0].codes).toHaveLength(50);
		await sb.stop();
		expect(readdirSync(dir)).toEqual(['burst.json']);
	});

	it('ignores and removes a partial temp file left by a crashed write', async () => {
		const statePath = join(dir, 'state.json');
		const a = await startSandbox({ port: 0, statePath });
		await ok(a, 'promocodes/attach', attach);
		await a.stop();
		const leftover = join(dir, '.state.json.4242.deadbeef0000.tmp');
		writeFileSync(leftover, '{"databases":[{"id":1,"na');
		const b = await startSandbox({ port: 0, statePath });
		try {
			expect(b.getCode(1, 'WELCOME-0001')?.attachments).toHaveLength(1);
			expect(existsSync(leftover)).toBe(false);
		} finally {
			await b.stop();
		}
	});

	it('refuses to start on a corrupt state file instead of overwriting it', async () => {
		const statePath = join(dir, 'state.json');
		writeFileSync(statePath, '{"databases": [');
		await expect(startSandbox({ port: 0, statePath })).rejects.toThrow(/not valid JSON/);
		expect(readFileSync(statePath, 'utf8')).toBe('{"databases": [');
	});

	it('reports a write error without crashing the server', async () => {
		const statePath = join(dir, 'missing-dir', 'state.json');
		const errors: Error[] = [];
		const sb = await startSandbox({ port: 0, statePath, onError: (e) => errors.push(e) });
		await ok(sb, 'promocodes/attach', attach);
		await sb.stop();
		expect(errors.length).toBeGreaterThan(0);
	});
});
