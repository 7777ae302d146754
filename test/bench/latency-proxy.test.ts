/**
 * The latency proxy's link model: a kept-alive request costs one round trip, a request on a new
 * connection two (the handshake is charged), bytes arrive intact and in order, connections are counted.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { startLatencyProxy, type LatencyProxy } from '../support/latency-proxy';

const ONE_WAY_MS = 40;

let server: http.Server;
let proxy: LatencyProxy;

beforeAll(async () => {
	server = http.createServer({ keepAlive: true }, (req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => res.end(Buffer.concat(chunks)));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	proxy = await startLatencyProxy({
		upstreamPort: (server.address() as AddressInfo).port,
		oneWayDelayMs: ONE_WAY_MS,
	});
});

afterAll(async () => {
	await proxy.stop();
	server.closeAllConnections();
	await new Promise<void>((resolve) => server.close(() => resolve()));
});

function post(agent: http.Agent, body: string): Promise<{ body: string; ms: number }> {
	const started = performance.now();
	return new Promise((resolve, reject) => {
		const request = http.request(`${proxy.url}/echo`, { method: 'POST', agent }, (response) => {
			const chunks: Buffer[] = [];
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('end', () =>
				resolve({ body: Buffer.concat(chunks).toString(), ms: performance.now() - started }),
			);
		});
		request.on('error', reject);
		request.end(body);
	});
}

it('charges two round trips on a new connection, one on a kept-alive one, and counts connections', async () => {
	const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
	proxy.resetStats();
	const body = 'x'.repeat(200_000); // several chunks: order must survive the delay line
	const first = await post(agent, body);
	const second = await post(agent, 'small');
	agent.destroy();

	expect(first.body).toBe(body);
	expect(second.body).toBe('small');
	expect(first.ms).toBeGreaterThanOrEqual(4 * ONE_WAY_MS - 2);
	expect(second.ms).toBeGreaterThanOrEqual(2 * ONE_WAY_MS - 2);
	expect(second.ms).toBeLessThan(4 * ONE_WAY_MS - 2);
	expect(proxy.stats()).toMatchObject({ connections: 1, peakConcurrent: 1 });
});

it('counts parallel connections and their peak', async () => {
	const agent = new http.Agent({ keepAlive: false });
	// The first test's connection may still be closing through the delay line: it must not count.
	proxy.resetStats();
	await Promise.all(Array.from({ length: 3 }, () => post(agent, 'a')));
	expect(proxy.stats()).toMatchObject({ connections: 3, peakConcurrent: 3 });
});
