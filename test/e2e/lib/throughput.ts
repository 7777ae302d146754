/**
 * The shop flow's speed against n8n's own floor, measured side by side on one n8n (or one cluster):
 * rounds of orders posted all at once, the flows taking turns (A B, B A, A B …) so both meet the
 * same load on the machine. Used by the shop-flow benchmark (regular mode) and the soak (queue mode).
 *
 * Also where the time goes: each flow's stored executions (time per node as n8n records it, and
 * the execution's own start to end) and the Altcraft calls the sandbox saw per order.
 */
import type { N8nRuntime } from '../../../scripts/lib/install';
import type { N8nRest } from '../../../scripts/lib/n8n';
import { getExecution } from '../queue/executions';
import { orderSequence, postOrders, type Order, type OrderResult } from '../queue/orders';
import { percentile } from '../soak/measure';

/** n8n's floor: a webhook answered by Respond to Webhook, nothing else. */
export function floorWorkflow(id: string, webhookPath: string): Record<string, unknown> {
	return {
		id,
		name: 'Floor: webhook answered at once',
		nodes: [
			{
				id: 'floor-webhook',
				name: 'Order',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: `${id}-webhook`,
				parameters: {
					httpMethod: 'POST',
					path: webhookPath,
					responseMode: 'responseNode',
					options: {},
				},
			},
			{
				id: 'floor-respond',
				name: 'Answer 200',
				type: 'n8n-nodes-base.respondToWebhook',
				typeVersion: 1.1,
				position: [220, 0],
				parameters: {
					respondWith: 'json',
					responseBody: '={{ { orderId: $json.body.orderId } }}',
					options: { responseCode: 200 },
				},
			},
		],
		connections: { Order: { main: [[{ node: 'Answer 200', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
		active: false,
	};
}

export interface FlowUnderTest {
	name: string;
	url: string;
	/** Fresh orders for one round (new order ids; for the shop, new customers). */
	orders: (count: number) => Order[];
	/** What counts as a served order for this flow. */
	served: (result: OrderResult) => boolean;
}

/** The floor workflow as a flow to measure (its orders name no customer it would look up). */
export function floorFlow(url: string): FlowUnderTest {
	return {
		name: 'floor (Webhook → Respond to Webhook)',
		url,
		orders: orderSequence('F', 1),
		served: (r) => r.status === 200,
	};
}

/** A shop flow: served means 200 with a code. `orders` should bring new customers. */
export function shopFlow(
	name: string,
	url: string,
	orders: (count: number) => Order[],
): FlowUnderTest {
	return { name, url, orders, served: (r) => r.status === 200 && r.code !== undefined };
}

export interface FlowSpeed {
	name: string;
	orders: number;
	served: number;
	/** Summed wall time of this flow's rounds. */
	seconds: number;
	ordersPerSecond: number;
	p50: number;
	p99: number;
	/** The first answers that were not served, for the report. */
	failures: string[];
	/** CPU milliseconds per order of each measured process group, during this flow's rounds. */
	cpuMsPerOrder: Record<string, number>;
}

/** Cumulative CPU seconds of a group of processes (read before and after each round). */
export type CpuClock = () => number;

/** `rounds` rounds of `size` orders at once per flow, the flows taking turns. */
export async function alternateRounds(
	flows: FlowUnderTest[],
	rounds: number,
	size: number,
	cpuClocks: Record<string, CpuClock> = {},
	timeoutMs = 120_000,
): Promise<FlowSpeed[]> {
	const results = flows.map(() => ({
		ms: 0,
		answers: [] as OrderResult[],
		cpu: Object.fromEntries(Object.keys(cpuClocks).map((name) => [name, 0])),
	}));
	const readClocks = () =>
		Object.fromEntries(Object.entries(cpuClocks).map(([name, clock]) => [name, clock()]));
	for (let round = 0; round < rounds; round++) {
		// Turns alternate so that no flow always runs right after the other one.
		const order = round % 2 === 0 ? flows.map((_, i) => i) : flows.map((_, i) => i).reverse();
		for (const index of order) {
			const flow = flows[index];
			const before = readClocks();
			const { results: answers, ms } = await postOrders(flow.url, flow.orders(size), timeoutMs);
			// Executions finish (and are saved) a moment after they answer: their CPU belongs to this round.
			await new Promise((resolve) => setTimeout(resolve, 300));
			const after = readClocks();
			for (const name of Object.keys(after)) results[index].cpu[name] += after[name] - before[name];
			results[index].ms += ms;
			results[index].answers.push(...answers);
		}
	}
	return flows.map((flow, index) => {
		const { ms, answers, cpu } = results[index];
		const times = answers.map((a) => a.ms);
		const bad = answers.filter((a) => !flow.served(a));
		return {
			name: flow.name,
			orders: answers.length,
			served: answers.length - bad.length,
			seconds: ms / 1000,
			ordersPerSecond: answers.length / (ms / 1000),
			p50: percentile(times, 50),
			p99: percentile(times, 99),
			failures: bad.slice(0, 3).map((a) => `${a.status} ${a.text.slice(0, 160)}`),
			cpuMsPerOrder: Object.fromEntries(
				Object.entries(cpu).map(([name, seconds]) => [name, (seconds * 1000) / answers.length]),
			),
		};
	});
}

export interface ExecutionTimes {
	executions: number;
	/** Mean time per node as n8n records it (executionTime), ms. */
	perNode: Array<{ node: string; ms: number }>;
	/** Mean of startedAt → stoppedAt of the execution, ms. */
	executionMs: number;
}

/** Per-node and per-execution means over the last `limit` successful executions of a workflow. */
export async function executionTimes(
	rest: N8nRest,
	runtime: N8nRuntime,
	workflowId: string,
	limit: number,
): Promise<ExecutionTimes> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId, status: ['success'] }));
	const listed = await rest.request<{ results: Array<{ id: string }> }>(
		'GET',
		`/executions?filter=${filter}&limit=${limit}`,
	);
	if (listed.status !== 200) throw new Error(`GET executions of ${workflowId}: ${listed.status}`);
	const sums = new Map<string, number>();
	let executionMs = 0;
	let counted = 0;
	for (const { id } of listed.data.results) {
		const execution = await getExecution(rest, runtime, id);
		const data = execution.run?.data;
		if (!data) continue;
		counted++;
		for (const [node, tasks] of Object.entries(data.resultData.runData)) {
			const ms = tasks.reduce((sum, task) => sum + (task.executionTime ?? 0), 0);
			sums.set(node, (sums.get(node) ?? 0) + ms);
		}
		if (execution.startedAt && execution.stoppedAt)
			executionMs += Date.parse(execution.stoppedAt) - Date.parse(execution.startedAt);
	}
	return {
		executions: counted,
		perNode: [...sums].map(([node, ms]) => ({ node, ms: ms / Math.max(1, counted) })),
		executionMs: executionMs / Math.max(1, counted),
	};
}

/** One line per flow: orders/s, p50/p99, and the ratio of each flow to the first (the floor). */
export function speedRows(speeds: FlowSpeed[]): Array<[string, string]> {
	const floor = speeds[0];
	return speeds.map((speed) => [
		speed.name,
		`${speed.ordersPerSecond.toFixed(1)} orders/s (${(speed.ordersPerSecond / floor.ordersPerSecond).toFixed(2)}× the floor), p50 ${speed.p50} ms, p99 ${speed.p99} ms; ${speed.served}/${speed.orders} served${speed.failures.length > 0 ? `; e.g. ${speed.failures[0]}` : ''}; CPU per order: ${Object.entries(
			speed.cpuMsPerOrder,
		)
			.map(([name, ms]) => `${name} ${ms.toFixed(1)} ms`)
			.join(', ')}`,
	]);
}
