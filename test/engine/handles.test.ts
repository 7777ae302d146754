/**
 * The cleanup the engine suites rely on (sandbox.stop() + shutdownEngine() in afterAll)
 * leaves no timer, server or socket behind, so jest exits by itself. --detectOpenHandles is
 * not enough to show this: it ignores handles created inside node_modules, such as the
 * interval n8n-core starts.
 */
import { createHook } from 'node:async_hooks';

import { startSandbox } from '../../sandbox/src';
import { runAltcraftNode, shutdownEngine } from '../harness';

const TOKEN = 'dummy-token-engine-handles-3b7d';

interface Handle {
	hasRef?: () => boolean;
}

/**
 * Records the timers, servers and sockets created while enabled, and tells which of them are
 * still alive and would keep the process running (unref'd ones would not).
 */
function trackHandles() {
	const live = new Map<number, { type: string; handle: Handle }>();
	const hook = createHook({
		init(asyncId, type, _triggerAsyncId, handle: Handle) {
			if (['Timeout', 'TCPWRAP', 'TCPSERVERWRAP'].includes(type))
				live.set(asyncId, { type, handle });
		},
		destroy(asyncId) {
			live.delete(asyncId);
		},
	}).enable();
	const open = (): string[] =>
		[...live.values()].filter(({ handle }) => handle.hasRef?.() !== false).map(({ type }) => type);
	return {
		open,
		/** Stops tracking; what is still open once client sockets had a moment to close. */
		async stop(): Promise<string[]> {
			const deadline = Date.now() + 2000;
			while (open().length > 0 && Date.now() < deadline)
				await new Promise((resolve) => setImmediate(resolve));
			hook.disable();
			return open();
		},
	};
}

it('engine runs against the sandbox leave nothing running after stop() and shutdownEngine()', async () => {
	const handles = trackHandles();
	const sandbox = await startSandbox({ port: 0, token: TOKEN });
	const credentials = { baseUrl: sandbox.baseUrl, token: TOKEN };
	const get = { resource: 'promoCode', operation: 'get', loyaltyId: 1, code: 'WELCOME-0001' };

	const ok = await runAltcraftNode({ parameters: get, credentials });
	sandbox.injectFault('reset');
	const failed = await runAltcraftNode({
		parameters: { ...get, options: { format: 'xml', maxRetries: 0 } },
		credentials,
	});
	expect(ok.output).toHaveLength(1);
	expect(failed.error).toBeDefined();
	// The sandbox's server and n8n-core's interval are running now.
	expect(handles.open()).toEqual(expect.arrayContaining(['TCPSERVERWRAP', 'Timeout']));

	await sandbox.stop();
	shutdownEngine();
	expect(await handles.stop()).toEqual([]);
});
