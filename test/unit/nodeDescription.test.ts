import { NodeHelpers, type INode, type INodeParameters, type INodeProperties } from 'n8n-workflow';

import { AltcraftPromo } from '../../nodes/AltcraftPromo/AltcraftPromo.node';

const nodeType = new AltcraftPromo();
const { description } = nodeType;

/** The fields n8n shows for given parameter values in a node of `version`, judged as the editor does. */
function visibleFields(values: Record<string, unknown>, version = 2): string[] {
	return description.properties
		.filter((property) =>
			NodeHelpers.displayParameter(
				values as INodeParameters,
				property,
				{ typeVersion: version },
				description,
			),
		)
		.filter((property) => property.type !== 'notice')
		.map((property) => property.name);
}

function visibleNotices(values: Record<string, unknown>, version = 2): string[] {
	return description.properties
		.filter((property) => property.type === 'notice')
		.filter((property) =>
			NodeHelpers.displayParameter(
				values as INodeParameters,
				property,
				{ typeVersion: version },
				description,
			),
		)
		.map((property) => property.displayName);
}

function shownField(
	name: string,
	values: Record<string, unknown>,
	version: number,
): INodeProperties {
	const found = description.properties.filter(
		(property) =>
			property.name === name &&
			NodeHelpers.displayParameter(
				values as INodeParameters,
				property,
				{ typeVersion: version },
				description,
			),
	);
	expect(found).toHaveLength(1);
	return found[0];
}

/** The issues n8n's editor shows on a node before any run (the triangle on the canvas). */
function editorIssues(parameters: INodeParameters, version: number): Record<string, string[]> {
	const node: INode = {
		id: 'n',
		name: 'Altcraft Promo',
		type: 'n8n-nodes-altcraft.altcraftPromo',
		typeVersion: version,
		position: [0, 0],
		parameters:
			NodeHelpers.getNodeParameters(
				description.properties,
				parameters,
				true,
				false,
				{ typeVersion: version },
				description,
			) ?? {},
	};
	return (NodeHelpers.getNodeParametersIssues(description.properties, node, description)
		?.parameters ?? {}) as Record<string, string[]>;
}

describe('AltcraftPromo description', () => {
	it('keeps the public names, is usable as an AI tool and is tested by its own function', () => {
		expect(description.name).toBe('altcraftPromo');
		expect(description.displayName).toBe('Altcraft Promo');
		expect(description.usableAsTool).toBe(true);
		expect(description.credentials).toEqual([
			{ name: 'altcraftApi', required: true, testedBy: 'altcraftApiTest' },
		]);
	});

	it('has versions 1 and 2, 2 for new nodes', () => {
		expect(description.version).toEqual([1, 2]);
		expect(description.defaultVersion).toBe(2);
	});

	it('offers its operations, each with a short sentence-case action without articles', () => {
		const operation = description.properties.find((property) => property.name === 'operation');
		const options = (operation?.options ?? []) as Array<{ value: string; action?: string }>;
		for (const value of ['activate', 'attach', 'detach', 'get', 'getAll', 'import', 'update']) {
			expect(options.map((option) => option.value)).toContain(value);
		}
		for (const { action } of options) {
			expect(typeof action).toBe('string');
			// The action names a new node on the canvas: short enough for one line.
			expect((action as string).length).toBeLessThanOrEqual(36);
			expect(action).toMatch(/^[A-Z][a-z]+( [a-z]+)*$/);
			expect(action).not.toMatch(/\b(a|an|the)\b/);
		}
		expect(options.find((option) => option.value === 'attach')?.action).toBe('Attach promo code');
	});

	it.each([
		['import', ['loyaltyId', 'source', 'codes', 'importMode', 'perCodeResults']],
		['get', ['loyaltyId', 'code']],
		['activate', ['loyaltyId', 'code']],
		['update', ['loyaltyId', 'code', 'updateFields']],
		['getAll', ['loyaltyId', 'filter', 'returnAll', 'limit']],
	])('%s shows exactly its own fields in both versions', (operation, fields) => {
		for (const version of [1, 2]) {
			expect(
				visibleFields(
					{ resource: 'promoCode', operation, returnAll: false, source: 'codes' },
					version,
				),
			).toEqual(['resource', 'operation', ...fields, 'options']);
		}
	});

	it.each([
		[
			{ source: 'generate', alphabet: 'unambiguous', codeShape: 'length' },
			['count', 'alphabet', 'codeShape', 'codeLength', 'prefix', 'postfix'],
		],
		[
			{ source: 'generate', alphabet: 'custom', codeShape: 'pattern' },
			['count', 'alphabet', 'customAlphabet', 'codeShape', 'pattern', 'prefix', 'postfix'],
		],
		[{ source: 'binaryFile', fileFormat: 'lines' }, ['binaryPropertyName', 'fileFormat']],
		[
			{ source: 'binaryFile', fileFormat: 'csv' },
			['binaryPropertyName', 'fileFormat', 'csvColumn'],
		],
	])('import with %p shows its source fields', (values, fields) => {
		expect(visibleFields({ resource: 'promoCode', operation: 'import', ...values })).toEqual([
			'resource',
			'operation',
			'loyaltyId',
			'source',
			...fields,
			'options',
		]);
	});

	it('hides Limit when Return All is on', () => {
		expect(
			visibleFields({ resource: 'promoCode', operation: 'getAll', returnAll: true }),
		).not.toContain('limit');
	});

	it.each([
		['email', ['email']],
		['email_profile', ['email']],
		['phone', ['phone']],
		['profile_id', ['profileId']],
		['custom', ['fieldName', 'fieldValue']],
	])(
		"attach and detach with matching %s show only that mode's fields",
		(matching, matchingFields) => {
			for (const operation of ['attach', 'detach']) {
				expect(visibleFields({ resource: 'promoCode', operation, matching })).toEqual([
					'resource',
					'operation',
					'loyaltyId',
					'code',
					'databaseId',
					'matching',
					...matchingFields,
					'options',
				]);
			}
		},
	);

	it('version 1 keeps plain number IDs; version 2 has a text Loyalty Program ID and a Database locator', () => {
		const attach = { resource: 'promoCode', operation: 'attach', matching: 'email' };
		expect(shownField('loyaltyId', attach, 1)).toMatchObject({ type: 'number', default: 0 });
		expect(shownField('databaseId', attach, 1)).toMatchObject({
			type: 'number',
			default: 0,
			displayName: 'Database ID',
		});
		expect(shownField('loyaltyId', attach, 2)).toMatchObject({
			type: 'string',
			default: '',
			required: true,
		});
		expect(shownField('loyaltyId', attach, 2).hint).toMatch(/Loyalty/);
		const database = shownField('databaseId', attach, 2);
		expect(database).toMatchObject({
			type: 'resourceLocator',
			displayName: 'Database',
			default: { mode: 'list', value: '' },
		});
		expect(database.modes?.map((mode) => [mode.name, mode.type])).toEqual([
			['list', 'list'],
			['id', 'string'],
		]);
		expect(database.modes?.[0].typeOptions).toEqual({
			searchListMethod: 'searchDatabases',
			searchable: true,
		});
	});

	it('version 2 flags an empty Loyalty Program ID and Database before any run; version 1 never could', () => {
		const attach = { resource: 'promoCode', operation: 'attach', email: 'alice@example.com' };
		const v2 = editorIssues(attach, 2);
		expect(Object.keys(v2).sort()).toEqual(['databaseId', 'loyaltyId']);
		expect(
			editorIssues(
				{ ...attach, loyaltyId: '1', databaseId: { __rl: true, mode: 'list', value: '1' } },
				2,
			),
		).toEqual({});
		// By ID accepts digits only.
		expect(
			Object.keys(
				editorIssues(
					{ ...attach, loyaltyId: '1', databaseId: { __rl: true, mode: 'id', value: 'abc' } },
					2,
				),
			),
		).toEqual(['databaseId']);
		expect(
			editorIssues(
				{ ...attach, loyaltyId: '1', databaseId: { __rl: true, mode: 'id', value: '12' } },
				2,
			),
		).toEqual({});
		// The reason for version 2: n8n accepts 0 in a required number field.
		expect(editorIssues(attach, 1)).toEqual({});
	});

	it('makes the code optional only for attach', () => {
		const codeFields = description.properties.filter((property) => property.name === 'code');
		for (const field of codeFields) {
			const operations = field.displayOptions?.show?.operation as string[];
			expect(field.required).toBe(!operations.includes('attach'));
		}
	});

	it('shows a notice on Attach only while Promo Code is empty, and on Get Many always', () => {
		const attach = { resource: 'promoCode', operation: 'attach', matching: 'email' };
		const retryOnFail = expect.stringMatching(/keep the node setting "Retry On Fail" off/);
		expect(visibleNotices({ ...attach, code: '' })).toEqual([
			expect.stringMatching(/does not say which.*Attach Free Code/),
			retryOnFail,
		]);
		expect(visibleNotices({ ...attach, code: 'WELCOME-0001' })).toEqual([retryOnFail]);
		for (const operation of ['activate', 'detach', 'attachFreeCode']) {
			expect(
				visibleNotices({ resource: 'promoCode', operation, matching: 'email' }),
			).toContainEqual(retryOnFail);
		}
		for (const operation of ['get', 'getAll', 'update', 'import']) {
			expect(visibleNotices({ resource: 'promoCode', operation })).not.toContainEqual(retryOnFail);
		}
		expect(visibleNotices({ resource: 'promoCode', operation: 'getAll' })).toEqual([
			expect.stringMatching(/every code of the program/),
		]);
		expect(visibleNotices({ resource: 'promoCode', operation: 'get' })).toEqual([]);
	});
});
