/** Wire formats, paths, auth, the request log and the control endpoints. */
import { Sandbox, startSandbox } from '../src';
import { call, fails } from './helpers';

let sb: Sandbox;
beforeAll(async () => {
	sb = await startSandbox({ port: 0, token: 'wire-token', maxRequestLog: 5 });
});
afterAll(async () => {
	await sb.stop();
});
beforeEach(() => sb.reset());

async function raw(
	path: string,
	init: RequestInit = {},
): Promise<{ status: number; text: string; json: Record<string, unknown> }> {
	const res = await fetch(`${sb.baseUrl}${path}`, { method: 'POST', ...init });
	const text = await res.text();
	let json: Record<string, unknown> = {};
	try {
		json = JSON.parse(text) as Record<string, unknown>;
	} catch {
		// not JSON
	}
	return { status: res.status, text, json };
}

describe('paths', () => {
	it.each([
		'promocodes/import',
		'promocodes/get',
		'promocodes/activate',
		'promocodes/update',
		'promocodes/attach',
		'promocodes/detach',
		'promocodes/export_all',
		'databases/list',
	])('%s answers with and without a trailing slash', async (method) => {
		for (const path of [method, `${method}/`]) {
			const r = await call(sb, method, { loyalty_id: 1 }, { path });
			expect(r.status).toBe(200);
			expect(typeof r.body.error).toBe('number');
			expect(r.body.error).not.toBe(404);
		}
	});

	it('a double slash (as some clients send) is the same path', async () => {
		const r = await raw('/api/v1.1//databases/list/', {
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ token: 'wire-token' }),
		});
		expect(r.json.error).toBe(0);
	});

	it('unknown path → HTTP 404, non-POST → HTTP 405', async () => {
		const unknown = await raw('/api/v1.1/promocodes/nope', {
			body: '{}',
			headers: { 'Content-Type': 'application/json' },
		});
		expect([unknown.status, unknown.json.error]).toEqual([404, 404]);
		const get = await fetch(`${sb.baseUrl}/api/v1.1/promocodes/get`);
		expect(get.status).toBe(405);
		expect(get.headers.get('allow')).toBe('POST');
	});
});

describe('auth', () => {
	const body = { loyalty_id: 1, code: 'WELCOME-0001' };
	it.each([
		['JSON', {}, {}],
		['XML', { format: 'xml' }, { xml: true }],
	] as const)('%s: missing or wrong token gets error 401 on HTTP 200', async (_n, fmt, opts) => {
		const missing = await call(
			sb,
			'promocodes/get',
			{ ...body, ...fmt },
			{ ...opts, noToken: true },
		);
		expect(missing.status).toBe(200);
		expect([Number(missing.body.error), missing.body.error_text]).toEqual([
			401,
			'API token required',
		]);
		const wrong = await call(
			sb,
			'promocodes/get',
			{ ...body, ...fmt, token: 'nope' },
			{ ...opts, noToken: true },
		);
		expect([Number(wrong.body.error), wrong.body.error_text]).toEqual([401, 'Invalid API token']);
		expect(wrong.text).not.toContain('wire-token');
		const good = await call(sb, 'promocodes/get', { ...body, ...fmt }, opts);
		expect(Number(good.body.error)).toBe(0);
	});

	it('accepts Authorization: Bearer and ?token=', async () => {
		const bearer = await call(sb, 'promocodes/get', body, {
			noToken: true,
			headers: { Authorization: 'Bearer wire-token' },
		});
		expect(bearer.body.error).toBe(0);
		const q = await raw('/api/v1.1/promocodes/get?token=wire-token', {
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify(body),
		});
		expect(q.json.error).toBe(0);
		const badBearer = await call(sb, 'promocodes/get', body, {
			noToken: true,
			headers: { Authorization: 'Bearer x' },
		});
		expect(badBearer.body.error).toBe(401);
	});

	it('a non-string token is invalid, not a crash', async () => {
		expect(await fails(sb, 'promocodes/get', { ...body, token: 123 }, { noToken: true })).toEqual([
			401,
			'Invalid API token',
		]);
	});
});

describe('request bodies and the format parameter', () => {
	it('XML values arrive as strings and are coerced (numbers, booleans)', async () => {
		await call(
			sb,
			'promocodes/attach',
			{ loyalty_id: 1, db_id: 1, email: 'alice@example.com', code: 'WELCOME-0001' },
			{ xml: true },
		);
		const r = await call(
			sb,
			'promocodes/update',
			{ loyalty_id: '1', code: 'WELCOME-0001', activated: 'true', format: 'xml' },
			{ xml: true },
		);
		expect(r.text).toBe(
			'<xml><data/><error>0</error><error_text>Successful operation</error_text></xml>',
		);
		expect(sb.requests.at(-1)?.body).toEqual({
			token: 'wire-token',
			loyalty_id: '1',
			code: 'WELCOME-0001',
			activated: 'true',
			format: 'xml',
		});
		expect(sb.getCode(1, 'WELCOME-0001')?.activated).not.toBeNull();
	});

	it('format is json by default, xml on request, anything else is a 400 in JSON', async () => {
		const bad = await call(sb, 'promocodes/get', {
			loyalty_id: 1,
			code: 'WELCOME-0001',
			format: 'yaml',
		});
		expect(bad.body.error).toBe(400);
		expect(String(bad.body.error_text)).toMatch(/format must be/);
		const q = await raw('/api/v1.1/promocodes/get?format=xml', {
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ token: 'wire-token', loyalty_id: 1, code: 'WELCOME-0001' }),
		});
		expect(q.text.startsWith('<xml><data>')).toBe(true);
	});

	it('the response format follows `format`, not the request Content-Type', async () => {
		const r = await call(
			sb,
			'promocodes/get',
			{ loyalty_id: 1, code: 'WELCOME-0001' },
			{ xml: true },
		);
		expect(r.text.startsWith('{"data"')).toBe(true);
	});

	it.each([
		['invalid JSON', 'application/json', '{"token":'],
		['a JSON array', 'application/json', '[1]'],
		['invalid XML', 'application/xml', '<xml><token>wire-token</token><code>'],
		['XML with another root', 'application/xml', '<root><token>wire-token</token></root>'],
	])('%s is a 400', async (_n, ct, body) => {
		const r = await raw('/api/v1.1/promocodes/get', { headers: { 'Content-Type': ct }, body });
		expect([r.status, r.json.error]).toEqual([200, 400]);
	});

	it('an unsupported Content-Type is a 400; a missing one is sniffed', async () => {
		const form = await raw('/api/v1.1/databases/list', {
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
			body: 'token=wire-token',
		});
		expect(form.json).toMatchObject({
			error: 400,
			error_text: 'Incorrect request: unsupported Content-Type',
		});
		const sniffed = await raw('/api/v1.1/databases/list', {
			body: new Blob(['<xml><token>wire-token</token></xml>']),
		});
		expect(sniffed.json.error).toBe(0);
	});

	it('XML entities are decoded and encoded', async () => {
		await call(sb, 'promocodes/import', { loyalty_id: 1, codes: ['A&amp;B'] }, { xml: true });
		expect(sb.getCode(1, 'A&B')).toBeDefined();
		const r = await call(
			sb,
			'promocodes/get',
			{ loyalty_id: 1, code: 'A&amp;B', format: 'xml' },
			{ xml: true },
		);
		expect(r.text).toContain('<code>A&amp;B</code>');
	});
});

describe('request log', () => {
	it('records method, path, content type, headers, raw and parsed body, time and outcome', async () => {
		await call(
			sb,
			'promocodes/get',
			{ loyalty_id: 1, code: 'WELCOME-0001' },
			{ path: 'promocodes/get/' },
		);
		const [entry] = sb.requests;
		expect(entry).toMatchObject({
			method: 'POST',
			path: '/api/v1.1/promocodes/get/',
			contentType: 'application/json',
			body: { token: 'wire-token', loyalty_id: 1, code: 'WELCOME-0001' },
			status: 200,
			error: 0,
		});
		expect(entry.rawBody).toBe('{"token":"wire-token","loyalty_id":1,"code":"WELCOME-0001"}');
		expect(entry.headers['content-type']).toBe('application/json');
		expect(Number.isNaN(Date.parse(entry.receivedAt))).toBe(false);
	});

	it('is bounded and can be cleared; control requests are not logged', async () => {
		for (let i = 0; i < 7; i++) await call(sb, 'promocodes/get', { loyalty_id: 1, code: `C${i}` });
		await fetch(`${sb.baseUrl}/__sandbox/state`);
		expect(sb.requests.map((r) => (r.body as { code: string }).code)).toEqual([
			'C2',
			'C3',
			'C4',
			'C5',
			'C6',
		]);
		sb.clearRequests();
		expect(sb.requests).toHaveLength(0);
	});
});

describe('control endpoints', () => {
	it('GET /__sandbox/state, POST /__sandbox/reset (with and without a seed)', async () => {
		await call(sb, 'promocodes/import', { loyalty_id: 1, codes: ['EXTRA'] });
		const state = (await (await fetch(`${sb.baseUrl}/__sandbox/state`)).json()) as {
			loyaltyPrograms: Array<{ codes: unknown[] }>;
		};
		expect(state.loyaltyPrograms[0].codes).toHaveLength(11);
		expect((await raw('/__sandbox/reset')).json).toEqual({ ok: true });
		expect(sb.getCode(1, 'EXTRA')).toBeUndefined();
		const seeded = await raw('/__sandbox/reset', {
			body: JSON.stringify({ loyaltyPrograms: [{ id: 9, codes: ['ONLY'] }] }),
		});
		expect(seeded.json).toEqual({ ok: true });
		expect(sb.getState()).toMatchObject({
			databases: [],
			loyaltyPrograms: [{ id: 9, codes: [{ code: 'ONLY' }] }],
		});
		const bad = await raw('/__sandbox/reset', {
			body: JSON.stringify({ loyaltyPrograms: [{ id: 'x' }] }),
		});
		expect(bad.status).toBe(400);
		expect(String(bad.json.error)).toMatch(/loyaltyPrograms\[0\]\.id/);
		sb.reset(); // back to the baseline: the last loaded seed
		expect(sb.getState().loyaltyPrograms.map((p) => p.id)).toEqual([9]);
		sb.loadSeed(require.resolve('../seed/default.json'));
	});

	it('GET /__sandbox/requests redacts the token; DELETE clears', async () => {
		await call(sb, 'promocodes/get', { loyalty_id: 1, code: 'X' }, { xml: true });
		await call(
			sb,
			'promocodes/get',
			{ loyalty_id: 1, code: 'Y' },
			{ headers: { Authorization: 'Bearer wire-token' } },
		);
		const text = await (await fetch(`${sb.baseUrl}/__sandbox/requests`)).text();
		expect(text).not.toContain('wire-token');
		expect(text).toContain('<token>[redacted]</token>');
		const del = await fetch(`${sb.baseUrl}/__sandbox/requests`, { method: 'DELETE' });
		expect(del.status).toBe(200);
		expect(sb.requests).toHaveLength(0);
		expect((await raw('/__sandbox/health', { method: 'GET' })).json).toEqual({ ok: true });
		expect((await raw('/__sandbox/nope')).status).toBe(404);
	});
});
