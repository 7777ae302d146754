/**
 * Failing items through n8n-core's WorkflowExecute with each "On Error" setting of the built
 * node: where the failing item goes, what downstream nodes receive, how it stays paired to
 * its input, and that the credential token appears nowhere in the run data.
 */
import type {
	IConnections,
	IDataObject,
	INodeExecutionData,
	INodeParameters,
	IRun,
	NodeApiError,
} from 'n8n-workflow';

import {
	COLLECTOR_NODE_TYPE,
	TRIGGER_NODE_TYPE,
	altcraftNode,
	chain,
	runAltcraftNode,
	runWorkflow,
	workflowNode,
	type RunNodeOptions,
} from '../harness';
import { FORMATS, TOKEN, useSandbox } from '../node/context';

const context = useSandbox();

type OnError = NonNullable<RunNodeOptions['onError']>;

const items = [
	{ email: 'alice@example.com', code: 'WELCOME-0001' },
	{ email: 'nobody@example.com', code: 'WELCOME-0002' }, // no such profile: Altcraft error 404
	{ email: 'bob@example.com', code: 'WELCOME-0003' },
];
const PROFILE_NOT_FOUND = 'Altcraft error 404: Profile not found [item 1]';

const attachByEmail = {
	resource: 'promoCode',
	operation: 'attach',
	loyaltyId: 1,
	databaseId: 1,
	code: '={{ $json.code }}',
	matching: 'email',
	email: '={{ $json.email }}',
};

/**
 * Trigger -> Attach -> "Attached" collector, and with continueErrorOutput also
 * Attach's error output -> "Failed" collector.
 */
async function runBatch(onError: OnError, options: INodeParameters = {}): Promise<IRun> {
	const connections: IConnections = chain('Trigger', 'Attach', 'Attached');
	if (onError === 'continueErrorOutput')
		connections.Attach.main.push([{ node: 'Failed', type: 'main', index: 0 }]);
	const lineage = { lineage: "={{ $('Trigger').item.json.email }}" };
	const run = await runWorkflow(
		{
			nodes: [
				workflowNode('Trigger', TRIGGER_NODE_TYPE),
				altcraftNode('Attach', { ...attachByEmail, options }, { onError }),
				workflowNode('Attached', COLLECTOR_NODE_TYPE, lineage),
				workflowNode('Failed', COLLECTOR_NODE_TYPE, lineage),
			],
			connections,
		},
		{
			credentials: { altcraftApi: { baseUrl: context.sandbox.baseUrl, token: TOKEN } },
			startItems: items,
		},
	);
	expect(JSON.stringify(run)).not.toContain(TOKEN);
	return run;
}

const outputs = (run: IRun, nodeName: string): Array<INodeExecutionData[] | null> =>
	run.data.resultData.runData[nodeName]?.[0]?.data?.main ?? [];

/** What a collector received: [the item's json, the trigger email n8n pairs it back to]. */
const received = (run: IRun, collectorName: string) =>
	(outputs(run, collectorName)[0] ?? []).map(({ json }) => [json.json, json.lineage]);

const holderOf = (code: string) =>
	context.sandbox.getCode(1, code)?.attachments.map((a) => a.profileId);

it('continueRegularOutput: the failing item becomes an {error} item paired to its input, the others succeed', async () => {
	const run = await runBatch('continueRegularOutput');

	expect(run.data.resultData.error).toBeUndefined();
	expect(run.status).toBe('success');
	const [main] = outputs(run, 'Attach');
	expect(main?.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	expect(main?.[1].json).toEqual({ error: PROFILE_NOT_FOUND });
	expect(main?.[0].json).toMatchObject({
		success: true,
		email: 'alice@example.com',
		code: 'WELCOME-0001',
	});
	expect(main?.[2].json).toMatchObject({
		success: true,
		email: 'bob@example.com',
		code: 'WELCOME-0003',
	});

	expect(received(run, 'Attached')).toEqual([
		[main?.[0].json, 'alice@example.com'],
		[{ error: PROFILE_NOT_FOUND }, 'nobody@example.com'],
		[main?.[2].json, 'bob@example.com'],
	]);
	expect(holderOf('WELCOME-0001')).toEqual(['64b000000000000000000001']);
	expect(holderOf('WELCOME-0002')).toEqual([]);
	expect(holderOf('WELCOME-0003')).toEqual(['64b000000000000000000002']);
});

it('continueErrorOutput: the failing item goes to the error output, paired to its input; the others go on', async () => {
	const run = await runBatch('continueErrorOutput');

	expect(run.data.resultData.error).toBeUndefined();
	const [success, failure] = outputs(run, 'Attach');
	expect(success?.map((item) => [item.json.email, item.pairedItem])).toEqual([
		['alice@example.com', { item: 0 }],
		['bob@example.com', { item: 2 }],
	]);
	// n8n merges the paired input item into an error-output item; the node itself gave only { error }.
	expect(failure).toEqual([
		{
			json: { email: 'nobody@example.com', code: 'WELCOME-0002', error: PROFILE_NOT_FOUND },
			pairedItem: { item: 1 },
		},
	]);

	expect(received(run, 'Attached').map(([, lineage]) => lineage)).toEqual([
		'alice@example.com',
		'bob@example.com',
	]);
	expect(received(run, 'Failed')).toEqual([[failure?.[0].json, 'nobody@example.com']]);
	expect(holderOf('WELCOME-0001')).toEqual(['64b000000000000000000001']);
	expect(holderOf('WELCOME-0003')).toEqual(['64b000000000000000000002']);
});

it('stopWorkflow: the run fails with an error naming the item, and nothing downstream runs', async () => {
	// Concurrency 1 sends one item after another, so no later item is in flight when one fails.
	const run = await runBatch('stopWorkflow', { concurrency: 1 });

	expect(run.status).toBe('error');
	const error = run.data.resultData.error as NodeApiError | undefined;
	expect(error?.name).toBe('NodeApiError');
	expect(error?.message).toBe(PROFILE_NOT_FOUND);
	expect(error?.node?.name).toBe('Attach');
	expect(run.data.resultData.lastNodeExecuted).toBe('Attach');
	expect(run.data.resultData.runData.Attached).toBeUndefined();
	// Items are sent in order and the batch stops at the failing one.
	expect(context.sandbox.requests.map((request) => (request.body as IDataObject).email)).toEqual([
		'alice@example.com',
		'nobody@example.com',
	]);
	expect(holderOf('WELCOME-0003')).toEqual([]);
});

describe('the token is absent from the whole run data', () => {
	const failures: Array<[string, () => void]> = [
		['an Altcraft API error', () => undefined],
		['HTTP 500', () => context.sandbox.injectFault('status500')],
		['a connection reset', () => context.sandbox.injectFault('reset')],
	];
	const modes: OnError[] = ['stopWorkflow', 'continueRegularOutput', 'continueErrorOutput'];

	describe.each(FORMATS)('over %s', (format) => {
		it.each(
			failures.flatMap(([label, inject]) => modes.map((mode) => [label, mode, inject] as const)),
		)('on %s with %s', async (_label, onError, inject) => {
			inject();
			const result = await runAltcraftNode({
				// Retries off: this is about what a failure shows, not about recovering from it.
				parameters: { ...attachByEmail, options: { format, maxRetries: 0 } },
				items: [items[1]],
				credentials: { baseUrl: context.sandbox.baseUrl, token: TOKEN },
				onError,
			});

			const failed =
				onError === 'stopWorkflow'
					? result.error
					: (result.errorOutput ?? result.output)[0]?.json.error;
			expect(failed).toBeDefined();
			expect(
				context.sandbox.requests.filter((request) => request.path.endsWith('/attach')),
			).toHaveLength(1);
			expect(JSON.stringify(result.run)).not.toContain(TOKEN);
		});
	});
});
