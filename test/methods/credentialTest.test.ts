/**
 * The credential's Test button (methods.credentialTest.altcraftApiTest), run in n8n-core's own
 * CredentialTestContext, whose `helpers.request` is the one n8n hands a credential test function.
 * Against the sandbox over loopback, over https with a self-signed certificate, and against servers
 * that are not Altcraft.
 */
import { CredentialTestContext } from 'n8n-core';
import type { ICredentialDataDecryptedObject, INodeCredentialTestResult } from 'n8n-workflow';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { altcraftApiTest } from '../../nodes/AltcraftPromo/methods/credentialTest';
import { startSandbox, type Sandbox } from '../../sandbox/src';
import { shutdownEngine } from '../harness';

const TOKEN = 'dummy-token-credential-test';

async function testWith(data: ICredentialDataDecryptedObject): Promise<INodeCredentialTestResult> {
	return await altcraftApiTest.call(new CredentialTestContext(), {
		id: '1',
		name: 'Altcraft account',
		type: 'altcraftApi',
		data: { allowUnauthorizedCerts: false, ...data },
	});
}

async function serve(
	status: number,
	contentType: string,
	body: string,
): Promise<{ url: string; close(): Promise<void> }> {
	const server: Server = createServer((_request, response) => {
		response.writeHead(status, { 'content-type': contentType });
		response.end(body);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

describe('altcraftApiTest', () => {
	let sandbox: Sandbox;
	beforeAll(async () => {
		sandbox = await startSandbox({ port: 0, token: TOKEN });
	});
	afterAll(async () => {
		await sandbox.stop();
		// CredentialTestContext starts n8n-core's SSH tunnel sweeper, a 60 s interval.
		shutdownEngine();
	});

	it('passes with the right token, asking databases/list for one database', async () => {
		sandbox.clearRequests();
		expect(await testWith({ baseUrl: `${sandbox.baseUrl}/api/v1.1/`, token: TOKEN })).toEqual({
			status: 'OK',
			message: 'Connection successful',
		});
		expect(sandbox.requests.map((request) => [request.path, request.body])).toEqual([
			['/api/v1.1/databases/list', { limit: 1, token: TOKEN }],
		]);
	});

	it("fails a wrong token with Altcraft's own error code and text, never the token", async () => {
		const result = await testWith({ baseUrl: sandbox.baseUrl, token: 'wrong-token-xyz' });
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(
			/^Altcraft error 401: .+\. Check the API token in the Altcraft API credential\.$/,
		);
		expect(result.message).not.toContain('wrong-token-xyz');
	});

	it('fails an HTML page, naming it and what to check', async () => {
		const html = await serve(
			200,
			'text/html',
			'<!doctype html><title>Login</title><p>Please sign in</p>',
		);
		try {
			const result = await testWith({ baseUrl: html.url, token: TOKEN });
			expect(result).toEqual({
				status: 'Error',
				message: `${html.url} answered HTTP 200 with an HTML page that is not from the Altcraft API ("Login Please sign in"). Check the Base URL: the address of your Altcraft instance, e.g. https://example.altcraft.com`,
			});
		} finally {
			await html.close();
		}
	});

	it('fails a JSON answer that is not an Altcraft envelope, and redacts an echoed token', async () => {
		const echo = await serve(
			404,
			'application/json',
			JSON.stringify({ message: `no route; token=${TOKEN}` }),
		);
		try {
			const result = await testWith({ baseUrl: echo.url, token: TOKEN });
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(
				/answered HTTP 404 with an answer that is not from the Altcraft API/,
			);
			expect(result.message).not.toContain(TOKEN);
		} finally {
			await echo.close();
		}
	});

	it('fails a refused connection and a Base URL that is not an address', async () => {
		const closed = await serve(200, 'text/plain', '');
		await closed.close();
		const refused = await testWith({ baseUrl: closed.url, token: TOKEN });
		expect(refused.status).toBe('Error');
		expect(refused.message).toMatch(
			/^127\.0\.0\.1:\d+ refused the connection \(ECONNREFUSED\)\. Check the Base URL/,
		);
		expect(await testWith({ baseUrl: 'altcraft.example.com', token: TOKEN })).toEqual({
			status: 'Error',
			message: 'The Base URL in the Altcraft API credential must be an http:// or https:// address',
		});
	});

	describe('over https with a self-signed certificate', () => {
		let tlsSandbox: Sandbox;
		beforeAll(async () => {
			tlsSandbox = await startSandbox({ port: 0, token: TOKEN, tls: true });
		});
		afterAll(async () => {
			await tlsSandbox.stop();
		});

		it('fails with Ignore SSL Issues off, saying which switch helps', async () => {
			const result = await testWith({
				baseUrl: tlsSandbox.baseUrl,
				token: TOKEN,
				allowUnauthorizedCerts: false,
			});
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(
				/^The TLS certificate of 127\.0\.0\.1:\d+ is not trusted( \([A-Z_]+\))?\. .*turn on "Ignore SSL Issues"/,
			);
			expect(tlsSandbox.requests).toHaveLength(0);
		});

		it('passes with Ignore SSL Issues on', async () => {
			expect(
				await testWith({ baseUrl: tlsSandbox.baseUrl, token: TOKEN, allowUnauthorizedCerts: true }),
			).toEqual({
				status: 'OK',
				message: 'Connection successful',
			});
			expect(tlsSandbox.requests.map((request) => request.path)).toEqual([
				'/api/v1.1/databases/list',
			]);
		});

		it('says so when an https Base URL points at a plain-http server', async () => {
			const result = await testWith({
				baseUrl: sandbox.baseUrl.replace('http:', 'https:'),
				token: TOKEN,
			});
			expect(result.status).toBe('Error');
			expect(result.message).toMatch(/did not answer with TLS/);
		});
	});
});
