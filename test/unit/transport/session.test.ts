/**
 * The session's retry and read-back table, the shared Retry-After pause and cancellation, against a
 * scripted sender: no sockets, no engine, milliseconds per case.
 */
import type { INode } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import {
	type AltcraftRequest,
	createSession,
	ExecutionCancelledError,
	type ReadBack,
	type Sender,
	TransportFailure,
	type WireRequest,
	type WireResponse,
} from '../../../nodes/AltcraftPromo/transport';

const TOKEN = 'secret-token-123';
const node = {
	name: 'Altcraft Promo',
	type: 'altcraftPromo',
	typeVersion: 2,
	parameters: {},
} as unknown as INode;
const credentials = {
	baseUrl: 'http://altcraft.test',
	origin: 'http://altcraft.test',
	token: TOKEN,
	allowUnauthorizedCerts: false,
};

type Step =
	| WireResponse
	| TransportFailure
	| ((request: WireRequest) => Promise<WireResponse | TransportFailure>);

const ok = (
	body: object = { error: 0, error_text: 'Successful operation', data: null },
): WireResponse => ({
	statusCode: 200,
	headers: { 'content-type': 'application/json' },
	body: JSON.stringify(body),
});
const status = (statusCode: number, headers: Record<string, string> = {}): WireResponse => ({
	statusCode,
	headers,
	body: '',
});
const resetAfterSending = () => new TransportFailure('socket hang up', true, false, 'ECONNRESET');
const refusedConnection = () =>
	new TransportFailure('connect ECONNREFUSED', false, false, 'ECONNREFUSED');

/** A sender that answers each request with the next scripted step and records what it was asked. */
function scriptedSender(steps: Step[]): Sender & { sent: WireRequest[] } {
	const sent: WireRequest[] = [];
	return {
		sent,
		async send(request) {
			sent.push(request);
			const step = steps.shift();
			if (step === undefined) throw new Error(`unexpected request ${request.method}`);
			return typeof step === 'function' ? await step(request) : step;
		},
		close() {},
	};
}

function sessionWith(
	steps: Step[],
	options: { readBack?: ReadBack; signal?: AbortSignal; maxRetries?: number } = {},
) {
	const sender = scriptedSender(steps);
	const session = createSession(
		{ timeoutMs: 1_000, maxRetries: options.maxRetries ?? 3, concurrency: 2, format: 'json' },
		{
			node,
			credentials,
			sender,
			readBack: options.readBack,
			signal: options.signal,
			backoff: () => 1,
		},
	);
	return { session, sender };
}

const activate: AltcraftRequest = {
	method: 'promocodes/activate',
	body: { code: 'A-1', loyalty_id: 1 },
};
const attachWithoutCode: AltcraftRequest = {
	method: 'promocodes/attach',
	body: { loyalty_id: 1, db_id: 1, matching: 'email', email: 'a@example.com' },
};
/** The error a call failed with (the test fails when it succeeded). */
async function failureOf(call: Promise<unknown>): Promise<NodeApiError> {
	const outcome = await call.then(
		() => undefined,
		(error: unknown) => error,
	);
	if (!(outcome instanceof NodeApiError))
		throw new Error(`expected a NodeApiError, got ${String(outcome)}`);
	return outcome;
}

const read: AltcraftRequest = { method: 'promocodes/get', body: { code: 'A-1', loyalty_id: 1 } };

describe('session: what is resent after which failure', () => {
	it('a read is resent after a reset and a 503, and succeeds', async () => {
		const { session, sender } = sessionWith([
			resetAfterSending(),
			status(503),
			ok({ error: 0, error_text: '', data: { code: 'A-1' } }),
		]);
		const result = await session.call(read, { itemIndex: 0 });
		expect(result.envelope.data).toEqual({ code: 'A-1' });
		expect(sender.sent).toHaveLength(3);
	});

	it('an activation whose answer was lost is read back, not resent, when reading shows it applied', async () => {
		const readBack = jest.fn<ReturnType<ReadBack>, Parameters<ReadBack>>(async () => 'applied');
		const { session, sender } = sessionWith([resetAfterSending()], { readBack });
		const result = await session.call(activate, { itemIndex: 0 });
		expect(result.confirmedByReadBack).toBe(true);
		expect(sender.sent.map((request) => request.method)).toEqual(['promocodes/activate']);
		expect(readBack).toHaveBeenCalledTimes(1);
	});

	it('an activation read back as not applied is resent once', async () => {
		const { session, sender } = sessionWith([resetAfterSending(), ok()], {
			readBack: async () => 'notApplied',
		});
		const result = await session.call(activate, { itemIndex: 3 });
		expect(result.confirmedByReadBack).toBe(false);
		expect(sender.sent).toHaveLength(2);
	});

	it('an activation the read-back cannot settle fails as unknown, naming the item, and is not resent', async () => {
		const { session, sender } = sessionWith([resetAfterSending()], {
			readBack: async () => 'unknown',
		});
		await expect(session.call(activate, { itemIndex: 4 })).rejects.toThrow(
			/whether the activation was applied is unknown \[item 4\]$/,
		);
		expect(sender.sent).toHaveLength(1);
	});

	it('without a read-back, a lost answer of a verifiable request is unknown, never resent', async () => {
		const { session, sender } = sessionWith([resetAfterSending()]);
		await expect(session.call(activate, { itemIndex: 0 })).rejects.toThrow(/unknown/);
		expect(sender.sent).toHaveLength(1);
	});

	it('an attach without a code is never resent after sending, but is after a refused connection', async () => {
		const lost = sessionWith([resetAfterSending()]);
		await expect(lost.session.call(attachWithoutCode, { itemIndex: 0 })).rejects.toThrow(
			/may have attached a promo code/,
		);
		expect(lost.sender.sent).toHaveLength(1);
		const refused = sessionWith([refusedConnection(), ok()]);
		await refused.session.call(attachWithoutCode, { itemIndex: 0 });
		expect(refused.sender.sent).toHaveLength(2);
	});

	it('gives up after Max Retries with the last failure, and the token appears nowhere', async () => {
		const { session, sender } = sessionWith(
			[refusedConnection(), refusedConnection(), refusedConnection()],
			{ maxRetries: 2 },
		);
		const error = await failureOf(session.call(read, { itemIndex: 1 }));
		expect(error.message).toBe('Could not reach Altcraft at http://altcraft.test [item 1]');
		expect(sender.sent).toHaveLength(3);
		expect(
			JSON.stringify({
				message: error.message,
				description: error.description,
				context: error.context,
			}),
		).not.toContain(TOKEN);
	});

	it("Altcraft's own refusal is not retried and keeps its code", async () => {
		const { session, sender } = sessionWith([
			ok({ error: 404, error_text: 'Promo code not found', data: null }),
		]);
		const error = await failureOf(session.call(read, { itemIndex: 0 }));
		expect(error.message).toBe('Altcraft error 404: Promo code not found [item 0]');
		expect(error.context.altcraftError).toBe(404);
		expect(sender.sent).toHaveLength(1);
	});
});

describe('session: Retry-After', () => {
	it('one 429 with Retry-After holds back the next request of every item', async () => {
		const { session, sender } = sessionWith([status(429, { 'retry-after': '0.3' }), ok(), ok()]);
		const started = Date.now();
		await Promise.all([
			session.call(read, { itemIndex: 0 }),
			(async () => {
				await new Promise((resolve) => setTimeout(resolve, 20));
				return await session.call(read, { itemIndex: 1 });
			})(),
		]);
		expect(Date.now() - started).toBeGreaterThanOrEqual(290);
		expect(sender.sent).toHaveLength(3);
	});

	it('a Retry-After beyond 60 s fails at once and sends nothing more', async () => {
		const { session, sender } = sessionWith([status(429, { 'retry-after': '120' })]);
		await expect(session.call(read, { itemIndex: 0 })).rejects.toThrow(
			'Altcraft is rate limiting requests for 120 s [item 0]',
		);
		expect(sender.sent).toHaveLength(1);
	});
});

describe('session: Stop', () => {
	it('ends a Retry-After wait at once and sends nothing after the stop', async () => {
		const controller = new AbortController();
		const { session, sender } = sessionWith([status(503, { 'retry-after': '5' }), ok()], {
			signal: controller.signal,
		});
		const started = Date.now();
		setTimeout(() => controller.abort(), 50);
		await expect(session.call(read, { itemIndex: 0 })).rejects.toBeInstanceOf(
			ExecutionCancelledError,
		);
		expect(Date.now() - started).toBeLessThan(1_000);
		expect(sender.sent).toHaveLength(1);
	});

	it('sends nothing once stopped', async () => {
		const controller = new AbortController();
		controller.abort();
		const { session, sender } = sessionWith([ok()], { signal: controller.signal });
		await expect(session.call(read, { itemIndex: 0 })).rejects.toBeInstanceOf(
			ExecutionCancelledError,
		);
		expect(sender.sent).toHaveLength(0);
	});

	it('a side effect cut short by the stop says its outcome is unknown, and is neither read back nor resent', async () => {
		const controller = new AbortController();
		const readBack = jest.fn<ReturnType<ReadBack>, Parameters<ReadBack>>(async () => 'applied');
		const inFlight = async () => {
			controller.abort();
			return new TransportFailure('the execution was stopped', true, false, 'EXECUTION_CANCELLED');
		};
		const { session, sender } = sessionWith([inFlight], { signal: controller.signal, readBack });
		await expect(session.call(activate, { itemIndex: 0 })).rejects.toThrow(
			'The execution was canceled (Stop) while the activation was on its way to Altcraft: whether it was applied is unknown',
		);
		expect(sender.sent).toHaveLength(1);
		expect(readBack).not.toHaveBeenCalled();
	});
});
