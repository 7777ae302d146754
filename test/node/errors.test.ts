import type { INodeParameters, NodeApiError, NodeOperationError } from 'n8n-workflow';

import { TOKEN, jsonOf, useSandbox } from './context';

const context = useSandbox();

type NodeFailure = NodeApiError & NodeOperationError;

/** Runs, asserts the run failed and that the token is nowhere in the whole run data. */
async function failingRun(
	parameters: INodeParameters,
	options: Parameters<typeof context.run>[1] = {},
) {
	const result = await context.run(parameters, options);
	expect(result.error).toBeDefined();
	expect(JSON.stringify(result.run)).not.toContain(TOKEN);
	return result.error as NodeFailure;
}

const getWelcome1 = { operation: 'get', loyaltyId: 1, code: 'WELCOME-0001' };

describe('API failures become NodeApiError with Altcraft code and text', () => {
	it('error != 0 on HTTP 200', async () => {
		const error = await failingRun({ operation: 'get', loyaltyId: 1, code: 'NO-SUCH-CODE' });
		expect(error.name).toBe('NodeApiError');
		expect(error.message).toBe('Altcraft error 404: Promocode not found [item 0]');
		expect(error.description).toContain(
			'POST /api/v1.1/promocodes/get answered HTTP 200 with Altcraft error 404',
		);
		expect(error.httpCode).toBe('200');
	});

	it('the envelope on HTTP 500', async () => {
		context.sandbox.injectFault('status500');
		const error = await failingRun(getWelcome1);
		expect(error.message).toBe('Altcraft error 500: Internal server error [item 0]');
		expect(error.httpCode).toBe('500');
	});

	it('the envelope on HTTP 429, with advice', async () => {
		context.sandbox.injectFault({ kind: 'status429', retryAfter: 3 });
		const error = await failingRun({ ...getWelcome1, options: { maxRetries: 0 } });
		expect(error.message).toBe('Altcraft error 429: Too many requests [item 0]');
		expect(error.description).toMatch(/rate limiting/);
	});

	it.each(['json', 'xml'])('an HTML error page (asked for %s)', async (format) => {
		context.sandbox.injectFault({ kind: 'html', status: 502 });
		const error = await failingRun({ ...getWelcome1, options: { format, maxRetries: 0 } });
		expect(error.message).toBe('Altcraft answered HTTP 502 with an HTML page [item 0]');
		expect(error.description).toMatch(/Response began: ".+"/);
	});

	it.each(['json', 'xml'])('a malformed %s body', async (format) => {
		context.sandbox.injectFault('malformed');
		const error = await failingRun({ ...getWelcome1, options: { format } });
		expect(error.message).toBe(
			'Altcraft answered HTTP 200 with a body that is neither an Altcraft JSON nor XML response [item 0]',
		);
	});

	it('a wrong token', async () => {
		const error = await failingRun(getWelcome1, { token: 'not-the-right-token' });
		expect(error.message).toBe('Altcraft error 401: Invalid API token [item 0]');
		expect(error.description).toContain('Check the API token');
	});

	it('a connection reset, with retries off', async () => {
		context.sandbox.injectFault('reset');
		const error = await failingRun({ ...getWelcome1, options: { maxRetries: 0 } });
		expect(error.message).toBe('The connection broke before an answer arrived [item 0]');
		expect(error.description).toContain('Tried once.');
	});

	it('nothing listening at the base URL', async () => {
		const error = await failingRun(getWelcome1, { baseUrl: 'http://127.0.0.1:9/' });
		expect(error.message).toBe('Could not reach Altcraft at http://127.0.0.1:9 [item 0]');
		expect(error.description).toMatch(/ECONNREFUSED/);
	});

	it('a base URL that is not http(s), before any request', async () => {
		const error = await failingRun(getWelcome1, { baseUrl: 'ftp://example.altcraft.com' });
		expect(error.message).toBe(
			'The Base URL in the Altcraft API credential must be an http:// or https:// address',
		);
		expect(context.sandbox.requests).toHaveLength(0);
	});

	it('an API error text that echoes the token is redacted', async () => {
		context.sandbox.injectFault({
			kind: 'apiError',
			error: 403,
			errorText: `Token ${TOKEN} lacks rights`,
		});
		const error = await failingRun(getWelcome1);
		expect(error.message).toBe('Altcraft error 403: Token **hidden** lacks rights [item 0]');
	});
});

describe('bad parameters fail before any request, naming the field and the item', () => {
	const attachBase = {
		operation: 'attach',
		loyaltyId: 1,
		databaseId: 1,
		code: '',
		matching: 'email',
		email: 'a@example.com',
	};
	// n8n itself refuses to run with an empty required field, so empty values come from expressions, as in real use.
	it.each([
		[
			'a non-numeric loyalty ID',
			{ ...getWelcome1, loyaltyId: '={{ "abc" }}' },
			'Loyalty Program ID must be a positive whole number, got "abc" [item 0]',
		],
		['a missing code', { ...getWelcome1, code: '  ' }, 'Promo Code is empty [item 0]'],
		[
			'an empty email for email matching',
			{ ...attachBase, email: '={{ $json.missing }}' },
			'Email is empty [item 0]',
		],
		[
			'a malformed email',
			{ ...attachBase, email: 'alice.example.com' },
			'Email "alice.example.com" is not an email address [item 0]',
		],
		[
			'an empty phone',
			{ ...attachBase, matching: 'phone', phone: '={{ "" }}' },
			'Phone is empty [item 0]',
		],
		[
			'an empty profile ID',
			{ ...attachBase, matching: 'profile_id', profileId: '={{ " " }}' },
			'Profile ID is empty [item 0]',
		],
		[
			'an empty custom field name',
			{ ...attachBase, matching: 'custom', fieldName: '={{ "" }}', fieldValue: '1' },
			'Field Name is empty [item 0]',
		],
		[
			'an empty custom field value',
			{ ...attachBase, matching: 'custom', fieldName: 'CRM_ID', fieldValue: '={{ null }}' },
			'Field Value is empty [item 0]',
		],
		[
			'a zero database ID',
			{ ...attachBase, databaseId: 0 },
			'Database ID must be a positive whole number, got 0 [item 0]',
		],
		[
			'an update without fields',
			{ operation: 'update', loyaltyId: 1, code: 'X', updateFields: {} },
			'Update needs at least one of Activated or Expire Date [item 0]',
		],
		[
			'an impossible expiry',
			{
				operation: 'update',
				loyaltyId: 1,
				code: 'X',
				updateFields: { expireDate: '2026-02-31T10:00:00' },
			},
			'Expire Date "2026-02-31T10:00:00" is not a valid date and time [item 0]',
		],
		[
			'an empty list of codes',
			{ operation: 'import', loyaltyId: 1, codes: ' ,\n ' },
			'Promo Codes contains no codes [item 0]',
		],
		[
			'a list with an object in it',
			{ operation: 'import', loyaltyId: 1, codes: '={{ ["A", { "b": 1 }] }}' },
			'Promo Codes entry 2 is object, not a code [item 0]',
		],
		[
			'a limit of zero from an expression',
			{ operation: 'getAll', loyaltyId: 1, returnAll: false, limit: '={{ 0 }}' },
			'Limit must be a whole number of at least 1, got 0 [item 0]',
		],
	])('%s', async (_label, parameters, message) => {
		const error = await failingRun(parameters);
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toBe(message);
		expect(error.context.itemIndex).toBe(0);
		expect(context.sandbox.requests).toHaveLength(0);
	});

	it('one bad item stops the batch before even the good items are sent', async () => {
		const error = await failingRun(
			{ operation: 'activate', loyaltyId: 1, code: '={{ $json.code }}' },
			{ items: [{ code: 'WELCOME-0001' }, { code: 'WELCOME-0002' }, { code: '' }] },
		);
		expect(error.message).toBe('Promo Code is empty [item 2]');
		expect(error.context.itemIndex).toBe(2);
		expect(context.sandbox.requests).toHaveLength(0);
	});
});

describe('Continue On Fail', () => {
	const items = [
		{ email: 'alice@example.com' },
		{ email: 'nobody@example.com' },
		{ email: 'not-an-email' },
		{ email: 'bob@example.com' },
	];
	const attachByEmail = {
		operation: 'attach',
		loyaltyId: 1,
		databaseId: 1,
		code: '',
		matching: 'email',
		email: '={{ $json.email }}',
	};

	it('continueRegularOutput: one output per input, failures as error items paired to their input', async () => {
		const result = await context.run(attachByEmail, { items, onError: 'continueRegularOutput' });
		expect(result.error).toBeUndefined();
		expect(result.output.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
			{ item: 3 },
		]);
		const [first, second, third, fourth] = jsonOf(result);
		expect(first).toMatchObject({ success: true, email: 'alice@example.com' });
		expect(second).toEqual({ error: 'Altcraft error 404: Profile not found [item 1]' });
		expect(third).toEqual({ error: 'Email "not-an-email" is not an email address [item 2]' });
		expect(fourth).toMatchObject({ success: true, email: 'bob@example.com' });
		// The invalid item was never sent; the others were.
		expect(
			context.sandbox.requests.map((request) => (request.body as { email: string }).email),
		).toEqual(['alice@example.com', 'nobody@example.com', 'bob@example.com']);
		expect(JSON.stringify(result.run)).not.toContain(TOKEN);
	});

	it('continueErrorOutput: failures go to the error output, paired to their input', async () => {
		const result = await context.run(attachByEmail, { items, onError: 'continueErrorOutput' });
		expect(result.output.map((item) => [item.json.email, item.pairedItem])).toEqual([
			['alice@example.com', { item: 0 }],
			['bob@example.com', { item: 3 }],
		]);
		expect(result.errorOutput?.map((item) => item.pairedItem)).toEqual([{ item: 1 }, { item: 2 }]);
		expect(result.errorOutput?.[0].json.error).toBe(
			'Altcraft error 404: Profile not found [item 1]',
		);
		expect(JSON.stringify(result.run)).not.toContain(TOKEN);
	});

	it('a credential problem gives every item its error item', async () => {
		const result = await context.run(attachByEmail, {
			items,
			onError: 'continueRegularOutput',
			baseUrl: 'not a url',
		});
		expect(result.output).toHaveLength(4);
		expect(result.output.every((item) => String(item.json.error).startsWith('The Base URL'))).toBe(
			true,
		);
	});
});
