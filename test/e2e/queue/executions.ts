/**
 * Executions as n8n stores them in queue mode: manual runs started over the editor's REST API (offloaded
 * to the workers), their run data, and the execution table in PostgreSQL.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { N8nRuntime } from '../../../scripts/lib/install';
import type { N8nRest, N8nRun } from '../../../scripts/lib/n8n';
import { waitFor } from '../../../scripts/lib/processes';
import { psqlQuery, type Postgres } from '../../../scripts/lib/services';

export interface StoredExecution {
	id: string;
	status: string;
	finished: boolean;
	mode: string;
	startedAt?: string;
	stoppedAt?: string;
	run?: N8nRun;
}

type FlattedParse = (text: string) => unknown;

/** n8n stores and serves run data in `flatted` format; we read it with n8n's own copy of the library. */
function flattedFrom(runtime: N8nRuntime): FlattedParse {
	const requireFromN8n = createRequire(
		path.join(runtime.dir, 'node_modules', 'n8n', 'package.json'),
	);
	return (requireFromN8n('flatted') as { parse: FlattedParse }).parse;
}

const DONE = new Set(['success', 'error', 'crashed', 'canceled']);

/**
 * Runs a workflow from its manual trigger as the editor's "Execute workflow" does
 * (POST /rest/workflows/:id/run). With OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS=true the main enqueues it and
 * a worker runs it; returns the execution once it is done.
 */
export async function runManually(
	rest: N8nRest,
	runtime: N8nRuntime,
	workflowId: string,
	triggerName: string,
): Promise<StoredExecution> {
	const workflow = await rest.request<Record<string, unknown>>('GET', `/workflows/${workflowId}`);
	if (workflow.status !== 200)
		throw new Error(
			`GET workflow ${workflowId}: ${workflow.status} ${JSON.stringify(workflow.data)}`,
		);
	const started = await rest.request<{ executionId?: string }>(
		'POST',
		`/workflows/${workflowId}/run`,
		{
			workflowData: workflow.data,
			triggerToStartFrom: { name: triggerName },
		},
	);
	const executionId = started.data.executionId;
	if (started.status !== 200 || !executionId)
		throw new Error(`run ${workflowId}: ${started.status} ${JSON.stringify(started.data)}`);
	return waitFor(
		`execution ${executionId} of ${workflowId}`,
		async () => {
			const execution = await getExecution(rest, runtime, executionId);
			return DONE.has(execution.status) ? execution : undefined;
		},
		{ timeoutMs: 120_000, intervalMs: 500 },
	);
}

export async function getExecution(
	rest: N8nRest,
	runtime: N8nRuntime,
	id: string,
): Promise<StoredExecution> {
	const { status, data } = await rest.request<{
		id: string;
		status: string;
		finished: boolean;
		mode: string;
		startedAt?: string;
		stoppedAt?: string;
		data?: unknown;
	}>('GET', `/executions/${id}`);
	if (status !== 200) throw new Error(`GET execution ${id}: ${status}`);
	const raw = typeof data.data === 'string' ? flattedFrom(runtime)(data.data) : data.data;
	const run = raw
		? ({ data: raw, status: data.status, finished: data.finished } as N8nRun)
		: undefined;
	return {
		id: String(data.id),
		status: data.status,
		finished: data.finished,
		mode: data.mode,
		startedAt: data.startedAt,
		stoppedAt: data.stoppedAt,
		run,
	};
}

export interface ExecutionRow {
	id: string;
	workflowId: string;
	status: string;
	mode: string;
}

/** Every execution of the given workflow, straight from the shared database. */
export async function executionRows(pg: Postgres, workflowId: string): Promise<ExecutionRow[]> {
	// workflowId is one of our fixed ids; quoted as a SQL literal anyway.
	const literal = `'${workflowId.replace(/'/g, "''")}'`;
	const rows = await psqlQuery(
		pg,
		`select id, "workflowId", status, mode from execution_entity where "workflowId" = ${literal} order by id`,
	);
	return rows.map(([id, wf, status, mode]) => ({ id, workflowId: wf, status, mode }));
}

/** The error message n8n stored for an execution (from its run data), if any. */
export function executionError(execution: StoredExecution): string | undefined {
	return execution.run?.data.resultData.error?.message;
}
