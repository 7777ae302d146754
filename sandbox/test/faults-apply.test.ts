/**
 * Faults that tell "refused" from "applied, answer lost": hang, resetBeforeApply /
 * resetAfterApply, afterApply on 5xx pages; Retry-After as a date; 504; skip.
 */
import { request } from 'http';
import { Sandbox, startSandbox } from '../src';
import { call } from './helpers';

let sb: Sandbox;
beforeAll(async () => {
	sb = await startSandbox({ port: 0 });
});
afterAll(async () => {
	await sb.stop();
});
beforeEach(() => sb.reset());

const attach = { loyalty_id: 1, db_id: 1, email: 'alice@example.com', code: 'WELCOME-0001' };
const holders = (code = 'WELCOME-0001', program = 1) =>
	sb.getCode(program, code)?.attachments.map((a) => a.profileId) ?? [];
const ALICE = '64b000000000000000000001';

/** POST with a client-side timeout; resolves how the request ended. */
function post(
	path: string,
	body: unknown,
	timeoutMs: number,
	headers: Record<string, string> = {},
): Promise<{ outcome: 'answered' | 'timeout' | 'error'; ms: number; status?: number }> {
	const t0 = Date.now();
	return new Promise((resolve) => {
		const req = request(
			`${sb.baseUrl}/api/v1.1/${path}`,
			{ method: 'POST', agent: false, headers: { 'Content-Type': 'application/json', ...headers } },
			(res) => {
				res.resume();
				res.on('end', () =>
					resolve({ outcome: 'answered', ms: Date.now() - t0, status: res.statusCode }),
				);
			},
		);
		req.setTimeout(timeoutMs, () => {
			req.destroy();
			resolve({ outcome: 'timeout', ms: Date.now() - t0 });
		});
		req.on('error', () => resolve({ outcome: 'error', ms: Date.now() - t0 }));
		req.end(JSON.stringify({ token: sb.token, ...(body as object) }));
	});
}

const waitFor = async (cond: () => boolean, ms = 2000): Promise<void> => {
	const end = Date.now() + ms;
	while (!cond()) {
		if (Date.now() > end) throw new Error('condition not reached');
		await new Promise((r) => setTimeout(r, 10));
	}
};

describe('reset before / after apply', () => {
	it.each(['reset', 'resetBeforeApply'] as const)(
		'%s: connection dropped, nothing applied',
		async (kind) => {
			sb.injectFault(kind);
			await expect(call(sb, 'promocodes/attach', attach)).rejects.toThrow();
			expect(holders()).toEqual([]);
			expect(sb.requests[0]).toMatchObject({ fault: kind });
			expect(sb.requests[0].status).toBeUndefined();
			expect(sb.requests[0].appliedError).toBeUndefined();
		},
	);

	it('resetAfterApply: the attach is made, then the connection is dropped', async () => {
		sb.injectFault('resetAfterApply', { path: 'promocodes/attach' });
		await expect(call(sb, 'promocodes/attach', attach)).rejects.toThrow();
		expect(holders()).toEqual([ALICE]);
		expect(sb.requests[0]).toMatchObject({ fault: 'resetAfterApply', appliedError: 0 });
		expect(sb.requests[0].status).toBeUndefined();
		// Reading back tells the client what happened.
		const got = await call(sb, 'promocodes/get', { loyalty_id: 1, code: 'WELCOME-0001' });
		expect(got.body.data).toMatchObject({ is_attached: true, profile_id: ALICE });
	});

	it('resetAfterApply of an attach without a code consumes exactly one free code', async () => {
		sb.injectFault('resetAfterApply');
		await expect(
			call(sb, 'promocodes/attach', { loyalty_id: 4, db_id: 1, email: 'customer01@example.com' }),
		).rejects.toThrow();
		const taken =
			sb
				.getState()
				.loyaltyPrograms.find((p) => p.id === 4)
				?.codes.filter((c) => c.attachments.length > 0) ?? [];
		expect(taken.map((c) => [c.code, c.attachments[0].profileId])).toEqual([
			['SHOP-0001', '64c000000000000000000001'],
		]);
	});

	it('resetAfterApply of a request that fails applies nothing (appliedError says why)', async () => {
		sb.injectFault('resetAfterApply');
		await expect(
			call(sb, 'promocodes/attach', { ...attach, email: 'nobody@example.com' }),
		).rejects.toThrow();
		expect(sb.requests[0].appliedError).toBe(404);
		expect(holders()).toEqual([]);
	});

	it('the header form works too', async () => {
		await expect(
			call(sb, 'promocodes/attach', attach, { headers: { 'X-Sandbox-Fault': 'resetAfterApply' } }),
		).rejects.toThrow();
		expect(holders()).toEqual([ALICE]);
	});
});

describe('hang', () => {
	it('hang: the request is read and never answered; nothing applied; the socket is released when the client gives up', async () => {
		sb.injectFault('hang');
		const r = await post('promocodes/attach', attach, 300);
		expect(r.outcome).toBe('timeout');
		expect(r.ms).toBeGreaterThanOrEqual(290);
		expect(holders()).toEqual([]);
		expect(sb.requests[0].rawBody).toContain('WELCOME-0001');
		await waitFor(() => sb.stats().connectionsOpen === 0 && sb.stats().inFlight === 0);
		// The next request is served normally.
		expect((await post('promocodes/attach', attach, 2000)).status).toBe(200);
	});

	it('hangAfterApply: applied, never answered', async () => {
		sb.injectFault('hangAfterApply');
		expect((await post('promocodes/attach', attach, 200)).outcome).toBe('timeout');
		expect(holders()).toEqual([ALICE]);
		expect(sb.requests[0]).toMatchObject({ fault: 'hangAfterApply', appliedError: 0 });
	});

	it('delay: a client that gives up before the wait ends leaves the state unchanged', async () => {
		sb.injectFault({ kind: 'delay', ms: 300 });
		expect((await post('promocodes/attach', attach, 100)).outcome).toBe('timeout');
		await new Promise((r) => setTimeout(r, 400));
		expect(holders()).toEqual([]);
	});

	it('stop() returns promptly while requests hang', async () => {
		const other = await startSandbox({ port: 0 });
		other.injectFault('hang', { count: 3 });
		const pending = [1, 2, 3].map(
			() =>
				new Promise<string>((resolve) => {
					const req = request(
						`${other.baseUrl}/api/v1.1/databases/list`,
						{ method: 'POST', agent: false },
						() => resolve('answered'),
					);
					req.on('error', () => resolve('closed'));
					req.end('{}');
				}),
		);
		await new Promise((r) => setTimeout(r, 100));
		expect(other.stats().inFlight).toBe(3);
		const t0 = Date.now();
		await other.stop();
		expect(await Promise.all(pending)).toEqual(['closed', 'closed', 'closed']);
		expect(Date.now() - t0).toBeLessThan(1000);
	});
});

describe('5xx as envelopes and HTML pages, before or after apply', () => {
	it.each([
		['status502', 502],
		['status503', 503],
		['status504', 504],
	] as const)('%s envelope: HTTP %i, nothing applied', async (kind, status) => {
		sb.injectFault(kind);
		const r = await call(sb, 'promocodes/attach', attach);
		expect([r.status, r.body.error]).toEqual([status, status]);
		expect(r.headers.get('content-type')).toContain('application/json');
		expect(holders()).toEqual([]);
	});

	it('status504 envelope text', async () => {
		sb.injectFault('status504');
		expect((await call(sb, 'databases/list')).body).toEqual({
			data: null,
			error: 504,
			error_text: 'Gateway timeout',
		});
	});

	it.each([502, 503, 504])('html %i: a proxy page, nothing applied', async (status) => {
		sb.injectFault({ kind: 'html', status });
		const r = await call(sb, 'promocodes/attach', attach);
		expect(r.status).toBe(status);
		expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
		expect(r.text).toMatch(new RegExp(`<title>${status} `));
		expect(holders()).toEqual([]);
	});

	it('afterApply: the attach is made and the client still sees 504 / a 502 page', async () => {
		sb.injectFault({ kind: 'status504', afterApply: true });
		expect((await call(sb, 'promocodes/attach', attach)).status).toBe(504);
		expect(holders()).toEqual([ALICE]);
		const r = await call(
			sb,
			'promocodes/attach',
			{ ...attach, code: 'WELCOME-0002' },
			{ headers: { 'X-Sandbox-Fault': 'html=502; afterApply' } },
		);
		expect(r.status).toBe(502);
		expect(holders('WELCOME-0002')).toEqual([ALICE]);
		expect(sb.requests.map((q) => [q.fault, q.appliedError])).toEqual([
			['status504', 0],
			['html', 0],
		]);
	});

	it('afterApply is refused where it makes no sense', () => {
		expect(() => sb.injectFault({ kind: 'html', afterApply: 'yes' } as never)).toThrow(
			/afterApply/,
		);
	});
});

describe('429 Retry-After', () => {
	it('as seconds (default 1) and as an HTTP date', async () => {
		sb.injectFault('status429');
		sb.injectFault({ kind: 'status429', retryAfter: 3, retryAfterDate: true });
		expect((await call(sb, 'databases/list')).headers.get('retry-after')).toBe('1');
		const before = Date.now();
		const r = await call(sb, 'databases/list');
		expect(r.status).toBe(429);
		const header = r.headers.get('retry-after') ?? '';
		expect(header).toMatch(/^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$/);
		const waitMs = Date.parse(header) - before;
		expect(waitMs).toBeGreaterThanOrEqual(3000);
		expect(waitMs).toBeLessThanOrEqual(5000);
	});

	it('header forms 429=5 and 429=date:5', async () => {
		expect(
			(
				await call(sb, 'databases/list', {}, { headers: { 'X-Sandbox-Fault': '429=5' } })
			).headers.get('retry-after'),
		).toBe('5');
		const d = (
			await call(sb, 'databases/list', {}, { headers: { 'X-Sandbox-Fault': '429=date:5' } })
		).headers.get('retry-after');
		expect(d).toMatch(/GMT$/);
	});
});

describe('count, path and skip', () => {
	it('skip faults the 3rd attach only, and other paths do not count', async () => {
		sb.injectFault('resetAfterApply', { path: 'promocodes/attach', skip: 2 });
		const codes = ['WELCOME-0001', 'WELCOME-0002', 'WELCOME-0003', 'WELCOME-0004'];
		const outcomes: string[] = [];
		for (const code of codes) {
			await call(sb, 'promocodes/get', { loyalty_id: 1, code });
			outcomes.push(
				await call(sb, 'promocodes/attach', { ...attach, code }).then(
					(r) => String(r.status),
					() => 'dropped',
				),
			);
		}
		expect(outcomes).toEqual(['200', '200', 'dropped', '200']);
		expect(codes.map((c) => holders(c))).toEqual([[ALICE], [ALICE], [ALICE], [ALICE]]);
		expect(sb.pendingFaults()).toEqual([]);
	});

	it('count with hang and resetAfterApply; pendingFaults shows skip', async () => {
		sb.injectFault('status503', { count: 2, skip: 1 });
		expect(sb.pendingFaults()).toEqual([{ fault: { kind: 'status503' }, remaining: 2, skip: 1 }]);
		const statuses = [];
		for (let i = 0; i < 4; i++) statuses.push((await call(sb, 'databases/list')).status);
		expect(statuses).toEqual([200, 503, 503, 200]);
		sb.injectFault('hang', { count: 2, path: 'promocodes/get' });
		const got = { loyalty_id: 1, code: 'WELCOME-0001' };
		expect((await post('promocodes/get', got, 150)).outcome).toBe('timeout');
		expect((await post('promocodes/get', got, 150)).outcome).toBe('timeout');
		expect((await post('promocodes/get', got, 2000)).status).toBe(200);
	});

	it('over the control endpoint with skip', async () => {
		const r = await fetch(`${sb.baseUrl}/__sandbox/faults`, {
			method: 'POST',
			body: JSON.stringify({
				fault: { kind: 'status502', afterApply: true },
				path: 'promocodes/attach',
				skip: 1,
			}),
		});
		expect(r.status).toBe(200);
		expect((await call(sb, 'promocodes/attach', attach)).status).toBe(200);
		expect((await call(sb, 'promocodes/attach', { ...attach, code: 'WELCOME-0002' })).status).toBe(
			502,
		);
		expect(holders('WELCOME-0002')).toEqual([ALICE]);
	});
});
