/**
 * Redeem: a code at checkout is activated only when it is the customer's, unused and unexpired; the
 * answer is one item with "redeemed" and a reason, and one code is redeemed exactly once, also when
 * twenty checkouts race in one process or in two.
 */

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { RunNodeOptions } from '../harness';
import { inEngineProcesses } from '../support/engine-processes';
import { FORMATS, jsonOf, TOKEN, useSandbox } from './context';

const context = useSandbox();

const ALICE = '64b000000000000000000001';

/** A direct Altcraft call to the sandbox, to set a code up (not through the node). */
async function altcraft(method: string, body: IDataObject): Promise<IDataObject> {
	const response = await fetch(`${context.sandbox.baseUrl}/api/v1.1/${method}`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ token: TOKEN, ...body }),
	});
	const envelope = (await response.json()) as IDataObject;
	if (envelope.error !== 0) throw new Error(`${method}: ${JSON.stringify(envelope)}`);
	return envelope;
}

const attachTo = async (email: string, code: string, loyaltyId = 1) =>
	await altcraft('promocodes/attach', { loyalty_id: loyaltyId, db_id: 1, email, code });

function redeem(extra: INodeParameters = {}): INodeParameters {
	return { operation: 'redeem', loyaltyId: 1, code: '={{ $json.code }}', ...extra };
}

const byAlice = { matching: 'email', databaseId: 1, email: 'alice@example.com' };

async function redeemOne(code: string, extra: INodeParameters = {}) {
	const result = await context.run(redeem(extra), { items: [{ code }] });
	expect(result.error).toBeUndefined();
	const output = jsonOf(result);
	expect(output).toHaveLength(1);
	expect(result.output[0].pairedItem).toEqual({ item: 0 });
	return output[0];
}

describe.each(FORMATS)('Redeem over %s', (format) => {
	const options = { format };

	it('redeems a code attached to the customer: activated, read back, "redeemed": true', async () => {
		await attachTo('alice@example.com', 'WELCOME-0001');
		const json = await redeemOne('WELCOME-0001', { ...byAlice, options });
		expect(json).toMatchObject({
			code: 'WELCOME-0001',
			redeemed: true,
			reason: null,
			loyalty_id: 1,
			email: 'alice@example.com',
			confirmed_by: 'altcraft_answer',
		});
		expect(json.state).toMatchObject({
			code: 'WELCOME-0001',
			is_attached: true,
			is_activated: true,
			profile_id: ALICE,
		});
		expect(context.sandbox.getCode(1, 'WELCOME-0001')?.activated).not.toBeNull();
	});

	it('the second redeem of the same code answers already_redeemed', async () => {
		await attachTo('alice@example.com', 'WELCOME-0002');
		expect((await redeemOne('WELCOME-0002', { options })).redeemed).toBe(true);
		expect(await redeemOne('WELCOME-0002', { options })).toMatchObject({
			redeemed: false,
			reason: 'already_redeemed',
		});
	});
});

describe('Redeem: each reason, without activating', () => {
	const activations = () =>
		context.sandbox.requests.filter((request) => request.path.endsWith('promocodes/activate'))
			.length;

	it('not_found: no such code in the program', async () => {
		expect(await redeemOne('NO-SUCH-CODE')).toMatchObject({
			code: 'NO-SUCH-CODE',
			redeemed: false,
			reason: 'not_found',
			state: {},
		});
		expect(activations()).toBe(0);
	});

	it('not_attached: a free code', async () => {
		const json = await redeemOne('WELCOME-0005', byAlice);
		expect(json).toMatchObject({
			redeemed: false,
			reason: 'not_attached',
			state: { is_attached: false },
		});
		expect(activations()).toBe(0);
		expect(context.sandbox.getCode(1, 'WELCOME-0005')?.activated).toBeNull();
	});

	it("other_customer: another customer's code, and a customer Altcraft does not know", async () => {
		await attachTo('bob@example.com', 'WELCOME-0003');
		expect(await redeemOne('WELCOME-0003', byAlice)).toMatchObject({
			redeemed: false,
			reason: 'other_customer',
		});
		expect(
			await redeemOne('WELCOME-0003', { ...byAlice, email: 'nobody@example.com' }),
		).toMatchObject({ reason: 'other_customer' });
		expect(
			await redeemOne('WELCOME-0003', { ...byAlice, matching: 'phone', phone: '+7 900 000-00-02' }),
		).toMatchObject({ redeemed: true });
		expect(activations()).toBe(1);
	});

	it('already_redeemed: an activated code (program 3, LIMITED-0002 of carol)', async () => {
		const json = await redeemOne('LIMITED-0002', { loyaltyId: 3 });
		expect(json).toMatchObject({
			redeemed: false,
			reason: 'already_redeemed',
			state: { is_activated: true },
		});
		expect(activations()).toBe(0);
	});

	it('expired: an attached code past its expiry', async () => {
		await attachTo('alice@example.com', 'WELCOME-0004');
		await altcraft('promocodes/update', {
			loyalty_id: 1,
			code: 'WELCOME-0004',
			expire_date: '2020-01-01T00:00:00Z',
		});
		expect(await redeemOne('WELCOME-0004', byAlice)).toMatchObject({
			redeemed: false,
			reason: 'expired',
			state: { is_expired: true },
		});
		expect(activations()).toBe(0);
	});

	it('Fail When Rejected turns a rejection into an error naming the code, the reason and the item', async () => {
		const result = await context.run(redeem({ options: { failWhenRejected: true } }), {
			items: [{ code: 'WELCOME-0006' }],
		});
		expect(result.error?.message).toBe(
			'Promo code "WELCOME-0006" was not redeemed: the code is not attached to any customer [item 0]',
		);
	});

	it('undo: Update → Activated off gives the code back, and it can be redeemed again', async () => {
		await attachTo('alice@example.com', 'WELCOME-0007');
		expect((await redeemOne('WELCOME-0007', byAlice)).redeemed).toBe(true);
		const refund = await context.run({
			operation: 'update',
			loyaltyId: 1,
			code: 'WELCOME-0007',
			updateFields: { activated: false },
		});
		expect(refund.error).toBeUndefined();
		expect((await redeemOne('WELCOME-0007', byAlice)).redeemed).toBe(true);
	});
});

describe('Redeem: bad input fails before any request', () => {
	it.each([
		['an empty code', { items: [{ code: '' }] }, {}, 'Promo Code is empty [item 0]'],
		[
			'a code with a space inside',
			{ items: [{ code: 'WELCOME 0001' }] },
			{},
			'Promo Code "WELCOME 0001" contains a space [item 0]',
		],
		[
			'a missing matching key',
			{ items: [{ code: 'WELCOME-0001' }] },
			{ ...byAlice, email: '={{ $json.email }}' },
			'Email is empty [item 0]',
		],
		[
			'a bad item among good ones',
			{ items: [{ code: 'WELCOME-0001' }, { code: '' }] },
			{},
			'Promo Code is empty [item 1]',
		],
	])('%s', async (_name, { items }, extra, message) => {
		const result = await context.run(redeem(extra), { items });
		expect(result.error?.message).toBe(message);
		expect(context.sandbox.requests).toHaveLength(0);
	});
});

describe('Redeem: exactly once', () => {
	it('20 concurrent executions in one process redeem one code: exactly 1 redeemed, 19 already_redeemed', async () => {
		await attachTo('alice@example.com', 'WELCOME-0008');
		const outputs = await Promise.all(
			Array.from({ length: 20 }, async () => await redeemOne('WELCOME-0008', byAlice)),
		);
		expect(outputs.filter((json) => json.redeemed === true)).toHaveLength(1);
		expect(outputs.filter((json) => json.reason === 'already_redeemed')).toHaveLength(19);
		// The lock per code: the others read the activated code and never send a second activation.
		expect(
			context.sandbox.requests.filter((request) => request.path.endsWith('promocodes/activate')),
		).toHaveLength(1);
	});

	it('20 items of one code in one execution: exactly 1 redeemed, each item paired to its input', async () => {
		await attachTo('alice@example.com', 'WELCOME-0009');
		const result = await context.run(redeem(), {
			items: Array.from({ length: 20 }, () => ({ code: 'WELCOME-0009' })),
		});
		expect(result.error).toBeUndefined();
		expect(result.output.map((item) => item.pairedItem)).toEqual(
			Array.from({ length: 20 }, (_unused, item) => ({ item })),
		);
		expect(jsonOf(result).filter((json) => json.redeemed === true)).toHaveLength(1);
	});

	it('two engine processes, 10 executions each, one code: exactly 1 redeemed, 19 already_redeemed', async () => {
		await attachTo('alice@example.com', 'WELCOME-0010');
		const run: RunNodeOptions = {
			parameters: { resource: 'promoCode', ...redeem(byAlice) },
			items: [{ code: 'WELCOME-0010' }],
			credentials: { baseUrl: context.sandbox.baseUrl, token: TOKEN },
		};
		const answers = await inEngineProcesses([Array(10).fill(run), Array(10).fill(run)]);
		const outputs = answers.flatMap((answer) => answer.results);
		expect(outputs.map((result) => result.error)).toEqual(Array(20).fill(undefined));
		const redeemed = outputs.filter((result) => result.output[0].redeemed === true);
		expect(redeemed).toHaveLength(1);
		expect(outputs.filter((result) => result.output[0].reason === 'already_redeemed')).toHaveLength(
			19,
		);
	}, 120_000);

	it('two processes that both send the activation (held 3 s in flight): Altcraft refuses the second, read back as already_redeemed', async () => {
		await attachTo('alice@example.com', 'WELCOME-0010');
		// The first activation of each process waits in the sandbox, so both have read the code as unused.
		context.sandbox.injectFault(
			{ kind: 'delay', ms: 3_000 },
			{ path: 'promocodes/activate', count: 2 },
		);
		const run: RunNodeOptions = {
			parameters: { resource: 'promoCode', ...redeem(byAlice) },
			items: [{ code: 'WELCOME-0010' }],
			credentials: { baseUrl: context.sandbox.baseUrl, token: TOKEN },
		};
		const answers = await inEngineProcesses([Array(10).fill(run), Array(10).fill(run)]);
		const outputs = answers.flatMap((answer) => answer.results);
		expect(outputs.map((result) => result.error)).toEqual(Array(20).fill(undefined));
		expect(outputs.filter((result) => result.output[0].redeemed === true)).toHaveLength(1);
		expect(outputs.filter((result) => result.output[0].reason === 'already_redeemed')).toHaveLength(
			19,
		);
		const activations = context.sandbox.requests.filter((request) =>
			request.path.endsWith('promocodes/activate'),
		);
		expect(activations.map((request) => request.error).sort()).toEqual([0, 409]);
	}, 120_000);
});
