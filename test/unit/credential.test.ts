import type { IHttpRequestOptions } from 'n8n-workflow';

import { AltcraftApi } from '../../credentials/AltcraftApi.credentials';

const credential = new AltcraftApi();
const credentials = { baseUrl: 'https://example.altcraft.com', token: 'dummy-token' };
const request = (body: IHttpRequestOptions['body']): IHttpRequestOptions => ({
	url: 'https://x',
	method: 'POST',
	body,
});

describe('AltcraftApi credential', () => {
	it('is named as saved workflows expect and hides the token', () => {
		expect(credential.name).toBe('altcraftApi');
		expect(credential.displayName).toBe('Altcraft API');
		const token = credential.properties.find((property) => property.name === 'token');
		expect(token?.typeOptions?.password).toBe(true);
		expect(credential.properties.map((property) => property.name)).toEqual([
			'baseUrl',
			'token',
			'allowUnauthorizedCerts',
		]);
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
		expect((await credential.authenticate(credentials, request(undefined))).body).toEqual({
			token: 'dummy-token',
		});
	});

	it('has Ignore SSL Issues, off by default', () => {
		const ignoreSsl = credential.properties.find(
			(property) => property.name === 'allowUnauthorizedCerts',
		);
		expect(ignoreSsl).toMatchObject({ type: 'boolean', default: false });
		expect(ignoreSsl?.displayName).toMatch(/^Ignore SSL Issues/);
	});

	it("is tested by the node's function, not by request rules, and stays small for the editor", () => {
		// A `test` on the credential would take precedence over the node's testedBy function in n8n.
		expect((credential as { test?: unknown }).test).toBeUndefined();
		const size = Buffer.byteLength(JSON.stringify(credential), 'utf8');
		expect(size).toBeLessThan(10 * 1024);
	});
});
