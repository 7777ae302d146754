import {
	describeAltcraftError,
	describeNetworkFailure,
	describeUnreadableResponse,
	redactSecret,
} from '../../nodes/AltcraftPromo/transport/errors';

const secret = 'dummy-secret-token-value';

describe('error mapping', () => {
	it('redacts every occurrence of the secret', () => {
		expect(redactSecret(`a ${secret} b ${secret}`, secret)).toBe('a **hidden** b **hidden**');
		expect(redactSecret('nothing here', '')).toBe('nothing here');
	});

	it('puts Altcraft code and text in the message and a hint for token errors', () => {
		const failure = describeAltcraftError(
			{ error: 401, error_text: `Token ${secret} is not valid`, data: null },
			{ endpoint: 'get', statusCode: 200, itemIndex: 3, secret },
		);
		expect(failure.options.message).toBe('Altcraft error 401: Token **hidden** is not valid [item 3]');
		expect(failure.options.description).toContain('POST /api/v1.1/promocodes/get answered HTTP 200');
		expect(failure.options.description).toContain('Check the API token');
		expect(failure.options.itemIndex).toBe(3);
		expect(failure.options.httpCode).toBe('200');
		expect(JSON.stringify(failure)).not.toContain(secret);
	});

	it('describes an HTML page with a readable, redacted snippet', () => {
		const failure = describeUnreadableResponse(
			`<html><head><style>p{}</style></head><body><h1>502 Bad Gateway</h1><p>${secret}</p></body></html>`,
			{ endpoint: 'attach', statusCode: 502, contentType: 'text/html', itemIndex: 0, secret },
		);
		expect(failure.options.message).toBe('Altcraft answered HTTP 502 with an HTML page [item 0]');
		expect(failure.options.description).toContain('Response began: "502 Bad Gateway **hidden**"');
		expect(JSON.stringify(failure)).not.toContain(secret);
	});

	it('turns 429 into a rate-limit message with the server wait time', () => {
		const failure = describeUnreadableResponse('Too many requests', {
			endpoint: 'get',
			statusCode: 429,
			contentType: 'text/plain',
			retryAfter: '7',
			itemIndex: 1,
			secret,
		});
		expect(failure.options.message).toBe('Altcraft is rate limiting requests (HTTP 429) [item 1]');
		expect(failure.options.description).toContain('retry after 7 seconds');
	});

	it('keeps the network reason but never the request config', () => {
		const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
			code: 'ECONNREFUSED',
			config: { data: JSON.stringify({ token: secret }) },
		});
		const failure = describeNetworkFailure(error, {
			endpoint: 'import',
			origin: 'http://127.0.0.1:1',
			itemIndex: 0,
			secret,
		});
		expect(failure.options.message).toBe('Could not reach Altcraft at http://127.0.0.1:1 [item 0]');
		expect(failure.options.description).toContain('ECONNREFUSED');
		expect(JSON.stringify(failure)).not.toContain(secret);
	});
});
