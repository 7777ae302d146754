/**
 * The checkout example (examples/checkout-redeem-code.json) in queue mode: one code posted by 20 checkouts
 * at once is redeemed exactly once although the executions run on two workers (two processes, sharing
 * nothing but Altcraft): one 200, nineteen 422 "already_redeemed", the code activated once.
 */
import assert from 'node:assert/strict';
import type { Sandbox } from '../../../sandbox/src';
import type { Worker } from './cluster';
import { workerExecutions } from './cluster';

export const CHECKOUT = {
	id: 'altcraft-checkout-redeem',
	path: 'altcraft-checkout',
	file: 'checkout-redeem-code.json',
} as const;

export interface CheckoutRace {
	statuses: number[];
	reasons: unknown[];
	/** Executions each worker started during the race. */
	byWorker: Record<string, number>;
	activations: number;
}

async function attach(sandbox: Sandbox, email: string, code: string): Promise<void> {
	const response = await fetch(`${sandbox.baseUrl}/api/v1.1/promocodes/attach`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({
			token: sandbox.token,
			loyalty_id: 1,
			db_id: 1,
			matching: 'email',
			email,
			code,
		}),
	});
	const envelope = (await response.json()) as { error: number; error_text: string };
	assert.equal(envelope.error, 0, `sandbox attach: ${envelope.error} ${envelope.error_text}`);
}

export async function checkoutRace(
	mainUrl: string,
	sandbox: Sandbox,
	workers: Worker[],
	email: string,
	code: string,
	count = 20,
): Promise<CheckoutRace> {
	await attach(sandbox, email, code);
	const before = new Map(workers.map((w) => [w.name, workerExecutions(w).started]));
	const answers = await Promise.all(
		Array.from({ length: count }, async () => {
			const response = await fetch(`${mainUrl}/webhook/${CHECKOUT.path}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ email, code }),
				signal: AbortSignal.timeout(180_000),
			});
			const text = await response.text();
			return { status: response.status, body: JSON.parse(text) as Record<string, unknown> };
		}),
	);
	const byWorker: Record<string, number> = {};
	for (const w of workers) {
		const earlier = before.get(w.name) ?? new Set<string>();
		byWorker[w.name] = [...workerExecutions(w).started].filter((id) => !earlier.has(id)).length;
	}
	return {
		statuses: answers.map((a) => a.status).sort(),
		reasons: answers.filter((a) => a.status !== 200).map((a) => a.body.reason),
		byWorker,
		activations: sandbox.requests.filter(
			(r) => r.path.endsWith('promocodes/activate') && r.body?.code === code,
		).length,
	};
}
