/**
 * Attach Free Code with an idempotency key: one order, one code, however often and however
 * concurrently it arrives, in one process or in two, with nothing stored outside Altcraft.
 */

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { RunNodeOptions } from '../harness';
import { inEngineProcesses } from '../support/engine-processes';
import { jsonOf, TOKEN, useSandbox } from './context';

const context = useSandbox();

// Every test starts from the seed again, but a program list shared between executions (15 s) would
// outlive that reset and show codes of the previous test as taken. Each execution reads its own, as
// separate processes do; test/node/attachFreeCode.test.ts covers the shared list.
beforeAll(() => {
	process.env.ALTCRAFT_FREE_CODE_LIST_SECONDS = '0';
});
afterAll(() => {
	delete process.env.ALTCRAFT_FREE_CODE_LIST_SECONDS;
});

/** Seed: database 1 holds customer01..60@example.com; program 4 has 200 single-use codes. */
const PROGRAM = 4;
const customer = (n: number) => `customer${String(n).padStart(2, '0')}@example.com`;
const customerId = (n: number) => `64c0000000000000000000${String(n).padStart(2, '0')}`;

function keyed(options: INodeParameters = {}): INodeParameters {
	return {
		operation: 'attachFreeCode',
		loyaltyId: PROGRAM,
		databaseId: 1,
		matching: 'email',
		email: '={{ $json.email }}',
		idempotencyKey: '={{ $json.orderId }}',
		options,
	};
}

function codesHeldBy(profileId: string): string[] {
	const program = context.sandbox.getState().loyaltyPrograms.find((entry) => entry.id === PROGRAM);
	return (program?.codes ?? [])
		.filter((code) => code.attachments.some((attachment) => attachment.profileId === profileId))
		.map((code) => code.code);
}

function attachedCount(): number {
	const program = context.sandbox.getState().loyaltyPrograms.find((entry) => entry.id === PROGRAM);
	return (program?.codes ?? []).filter((code) => code.attachments.length > 0).length;
}

const order = (orderId: string, n: number) => ({ orderId, email: customer(n) });

async function deliver(items: IDataObject[]) {
	const result = await context.run(keyed(), { items });
	expect(result.error).toBeUndefined();
	return jsonOf(result);
}

describe('Attach Free Code with an Order ID (idempotency key)', () => {
	it('20 concurrent executions of one order: one code attached, 20 answers with that code', async () => {
		const before = attachedCount();
		const results = await Promise.all(
			Array.from({ length: 20 }, async () => await deliver([order('A-1', 1)])),
		);
		const codes = new Set(results.map(([json]) => json.code));
		expect(codes.size).toBe(1);
		expect(attachedCount()).toBe(before + 1);
		expect(codesHeldBy(customerId(1))).toEqual([...codes]);
		expect(results.filter(([json]) => json.replay === false)).toHaveLength(1);
		for (const [json] of results)
			expect(json).toMatchObject({
				idempotency_key: 'A-1',
				profile_id: customerId(1),
				shared: false,
			});
	});

	it('two engine processes, 10 executions each, one order: one code, 20 answers with it', async () => {
		const before = attachedCount();
		const run: RunNodeOptions = {
			parameters: { resource: 'promoCode', ...keyed() },
			items: [order('B-7', 2)],
			credentials: { baseUrl: context.sandbox.baseUrl, token: TOKEN },
		};
		const answers = await inEngineProcesses([Array(10).fill(run), Array(10).fill(run)]);
		const outputs = answers.flatMap((answer) => answer.results);
		expect(outputs.map((result) => result.error)).toEqual(Array(20).fill(undefined));
		const codes = new Set(outputs.map((result) => result.output[0].code));
		expect(codes.size).toBe(1);
		expect(attachedCount()).toBe(before + 1);
		expect(codesHeldBy(customerId(2))).toEqual([...codes]);
	}, 120_000);

	it('a resent order after completion gets the same code, marked as a replay', async () => {
		const [first] = await deliver([order('C-1', 3)]);
		const [again] = await deliver([order('C-1', 3)]);
		expect(first.replay).toBe(false);
		expect(again).toMatchObject({ code: first.code, replay: true });
		expect(codesHeldBy(customerId(3))).toEqual([first.code]);
	});

	it('a resent order is recognised with a list of its own and over XML', async () => {
		const [first] = await deliver([order('C-2', 4)]);
		const result = await context.run(keyed({ format: 'xml' }), { items: [order('C-2', 4)] });
		expect(jsonOf(result)[0]).toMatchObject({ code: first.code, replay: true });
		expect(codesHeldBy(customerId(4))).toEqual([first.code]);
	});

	it('a delivery that failed before any code was attached leaves the order unused', async () => {
		const failed = await context.run(keyed(), {
			items: [{ orderId: 'D-1', email: 'nobody@example.com' }],
		});
		expect(failed.error?.message).toMatch(
			/^Altcraft found no customer profile for email "nobody@example.com"/,
		);
		const [corrected] = await deliver([order('D-1', 5)]);
		expect(corrected.replay).toBe(false);
		expect(codesHeldBy(customerId(5))).toEqual([corrected.code]);
	});

	it('a second order of the same customer gets a second code', async () => {
		const [first] = await deliver([order('E-1', 6)]);
		const [second] = await deliver([order('E-2', 6)]);
		expect(second.code).not.toBe(first.code);
		expect(second.replay).toBe(false);
		expect(codesHeldBy(customerId(6)).sort()).toEqual([first.code, second.code].sort());
	});

	it('a nearly empty program: 5 free codes, 5 orders delivered 4 times each at once: 5 codes, each order its own', async () => {
		// Take all but 5 codes of the program with keyless attaches first.
		const program = context.sandbox
			.getState()
			.loyaltyPrograms.find((entry) => entry.id === PROGRAM);
		const free = (program?.codes ?? []).filter((code) => code.attachments.length === 0).length;
		const fill = Array.from({ length: free - 5 }, (_unused, index) => ({
			email: customer((index % 40) + 20),
		}));
		const filled = await context.run({ ...keyed(), idempotencyKey: '' }, { items: fill });
		expect(filled.error).toBeUndefined();

		const deliveries = [1, 2, 3, 4].flatMap(() => [7, 8, 9, 10, 11].map((n) => order(`F-${n}`, n)));
		const results = await Promise.all(
			deliveries.map(async (delivery) => (await deliver([delivery]))[0]),
		);
		const byOrder = new Map<string, Set<unknown>>();
		results.forEach((json, index) => {
			const key = deliveries[index].orderId;
			byOrder.set(key, (byOrder.get(key) ?? new Set()).add(json.code));
		});
		expect([...byOrder.values()].map((codes) => codes.size)).toEqual([1, 1, 1, 1, 1]);
		for (const n of [7, 8, 9, 10, 11])
			expect(codesHeldBy(customerId(n))).toEqual([...(byOrder.get(`F-${n}`) as Set<unknown>)]);
		expect(attachedCount()).toBe(program?.codes.length);
	});

	it('an empty key keeps the old behaviour: every run a new code', async () => {
		const first = await context.run(
			{ ...keyed(), idempotencyKey: '' },
			{ items: [order('G-1', 12)] },
		);
		const second = await context.run(
			{ ...keyed(), idempotencyKey: '' },
			{ items: [order('G-1', 12)] },
		);
		expect(jsonOf(first)[0].code).not.toBe(jsonOf(second)[0].code);
		expect(codesHeldBy(customerId(12))).toHaveLength(2);
	});
});
