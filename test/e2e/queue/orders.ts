/**
 * Shop orders for the queue-mode e2e suite: the sandbox seed with enough distinct customers and free
 * codes, bounded concurrent webhook posts, and checking the answers against the sandbox's state.
 */
import type { Sandbox, SandboxSeed, SandboxState } from '../../../sandbox/src';

export const DATABASE_ID = 1;

/** Profile id (24 hex characters, as Altcraft's) of queue customer n. */
export function customerId(n: number): string {
	return `64c${n.toString(16).padStart(21, '0')}`;
}

export function customerEmail(n: number): string {
	return `q-${String(n).padStart(4, '0')}@example.com`;
}

/**
 * The default seed's ids with more of everything: database 1 with `customers` profiles; program 4 "Shop
 * welcome" (single-use codes, no new codes), which the shop example hands out, with `codes` free
 * SHOP-nnnn codes; program 1 "Welcome discount" (new codes allowed: the by-id stand-in attaches
 * ORDER-<id>) with WELCOME-0001…0010, which the redeem example looks up and the import example adds to.
 */
export function queueSeed(customers: number, codes: number): SandboxSeed {
	return {
		defaultCreated: '2024-04-01T12:39:34Z',
		databases: [
			{
				id: DATABASE_ID,
				name: 'Demo shop customers',
				profiles: Array.from({ length: customers }, (_, i) => ({
					id: customerId(i + 1),
					email: customerEmail(i + 1),
				})),
			},
		],
		loyaltyPrograms: [
			{
				id: 1,
				name: 'Welcome discount',
				allowNewCodes: true,
				multiProfileCodes: false,
				codeLimit: null,
				codes: Array.from({ length: 10 }, (_, i) => `WELCOME-${String(i + 1).padStart(4, '0')}`),
			},
			{
				id: 4,
				name: 'Shop welcome',
				allowNewCodes: false,
				multiProfileCodes: false,
				codeLimit: null,
				codes: Array.from({ length: codes }, (_, i) => `SHOP-${String(i + 1).padStart(4, '0')}`),
			},
		],
	};
}

export interface Order {
	orderId: string;
	customer: number;
}

export interface OrderResult extends Order {
	/** HTTP status, or 0 when no answer came (connection error or our timeout). */
	status: number;
	text: string;
	body?: Record<string, unknown>;
	/** The code the shop was told, if any. */
	code?: string;
	ms: number;
	error?: string;
}

/** POSTs one order to the webhook; never throws (a transport failure is a result too). */
export async function postOrder(
	url: string,
	order: Order,
	timeoutMs: number,
): Promise<OrderResult> {
	const started = Date.now();
	try {
		const response = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ orderId: order.orderId, email: customerEmail(order.customer) }),
			signal: AbortSignal.timeout(timeoutMs),
		});
		const text = await response.text();
		let body: Record<string, unknown> | undefined;
		try {
			const parsed: unknown = JSON.parse(text);
			if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
				body = parsed as Record<string, unknown>;
		} catch {
			// not JSON: kept as text
		}
		const code = body?.promo_code ?? body?.code;
		return {
			...order,
			status: response.status,
			text,
			body,
			code: typeof code === 'string' && code !== '' ? code : undefined,
			ms: Date.now() - started,
		};
	} catch (error) {
		return {
			...order,
			status: 0,
			text: '',
			ms: Date.now() - started,
			error: (error as Error).message,
		};
	}
}

/** All orders at once (the whole batch is in flight together); resolves when every one has an outcome. */
export async function postOrders(
	url: string,
	orders: Order[],
	timeoutMs = 180_000,
): Promise<{ results: OrderResult[]; ms: number }> {
	const started = Date.now();
	const results = await Promise.all(orders.map((order) => postOrder(url, order, timeoutMs)));
	return { results, ms: Date.now() - started };
}

/** `count` orders of customers first…first+count-1, order ids `<prefix>-<n>`. */
export function makeOrders(prefix: string, first: number, count: number): Order[] {
	return Array.from({ length: count }, (_, i) => ({
		orderId: `${prefix}-${first + i}`,
		customer: first + i,
	}));
}

/** Batches of orders from customer `first` on, each batch continuing where the last one ended. */
export function orderSequence(prefix: string, first: number): (count: number) => Order[] {
	let next = first;
	return (count) => {
		const orders = makeOrders(prefix, next, count);
		next += count;
		return orders;
	};
}

/** Codes of every program that each profile of database 1 holds (profile id → codes). */
export function codesByCustomer(state: SandboxState): Map<string, string[]> {
	const held = new Map<string, string[]>();
	for (const program of state.loyaltyPrograms) {
		for (const code of program.codes) {
			for (const attachment of code.attachments) {
				if (attachment.databaseId !== DATABASE_ID) continue;
				held.set(attachment.profileId, [...(held.get(attachment.profileId) ?? []), code.code]);
			}
		}
	}
	return held;
}

/** Holders (database:profile) of a code, in whichever program has it (code names differ per program). */
export function holders(sandbox: Sandbox, code: string): string[] {
	const program = sandbox
		.getState()
		.loyaltyPrograms.find((p) => p.codes.some((c) => c.code === code));
	return (program ? (sandbox.getCode(program.id, code)?.attachments ?? []) : []).map(
		(a) => `${a.databaseId}:${a.profileId}`,
	);
}

export function summarizeStatuses(results: OrderResult[]): string {
	const counts = new Map<string, number>();
	for (const r of results) {
		const key = r.status === 0 ? `no answer (${r.error ?? '?'})` : `HTTP ${r.status}`;
		counts.set(key, (counts.get(key) ?? 0) + 1);
	}
	return [...counts].map(([k, v]) => `${v} × ${k}`).join(', ');
}
