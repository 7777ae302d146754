import type { INodeParameters } from 'n8n-workflow';

import { FORMATS, jsonOf, TOKEN, useSandbox } from './context';

const context = useSandbox();

/** Seed: database 1 holds customer01..60@example.com; program 4 has 200 single-use codes, program 5 multi-profile ones. */
const SINGLE_USE_PROGRAM = 4;
const MULTI_PROFILE_PROGRAM = 5;
const customer = (n: number) => `customer${String(n).padStart(2, '0')}@example.com`;
const customerId = (n: number) => `64c0000000000000000000${String(n).padStart(2, '0')}`;

function attachFreeCode(loyaltyId: number, options: INodeParameters = {}) {
	return {
		operation: 'attachFreeCode',
		loyaltyId,
		databaseId: 1,
		matching: 'email',
		email: '={{ $json.email }}',
		options,
	};
}

/** Every holder of every code of a program, from the sandbox's own state. */
function holdersByCode(loyaltyId: number): Map<string, string[]> {
	const program = context.sandbox
		.getState()
		.loyaltyPrograms.find((entry) => entry.id === loyaltyId);
	const holders = new Map<string, string[]>();
	for (const code of program?.codes ?? []) {
		if (code.attachments.length > 0)
			holders.set(
				code.code,
				code.attachments.map((attachment) => attachment.profileId),
			);
	}
	return holders;
}

function codesHeldBy(loyaltyId: number, profileId: string): string[] {
	return [...holdersByCode(loyaltyId)]
		.filter(([, holders]) => holders.includes(profileId))
		.map(([code]) => code);
}

const requestsTo = (method: string) =>
	context.sandbox.requests.filter((request) => request.path.endsWith(method)).length;

describe.each(FORMATS)('over %s', (format) => {
	it('gives N items N different codes, each attached to exactly its customer, and reads the program once', async () => {
		const items = Array.from({ length: 30 }, (_unused, index) => ({ email: customer(index + 1) }));
		const result = await context.run(attachFreeCode(SINGLE_USE_PROGRAM, { format }), { items });

		expect(result.error).toBeUndefined();
		const output = jsonOf(result);
		expect(output).toHaveLength(30);
		expect(result.output.map((item) => item.pairedItem)).toEqual(
			items.map((_item, item) => ({ item })),
		);
		expect(new Set(output.map((item) => item.code)).size).toBe(30);
		output.forEach((item, index) => {
			expect(Object.keys(item)[0]).toBe('code');
			expect(item).toMatchObject({
				loyalty_id: SINGLE_USE_PROGRAM,
				db_id: 1,
				email: customer(index + 1),
				shared: false,
			});
			expect(item.profile_id).toBe(customerId(index + 1));
			expect(holdersByCode(SINGLE_USE_PROGRAM).get(item.code as string)).toEqual([
				customerId(index + 1),
			]);
		});
		// Once at most: a list read by an earlier run of this process in the last seconds is reused.
		expect(requestsTo('/promocodes/export_all')).toBeLessThanOrEqual(1);
		expect(JSON.stringify(result.run)).not.toContain(TOKEN);
	});
});

it('concurrent executions in one n8n process share one read of the program and never collide', async () => {
	process.env.ALTCRAFT_FREE_CODE_LIST_SECONDS = '60';
	try {
		const runs = await Promise.all(
			Array.from(
				{ length: 10 },
				async (_unused, index) =>
					await context.run(attachFreeCode(MULTI_PROFILE_PROGRAM), {
						items: [{ email: customer(index + 1) }],
					}),
			),
		);
		const codes = runs.map((run) => jsonOf(run)[0].code);
		expect(new Set(codes).size).toBe(10);
		expect(runs.every((run) => jsonOf(run)[0].shared === false)).toBe(true);
		expect(requestsTo('/promocodes/export_all')).toBeLessThanOrEqual(1);
		expect(requestsTo('/promocodes/attach')).toBe(10);
	} finally {
		delete process.env.ALTCRAFT_FREE_CODE_LIST_SECONDS;
	}
});

it('an out-of-date shared list is read again before saying no code is left', async () => {
	process.env.ALTCRAFT_FREE_CODE_LIST_SECONDS = '60';
	try {
		// 20 free codes: the first run uses them all from its list.
		await context.run(attachFreeCode(MULTI_PROFILE_PROGRAM), {
			items: Array.from({ length: 20 }, (_unused, index) => ({ email: customer(index + 1) })),
		});
		// The program is fresh again (as if codes were imported); the shared list is used up.
		context.sandbox.reset();
		const result = await context.run(attachFreeCode(MULTI_PROFILE_PROGRAM), {
			items: [{ email: customer(30) }],
		});
		expect(result.error).toBeUndefined();
		expect(jsonOf(result)[0].shared).toBe(false);
		expect(requestsTo('/promocodes/export_all')).toBe(1);
	} finally {
		delete process.env.ALTCRAFT_FREE_CODE_LIST_SECONDS;
	}
});

it('spreads the picks: two runs do not start at the same code', async () => {
	process.env.ALTCRAFT_FREE_CODE_LIST_SECONDS = '0';
	const first = await context.run(attachFreeCode(SINGLE_USE_PROGRAM), {
		items: [{ email: customer(1) }],
	});
	const second = await context.run(attachFreeCode(SINGLE_USE_PROGRAM), {
		items: [{ email: customer(2) }],
	});
	const third = await context.run(attachFreeCode(SINGLE_USE_PROGRAM), {
		items: [{ email: customer(3) }],
	});
	delete process.env.ALTCRAFT_FREE_CODE_LIST_SECONDS;
	const codes = [first, second, third].map((result) => jsonOf(result)[0].code);
	// Random picks among 200 codes: three equal first picks in a row would be 1 in 40,000.
	expect(new Set(codes).size).toBeGreaterThan(1);
});

it('5 concurrent executions of 10 orders each: 50 distinct codes, one per customer', async () => {
	const runs = await Promise.all(
		Array.from(
			{ length: 5 },
			async (_unused, run) =>
				await context.run(attachFreeCode(SINGLE_USE_PROGRAM), {
					items: Array.from({ length: 10 }, (_item, index) => ({
						email: customer(run * 10 + index + 1),
					})),
				}),
		),
	);
	for (const run of runs) expect(run.error).toBeUndefined();
	const codes = runs.flatMap((run) => jsonOf(run).map((item) => item.code));
	expect(new Set(codes).size).toBe(50);
	for (let n = 1; n <= 50; n++)
		expect(codesHeldBy(SINGLE_USE_PROGRAM, customerId(n))).toHaveLength(1);
	for (const holders of holdersByCode(SINGLE_USE_PROGRAM).values()) expect(holders).toHaveLength(1);
});

describe('when concurrent runs pick the same code', () => {
	// The same "random" order in every run, and every attach held for a while before it is applied,
	// so that all runs have read the program list before the first attach lands: all runs go for
	// the same first code at once, as concurrent orders can.
	// Races happen between n8n processes (queue-mode workers), which share no list: so here neither.
	beforeEach(() => {
		process.env.ALTCRAFT_FREE_CODE_LIST_SECONDS = '0';
		jest.spyOn(Math, 'random').mockReturnValue(0);
		context.sandbox.injectFault(
			{ kind: 'delay', ms: 1500 },
			{ path: 'promocodes/attach', count: 8 },
		);
	});
	afterEach(() => {
		delete process.env.ALTCRAFT_FREE_CODE_LIST_SECONDS;
		jest.restoreAllMocks();
	});

	it('single-use program: the later runs notice by reading state and take other codes', async () => {
		const runs = await Promise.all(
			[1, 2, 3, 4].map(
				async (n) =>
					await context.run(attachFreeCode(SINGLE_USE_PROGRAM), {
						items: [{ email: customer(n) }],
					}),
			),
		);
		const codes = runs.map((run) => jsonOf(run)[0]?.code);
		expect(runs.map((run) => run.error)).toEqual([undefined, undefined, undefined, undefined]);
		expect(new Set(codes).size).toBe(4);
		for (const n of [1, 2, 3, 4])
			expect(codesHeldBy(SINGLE_USE_PROGRAM, customerId(n))).toEqual([codes[n - 1]]);
		expect(runs.map((run) => jsonOf(run)[0].shared)).toEqual([false, false, false, false]);
	});

	it('multi-profile program: the first holder keeps the code, every later holder is told shared: true', async () => {
		const runs = await Promise.all(
			[1, 2, 3].map(
				async (n) =>
					await context.run(attachFreeCode(MULTI_PROFILE_PROGRAM), {
						items: [{ email: customer(n) }],
					}),
			),
		);
		const outputs = runs.map((run) => jsonOf(run)[0]);
		const code = outputs[0].code as string;
		expect(outputs.map((output) => output.code)).toEqual([code, code, code]);
		const holders = holdersByCode(MULTI_PROFILE_PROGRAM).get(code) ?? [];
		expect(holders).toHaveLength(3);
		for (const output of outputs) expect(output.shared).toBe(output.profile_id !== holders[0]);
		expect(outputs.filter((output) => output.shared === false)).toHaveLength(1);
		// Each customer holds exactly that one code: nothing more was attached to "fix" the race.
		for (const n of [1, 2, 3])
			expect(codesHeldBy(MULTI_PROFILE_PROGRAM, customerId(n))).toEqual([code]);
	});
});

it('multi-profile program: picks only codes nobody holds', async () => {
	const result = await context.run(attachFreeCode(MULTI_PROFILE_PROGRAM), {
		items: Array.from({ length: 20 }, (_unused, index) => ({ email: customer(index + 1) })),
	});
	expect(result.error).toBeUndefined();
	const codes = jsonOf(result).map((item) => item.code);
	expect(codes).not.toContain('SHARED-HELD');
	expect(new Set(codes).size).toBe(20);
	expect(jsonOf(result).every((item) => item.shared === false)).toBe(true);
});

it('no free code left: a clear error naming the program for those items, nothing attached to them', async () => {
	// Program 5 has 20 free codes; 22 customers ask.
	const result = await context.run(attachFreeCode(MULTI_PROFILE_PROGRAM), {
		items: Array.from({ length: 22 }, (_unused, index) => ({ email: customer(index + 1) })),
		onError: 'continueRegularOutput',
	});
	const output = jsonOf(result);
	expect(output).toHaveLength(22);
	const failed = output.filter((item) => item.error !== undefined);
	expect(failed).toHaveLength(2);
	for (const item of failed)
		expect(item.error).toMatch(/^No free promo codes left in loyalty program 5 \[item \d+\]$/);
	const failedCustomers = output.flatMap((item, index) => (item.error ? [index + 1] : []));
	for (const n of failedCustomers)
		expect(codesHeldBy(MULTI_PROFILE_PROGRAM, customerId(n))).toEqual([]);
});

it('customer not found: a clear error for that item, no code consumed', async () => {
	const before = holdersByCode(SINGLE_USE_PROGRAM).size;
	const result = await context.run(attachFreeCode(SINGLE_USE_PROGRAM), {
		items: [{ email: 'nobody@example.com' }, { email: customer(1) }],
		onError: 'continueRegularOutput',
	});
	const [missing, found] = jsonOf(result);
	expect(missing.error).toBe(
		'Altcraft found no customer profile for email "nobody@example.com" in database 1 [item 0]',
	);
	expect(found.shared).toBe(false);
	expect(holdersByCode(SINGLE_USE_PROGRAM).size).toBe(before + 1);
	expect(requestsTo('/promocodes/attach')).toBe(1);
});

describe.each([
	['reset after the attach was applied', 'resetAfterApply', true],
	['reset before the attach was applied', 'reset', false],
	['no answer after the attach was applied (timeout)', 'hangAfterApply', true],
	['no answer before the attach was applied (timeout)', 'hang', false],
] as const)('a lost answer: %s', (_label, fault, applied) => {
	it('is settled by reading the code back: the customer ends with exactly one code, reported', async () => {
		context.sandbox.injectFault(fault, { path: 'promocodes/attach' });
		const result = await context.run(attachFreeCode(SINGLE_USE_PROGRAM, { timeout: 1500 }), {
			items: [{ email: customer(7) }],
		});
		expect(result.error).toBeUndefined();
		const [output] = jsonOf(result);
		expect(codesHeldBy(SINGLE_USE_PROGRAM, customerId(7))).toEqual([output.code]);
		expect(output.confirmed_by_read_back).toBe(applied);
		// Applied: confirmed by reading, never sent again. Not applied: sent once more.
		expect(requestsTo('/promocodes/attach')).toBe(applied ? 1 : 2);
	});
});

it('a lost answer that reading back cannot settle fails with "unknown" and what to check', async () => {
	context.sandbox.injectFault('resetAfterApply', { path: 'promocodes/attach' });
	context.sandbox.injectFault('reset', { path: 'promocodes/get', count: 10 });
	const result = await context.run(attachFreeCode(SINGLE_USE_PROGRAM, { maxRetries: 1 }), {
		items: [{ email: customer(8) }],
		onError: 'continueRegularOutput',
	});
	const [output] = jsonOf(result);
	expect(output.error).toMatch(/whether the attach was applied is unknown \[item 0\]$/);
	// Never a second attach while the first one's outcome is unknown.
	expect(requestsTo('/promocodes/attach')).toBe(1);
	expect(codesHeldBy(SINGLE_USE_PROGRAM, customerId(8)).length).toBeLessThanOrEqual(1);
});

it('a shared list gone stale (codes taken elsewhere) is read again after a few taken codes', async () => {
	process.env.ALTCRAFT_FREE_CODE_LIST_SECONDS = '60';
	try {
		// This process reads program 4's list (200 free single-use codes) and uses one.
		await context.run(attachFreeCode(SINGLE_USE_PROGRAM), { items: [{ email: customer(1) }] });
		// Meanwhile another n8n process gives away all but two of the rest (here: straight in the sandbox).
		const program = context.sandbox
			.getState()
			.loyaltyPrograms.find((entry) => entry.id === SINGLE_USE_PROGRAM);
		const free = (program?.codes ?? [])
			.filter((code) => code.attachments.length === 0)
			.map((code) => code.code);
		const keep = new Set(free.slice(0, 2));
		const taken = await context.run(
			{
				operation: 'attach',
				loyaltyId: SINGLE_USE_PROGRAM,
				databaseId: 1,
				matching: 'email',
				email: customer(40),
				code: '={{ $json.code }}',
			},
			{ items: free.filter((code) => !keep.has(code)).map((code) => ({ code })) },
		);
		expect(taken.error).toBeUndefined();
		context.sandbox.clearRequests();
		const result = await context.run(attachFreeCode(SINGLE_USE_PROGRAM), {
			items: [{ email: customer(2) }],
		});
		expect(result.error).toBeUndefined();
		expect(keep.has(jsonOf(result)[0].code as string)).toBe(true);
		expect(requestsTo('/promocodes/export_all')).toBe(1);
		expect(requestsTo('/promocodes/attach')).toBeLessThanOrEqual(4);
	} finally {
		delete process.env.ALTCRAFT_FREE_CODE_LIST_SECONDS;
	}
});

it('Altcraft goes away right after confirming the attach: the code is still reported, without its times', async () => {
	// Every read of a code fails from now on (refused connection, sent again up to Max Retries).
	context.sandbox.injectFault('resetBeforeApply', { path: 'promocodes/get', count: 100 });
	const result = await context.run(attachFreeCode(SINGLE_USE_PROGRAM, { maxRetries: 1 }), {
		items: [{ email: customer(33) }],
	});
	expect(result.error).toBeUndefined();
	const [output] = jsonOf(result);
	expect(output).toMatchObject({
		profile_id: customerId(33),
		shared: false,
		attached: '',
		expire_date: '',
	});
	expect(codesHeldBy(SINGLE_USE_PROGRAM, customerId(33))).toEqual([output.code]);
	const hints = JSON.stringify(result.run.data.resultData.runData);
	expect(hints).toContain('reading the code back failed');
});
