/**
 * Stop means stop: after the execution's cancel signal (n8n's Stop button) no request leaves the
 * node, waits end at once, and the node returns within 2 s; nothing claims success.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runAltcraftNode, type RunNodeResult } from '../harness';
import { TOKEN, useSandbox } from './context';

const context = useSandbox();
const STOP_AFTER_MS = 1_000;
/** The bound the node must keep between Stop and its return. */
const ENDS_WITHIN_MS = 2_000;
/** A request written just before the stop may still be read by the server this much later. */
const IN_FLIGHT_GRACE_MS = 50;

interface Stopped {
	result: RunNodeResult;
	/** From Stop to the execution's end. */
	endedAfterMs: number;
	/** Requests the sandbox received more than the grace period after Stop. */
	sentAfterStop: number;
	receivedBeforeStop: number;
}

async function runAndStop(
	parameters: INodeParameters,
	items: IDataObject[],
	stopAfterMs = STOP_AFTER_MS,
): Promise<Stopped> {
	let stoppedAt = 0;
	let receivedBeforeStop = 0;
	let receivedAtGrace = 0;
	const result = await runAltcraftNode({
		parameters: { resource: 'promoCode', ...parameters },
		items,
		credentials: { baseUrl: context.sandbox.baseUrl, token: TOKEN },
		cancelAfterMs: stopAfterMs,
		onCancel: () => {
			stoppedAt = Date.now();
			receivedBeforeStop = context.sandbox.requests.length;
			setTimeout(() => {
				receivedAtGrace = context.sandbox.requests.length;
			}, IN_FLIGHT_GRACE_MS);
		},
	});
	const endedAfterMs = Date.now() - stoppedAt;
	// Anything that still arrives after the node returned would be counted here too.
	await new Promise((resolve) => setTimeout(resolve, 300));
	return {
		result,
		endedAfterMs,
		receivedBeforeStop,
		sentAfterStop: context.sandbox.requests.length - Math.max(receivedAtGrace, receivedBeforeStop),
	};
}

function expectStopped(stopped: Stopped): void {
	expect(stopped.result.run.status).toBe('canceled');
	expect(stopped.endedAfterMs).toBeLessThan(ENDS_WITHIN_MS);
	expect(stopped.sentAfterStop).toBe(0);
	// Nothing claims success for an item that did not finish: the run's output is cut off, not faked.
	expect(JSON.stringify(stopped.result.run)).not.toContain(TOKEN);
}

const customers = (count: number) =>
	Array.from({ length: count }, (_unused, index) => ({
		email: `customer${String(index + 1).padStart(2, '0')}@example.com`,
		code: `SHOP-${String(index + 1).padStart(4, '0')}`,
	}));

describe('Stop', () => {
	it('during 40 slow Gets: no request after Stop, the node ends within 2 s', async () => {
		context.sandbox.injectFault({ kind: 'delay', ms: 400 }, { count: 1000 });
		const stopped = await runAndStop(
			{ operation: 'get', loyaltyId: 4, code: '={{ $json.code }}', options: { concurrency: 2 } },
			customers(40),
		);
		expectStopped(stopped);
		expect(stopped.receivedBeforeStop).toBeLessThan(40);
	});

	it('during Attach with codes: nothing attached after Stop', async () => {
		context.sandbox.injectFault({ kind: 'delay', ms: 150 }, { count: 1000 });
		const stopped = await runAndStop(
			{
				operation: 'attach',
				loyaltyId: 4,
				databaseId: 1,
				code: '={{ $json.code }}',
				matching: 'email',
				email: '={{ $json.email }}',
				options: { concurrency: 1 },
			},
			customers(30),
		);
		expectStopped(stopped);
		const program = context.sandbox.getState().loyaltyPrograms.find((entry) => entry.id === 4);
		const attached = (program?.codes ?? []).filter((code) => code.attachments.length > 0).length;
		// Attaches that reached the sandbox before Stop at most (one in flight may be cut off unapplied).
		expect(attached).toBeLessThanOrEqual(stopped.receivedBeforeStop);
		expect(attached).toBeLessThan(30);
	});

	it('during a 5 s Retry-After wait: no retry is sent, the node ends at once', async () => {
		context.sandbox.injectFault({ kind: 'status503' }, { count: 1 });
		context.sandbox.injectFault({ kind: 'status429', retryAfter: 5 }, { count: 1 });
		const stopped = await runAndStop(
			{ operation: 'get', loyaltyId: 4, code: 'SHOP-0001', options: { maxRetries: 5 } },
			[{}],
			600,
		);
		expectStopped(stopped);
		expect(context.sandbox.requests).toHaveLength(2);
	});

	it('during Import chunks: no chunk after Stop', async () => {
		context.sandbox.injectFault({ kind: 'delay', ms: 200 }, { count: 1000 });
		const codes = Array.from({ length: 5_000 }, (_unused, index) => `STOP-${index}`);
		const stopped = await runAndStop(
			{
				operation: 'import',
				loyaltyId: 1,
				codes: '={{ $json.codes }}',
				options: { chunkSize: 100 },
			},
			[{ codes }],
		);
		expectStopped(stopped);
		expect(stopped.receivedBeforeStop).toBeLessThan(50);
	});

	it('during Attach Free Code with an Order ID: nothing attached after Stop', async () => {
		context.sandbox.injectFault({ kind: 'delay', ms: 100 }, { count: 1000 });
		const items = customers(30).map((customer, index) => ({
			...customer,
			orderId: `STOP-${index}`,
		}));
		const stopped = await runAndStop(
			{
				operation: 'attachFreeCode',
				loyaltyId: 4,
				databaseId: 1,
				matching: 'email',
				email: '={{ $json.email }}',
				idempotencyKey: '={{ $json.orderId }}',
				options: { concurrency: 2 },
			},
			items,
		);
		expectStopped(stopped);
	});

	it('during a batch pause: the pause ends at once', async () => {
		const stopped = await runAndStop(
			{
				operation: 'get',
				loyaltyId: 4,
				code: '={{ $json.code }}',
				options: { batching: { batch: { batchSize: 2, batchInterval: 10_000 } } },
			},
			customers(6),
			300,
		);
		expectStopped(stopped);
		expect(context.sandbox.requests).toHaveLength(2);
	});
});
