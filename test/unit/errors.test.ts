import {
	describeAltcraftError,
	describeRetryAfterTooLong,
	describeTransportFailure,
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
			{ method: 'promocodes/get', statusCode: 200, itemIndex: 3, secret },
		);
		expect(failure.options.message).toBe(
			'Altcraft error 401: Token **hidden** is not valid [item 3]',
		);
		expect(failure.options.description).toContain(
			'POST /api/v1.1/promocodes/get answered HTTP 200',
		);
		expect(failure.options.description).toContain('Check the API token');
		expect(failure.options.itemIndex).toBe(3);
		expect(failure.options.httpCode).toBe('200');
		expect(JSON.stringify(failure)).not.toContain(secret);
	});

	it('describes an HTML page with a readable, redacted snippet', () => {
		const failure = describeUnreadableResponse(
			`<html><head><style>p{}</style></head><body><h1>502 Bad Gateway</h1><p>${secret}</p></body></html>`,
			{
				method: 'promocodes/attach',
				statusCode: 502,
				contentType: 'text/html',
				itemIndex: 0,
				secret,
			},
		);
		expect(failure.options.message).toBe('Altcraft answered HTTP 502 with an HTML page [item 0]');
		expect(failure.options.description).toContain('Response began: "502 Bad Gateway **hidden**"');
		expect(JSON.stringify(failure)).not.toContain(secret);
	});

	it('turns 429 into a rate-limit message with the server wait time', () => {
		const failure = describeUnreadableResponse('Too many requests', {
			method: 'promocodes/get',
			statusCode: 429,
			contentType: 'text/plain',
			retryAfter: '7',
			itemIndex: 1,
			secret,
		});
		expect(failure.options.message).toBe('Altcraft is rate limiting requests (HTTP 429) [item 1]');
		expect(failure.options.description).toContain('retry after 7 seconds');
	});

	const transportContext = {
		method: 'promocodes/get' as const,
		origin: 'http://127.0.0.1:1',
		itemIndex: 0,
		secret,
		attempts: 4,
		earlierAttemptMayHaveApplied: false,
		last: {
			reason: `ECONNREFUSED: connect ECONNREFUSED ${secret}`,
			sent: false,
			timedOut: false,
			timeoutMs: 20000,
		},
	};

	it('says nothing changed when the request never left, and never shows the token', () => {
		const failure = describeTransportFailure({ ...transportContext, outcome: 'failed' });
		expect(failure.options.message).toBe('Could not reach Altcraft at http://127.0.0.1:1 [item 0]');
		expect(failure.options.description).toContain('nothing was changed. Tried 4 times.');
		expect(JSON.stringify(failure)).not.toContain(secret);
	});

	it('names a timeout and how to raise it', () => {
		const failure = describeTransportFailure({
			...transportContext,
			outcome: 'failed',
			last: { reason: 'ETIMEDOUT: no answer', sent: true, timedOut: true, timeoutMs: 1500 },
		});
		expect(failure.options.message).toBe('Altcraft did not answer within 1.5 s [item 0]');
		expect(failure.options.description).toContain('Options → Timeout');
	});

	it('never advises a retry for an attach without a code whose answer was lost', () => {
		const failure = describeTransportFailure({
			...transportContext,
			method: 'promocodes/attach',
			attempts: 1,
			outcome: 'mayHaveAttached',
			last: { reason: 'ECONNRESET: socket hang up', sent: true, timedOut: false, timeoutMs: 20000 },
		});
		expect(failure.options.message).toBe(
			'The connection broke before an answer arrived: Altcraft may have attached a promo code to this profile [item 0]',
		);
		expect(failure.options.description).toContain('does not send it again');
		expect(`${failure.options.message} ${failure.options.description}`).not.toMatch(
			/retry (the request )?immediately/i,
		);
	});

	it('names the code to check when an activation outcome is unknown', () => {
		const failure = describeTransportFailure({
			...transportContext,
			method: 'promocodes/activate',
			outcome: 'unknown',
			code: 'WELCOME-1',
			loyaltyId: 7,
			last: { reason: 'HTTP 504', sent: true, timedOut: false, timeoutMs: 20000, statusCode: 504 },
		});
		expect(failure.options.message).toBe(
			'A gateway in front of Altcraft answered HTTP 504: whether the activation was applied is unknown [item 0]',
		);
		expect(failure.options.description).toContain(
			'Check promo code "WELCOME-1" in loyalty program 7',
		);
	});

	it('fails at once when Retry-After is longer than the node waits', () => {
		const failure = describeRetryAfterTooLong({
			method: 'promocodes/get',
			itemIndex: 2,
			statusCode: 429,
			waitMs: 120_000,
			maxWaitMs: 60_000,
		});
		expect(failure.options.message).toBe('Altcraft is rate limiting requests for 120 s [item 2]');
		expect(failure.options.description).toContain('longer than the 60 s this node waits');
	});
});
