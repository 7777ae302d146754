import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startSandbox, type Sandbox } from '../../sandbox/src';
import {
	ALTCRAFT_NODE_NAME,
	altcraftNode,
	chain,
	runAltcraftNode,
	runWorkflow,
	shutdownEngine,
	TRIGGER_NODE_TYPE,
	workflowNode,
} from '../harness';
import { startForwardProxy } from '../support/forward-proxy';
import { TOKEN } from './context';

const get = (options: INodeParameters = {}) => ({
	resource: 'promoCode',
	operation: 'get',
	loyaltyId: 4,
	code: '={{ $json.code }}',
	options,
});
const codes = (count: number) =>
	Array.from({ length: count }, (_unused, index) => ({
		code: `SHOP-${String(index + 1).padStart(4, '0')}`,
	}));

let sandbox: Sandbox;
let tlsSandbox: Sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, token: TOKEN });
	tlsSandbox = await startSandbox({ port: 0, token: TOKEN, tls: true });
});
beforeEach(() => {
	sandbox.reset();
	tlsSandbox.reset();
});
afterAll(async () => {
	await sandbox.stop();
	await tlsSandbox.stop();
	shutdownEngine();
});

describe('kept-alive connections', () => {
	it.each([1, 4])(
		'40 items at Concurrency %i open at most that many connections, in flight at most that many',
		async (concurrency) => {
			const result = await runAltcraftNode({
				parameters: get({ concurrency }),
				items: codes(40),
				credentials: { baseUrl: sandbox.baseUrl, token: TOKEN },
			});
			expect(result.error).toBeUndefined();
			expect(result.output.map((item) => item.json.code)).toEqual(
				codes(40).map((item) => item.code),
			);
			expect(result.output.map((item) => item.pairedItem)).toEqual(
				codes(40).map((_item, item) => ({ item })),
			);
			expect(sandbox.stats().apiConnections).toBeLessThanOrEqual(concurrency);
			expect(sandbox.stats().maxInFlight).toBeLessThanOrEqual(concurrency);
		},
	);

	it('reuses the connections of an earlier execution (a webhook flow runs one execution per order)', async () => {
		const run = async () =>
			await runAltcraftNode({
				parameters: get({ concurrency: 2 }),
				items: codes(4),
				credentials: { baseUrl: tlsSandbox.baseUrl, token: TOKEN, allowUnauthorizedCerts: true },
			});
		expect((await run()).error).toBeUndefined();
		tlsSandbox.resetStats();
		const second = await run();
		expect(second.error).toBeUndefined();
		expect(second.output).toHaveLength(4);
		// No new connection, so no new TLS handshake.
		expect(tlsSandbox.stats().connectionsTotal).toBe(0);
	});

	it('keeps Import to Concurrency requests in flight although it sends two chunks at a time', async () => {
		const result = await runAltcraftNode({
			parameters: {
				resource: 'promoCode',
				operation: 'import',
				loyaltyId: 1,
				codes: Array.from({ length: 50 }, (_unused, index) => `POOL-${index}`).join('\n'),
				options: { concurrency: 1, chunkSize: 5 },
			},
			credentials: { baseUrl: sandbox.baseUrl, token: TOKEN },
		});
		expect(result.error).toBeUndefined();
		expect(result.output[0].json).toMatchObject({ inserted: 50, requests: 10 });
		expect(sandbox.stats().maxInFlight).toBe(1);
	});

	it('works over https, with at most Concurrency connections, when Ignore SSL Issues is on', async () => {
		const result = await runAltcraftNode({
			parameters: get({ concurrency: 3 }),
			items: codes(30),
			credentials: { baseUrl: tlsSandbox.baseUrl, token: TOKEN, allowUnauthorizedCerts: true },
		});
		expect(result.error).toBeUndefined();
		expect(result.output).toHaveLength(30);
		expect(tlsSandbox.stats().apiConnections).toBeLessThanOrEqual(3);
	});

	it('refuses a self-signed certificate when Ignore SSL Issues is off, and says what to do', async () => {
		const result = await runAltcraftNode({
			parameters: get({ maxRetries: 0 }),
			items: codes(1),
			credentials: { baseUrl: tlsSandbox.baseUrl, token: TOKEN },
		});
		expect(result.error?.message).toBe(
			`Could not verify the TLS certificate of Altcraft at ${tlsSandbox.baseUrl} [item 0]`,
		);
		expect((result.error as Error & { description?: string }).description).toContain(
			'Ignore SSL Issues',
		);
		expect(tlsSandbox.requests).toHaveLength(0);
		expect(JSON.stringify(result.run)).not.toContain(TOKEN);
	});
});

describe('redirects', () => {
	/** A server that sends every request on to `target` with `status`. */
	async function redirectingServer(status: number, target: (path: string) => string) {
		const server = http.createServer((request, response) => {
			response.writeHead(status, { Location: target(request.url ?? '/') });
			response.end();
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		return {
			baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
			stop: async () => await new Promise<void>((resolve) => server.close(() => resolve())),
		};
	}

	it('follows one to the same host, body and token included', async () => {
		const redirect = await redirectingServer(308, (path) => `${sandbox.baseUrl}${path}`);
		try {
			const result = await runAltcraftNode({
				parameters: get(),
				items: codes(1),
				credentials: { baseUrl: redirect.baseUrl, token: TOKEN },
			});
			expect(result.error).toBeUndefined();
			expect(result.output[0].json.code).toBe('SHOP-0001');
		} finally {
			await redirect.stop();
		}
	});

	it('does not send the token on to another host', async () => {
		const port = new URL(sandbox.baseUrl).port;
		const redirect = await redirectingServer(307, (path) => `http://localhost:${port}${path}`);
		try {
			const result = await runAltcraftNode({
				parameters: get({ maxRetries: 0 }),
				items: codes(1),
				credentials: { baseUrl: redirect.baseUrl, token: TOKEN },
			});
			expect(result.error?.message).toMatch(/^Altcraft answered HTTP 307 with .+ \[item 0\]$/);
			expect(sandbox.requests).toHaveLength(0);
		} finally {
			await redirect.stop();
		}
	});
});

describe('a proxy in the environment', () => {
	const saved = { ...process.env };
	afterEach(() => {
		for (const name of ['HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy']) {
			if (saved[name] === undefined) delete process.env[name];
			else process.env[name] = saved[name];
		}
	});

	it("sends through it (n8n's own request helper), and straight past it for NO_PROXY hosts", async () => {
		const proxy = await startForwardProxy();
		try {
			process.env.HTTP_PROXY = proxy.url;
			const proxied = await runAltcraftNode({
				parameters: get(),
				items: codes(3),
				credentials: { baseUrl: sandbox.baseUrl, token: TOKEN },
			});
			expect(proxied.error).toBeUndefined();
			expect(proxied.output.map((item) => item.json.code)).toEqual([
				'SHOP-0001',
				'SHOP-0002',
				'SHOP-0003',
			]);
			expect(proxy.seen).toHaveLength(3);
			expect(proxy.seen[0]).toBe(`POST ${sandbox.baseUrl}/api/v1.1/promocodes/get`);
			expect(
				sandbox.requests.every((request) => (request.body as IDataObject).token === TOKEN),
			).toBe(true);

			process.env.NO_PROXY = '127.0.0.1';
			const direct = await runAltcraftNode({
				parameters: get(),
				items: codes(2),
				credentials: { baseUrl: sandbox.baseUrl, token: TOKEN },
			});
			expect(direct.output).toHaveLength(2);
			expect(proxy.seen).toHaveLength(3);
		} finally {
			await proxy.stop();
		}
	});
});

it('hints in the editor when Retry On Fail is on for an operation that changes Altcraft', async () => {
	const runWith = async (operation: string, retryOnFail: boolean) => {
		const parameters =
			operation === 'activate'
				? { resource: 'promoCode', operation, loyaltyId: 1, code: 'WELCOME-0001' }
				: { resource: 'promoCode', operation, loyaltyId: 1, code: 'WELCOME-0001' };
		const run = await runWorkflow(
			{
				nodes: [
					workflowNode('Trigger', TRIGGER_NODE_TYPE),
					altcraftNode(ALTCRAFT_NODE_NAME, parameters, {
						retryOnFail,
						onError: 'continueRegularOutput',
					}),
				],
				connections: chain('Trigger', ALTCRAFT_NODE_NAME),
			},
			{ credentials: { altcraftApi: { baseUrl: sandbox.baseUrl, token: TOKEN } } },
		);
		return (run.data.resultData.runData[ALTCRAFT_NODE_NAME]?.[0]?.hints ?? []).map(
			(hint) => hint.message,
		);
	};
	expect(await runWith('activate', true)).toEqual([expect.stringMatching(/"Retry On Fail" is on/)]);
	expect(await runWith('activate', false)).toEqual([]);
	expect(await runWith('get', true)).toEqual([]);
});

describe('lost answers settled by reading back', () => {
	it('an activation applied without an answer is reported once, as confirmed by reading back', async () => {
		sandbox.injectFault('resetAfterApply', { path: 'promocodes/activate' });
		// WELCOME-0001 must be attached before it can be activated.
		await runAltcraftNode({
			parameters: {
				resource: 'promoCode',
				operation: 'attach',
				loyaltyId: 1,
				databaseId: 1,
				code: 'WELCOME-0001',
				matching: 'email',
				email: 'alice@example.com',
			},
			credentials: { baseUrl: sandbox.baseUrl, token: TOKEN },
		});
		const result = await runAltcraftNode({
			parameters: {
				resource: 'promoCode',
				operation: 'activate',
				loyaltyId: 1,
				code: 'WELCOME-0001',
			},
			credentials: { baseUrl: sandbox.baseUrl, token: TOKEN },
		});
		expect(result.error).toBeUndefined();
		expect(result.output[0].json).toMatchObject({
			success: true,
			code: 'WELCOME-0001',
			confirmed_by_read_back: true,
		});
		expect(sandbox.requests.filter((request) => request.path.endsWith('/activate'))).toHaveLength(
			1,
		);
		const hints = result.run.data.resultData.runData[ALTCRAFT_NODE_NAME]?.[0]?.hints ?? [];
		expect(hints.map((hint) => hint.message)).toEqual([
			expect.stringMatching(/reading the code back showed the change/),
		]);
	});
});

it('"One Import for All Items" with two programs fails before any request, naming the item', async () => {
	const result = await runAltcraftNode({
		parameters: {
			resource: 'promoCode',
			operation: 'import',
			loyaltyId: '={{ $json.program }}',
			codes: 'X-1',
			importMode: 'allItems',
		},
		items: [{ program: 1 }, { program: 2 }],
		credentials: { baseUrl: sandbox.baseUrl, token: TOKEN },
	});
	expect(result.error?.message).toMatch(
		/needs one Loyalty Program ID for all items, got 1 and 2 \[item 0\]$/,
	);
	expect(sandbox.requests).toHaveLength(0);
});
