/** The parent side of test/support/engine-process.ts: executions in separate engine processes. */
import { fork } from 'node:child_process';
import path from 'node:path';

import type { RunNodeOptions } from '../harness';
import type { EngineAnswer, EngineJob } from './engine-process';

/** Runs each process's executions in a forked engine process of its own, all released at once. */
export async function inEngineProcesses(perProcess: RunNodeOptions[][]): Promise<EngineAnswer[]> {
	const children = perProcess.map(() =>
		fork(path.join(__dirname, 'engine-process.ts'), [], {
			execArgv: ['--import', 'tsx'],
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		}),
	);
	const answers = children.map(
		(child) =>
			new Promise<EngineAnswer>((resolve, reject) => {
				child.on('message', (message) => {
					if (message !== 'ready') resolve(message as EngineAnswer);
				});
				child.once('exit', (code) => reject(new Error(`engine process exited with ${code}`)));
			}),
	);
	const ready = children.map(
		(child) =>
			new Promise<void>((resolve) =>
				child.on('message', (message) => message === 'ready' && resolve()),
			),
	);
	children.forEach((child, index) =>
		child.send({ runs: perProcess[index], waitForGo: true } satisfies EngineJob),
	);
	await Promise.all(ready);
	for (const child of children) child.send('go');
	return await Promise.all(answers);
}
