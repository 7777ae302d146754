/**
 * A second n8n engine in its own process (forked by tests), so that two processes run the node at
 * the same moment with nothing shared but Altcraft (the sandbox). Protocol: the parent sends one job
 * `{ runs: RunNodeOptions[] }`, this process starts all runs at once and answers with their
 * outputs' json and errors.
 */
import type { IDataObject } from 'n8n-workflow';

import { runAltcraftNode, shutdownEngine, type RunNodeOptions } from '../harness';

export interface EngineJob {
	runs: RunNodeOptions[];
	/** The parent sends 'go' after every child is ready, so the runs of both start together. */
	waitForGo: boolean;
}

export interface EngineAnswer {
	results: Array<{ output: IDataObject[]; error?: string }>;
}

process.once('message', (job: EngineJob) => {
	const start = async () => {
		const results = await Promise.all(
			job.runs.map(async (run) => {
				const result = await runAltcraftNode(run);
				return { output: result.output.map((item) => item.json), error: result.error?.message };
			}),
		);
		process.send?.({ results } satisfies EngineAnswer);
		shutdownEngine();
		process.disconnect();
	};
	if (!job.waitForGo) void start();
	else {
		process.once('message', () => void start());
		process.send?.('ready');
	}
});
