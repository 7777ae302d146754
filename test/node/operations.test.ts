import { FORMATS, TOKEN, jsonOf, useSandbox, type Format } from './context';

const context = useSandbox();

/** The last request as the server saw it: path, content type and parameters without the token. */
function lastRequest() {
	const request = context.sandbox.requests.at(-1);
	if (!request) throw new Error('no request reached the sandbox');
	const { token, ...parameters } = request.body as Record<string, unknown>;
	return {
		path: request.path,
		contentType: request.contentType,
		token,
		parameters,
		rawBody: request.rawBody,
	};
}

/** What the request carried, as text the way XML carries it and typed the way JSON does. */
function expectParameters(format: Format, typed: Record<string, unknown>) {
	const request = lastRequest();
	expect(request.token).toBe(TOKEN);
	if (format === 'json') {
		expect(request.contentType).toBe('application/json');
		expect(request.parameters).toEqual(typed);
	} else {
		expect(request.contentType).toBe('application/xml');
		const asText = Object.fromEntries(
			Object.entries({ ...typed, format: 'xml' }).map(([key, value]) => [
				key,
				Array.isArray(value) ? value.map(String) : String(value),
			]),
		);
		expect(request.parameters).toEqual(asText);
		expect(request.rawBody.startsWith(`<xml><token>${TOKEN}</token>`)).toBe(true);
	}
	return request;
}

const attachmentsOf = (loyaltyId: number, code: string) =>
	context.sandbox
		.getCode(loyaltyId, code)
		?.attachments.map(({ databaseId, profileId }) => ({ databaseId, profileId }));

describe.each(FORMATS)('over %s', (format) => {
	const options = { format };

	it('import sends the codes and reports counters and each code', async () => {
		const result = await context.run({
			operation: 'import',
			loyaltyId: 1,
			codes: 'SPRING-1\nSPRING-2, WELCOME-0001,SPRING-1',
			options,
		});
		expect(result.error).toBeUndefined();
		expect(lastRequest().path).toBe('/api/v1.1/promocodes/import');
		expectParameters(format, {
			codes: ['SPRING-1', 'SPRING-2', 'WELCOME-0001', 'SPRING-1'],
			loyalty_id: 1,
		});
		expect(jsonOf(result)).toEqual([
			{
				inserted: 2,
				duplicated: 2,
				discarded_by_limit: 0,
				duplicated_after_resend: 0,
				requests: 1,
				failed: 2,
				codes: [
					{ code: 'SPRING-1', error: 0, error_text: '' },
					{ code: 'SPRING-2', error: 0, error_text: '' },
					{ code: 'WELCOME-0001', error: 500, error_text: 'Promocode duplicated' },
					{ code: 'SPRING-1', error: 500, error_text: 'Promocode duplicated' },
				],
			},
		]);
		expect(context.sandbox.getCode(1, 'SPRING-2')).toBeDefined();
	});

	it('import takes a list from an expression and reports codes over the program limit', async () => {
		const result = await context.run(
			{ operation: 'import', loyaltyId: 3, codes: '={{ $json.batch }}', options },
			{ items: [{ batch: ['L-1', 'L-2', 'L-3', 'L-4', 'L-5', 'L-6'] }] },
		);
		const [output] = jsonOf(result);
		expect(
			Number(output.inserted) + Number(output.duplicated) + Number(output.discarded_by_limit),
		).toBe(6);
		expect(output.discarded_by_limit).toBeGreaterThan(0);
	});

	it('get returns the code record, typed, in one key order', async () => {
		const result = await context.run({
			operation: 'get',
			loyaltyId: 1,
			code: 'WELCOME-0001',
			options,
		});
		expect(lastRequest().path).toBe('/api/v1.1/promocodes/get');
		expectParameters(format, { code: 'WELCOME-0001', loyalty_id: 1 });
		const [output] = jsonOf(result);
		expect(Object.keys(output)).toEqual([
			'created',
			'is_attached',
			'is_activated',
			'is_expired',
			'attached',
			'activated',
			'expired',
			'expire_date',
			'loyalty_id',
			'code',
		]);
		expect(output).toMatchObject({
			code: 'WELCOME-0001',
			loyalty_id: 1,
			is_attached: false,
			attached: '',
		});
	});

	it.each([
		[
			'email',
			{ email: 'alice@example.com' },
			{ email: 'alice@example.com' },
			'64b000000000000000000001',
		],
		[
			'email_profile',
			{ email: 'bob@example.com' },
			{ email: 'bob@example.com' },
			'64b000000000000000000002',
		],
		['phone', { phone: '+79000000003' }, { phone: '+79000000003' }, '64b000000000000000000003'],
		[
			'profile_id',
			{ profileId: '64b000000000000000000002' },
			{ profile_id: '64b000000000000000000002' },
			'64b000000000000000000002',
		],
		[
			'custom',
			{ fieldName: 'CRM_ID', fieldValue: '1001' },
			{ field_name: 'CRM_ID', field_value: '1001' },
			'64b000000000000000000001',
		],
	])(
		"attach by %s sends that mode's keys and attaches to that profile",
		async (matching, fields, sent, profileId) => {
			const result = await context.run({
				operation: 'attach',
				loyaltyId: 1,
				databaseId: 1,
				code: 'WELCOME-0005',
				matching,
				...fields,
				options,
			});
			expect(result.error).toBeUndefined();
			expect(lastRequest().path).toBe('/api/v1.1/promocodes/attach');
			expectParameters(format, {
				loyalty_id: 1,
				db_id: 1,
				matching,
				...sent,
				code: 'WELCOME-0005',
			});
			expect(jsonOf(result)).toEqual([
				{
					success: true,
					operation: 'attach',
					loyalty_id: 1,
					db_id: 1,
					matching,
					...sent,
					code: 'WELCOME-0005',
					confirmed_by: 'altcraft_answer',
				},
			]);
			expect(attachmentsOf(1, 'WELCOME-0005')).toEqual([{ databaseId: 1, profileId }]);
		},
	);

	it('attach without a code lets the program pick one and says the API does not report it', async () => {
		const before = context.sandbox.getState();
		const result = await context.run({
			operation: 'attach',
			loyaltyId: 1,
			databaseId: 1,
			code: '',
			matching: 'email',
			email: 'carol@example.com',
			options,
		});
		expectParameters(format, {
			loyalty_id: 1,
			db_id: 1,
			matching: 'email',
			email: 'carol@example.com',
		});
		const [output] = jsonOf(result);
		expect(Object.keys(output)[0]).toBe('code');
		expect(output.code).toBeNull();
		expect(output.note).toBeUndefined();
		const hints = result.run.data.resultData.runData['Altcraft Promo']?.[0]?.hints ?? [];
		expect(hints.map((hint) => hint.message)).toEqual([
			expect.stringMatching(/does not say which.*Attach Free Code/),
		]);
		const attachedNow = context.sandbox
			.getState()
			.loyaltyPrograms.find((program) => program.id === 1)
			?.codes.filter((code) =>
				code.attachments.some((a) => a.profileId === '64b000000000000000000003'),
			);
		expect(attachedNow).toHaveLength(1);
		expect(before.loyaltyPrograms.find((program) => program.id === 1)?.codes.length).toBe(
			context.sandbox.getState().loyaltyPrograms.find((program) => program.id === 1)?.codes.length,
		);
	});

	it.each([
		['email', { email: 'alice@example.com' }, { email: 'alice@example.com' }],
		['email_profile', { email: 'alice@example.com' }, { email: 'alice@example.com' }],
		['phone', { phone: '+79000000001' }, { phone: '+79000000001' }],
		[
			'profile_id',
			{ profileId: '64b000000000000000000001' },
			{ profile_id: '64b000000000000000000001' },
		],
		[
			'custom',
			{ fieldName: 'CRM_ID', fieldValue: '1001' },
			{ field_name: 'CRM_ID', field_value: '1001' },
		],
	])('detach by %s takes the code back from that profile', async (matching, fields, sent) => {
		await context.run({
			operation: 'attach',
			loyaltyId: 1,
			databaseId: 1,
			code: 'WELCOME-0006',
			matching: 'email',
			email: 'alice@example.com',
		});
		expect(attachmentsOf(1, 'WELCOME-0006')).toHaveLength(1);
		const result = await context.run({
			operation: 'detach',
			loyaltyId: 1,
			databaseId: 1,
			code: 'WELCOME-0006',
			matching,
			...fields,
			options,
		});
		expect(result.error).toBeUndefined();
		expect(lastRequest().path).toBe('/api/v1.1/promocodes/detach');
		expectParameters(format, { code: 'WELCOME-0006', loyalty_id: 1, db_id: 1, matching, ...sent });
		expect(jsonOf(result)).toEqual([
			{
				success: true,
				operation: 'detach',
				code: 'WELCOME-0006',
				loyalty_id: 1,
				db_id: 1,
				matching,
				...sent,
				confirmed_by: 'altcraft_answer',
			},
		]);
		expect(attachmentsOf(1, 'WELCOME-0006')).toEqual([]);
	});

	it('activate marks an attached code as used', async () => {
		await context.run({
			operation: 'attach',
			loyaltyId: 1,
			databaseId: 1,
			code: 'WELCOME-0007',
			matching: 'email',
			email: 'bob@example.com',
		});
		const result = await context.run({
			operation: 'activate',
			loyaltyId: 1,
			code: 'WELCOME-0007',
			options,
		});
		expect(lastRequest().path).toBe('/api/v1.1/promocodes/activate');
		expectParameters(format, { code: 'WELCOME-0007', loyalty_id: 1 });
		expect(jsonOf(result)).toEqual([
			{
				success: true,
				operation: 'activate',
				code: 'WELCOME-0007',
				loyalty_id: 1,
				confirmed_by: 'altcraft_answer',
			},
		]);
		expect(context.sandbox.getCode(1, 'WELCOME-0007')?.activated).toMatch(
			/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
		);
	});

	it('update sends activated and the expiry in RFC 3339 UTC', async () => {
		await context.run({
			operation: 'attach',
			loyaltyId: 1,
			databaseId: 1,
			code: 'WELCOME-0008',
			matching: 'email',
			email: 'bob@example.com',
		});
		const result = await context.run({
			operation: 'update',
			loyaltyId: 1,
			code: 'WELCOME-0008',
			updateFields: { activated: true, expireDate: '2030-01-31T23:59:00.000+03:00' },
			options,
		});
		expect(result.error).toBeUndefined();
		expect(lastRequest().path).toBe('/api/v1.1/promocodes/update');
		expectParameters(format, {
			code: 'WELCOME-0008',
			loyalty_id: 1,
			activated: true,
			expire_date: '2030-01-31T20:59:00Z',
		});
		expect(jsonOf(result)).toEqual([
			{
				success: true,
				operation: 'update',
				code: 'WELCOME-0008',
				loyalty_id: 1,
				activated: true,
				expire_date: '2030-01-31T20:59:00Z',
			},
		]);
		expect(context.sandbox.getCode(1, 'WELCOME-0008')?.expireDate).toBe('2030-01-31T20:59:00Z');
	});

	it('get many returns one item per code with unset times as "", filtered and limited', async () => {
		await context.run({
			operation: 'attach',
			loyaltyId: 1,
			databaseId: 1,
			code: 'WELCOME-0002',
			matching: 'email',
			email: 'bob@example.com',
		});
		await context.run({ operation: 'activate', loyaltyId: 1, code: 'WELCOME-0002' });
		await context.run({
			operation: 'attach',
			loyaltyId: 1,
			databaseId: 1,
			code: 'WELCOME-0003',
			matching: 'email',
			email: 'alice@example.com',
		});

		const all = await context.run({
			operation: 'getAll',
			loyaltyId: 1,
			filter: 'all',
			returnAll: true,
			options,
		});
		expect(lastRequest().path).toBe('/api/v1.1/promocodes/export_all');
		expectParameters(format, { loyalty_id: 1 });
		expect(all.output).toHaveLength(10);
		expect(
			all.output.every(
				(item) => item.pairedItem && (item.pairedItem as { item: number }).item === 0,
			),
		).toBe(true);
		expect(jsonOf(all)[0]).toEqual({ code: 'WELCOME-0001', attached: '', activated: '' });

		const attached = await context.run({
			operation: 'getAll',
			loyaltyId: 1,
			filter: 'attached',
			returnAll: true,
			options,
		});
		expect(jsonOf(attached).map((code) => code.code)).toEqual(['WELCOME-0002', 'WELCOME-0003']);
		const activated = await context.run({
			operation: 'getAll',
			loyaltyId: 1,
			filter: 'activated',
			returnAll: true,
			options,
		});
		expect(jsonOf(activated).map((code) => code.code)).toEqual(['WELCOME-0002']);
		const free = await context.run({
			operation: 'getAll',
			loyaltyId: 1,
			filter: 'free',
			returnAll: false,
			limit: 3,
			options,
		});
		expect(jsonOf(free).map((code) => code.code)).toEqual([
			'WELCOME-0001',
			'WELCOME-0004',
			'WELCOME-0005',
		]);
	});
});

it('gives the same output items over JSON and XML for every read operation', async () => {
	await context.run({
		operation: 'attach',
		loyaltyId: 1,
		databaseId: 1,
		code: 'WELCOME-0004',
		matching: 'email',
		email: 'alice@example.com',
	});
	for (const parameters of [
		{ operation: 'get', loyaltyId: 1, code: 'WELCOME-0004' },
		{ operation: 'getAll', loyaltyId: 1, filter: 'all', returnAll: true },
		{ operation: 'getAll', loyaltyId: 2, filter: 'all', returnAll: true },
	]) {
		const overJson = await context.run({ ...parameters, options: { format: 'json' } });
		const overXml = await context.run({ ...parameters, options: { format: 'xml' } });
		expect(JSON.stringify(overXml.output)).toBe(JSON.stringify(overJson.output));
	}
});

it('maps several items to one request each, in order, each output paired to its input', async () => {
	const result = await context.run(
		{ operation: 'get', loyaltyId: 1, code: '={{ $json.code }}' },
		{ items: [{ code: 'WELCOME-0003' }, { code: 'WELCOME-0001' }, { code: 'WELCOME-0002' }] },
	);
	expect(
		context.sandbox.requests.map((request) => (request.body as { code: string }).code),
	).toEqual(['WELCOME-0003', 'WELCOME-0001', 'WELCOME-0002']);
	expect(result.output.map((item) => [item.json.code, item.pairedItem])).toEqual([
		['WELCOME-0003', { item: 0 }],
		['WELCOME-0001', { item: 1 }],
		['WELCOME-0002', { item: 2 }],
	]);
});
