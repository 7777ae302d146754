/**
 * Queue-mode case of the Altcraft Trigger: 1,000 events in 50 batches posted at the same moment to the
 * main instance's production URL. Main runs the trigger's webhook() and answers; the executions run on the
 * workers. Checked: 50 × 200 OK, 50 executions all succeeded, every event exactly once, on the workers only.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { N8nRest } from '../../../scripts/lib/n8n';
import { log } from '../../../scripts/lib/processes';
import { post, productionUrl, settledExecutions, TRIGGER_WORKFLOW } from '../trigger/events';
import { workerExecutions, type ClusterConfig, type Worker } from './cluster';

export const TRIGGER_FIXTURE = path.join(__dirname, '..', 'fixtures', 'trigger-e2e.json');
export const TRIGGER_WORKFLOW_ID = TRIGGER_WORKFLOW.id;

const BATCHES = 50;
const PER_BATCH = 20;

export async function checkTriggerBurst(
	rest: N8nRest,
	mainBaseUrl: string,
	config: ClusterConfig,
	workers: Worker[],
): Promise<void> {
	const url = productionUrl(mainBaseUrl, TRIGGER_WORKFLOW.allWebhookId);
	const batches = Array.from({ length: BATCHES }, (_, b) =>
		Array.from({ length: PER_BATCH }, (_, i) => ({
			event_type: 'promocode_activate',
			event_date: '2026-12-06T12:00:00Z',
			profile_id: `q${b}-${i}`,
			is_test: false,
			event_data: { loyalty_id: 1, code: `Q-${String(b * PER_BATCH + i).padStart(4, '0')}` },
		})),
	);
	const started = Date.now();
	const answers = await Promise.all(batches.map(async (batch) => await post(url, batch)));
	const ms = Date.now() - started;
	const bad = answers
		.map((a, i) => ({ i, a }))
		.filter(({ a }) => a.status !== 200 || a.text !== 'OK');
	assert.deepEqual(
		bad.map(({ i, a }) => `batch ${i}: ${a.status} ${a.text.slice(0, 120)}`),
		[],
		'every batch answered 200 OK',
	);

	const executions = await settledExecutions(rest, config.runtime, TRIGGER_WORKFLOW.id, BATCHES, {
		timeoutMs: 180_000,
	});
	assert.equal(executions.length, BATCHES, `${BATCHES} executions`);
	assert.deepEqual(
		executions.filter((e) => e.status !== 'success').map((e) => `${e.id}: ${e.status}`),
		[],
		'all succeeded',
	);
	const codes = executions.flatMap((e) =>
		e.events.map((event) => String((event.event_data as { code: string }).code)),
	);
	assert.equal(codes.length, BATCHES * PER_BATCH, 'every event arrived');
	assert.equal(new Set(codes).size, BATCHES * PER_BATCH, 'no event twice');
	for (const execution of executions) {
		const batch = execution.events.map((event) =>
			String((event.event_data as { code: string }).code),
		);
		assert.deepEqual(
			batch,
			[...batch].sort(),
			`execution ${execution.id} holds its batch in order`,
		);
	}
	const byWorker = Object.fromEntries(
		workers.map((w) => [
			w.name,
			executions.filter((e) => workerExecutions(w).started.has(e.id)).length,
		]),
	);
	const onWorkers = Object.values(byWorker).reduce((a, b) => a + b, 0);
	assert.equal(onWorkers, BATCHES, `each execution ran on a worker (${JSON.stringify(byWorker)})`);
	log(
		`    ${BATCHES} batches × ${PER_BATCH} events answered in ${ms} ms; executions by worker ${JSON.stringify(byWorker)}`,
	);
}
