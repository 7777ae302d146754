/**
 * `databaseId` in both shapes: the number of node version 1 (every saved workflow and example) and the
 * resource locator of version 2, read by the reader alone and run through n8n's engine against the sandbox.
 */
import type {
	IExecuteFunctions,
	IGetNodeParameterOptions,
	INode,
	INodeParameters,
} from 'n8n-workflow';

import { readDatabaseId } from '../../nodes/AltcraftPromo/helpers/databaseId';
import { startSandbox, type Sandbox } from '../../sandbox/src';
import {
	altcraftNode,
	chain,
	runWorkflow,
	shutdownEngine,
	TRIGGER_NODE_TYPE,
	workflowNode,
} from '../harness';

const TOKEN = 'dummy-token-database-locator';
const NODE: INode = {
	id: 'n',
	name: 'Altcraft Promo',
	type: 'x',
	typeVersion: 2,
	position: [0, 0],
	parameters: {},
};

/** A context whose getNodeParameter gives `value`, and records whether extraction was asked for. */
function contextGiving(value: unknown, extractedValue: unknown = value, typeVersion = 2) {
	const calls: Array<IGetNodeParameterOptions | undefined> = [];
	const context = {
		getNode: () => ({ ...NODE, typeVersion }),
		getNodeParameter: (
			_name: string,
			_itemIndex: number,
			_fallback: unknown,
			options?: IGetNodeParameterOptions,
		) => {
			calls.push(options);
			return options?.extractValue ? extractedValue : value;
		},
	} as unknown as IExecuteFunctions;
	return { context, calls };
}

describe('readDatabaseId', () => {
	it.each([
		['a version 1 number', 7, 7],
		['a numeric text from an expression', ' 12 ', 12],
		['a locator extracted by n8n (From List)', { __rl: true, mode: 'list', value: '3' }, 3],
		['a locator extracted by n8n (By ID)', { __rl: true, mode: 'id', value: '42' }, 42],
	])('reads %s', (_what, saved, expected) => {
		const extracted = typeof saved === 'object' ? saved.value : saved;
		const { context, calls } = contextGiving(saved, extracted);
		expect(readDatabaseId(context, 0)).toBe(expected);
		expect(calls).toEqual([{ extractValue: true }]);
	});

	it('unwraps a locator that arrives unextracted', () => {
		const { context } = contextGiving({ __rl: true, mode: 'list', value: '5' });
		expect(readDatabaseId(context, 0)).toBe(5);
	});

	it.each([
		[
			'an empty locator',
			{ __rl: true, mode: 'list', value: '' },
			'must be a positive whole number, got ""',
		],
		['0 (the version 1 default)', 0, 'must be a positive whole number, got 0'],
		[
			'letters',
			{ __rl: true, mode: 'id', value: 'abc' },
			'must be a positive whole number, got "abc"',
		],
		['a fraction', 1.5, 'must be a positive whole number, got 1.5'],
		[
			'an unsafe integer',
			'90071992547409930',
			'must be a positive whole number of at most 9007199254740991, got 90071992547409930',
		],
	])(
		'rejects %s, naming the parameter (as each version calls it) and the item',
		(_what, saved, problem) => {
			for (const [typeVersion, name] of [
				[2, 'Database'],
				[1, 'Database ID'],
			] as const) {
				const { context } = contextGiving(
					saved,
					typeof saved === 'object' ? saved.value : saved,
					typeVersion,
				);
				expect(() => readDatabaseId(context, 3)).toThrow(`${name} ${problem} [item 3]`);
			}
		},
	);
});

describe('both node versions run against the sandbox', () => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ port: 0, token: TOKEN });
	});
	beforeEach(() => sandbox.reset());
	afterAll(async () => {
		await sandbox.stop();
		shutdownEngine();
	});

	async function attach(typeVersion: number, parameters: INodeParameters) {
		const run = await runWorkflow(
			{
				nodes: [
					workflowNode('Trigger', TRIGGER_NODE_TYPE),
					altcraftNode(
						'Altcraft Promo',
						{
							resource: 'promoCode',
							operation: 'attach',
							matching: 'email',
							email: 'bob@example.com',
							...parameters,
						},
						{ typeVersion },
					),
				],
				connections: chain('Trigger', 'Altcraft Promo'),
			},
			{ credentials: { altcraftApi: { baseUrl: sandbox.baseUrl, token: TOKEN } } },
		);
		const error = run.data.resultData.error;
		// The engine keeps the node's error as data (not an Error instance jest recognises): rethrown by message.
		if (error) throw new Error(error.message);
		return run.data.resultData.runData['Altcraft Promo'][0].data?.main[0] ?? [];
	}

	const attachedTo = (code: string) =>
		sandbox
			.getCode(1, code)
			?.attachments.map(({ databaseId, profileId }) => [databaseId, profileId]);

	it('version 1 with plain numbers, as saved workflows have them', async () => {
		const output = await attach(1, { loyaltyId: 1, databaseId: 1, code: 'WELCOME-0002' });
		expect(output[0].json).toMatchObject({
			success: true,
			code: 'WELCOME-0002',
			db_id: 1,
			loyalty_id: 1,
		});
		expect(attachedTo('WELCOME-0002')).toEqual([[1, '64b000000000000000000002']]);
	});

	it.each([
		[
			'From List',
			{ __rl: true, mode: 'list', value: '1', cachedResultName: 'Demo shop customers (ID 1)' },
		],
		['By ID', { __rl: true, mode: 'id', value: '1' }],
		['By ID from an expression', { __rl: true, mode: 'id', value: '={{ 0 + 1 }}' }],
	])(
		'version 2 with the Database locator %s and a text Loyalty Program ID',
		async (_mode, databaseId) => {
			const output = await attach(2, { loyaltyId: '1', databaseId, code: 'WELCOME-0004' });
			expect(output[0].json).toMatchObject({
				success: true,
				code: 'WELCOME-0004',
				db_id: 1,
				loyalty_id: 1,
			});
			expect(attachedTo('WELCOME-0004')).toEqual([[1, '64b000000000000000000002']]);
		},
	);

	it('version 2 with an empty Loyalty Program ID: n8n refuses to run the node at all, as the editor flags it', async () => {
		await expect(
			attach(2, {
				loyaltyId: '',
				databaseId: { __rl: true, mode: 'list', value: '1' },
				code: 'WELCOME-0004',
			}),
		).rejects.toThrow(/workflow has issues/);
		expect(sandbox.requests).toHaveLength(0);
	});

	it('version 2 with an expression that gives an empty ID fails before any request, naming the field and item', async () => {
		await expect(
			attach(2, {
				loyaltyId: '={{ "" }}',
				databaseId: { __rl: true, mode: 'list', value: '1' },
				code: 'WELCOME-0004',
			}),
		).rejects.toThrow(/Loyalty Program ID.*\[item 0\]/);
		await expect(
			attach(2, {
				loyaltyId: '1',
				databaseId: { __rl: true, mode: 'id', value: '={{ "" }}' },
				code: 'WELCOME-0004',
			}),
		).rejects.toThrow('Database must be a positive whole number, got "" [item 0]');
		expect(sandbox.requests).toHaveLength(0);
	});
});
