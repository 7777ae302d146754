/**
 * Ignore SSL Issues on the node's own requests (the transport's kept-alive connections), run through
 * n8n's engine against the sandbox over https with a self-signed certificate.
 */
import type { INodeParameters } from 'n8n-workflow';

import { startSandbox, type Sandbox } from '../../sandbox/src';
import {
	altcraftNode,
	chain,
	runWorkflow,
	shutdownEngine,
	TRIGGER_NODE_TYPE,
	workflowNode,
} from '../harness';

const TOKEN = 'dummy-token-ignore-ssl';

describe('Ignore SSL Issues on node runs', () => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ port: 0, token: TOKEN, tls: true });
	});
	afterAll(async () => {
		await sandbox.stop();
		shutdownEngine();
	});

	async function get(
		allowUnauthorizedCerts: boolean,
		typeVersion: number,
		parameters: INodeParameters,
	) {
		const run = await runWorkflow(
			{
				nodes: [
					workflowNode('Trigger', TRIGGER_NODE_TYPE),
					altcraftNode(
						'Altcraft Promo',
						{ resource: 'promoCode', operation: 'get', code: 'WELCOME-0001', ...parameters },
						{ typeVersion },
					),
				],
				connections: chain('Trigger', 'Altcraft Promo'),
			},
			{
				credentials: {
					altcraftApi: { baseUrl: sandbox.baseUrl, token: TOKEN, allowUnauthorizedCerts },
				},
			},
		);
		return {
			error: run.data.resultData.error?.message,
			output: run.data.resultData.runData['Altcraft Promo']?.[0]?.data?.main[0] ?? [],
		};
	}

	it.each([
		[1, { loyaltyId: 1 }],
		[2, { loyaltyId: '1' }],
	])(
		'version %s: refused with the switch off, answered with it on',
		async (typeVersion, parameters) => {
			sandbox.clearRequests();
			const off = await get(false, typeVersion, parameters);
			expect(off.error).toBeDefined();
			expect(off.error).not.toContain(TOKEN);
			expect(off.error).toMatch(/certificate|TLS|SSL/i);
			expect(sandbox.requests).toHaveLength(0);

			const on = await get(true, typeVersion, parameters);
			expect(on.error).toBeUndefined();
			expect(on.output[0].json).toMatchObject({ code: 'WELCOME-0001', loyalty_id: 1 });
			expect(sandbox.requests.map((request) => request.path)).toEqual(['/api/v1.1/promocodes/get']);
		},
	);
});
