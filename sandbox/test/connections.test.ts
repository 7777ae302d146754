/** Connection statistics, keep-alive, and the TLS mode. */
import { Agent as HttpAgent, request as httpRequest } from 'http';
import { Agent as HttpsAgent, request as httpsRequest } from 'https';
import { existsSync, readFileSync } from 'fs';
import { OPENSSL_MISSING, Sandbox, startSandbox } from '../src';
import { generateCertificate } from '../src/tls';

interface Answer {
	status: number;
	body: string;
}

function post(
	sb: Sandbox,
	path: string,
	body: unknown,
	agent: HttpAgent | HttpsAgent | false,
	ca?: string,
): Promise<Answer> {
	const send = sb.baseUrl.startsWith('https') ? httpsRequest : httpRequest;
	return new Promise((resolve, reject) => {
		const req = send(
			`${sb.baseUrl}${path}`,
			{
				method: 'POST',
				agent: agent as HttpAgent,
				ca,
				headers: { 'Content-Type': 'application/json' },
			},
			(res) => {
				let text = '';
				res.on('data', (d: Buffer) => (text += d.toString()));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
			},
		);
		req.on('error', reject);
		req.end(JSON.stringify(body));
	});
}

describe('stats', () => {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await startSandbox({ port: 0 });
	});
	afterAll(async () => {
		await sb.stop();
	});
	beforeEach(() => sb.reset());

	it('a keep-alive client reuses one connection for many requests', async () => {
		const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
		for (let i = 0; i < 20; i++) {
			const r = await post(
				sb,
				'/api/v1.1/promocodes/get',
				{ token: sb.token, loyalty_id: 1, code: 'WELCOME-0001' },
				agent,
			);
			expect(r.status).toBe(200);
		}
		expect(sb.stats()).toMatchObject({
			connectionsTotal: 1,
			connectionsOpen: 1,
			apiConnections: 1,
			apiRequests: 20,
			controlRequests: 0,
			inFlight: 0,
			maxInFlight: 1,
		});
		agent.destroy();
	});

	it('counts connections without keep-alive, peak concurrency, and in-flight requests', async () => {
		await Promise.all(
			Array.from({ length: 5 }, () =>
				post(sb, '/api/v1.1/databases/list', { token: sb.token }, false),
			),
		);
		const s = sb.stats();
		expect(s).toMatchObject({ connectionsTotal: 5, apiConnections: 5, apiRequests: 5 });
		expect(s.connectionsMaxOpen).toBeGreaterThanOrEqual(1);
		expect(s.maxInFlight).toBeGreaterThanOrEqual(1);
		expect(s.maxInFlight).toBeLessThanOrEqual(5);
		sb.injectFault({ kind: 'delay', ms: 200 }, { count: 4 });
		const agent = new HttpAgent({ keepAlive: true, maxSockets: 4 });
		sb.resetStats();
		await Promise.all(
			Array.from({ length: 8 }, () =>
				post(sb, '/api/v1.1/databases/list', { token: sb.token }, agent),
			),
		);
		expect(sb.stats()).toMatchObject({
			connectionsTotal: 4,
			apiConnections: 4,
			apiRequests: 8,
			maxInFlight: 4,
			connectionsMaxOpen: 4,
		});
		agent.destroy();
	});

	it('GET /__sandbox/stats and DELETE /__sandbox/stats; reset() restarts the counters', async () => {
		await post(sb, '/api/v1.1/databases/list', { token: sb.token }, false);
		const got = (await (await fetch(`${sb.baseUrl}/__sandbox/stats`)).json()) as {
			ok: boolean;
			stats: Record<string, unknown>;
		};
		expect(got.ok).toBe(true);
		expect(got.stats).toMatchObject({
			apiRequests: 1,
			apiConnections: 1,
			controlRequests: 1,
			keepAliveTimeoutMs: 10000,
		});
		expect(Object.keys(got.stats).sort()).toEqual(
			[
				'since',
				'connectionsTotal',
				'connectionsOpen',
				'connectionsMaxOpen',
				'apiConnections',
				'apiRequests',
				'controlRequests',
				'inFlight',
				'maxInFlight',
				'keepAliveTimeoutMs',
			].sort(),
		);
		const cleared = (await (
			await fetch(`${sb.baseUrl}/__sandbox/stats`, { method: 'DELETE' })
		).json()) as { stats: Record<string, unknown> };
		expect(cleared.stats).toMatchObject({
			apiRequests: 0,
			connectionsTotal: 0,
			controlRequests: 0,
		});
		await post(sb, '/api/v1.1/databases/list', { token: sb.token }, false);
		sb.reset();
		expect(sb.stats()).toMatchObject({ apiRequests: 0, connectionsTotal: 0, apiConnections: 0 });
	});

	it('does not close an idle kept-alive connection within 5 s', async () => {
		const agent = new HttpAgent({ keepAlive: true, maxSockets: 1, timeout: 60000 });
		await post(sb, '/api/v1.1/databases/list', { token: sb.token }, agent);
		await new Promise((r) => setTimeout(r, 5500));
		await post(sb, '/api/v1.1/databases/list', { token: sb.token }, agent);
		expect(sb.stats()).toMatchObject({ connectionsTotal: 1, apiRequests: 2 });
		agent.destroy();
	}, 15000);

	it('rejects a keep-alive timeout under 5 s', async () => {
		await expect(startSandbox({ keepAliveTimeoutMs: 1000 })).rejects.toThrow(/keepAliveTimeoutMs/);
	});
});

describe('TLS mode', () => {
	let sb: Sandbox;
	let certPath: string;
	beforeAll(async () => {
		sb = await startSandbox({ port: 0, tls: true });
		certPath = sb.tls?.certPath ?? '';
	});
	afterAll(async () => {
		await sb.stop();
	});

	it('serves https with a self-signed certificate for 127.0.0.1 that a client can trust explicitly', async () => {
		expect(sb.baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
		expect(sb.tls?.certPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
		expect(readFileSync(certPath, 'utf8')).toBe(sb.tls?.certPem);
		const agent = new HttpsAgent({ keepAlive: true, ca: sb.tls?.certPem });
		const r = await post(
			sb,
			'/api/v1.1/promocodes/get',
			{ token: sb.token, loyalty_id: 1, code: 'WELCOME-0001' },
			agent,
		);
		expect(JSON.parse(r.body)).toMatchObject({ error: 0, data: { code: 'WELCOME-0001' } });
		const p = await post(
			sb,
			'/api/v1.1/profiles/get',
			{ token: sb.token, db_id: 1, email: 'customer01@example.com' },
			agent,
		);
		expect(JSON.parse(p.body)).toMatchObject({ data: { id: '64c000000000000000000001' } });
		expect(sb.stats()).toMatchObject({ connectionsTotal: 1, apiRequests: 2 });
		agent.destroy();
	});

	it('is valid for localhost too', async () => {
		const ok = await new Promise<number>((resolve, reject) => {
			const req = httpsRequest(
				`https://localhost:${sb.port}/__sandbox/health`,
				{
					method: 'GET',
					ca: sb.tls?.certPem,
					lookup: (_h, _o, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }] as never, 4),
				},
				(res) => {
					res.resume();
					resolve(res.statusCode ?? 0);
				},
			);
			req.on('error', reject);
			req.end();
		});
		expect(ok).toBe(200);
	});

	it('is refused by a client that does not trust it', async () => {
		await expect(
			post(sb, '/api/v1.1/databases/list', { token: sb.token }, new HttpsAgent()),
		).rejects.toThrow(/self[- ]signed|certificate/i);
	});

	it('no private key on disk; the certificate file is removed on stop', async () => {
		const other = await startSandbox({ port: 0, tls: true });
		const path = other.tls?.certPath ?? '';
		expect(existsSync(path)).toBe(true);
		expect(existsSync(path.replace(/cert\.pem$/, 'key.pem'))).toBe(false);
		await other.stop();
		expect(existsSync(path)).toBe(false);
	});

	it('without the openssl command: a clear message naming apt-get install openssl', async () => {
		await expect(generateCertificate('openssl-not-installed-here')).rejects.toThrow(
			OPENSSL_MISSING,
		);
		expect(OPENSSL_MISSING).toContain('apt-get install openssl');
	});

	it('plain http has no tls info', async () => {
		const plain = await startSandbox({ port: 0 });
		expect(plain.tls).toBeUndefined();
		expect(plain.baseUrl.startsWith('http://')).toBe(true);
		await plain.stop();
	});
});
