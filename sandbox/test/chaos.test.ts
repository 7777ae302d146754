/**
 * Random faults for long runs: shares close to the probabilities (seeded), latency within its range,
 * an outage refuses connections and the sandbox serves again on the same port afterwards.
 */
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

const get = () => call(sb, 'promocodes/get', { loyalty_id: 1, code: 'WELCOME-0001' });

test('faults come at about their probability, and only on their path', async () => {
	sb.setChaos({
		seed: 7,
		rules: [
			{ fault: 'status503', probability: 0.1 },
			{ fault: 'resetAfterApply', probability: 0.05, path: 'promocodes/attach' },
		],
	});
	const statuses = new Map<number, number>();
	for (let i = 0; i < 400; i++) {
		const reply = await get();
		statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
	}
	const unavailable = statuses.get(503) ?? 0;
	expect(unavailable).toBeGreaterThan(20); // expected 40
	expect(unavailable).toBeLessThan(65);
	expect(sb.chaosCounts()).toEqual({ status503: unavailable }); // no reset: that rule is for attach only
	sb.setChaos(undefined);
	expect((await get()).status).toBe(200);
});

test('the same seed gives the same faults', async () => {
	const run = async () => {
		sb.setChaos({ seed: 42, rules: [{ fault: 'status503', probability: 0.3 }] });
		const statuses: number[] = [];
		for (let i = 0; i < 30; i++) statuses.push((await get()).status);
		return statuses;
	};
	expect(await run()).toEqual(await run());
});

test('latency stays within its range', async () => {
	sb.setChaos({ rules: [], latencyMs: [40, 60] });
	for (let i = 0; i < 5; i++) {
		const started = Date.now();
		expect((await get()).status).toBe(200);
		const ms = Date.now() - started;
		expect(ms).toBeGreaterThanOrEqual(39);
		expect(ms).toBeLessThan(400);
	}
});

test('probabilities above 1 in sum are refused', () => {
	expect(() =>
		sb.setChaos({
			rules: [
				{ fault: 'status503', probability: 0.6 },
				{ fault: 'reset', probability: 0.6 },
			],
		}),
	).toThrow(/more than 1/);
});

test('an outage refuses connections; afterwards the same port serves again', async () => {
	expect((await get()).status).toBe(200);
	await sb.refuseConnections();
	await expect(get()).rejects.toThrow();
	await sb.acceptConnections();
	expect((await get()).status).toBe(200);
});

test('a 503 fault can carry Retry-After', async () => {
	sb.injectFault({ kind: 'status503', retryAfter: 1 });
	const reply = await get();
	expect(reply.status).toBe(503);
	expect(reply.headers.get('retry-after')).toBe('1');
	sb.injectFault('status503');
	expect((await get()).headers.get('retry-after')).toBeNull();
});
