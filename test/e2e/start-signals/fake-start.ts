/**
 * A stand-in for scripts/start.ts in the signal tests, with the same process handling (runMain,
 * startProcess, onCleanup) and the same kinds of moments: a short-lived command (like the build and the
 * n8n CLI imports), a busy event loop (like copying and parsing), then a long-lived server in its own
 * process group that takes 2 s to stop (like n8n). Prints a line at each phase for the test to aim at.
 *
 *   node --import tsx test/e2e/start-signals/fake-start.ts <port> <work folder>
 */
import path from 'node:path';
import {
	log,
	onCleanup,
	runCommand,
	runMain,
	startProcess,
	stopProcess,
	waitFor,
} from '../../../scripts/lib/processes';

function busyFor(ms: number): void {
	const until = Date.now() + ms;
	while (Date.now() < until) {
		// a synchronous stretch, as cpSync or a large JSON.parse in the real script
	}
}

runMain(async () => {
	const [port, work] = [Number(process.argv[2]), process.argv[3]];
	log('PHASE command');
	const command = await runCommand(process.execPath, ['-e', 'setTimeout(() => {}, 1500)'], {
		cwd: work,
	});
	if (command.code !== 0) throw new Error(`the short command failed (${command.code})`);
	log('PHASE busy');
	for (let i = 0; i < 10; i++) {
		busyFor(150);
		await new Promise((resolve) => setImmediate(resolve));
	}
	log('PHASE server');
	const server = startProcess(
		'fake n8n',
		process.execPath,
		[path.join(__dirname, 'fake-n8n.js'), String(port)],
		{ cwd: work },
	);
	onCleanup(() => stopProcess(server));
	await waitFor(
		'the fake n8n',
		async () => ((await fetch(`http://127.0.0.1:${port}/`)).ok ? true : undefined),
		{ intervalMs: 100, watch: server },
	);
	log('READY');
	await server.exited;
});
