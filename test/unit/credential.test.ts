import type { IHttpRequestOptions } from 'n8n-workflow';

import { AltcraftApi } from '../../credentials/AltcraftApi.credentials';

const credential = new AltcraftApi();
const credentials = { baseUrl: 'https://example.altcraft.com', token: 'dummy-token' };
const request = (body: IHttpRequestOptions['body']): IHttpRequestOptions => ({ url: 'https://x', method: 'POST', body });

describe('AltcraftApi credential', () => {
	it('is named as saved workflows expect and hides the token', () => {
		expect(credential.name).toBe('altcraftApi');
		expect(credential.displayName).toBe('Altcraft API');
		const token = credential.properties.find((property) => property.name === 'token');
		expect(token?.typeOptions?.password).toBe(true);
		expect(credential.properties.map((property) => property.name)).toEqual(['baseUrl', 'token']);
	});

	it('adds the token to a JSON body without touching the caller object', async () => {
		const original = request({ code: 'C-1', loyalty_id: 5 });
		const authenticated = await credential.authenticate(credentials, original);
		expect(authenticated.body).toEqual({ code: 'C-1', loyalty_id: 5, token: 'dummy-token' });
		expect(original.body).toEqual({ code: 'C-1', loyalty_id: 5 });
	});

	it('adds the token, escaped, as the first element of an XML body', async () => {
		const authenticated = await credential.authenticate(
			{ ...credentials, token: 'a<b&c' },
			request('<xml><code>C-1</code></xml>'),
		);
		expect(authenticated.body).toBe('<xml><token>a&lt;b&amp;c</token><code>C-1</code></xml>');
	});

	it('gives a body-less request (the credential test) a body with the token', async () => {
		expect((await credential.authenticate(credentials, request(undefined))).body).toEqual({ token: 'dummy-token' });
	});

	it('tests the credential against databases/list and fails on auth errors and non-Altcraft answers', () => {
		expect(credential.test.request.url).toBe('/api/v1.1/databases/list');
		expect(credential.test.request.method).toBe('POST');
		const rules = credential.test.rules ?? [];
		const failingErrorCodes = rules
			.filter((rule) => rule.type === 'responseSuccessBody' && rule.properties.key === 'error')
			.map((rule) => (rule.properties as { value: unknown }).value);
		// Every code an Altcraft error can have fails the test; 0 (success) does not.
		expect(failingErrorCodes).toEqual(Array.from({ length: 999 }, (_unused, index) => index + 1));
		const messageFor = (code: number) =>
			rules.find(
				(rule) => rule.type === 'responseSuccessBody' && rule.properties.key === 'error' && rule.properties.value === code,
			)?.properties.message;
		expect(messageFor(401)).toBe('Altcraft answered error 401: API token required or not valid');
		expect(messageFor(404)).toBe('Altcraft answered error 404: check the Base URL and the API token');
		expect(rules.some((rule) => rule.type === 'responseSuccessBody' && rule.properties.key === 'error_text')).toBe(true);
	});
});
