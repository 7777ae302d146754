/** Fault injection: every kind, programmatically, per request (header) and over the control endpoint. */
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

describe('programmatic faults', () => {
	it('status429 with Retry-After, then the next request is normal', async () => {
		sb.injectFault({ kind: 'status429', retryAfter: 7 });
		const r = await call(sb, 'promocodes/get', { loyalty_id: 1, code: 'WELCOME-0001' });
		expect(r.status).toBe(429);
		expect(r.headers.get('retry-after')).toBe('7');
		expect(r.body).toEqual({ data: null, error: 429, error_text: 'Too many requests' });
		expect((await call(sb, 'promocodes/get', { loyalty_id: 1, code: 'WELCOME-0001' })).status).toBe(
			200,
		);
		expect(sb.requests.map((q) => q.fault)).toEqual(['status429', undefined]);
	});

	it.each([
		['status500', 500],
		['status502', 502],
		['status503', 503],
	] as const)('%s answers HTTP %i with an envelope and changes nothing', async (kind, status) => {
		sb.injectFault(kind);
		const r = await call(sb, 'promocodes/attach', attach);
		expect(r.status).toBe(status);
		expect(r.body.error).toBe(status);
		expect(sb.getCode(1, 'WELCOME-0001')?.attachments).toHaveLength(0);
	});

	it('count applies the fault to the next N requests', async () => {
		sb.injectFault('status503', { count: 2 });
		const statuses = [];
		for (let i = 0; i < 3; i++) statuses.push((await call(sb, 'databases/list')).status);
		expect(statuses).toEqual([503, 503, 200]);
		expect(sb.pendingFaults()).toEqual([]);
	});

	it('path limits the fault to one endpoint (with or without prefix and slashes)', async () => {
		sb.injectFault('status500', { path: 'promocodes/attach' });
		sb.injectFault('status502', { path: '/api/v1.1/databases/list/' });
		expect((await call(sb, 'promocodes/get', { loyalty_id: 1, code: 'WELCOME-0001' })).status).toBe(
			200,
		);
		expect(
			(await call(sb, 'promocodes/attach', attach, { path: 'promocodes/attach/' })).status,
		).toBe(500);
		expect((await call(sb, 'databases/list')).status).toBe(502);
		expect((await call(sb, 'promocodes/attach', attach)).status).toBe(200);
	});

	it('reset destroys the connection without an answer', async () => {
		sb.injectFault('reset');
		await expect(call(sb, 'promocodes/attach', attach)).rejects.toThrow();
		expect(sb.getCode(1, 'WELCOME-0001')?.attachments).toHaveLength(0);
		expect(sb.requests[0].status).toBeUndefined();
		expect((await call(sb, 'promocodes/attach', attach)).status).toBe(200);
	});

	it('delay waits, then answers normally', async () => {
		sb.injectFault({ kind: 'delay', ms: 150 });
		const t0 = Date.now();
		const r = await call(sb, 'promocodes/attach', attach);
		expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
		expect(r.body.error).toBe(0);
		expect(sb.getCode(1, 'WELCOME-0001')?.attachments).toHaveLength(1);
	});

	it('malformed sends a truncated body on HTTP 200 (JSON and XML)', async () => {
		sb.injectFault('malformed', { count: 2 });
		const j = await call(sb, 'promocodes/get', { loyalty_id: 1, code: 'WELCOME-0001' });
		expect(j.status).toBe(200);
		expect(j.headers.get('content-type')).toContain('application/json');
		expect(() => JSON.parse(j.text) as unknown).toThrow();
		const x = await fetch(`${sb.baseUrl}/api/v1.1/promocodes/get`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/xml' },
			body: `<xml><token>${sb.token}</token><format>xml</format></xml>`,
		});
		const text = await x.text();
		expect(text.startsWith('<xml>')).toBe(true);
		expect(text.endsWith('</xml>')).toBe(false);
	});

	it('html sends an HTML error page (502 by default, status configurable)', async () => {
		sb.injectFault('html');
		sb.injectFault({ kind: 'html', status: 504 });
		const a = await call(sb, 'promocodes/get', { loyalty_id: 1, code: 'WELCOME-0001' });
		expect(a.status).toBe(502);
		expect(a.headers.get('content-type')).toBe('text/html; charset=utf-8');
		expect(a.text).toContain('<title>502 Bad Gateway</title>');
		expect((await call(sb, 'promocodes/get', { loyalty_id: 1, code: 'WELCOME-0001' })).status).toBe(
			504,
		);
	});

	it('apiError answers HTTP 200 with error != 0, in the requested format', async () => {
		sb.injectFault('apiError');
		sb.injectFault({ kind: 'apiError', error: 403, errorText: 'No access' });
		const a = await call(sb, 'promocodes/attach', attach);
		expect([a.status, a.body.error, a.body.error_text]).toEqual([200, 500, 'Internal error']);
		const b = await call(sb, 'promocodes/attach', { ...attach, format: 'xml' }, { xml: true });
		expect(b.text).toBe('<xml><data/><error>403</error><error_text>No access</error_text></xml>');
		expect(sb.getCode(1, 'WELCOME-0001')?.attachments).toHaveLength(0);
	});

	it('clearFaults and reset drop pending faults; bad faults are rejected', async () => {
		sb.injectFault('status500', { count: 5 });
		sb.clearFaults();
		expect((await call(sb, 'databases/list')).status).toBe(200);
		sb.injectFault('status500');
		sb.reset();
		expect((await call(sb, 'databases/list')).status).toBe(200);
		expect(() => sb.injectFault({ kind: 'nope' } as never)).toThrow(/unknown fault kind/);
		expect(() => sb.injectFault('status500', { count: 0 })).toThrow(/count/);
	});
});

describe('X-Sandbox-Fault header (one request)', () => {
	it.each([
		['503', 503],
		['status500', 500],
		['429=2', 429],
		['html=503', 503],
		['apiError=402', 200],
	])('%s → HTTP %i', async (header, status) => {
		const r = await call(sb, 'promocodes/attach', attach, {
			headers: { 'X-Sandbox-Fault': header },
		});
		expect(r.status).toBe(status);
		if (header === '429=2') expect(r.headers.get('retry-after')).toBe('2');
		if (header === 'apiError=402') expect(r.body.error).toBe(402);
		expect(sb.getCode(1, 'WELCOME-0001')?.attachments).toHaveLength(0);
	});

	it('delay=ms and reset work per request; a bad header is a 400', async () => {
		const r = await call(
			sb,
			'promocodes/get',
			{ loyalty_id: 1, code: 'WELCOME-0001' },
			{ headers: { 'X-Sandbox-Fault': 'delay=50' } },
		);
		expect(r.body.error).toBe(0);
		await expect(
			call(sb, 'databases/list', {}, { headers: { 'X-Sandbox-Fault': 'reset' } }),
		).rejects.toThrow();
		const bad = await call(sb, 'databases/list', {}, { headers: { 'X-Sandbox-Fault': 'explode' } });
		expect(bad.body.error).toBe(400);
		expect(String(bad.body.error_text)).toMatch(/unknown fault kind/);
		const m = await call(sb, 'databases/list', {}, { headers: { 'X-Sandbox-Fault': 'malformed' } });
		expect(() => JSON.parse(m.text) as unknown).toThrow();
	});

	it('the header does not use up queued faults', async () => {
		sb.injectFault('status502');
		expect(
			(await call(sb, 'databases/list', {}, { headers: { 'X-Sandbox-Fault': '500' } })).status,
		).toBe(500);
		expect((await call(sb, 'databases/list')).status).toBe(502);
	});
});

describe('POST /__sandbox/faults', () => {
	const post = (body: unknown, method = 'POST') =>
		fetch(`${sb.baseUrl}/__sandbox/faults`, {
			method,
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify(body),
		});

	it('queues faults for out-of-process tests; GET lists, DELETE clears', async () => {
		const r = await post({
			faults: [
				{ fault: { kind: 'status429', retryAfter: 1 }, count: 2, path: 'promocodes/get' },
				{ fault: 'html' },
			],
		});
		expect(r.status).toBe(200);
		const listed = (await (await fetch(`${sb.baseUrl}/__sandbox/faults`)).json()) as {
			pending: unknown[];
		};
		expect(listed.pending).toEqual([
			{ fault: { kind: 'status429', retryAfter: 1 }, remaining: 2, path: 'promocodes/get' },
			{ fault: { kind: 'html' }, remaining: 1 },
		]);
		expect((await call(sb, 'databases/list')).status).toBe(502);
		expect((await call(sb, 'promocodes/get', { loyalty_id: 1, code: 'WELCOME-0001' })).status).toBe(
			429,
		);
		await fetch(`${sb.baseUrl}/__sandbox/faults`, { method: 'DELETE' });
		expect((await call(sb, 'promocodes/get', { loyalty_id: 1, code: 'WELCOME-0001' })).status).toBe(
			200,
		);
	});

	it('rejects an invalid fault with HTTP 400', async () => {
		const r = await post({ fault: { kind: 'delay', ms: -1 } });
		expect(r.status).toBe(400);
		expect(((await r.json()) as { error: string }).error).toMatch(/ms must be/);
	});
});

describe('stop while a delayed request is pending', () => {
	it('stops promptly', async () => {
		const other = await startSandbox({ port: 0 });
		other.injectFault({ kind: 'delay', ms: 60000 });
		const pending = new Promise<string>((resolve) => {
			const req = request(`${other.baseUrl}/api/v1.1/databases/list`, { method: 'POST' }, () =>
				resolve('answered'),
			);
			req.on('error', () => resolve('closed'));
			req.end('{}');
		});
		await new Promise((r) => setTimeout(r, 50));
		const t0 = Date.now();
		await other.stop();
		expect(await pending).toBe('closed');
		expect(Date.now() - t0).toBeLessThan(2000);
	});
});
