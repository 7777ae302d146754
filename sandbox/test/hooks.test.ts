/**
 * Action hooks: promo-code changes go out as Altcraft-style JSON batches to a real HTTP receiver.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { HOOK_EVENT_TYPES, startSandbox, type Sandbox } from '../src';
import { call, ok } from './helpers';

interface Received {
	path: string;
	contentType: string | undefined;
	events: Array<Record<string, unknown>>;
	raw: string;
}

/** A receiver that records every request and answers with what `answer` says (default 200 OK). */
async function startReceiver(): Promise<{
	url: string;
	received: Received[];
	answer: (n: number) => { status: number; body: string };
	setAnswer: (fn: (n: number) => { status: number; body: string }) => void;
	server: Server;
}> {
	const received: Received[] = [];
	let answer = (_n: number) => ({ status: 200, body: 'OK' });
	const server = createServer((req: IncomingMessage, res: ServerResponse) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const raw = Buffer.concat(chunks).toString('utf8');
			received.push({
				path: req.url ?? '',
				contentType: req.headers['content-type'],
				events: JSON.parse(raw) as Array<Record<string, unknown>>,
				raw,
			});
			const a = answer(received.length);
			res.writeHead(a.status, { 'content-type': 'text/plain' });
			res.end(a.body);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/hook?secret=abc`,
		received,
		get answer() {
			return answer;
		},
		setAnswer: (fn) => (answer = fn),
		server,
	};
}

async function control(
	sb: Sandbox,
	method: string,
	route: string,
	body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
	const res = await fetch(`${sb.baseUrl}/__sandbox${route}`, {
		method,
		headers: { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const attach = (sb: Sandbox, code: string, email = 'alice@example.com') =>
	ok(sb, 'promocodes/attach', { loyalty_id: 1, db_id: 1, code, matching: 'email', email });
const activate = (sb: Sandbox, code: string) =>
	ok(sb, 'promocodes/activate', { loyalty_id: 1, code });
const detach = (sb: Sandbox, code: string, email = 'alice@example.com') =>
	ok(sb, 'promocodes/detach', { loyalty_id: 1, db_id: 1, code, matching: 'email', email });

describe('sandbox action hooks', () => {
	let sb: Sandbox;
	let receiver: Awaited<ReturnType<typeof startReceiver>>;

	beforeEach(async () => {
		receiver = await startReceiver();
	});
	afterEach(async () => {
		await sb.stop();
		await new Promise<void>((resolve) => receiver.server.close(() => resolve()));
	});

	it('sends attach, activate and detach as Altcraft-style events, in order, to the URL with its query', async () => {
		sb = await startSandbox({ hooks: { urls: [receiver.url], batchSize: 100, flushMs: 60_000 } });
		await attach(sb, 'WELCOME-0001');
		await activate(sb, 'WELCOME-0001');
		// A second activation is refused (the sandbox's guess of Altcraft's rule) and sends no second event.
		const again = await call(sb, 'promocodes/activate', { loyalty_id: 1, code: 'WELCOME-0001' });
		expect(String(again.body.error)).not.toBe('0');
		await detach(sb, 'WELCOME-0001');
		await sb.hooks.flush();
		expect(receiver.received).toHaveLength(1);
		const [batch] = receiver.received;
		expect(batch.path).toBe('/hook?secret=abc');
		expect(batch.contentType).toBe('application/json');
		expect(batch.events.map((e) => e.event_type)).toEqual([
			HOOK_EVENT_TYPES.attach,
			HOOK_EVENT_TYPES.activate,
			HOOK_EVENT_TYPES.detach,
		]);
		expect(batch.events[0]).toEqual({
			event_type: 'promocode_attach',
			event_date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
			profile_id: '64b000000000000000000001',
			list_id: 1,
			account_id: 1,
			is_test: false,
			_md5: 'c160f8cc69a4f0bf2b0362752353d060', // md5("alice@example.com")
			custom_data: { email: 'alice@example.com' },
			event_data: { loyalty_id: 1, code: 'WELCOME-0001' },
		});
	});

	it('an activation through update sends an activate event too; a failed call sends nothing', async () => {
		sb = await startSandbox({ hooks: { urls: [receiver.url], flushMs: 60_000 } });
		await attach(sb, 'WELCOME-0002');
		await ok(sb, 'promocodes/update', { loyalty_id: 1, code: 'WELCOME-0002', activated: true });
		await fetch(`${sb.baseUrl}/api/v1.1/promocodes/activate`, {
			method: 'POST',
			body: JSON.stringify({ token: sb.token, loyalty_id: 1, code: 'WELCOME-0003' }),
		});
		await sb.hooks.flush();
		expect(
			receiver.received.flatMap((b) =>
				b.events.map((e) => `${e.event_type} ${(e.event_data as { code: string }).code}`),
			),
		).toEqual(['promocode_attach WELCOME-0002', 'promocode_activate WELCOME-0002']);
	});

	it('cuts batches at batchSize and sends a partial batch after flushMs', async () => {
		sb = await startSandbox({ hooks: { urls: [receiver.url], batchSize: 2, flushMs: 150 } });
		for (const code of ['WELCOME-0001', 'WELCOME-0002', 'WELCOME-0003']) await attach(sb, code);
		const started = Date.now();
		while (receiver.received.length < 2 && Date.now() - started < 5000)
			await new Promise((r) => setTimeout(r, 20));
		expect(receiver.received.map((b) => b.events.length)).toEqual([2, 1]);
		expect(
			receiver.received.flatMap((b) =>
				b.events.map((e) => (e.event_data as { code: string }).code),
			),
		).toEqual(['WELCOME-0001', 'WELCOME-0002', 'WELCOME-0003']);
	});

	it('sends a failed batch again (same bytes) until it gets 200, keeping the next batch behind it', async () => {
		sb = await startSandbox({ hooks: { urls: [receiver.url], batchSize: 1, retryDelayMs: 20 } });
		receiver.setAnswer((n) =>
			n <= 2 ? { status: 503, body: 'busy' } : { status: 200, body: 'OK' },
		);
		await attach(sb, 'WELCOME-0001');
		await attach(sb, 'WELCOME-0002');
		await sb.hooks.flush();
		expect(receiver.received.map((b) => (b.events[0].event_data as { code: string }).code)).toEqual(
			['WELCOME-0001', 'WELCOME-0001', 'WELCOME-0001', 'WELCOME-0002'],
		);
		expect(receiver.received[1].raw).toBe(receiver.received[0].raw);
		expect(sb.hooks.deliveries.map((d) => [d.attempt, d.status, d.ok])).toEqual([
			[1, 503, false],
			[2, 503, false],
			[3, 200, true],
			[1, 200, true],
		]);
		expect(sb.hooks.deliveries[0].url).toBe(`${receiver.url.split('?')[0]}?…`); // the secret stays out of the log
	});

	it('gives a batch up after maxAttempts, and a 200 whose body does not match responseRegex counts as failed', async () => {
		sb = await startSandbox({
			hooks: {
				urls: [receiver.url],
				batchSize: 1,
				retryDelayMs: 10,
				maxAttempts: 3,
				responseRegex: '^OK$',
			},
		});
		receiver.setAnswer(() => ({ status: 200, body: 'Workflow was started' }));
		await attach(sb, 'WELCOME-0001');
		await sb.hooks.flush();
		expect(receiver.received).toHaveLength(3);
		expect(
			sb.hooks.deliveries.every((d) => !d.ok && d.error === 'body does not match responseRegex'),
		).toBe(true);
	});

	it('control endpoints: set URLs and batching, send a test event, flush, and refuse bad settings', async () => {
		sb = await startSandbox();
		await attach(sb, 'WELCOME-0001'); // hooks off: nothing recorded
		expect((await control(sb, 'GET', '/hooks')).body).toMatchObject({
			settings: { urls: [], batchSize: 100, flushMs: 1000 },
			eventsRecorded: 0,
		});

		const set = await control(sb, 'POST', '/hooks', {
			urls: [receiver.url],
			batchSize: 5,
			flushMs: 60_000,
		});
		expect(set.status).toBe(200);
		expect(set.body.settings).toMatchObject({
			urls: [receiver.url],
			batchSize: 5,
			flushMs: 60_000,
		});

		const test = await control(sb, 'POST', '/hooks/test');
		expect(test.status).toBe(200);
		expect(test.body.deliveries).toEqual([
			expect.objectContaining({ status: 200, ok: true, events: 1 }),
		]);
		expect(receiver.received[0].events[0]).toMatchObject({
			event_type: 'promocode_attach',
			is_test: true,
		});

		await control(sb, 'POST', '/hooks/test', { kind: 'activate', code: 'MADE-UP', is_test: false });
		expect(receiver.received[1].events[0]).toMatchObject({
			event_type: 'promocode_activate',
			is_test: false,
			event_data: { code: 'MADE-UP' },
		});
		expect((await control(sb, 'POST', '/hooks/test', { kind: 'redeem' })).status).toBe(400);

		await activate(sb, 'WELCOME-0001');
		expect((await control(sb, 'GET', '/hooks')).body).toMatchObject({ queuedEvents: 1 });
		const flushed = await control(sb, 'POST', '/hooks/flush');
		expect(flushed.body).toMatchObject({ queuedEvents: 0, batchesInFlight: 0 });
		expect(receiver.received[2].events.map((e) => e.event_type)).toEqual(['promocode_activate']);

		for (const bad of [
			{ urls: 'x' },
			{ urls: ['ftp://x'] },
			{ batchSize: 0 },
			{ flushMs: 1.5 },
			{ nope: 1 },
			{ responseRegex: '(' },
		]) {
			const answer = await control(sb, 'POST', '/hooks', bad);
			expect([answer.status, answer.body.ok]).toEqual([400, false]);
		}
		expect((await control(sb, 'GET', '/hooks/nothing')).status).toBe(404);
	});

	it('a test event without URLs is a clear 400', async () => {
		sb = await startSandbox();
		expect(await control(sb, 'POST', '/hooks/test')).toEqual({
			status: 400,
			body: { ok: false, error: expect.stringMatching(/no hook URLs set/) },
		});
	});
});
