/**
 * The built Altcraft Promo node inside multi-node workflows, run by n8n-core's WorkflowExecute
 * against the sandbox: expressions per item and across nodes, what downstream nodes receive,
 * and paired-item lineage as n8n resolves it.
 */
import type { IDataObject, INodeExecutionData, IRun } from 'n8n-workflow';

import {
	COLLECTOR_NODE_TYPE,
	TRIGGER_NODE_TYPE,
	altcraftNode,
	chain,
	runWorkflow,
	workflowNode,
} from '../harness';
import { TOKEN, useSandbox } from '../node/context';

const context = useSandbox();

const ALICE = '64b000000000000000000001';
const BOB = '64b000000000000000000002';
const CAROL = '64b000000000000000000003';

const run = async (nodes: Parameters<typeof runWorkflow>[0]['nodes'], startItems: IDataObject[]) =>
	await runWorkflow(
		{ nodes, connections: chain(...nodes.map((node) => node.name)) },
		{
			credentials: { altcraftApi: { baseUrl: context.sandbox.baseUrl, token: TOKEN } },
			startItems,
		},
	);

/** main[0] of `nodeName`'s first run. */
const outputOf = (result: IRun, nodeName: string): INodeExecutionData[] =>
	result.data.resultData.runData[nodeName]?.[0]?.data?.main[0] ?? [];

const jsonOf = (result: IRun, nodeName: string): IDataObject[] =>
	outputOf(result, nodeName).map((item) => item.json);

const collector = (name: string) =>
	workflowNode(name, COLLECTOR_NODE_TYPE, { lineage: "={{ $('Trigger').item.json.email }}" });

it('trigger -> attach by {{ $json.email }} -> downstream node: each code on its profile, lineage intact', async () => {
	const people = [
		{ email: 'alice@example.com', code: 'WELCOME-0003' },
		{ email: 'bob@example.com', code: 'WELCOME-0001' },
		{ email: 'carol@example.com', code: 'WELCOME-0002' },
	];
	const result = await run(
		[
			workflowNode('Trigger', TRIGGER_NODE_TYPE),
			altcraftNode('Attach', {
				resource: 'promoCode',
				operation: 'attach',
				loyaltyId: 1,
				databaseId: 1,
				code: '={{ $json.code }}',
				matching: 'email',
				email: '={{ $json.email }}',
			}),
			collector('Downstream'),
		],
		people,
	);

	expect(result.data.resultData.error).toBeUndefined();
	expect(result.status).toBe('success');
	const attached = people.map(({ email, code }) => ({
		success: true,
		operation: 'attach',
		loyalty_id: 1,
		db_id: 1,
		matching: 'email',
		email,
		code,
		confirmed_by: 'altcraft_answer',
	}));
	expect(jsonOf(result, 'Attach')).toEqual(attached);
	expect(outputOf(result, 'Attach').map((item) => item.pairedItem)).toEqual([
		{ item: 0 },
		{ item: 1 },
		{ item: 2 },
	]);

	// One request per item, in item order, each for its own profile and code.
	expect(context.sandbox.requests.map((request) => [request.path, request.body])).toEqual(
		people.map(({ email, code }) => [
			'/api/v1.1/promocodes/attach',
			{ token: TOKEN, loyalty_id: 1, db_id: 1, matching: 'email', email, code },
		]),
	);
	const holderOf = (code: string) =>
		context.sandbox.getCode(1, code)?.attachments.map((a) => [a.databaseId, a.profileId]);
	expect(holderOf('WELCOME-0003')).toEqual([[1, ALICE]]);
	expect(holderOf('WELCOME-0001')).toEqual([[1, BOB]]);
	expect(holderOf('WELCOME-0002')).toEqual([[1, CAROL]]);

	// The downstream node got the output items in order, and n8n follows each one's pairing
	// back to the trigger item it came from.
	expect(jsonOf(result, 'Downstream')).toEqual(
		people.map(({ email }, i) => ({ json: attached[i], pairedItem: { item: i }, lineage: email })),
	);
});

it('a whole code lifecycle in one workflow: import, attach, activate, update, get, get many, detach', async () => {
	const lifecycle = [
		workflowNode('Trigger', TRIGGER_NODE_TYPE),
		altcraftNode('Import', {
			resource: 'promoCode',
			operation: 'import',
			loyaltyId: 1,
			codes: '={{ [$json.code] }}',
			options: { format: 'xml' },
		}),
		altcraftNode('Attach', {
			resource: 'promoCode',
			operation: 'attach',
			loyaltyId: 1,
			databaseId: 1,
			code: '={{ $json.codes[0].code }}',
			matching: 'email',
			email: "={{ $('Trigger').item.json.email }}",
		}),
		altcraftNode('Activate', {
			resource: 'promoCode',
			operation: 'activate',
			loyaltyId: 1,
			code: '={{ $json.code }}',
			options: { format: 'xml' },
		}),
		altcraftNode('Update', {
			resource: 'promoCode',
			operation: 'update',
			loyaltyId: 1,
			code: '={{ $json.code }}',
			updateFields: { expireDate: '2030-06-30T21:00:00Z' },
		}),
		altcraftNode('Get', {
			resource: 'promoCode',
			operation: 'get',
			loyaltyId: 1,
			code: "={{ $('Import').item.json.codes[0].code }}",
			options: { format: 'xml' },
		}),
		altcraftNode('Get Many', {
			resource: 'promoCode',
			operation: 'getAll',
			loyaltyId: 1,
			filter: 'activated',
			returnAll: true,
		}),
		altcraftNode('Detach', {
			resource: 'promoCode',
			operation: 'detach',
			loyaltyId: 1,
			databaseId: 1,
			code: '={{ $json.code }}',
			matching: 'email',
			email: "={{ $('Trigger').item.json.email }}",
			options: { format: 'xml' },
		}),
		collector('Downstream'),
	];
	const result = await run(lifecycle, [{ email: 'bob@example.com', code: 'SUMMER-2030' }]);

	expect(result.data.resultData.error).toBeUndefined();
	expect(context.sandbox.requests.map((request) => [request.path, request.contentType])).toEqual([
		['/api/v1.1/promocodes/import', 'application/xml'],
		['/api/v1.1/promocodes/attach', 'application/json'],
		['/api/v1.1/promocodes/activate', 'application/xml'],
		['/api/v1.1/promocodes/update', 'application/json'],
		['/api/v1.1/promocodes/get', 'application/xml'],
		['/api/v1.1/promocodes/export_all', 'application/json'],
		['/api/v1.1/promocodes/detach', 'application/xml'],
	]);

	expect(jsonOf(result, 'Import')).toEqual([
		{
			inserted: 1,
			duplicated: 0,
			discarded_by_limit: 0,
			duplicated_after_resend: 0,
			requests: 1,
			failed: 0,
			codes: [{ code: 'SUMMER-2030', error: 0, error_text: '' }],
		},
	]);
	expect(jsonOf(result, 'Attach')).toEqual([
		{
			success: true,
			operation: 'attach',
			loyalty_id: 1,
			db_id: 1,
			matching: 'email',
			email: 'bob@example.com',
			code: 'SUMMER-2030',
			confirmed_by: 'altcraft_answer',
		},
	]);
	expect(jsonOf(result, 'Activate')).toEqual([
		{
			success: true,
			operation: 'activate',
			code: 'SUMMER-2030',
			loyalty_id: 1,
			confirmed_by: 'altcraft_answer',
		},
	]);
	expect(jsonOf(result, 'Update')).toEqual([
		{
			success: true,
			operation: 'update',
			code: 'SUMMER-2030',
			loyalty_id: 1,
			expire_date: '2030-06-30T21:00:00Z',
		},
	]);
	const [record] = jsonOf(result, 'Get');
	expect(record).toMatchObject({
		code: 'SUMMER-2030',
		loyalty_id: 1,
		is_attached: true,
		is_activated: true,
		is_expired: false,
		attached: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
		activated: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
		expire_date: '2030-06-30T21:00:00Z',
	});
	// Only this code is activated in program 1, so Get Many yields exactly one item.
	expect(jsonOf(result, 'Get Many')).toEqual([
		{ code: 'SUMMER-2030', attached: record.attached, activated: record.activated },
	]);
	expect(jsonOf(result, 'Detach')).toEqual([
		{
			success: true,
			operation: 'detach',
			code: 'SUMMER-2030',
			loyalty_id: 1,
			db_id: 1,
			matching: 'email',
			email: 'bob@example.com',
			confirmed_by: 'altcraft_answer',
		},
	]);
	expect(context.sandbox.getCode(1, 'SUMMER-2030')).toMatchObject({
		attachments: [],
		activated: null,
		expireDate: '2030-06-30T21:00:00Z',
	});

	// Every node paired its single output to its single input, so the chain resolves back to the trigger.
	for (const node of lifecycle.slice(1, -1)) {
		expect(outputOf(result, node.name).map((item) => item.pairedItem)).toEqual([{ item: 0 }]);
	}
	expect(jsonOf(result, 'Downstream')[0].lineage).toBe('bob@example.com');
});
