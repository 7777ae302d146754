/**
 * Helpers of the Altcraft Trigger e2e (CLI and queue mode): posting batches like Altcraft does, and reading
 * which events each stored execution of a workflow received, by trigger node.
 */
import assert from 'node:assert/strict';
import type { N8nRuntime } from '../../../scripts/lib/install';
import type { N8nRest } from '../../../scripts/lib/n8n';
import { sleep } from '../../../scripts/lib/processes';
import { getExecution } from '../queue/executions';

export const TRIGGER_WORKFLOW = {
	id: 'altcraft-e2e-trigger',
	promo: 'Promo events',
	all: 'All events',
	promoWebhookId: 'e2e-promo-events',
	allWebhookId: 'e2e-all-events',
	secret: 'e2e-trigger-secret',
} as const;

/** The production URL of a trigger node: /webhook/<webhookId>/<the node's webhook path>. */
export function productionUrl(baseUrl: string, webhookId: string, secret?: string): string {
	return `${baseUrl}/webhook/${webhookId}/altcraft${secret === undefined ? '' : `?secret=${encodeURIComponent(secret)}`}`;
}

export interface Answer {
	status: number;
	text: string;
}

/** POSTs a body (a value is sent as JSON) the way an action hook does; a reset connection is an answer too. */
export async function post(
	url: string,
	body: unknown,
	contentType = 'application/json',
): Promise<Answer> {
	try {
		const response = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': contentType },
			body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
			signal: AbortSignal.timeout(120_000),
		});
		return { status: response.status, text: await response.text() };
	} catch (error) {
		const cause = (error as { cause?: { code?: string } }).cause;
		return { status: 0, text: `no answer: ${cause?.code ?? (error as Error).message}` };
	}
}

export interface TriggeredExecution {
	id: string;
	status: string;
	/** The trigger node that started it. */
	trigger: string;
	/** The items the trigger node output (the events). */
	events: Array<Record<string, unknown>>;
	/** Output of other nodes, by name (first run, first output). */
	nodes: Record<string, Array<Record<string, unknown>>>;
}

const DONE = new Set(['success', 'error', 'crashed', 'canceled']);

/** Ids and statuses of a workflow's executions, oldest first. */
export async function executionList(
	rest: N8nRest,
	workflowId: string,
): Promise<Array<{ id: string; status: string }>> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const { status, data } = await rest.request<{ results: Array<{ id: string; status: string }> }>(
		'GET',
		`/executions?filter=${filter}&limit=250`,
	);
	assert.equal(
		status,
		200,
		`GET /rest/executions: ${status} ${JSON.stringify(data).slice(0, 300)}`,
	);
	return data.results
		.map((e) => ({ id: String(e.id), status: e.status }))
		.sort((a, b) => Number(a.id) - Number(b.id));
}

/**
 * Waits until the workflow has at least `count` executions and all are done, then until the count holds
 * still for `settleMs` (so an extra, unexpected execution is seen too); returns them oldest first, read in full.
 */
export async function settledExecutions(
	rest: N8nRest,
	runtime: N8nRuntime,
	workflowId: string,
	count: number,
	{ timeoutMs = 60_000, settleMs = 1500 } = {},
): Promise<TriggeredExecution[]> {
	const deadline = Date.now() + timeoutMs;
	let list = await executionList(rest, workflowId);
	for (;;) {
		const done = list.length >= count && list.every((e) => DONE.has(e.status));
		if (done) {
			await sleep(settleMs);
			const again = await executionList(rest, workflowId);
			if (again.length === list.length && again.every((e) => DONE.has(e.status))) break;
			list = again;
			continue;
		}
		if (Date.now() > deadline) {
			throw new Error(
				`${workflowId}: expected ${count} finished executions, have ${list.map((e) => `${e.id}:${e.status}`).join(', ') || 'none'}`,
			);
		}
		await sleep(300);
		list = await executionList(rest, workflowId);
	}
	const executions: TriggeredExecution[] = [];
	for (const { id } of list) {
		const execution = await getExecution(rest, runtime, id);
		const runData = execution.run?.data.resultData.runData ?? {};
		const nodes: TriggeredExecution['nodes'] = {};
		for (const [name, runs] of Object.entries(runData))
			nodes[name] = (runs[0]?.data?.main[0] ?? []).map((item) => item.json);
		const trigger = Object.keys(runData)[0] ?? '(none)';
		executions.push({ id, status: execution.status, trigger, events: nodes[trigger] ?? [], nodes });
	}
	return executions;
}

/** "event_type code" of each event, for comparing sequences. */
export function eventKeys(events: Array<Record<string, unknown>>): string[] {
	return events.map(
		(e) =>
			`${String(e.event_type)} ${String((e.event_data as { code?: unknown } | undefined)?.code ?? '-')}`,
	);
}
