/**
 * "Database → From List" (methods.listSearch.searchDatabases) against the sandbox over loopback.
 * The context is a small stand-in for n8n's load-options context: its authenticated request applies the
 * credential's own `authenticate` and sends through n8n-core's real request helper.
 */
import type {
	ICredentialDataDecryptedObject,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	INode,
} from 'n8n-workflow';
// Not re-exported from n8n-core's index: the helper behind this.helpers.httpRequest.
import { httpRequest } from 'n8n-core/dist/execution-engine/node-execution-context/utils/request-helper-functions';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { AltcraftApi } from '../../credentials/AltcraftApi.credentials';
import {
	MAX_PAGES_PER_SEARCH,
	PAGE_SIZE,
	searchDatabases,
} from '../../nodes/AltcraftPromo/methods/listSearch';
import { startSandbox, type Sandbox, type SandboxSeed } from '../../sandbox/src';

const TOKEN = 'dummy-token-list-search';
const NODE: INode = {
	id: 'n',
	name: 'Altcraft Promo',
	type: 'x',
	typeVersion: 2,
	position: [0, 0],
	parameters: {},
};

function loadOptionsContext(credentials: ICredentialDataDecryptedObject): ILoadOptionsFunctions {
	const credential = new AltcraftApi();
	return {
		getNode: () => NODE,
		getCredentials: async () => credentials,
		helpers: {
			async httpRequestWithAuthentication(_type: string, options: IHttpRequestOptions) {
				return await httpRequest(await credential.authenticate(credentials, options));
			},
		},
	} as unknown as ILoadOptionsFunctions;
}

/** `count` databases with ids 1..count; names "Shop 1", "News 2", ... alternate. */
function seedWithDatabases(count: number): SandboxSeed {
	return {
		databases: Array.from({ length: count }, (_unused, index) => ({
			id: index + 1,
			name: `${index % 2 === 0 ? 'Shop' : 'News'} ${index + 1}`,
			profiles: [],
		})),
		loyaltyPrograms: [],
	};
}

describe('searchDatabases', () => {
	let sandbox: Sandbox;
	const search = (
		filter?: string,
		paginationToken?: string,
		credentials: ICredentialDataDecryptedObject = {},
	) =>
		searchDatabases.call(
			loadOptionsContext({
				baseUrl: sandbox.baseUrl,
				token: TOKEN,
				allowUnauthorizedCerts: false,
				...credentials,
			}),
			filter,
			paginationToken,
		);

	beforeAll(async () => {
		sandbox = await startSandbox({ port: 0, token: TOKEN });
	});
	afterAll(async () => {
		await sandbox.stop();
	});
	beforeEach(() => sandbox.reset());

	it('lists the demo seed databases with name and ID', async () => {
		const result = await search();
		expect(result).toEqual({
			results: [
				{ name: 'Demo shop customers (ID 1)', value: '1' },
				{ name: 'Newsletter (ID 2)', value: '2' },
			],
		});
		const [request] = sandbox.requests;
		expect(request.path).toBe('/api/v1.1/databases/list');
		expect(request.body).toMatchObject({ from_id: 1, limit: PAGE_SIZE, token: TOKEN });
	});

	it('pages with from_id / next_from_id and stops after the last page', async () => {
		sandbox.loadSeed(seedWithDatabases(250));
		const first = await search();
		expect(first.results).toHaveLength(100);
		expect(first.results[0]).toEqual({ name: 'Shop 1 (ID 1)', value: '1' });
		expect(first.paginationToken).toBe('101');
		const second = await search(undefined, first.paginationToken as string);
		expect(second.results[0].value).toBe('101');
		expect(second.paginationToken).toBe('201');
		const third = await search(undefined, second.paginationToken as string);
		expect(third.results.map((item) => item.value)).toEqual(
			Array.from({ length: 50 }, (_unused, i) => String(201 + i)),
		);
		expect(third.paginationToken).toBeUndefined();
		expect(
			sandbox.requests.map((request) => (request.body as { from_id: number }).from_id),
		).toEqual([1, 101, 201]);
	});

	it('searches by name (any case) and by ID, reading on until something matches', async () => {
		sandbox.loadSeed(seedWithDatabases(250));
		const byName = await search('news 24');
		expect(byName.results.map((item) => item.name)).toEqual(['News 24 (ID 24)']);
		expect(byName.paginationToken).toBe('101');
		sandbox.clearRequests();
		// ID 230 is on the third page: the search reads three pages in one call.
		const byId = await search('230');
		expect(byId.results).toEqual([{ name: 'News 230 (ID 230)', value: '230' }]);
		expect(sandbox.requests).toHaveLength(3);
		expect(byId.paginationToken).toBeUndefined();
	});

	it('gives an empty list when nothing matches, reading a bounded number of pages', async () => {
		expect(await search('no such database')).toEqual({ results: [] });
		sandbox.loadSeed(seedWithDatabases(PAGE_SIZE * (MAX_PAGES_PER_SEARCH + 2)));
		sandbox.clearRequests();
		const result = await search('no such database');
		expect(result.results).toEqual([]);
		expect(sandbox.requests).toHaveLength(MAX_PAGES_PER_SEARCH);
		// The editor can ask for more when the user scrolls.
		expect(result.paginationToken).toBe(String(PAGE_SIZE * MAX_PAGES_PER_SEARCH + 1));
	});

	it("passes Altcraft's own error code and text on, without the token", async () => {
		await expect(search(undefined, undefined, { token: 'wrong-token' })).rejects.toThrow(
			/^Altcraft error 401: .+\. Check the API token in the Altcraft API credential\.$/,
		);
		await search(undefined, undefined, { token: 'wrong-token' }).catch((error: Error) => {
			expect(error.message).not.toContain('wrong-token');
		});
	});

	it('says when the Base URL is not an Altcraft API or not reachable', async () => {
		const html: Server = createServer((_request, response) => {
			response.writeHead(200, { 'content-type': 'text/html' });
			response.end('<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>');
		});
		await new Promise<void>((resolve) => html.listen(0, '127.0.0.1', resolve));
		const htmlUrl = `http://127.0.0.1:${(html.address() as AddressInfo).port}`;
		try {
			await expect(search(undefined, undefined, { baseUrl: htmlUrl })).rejects.toThrow(
				/answered HTTP 200 with an HTML page that is not from the Altcraft API \("Welcome to nginx!"\)\. Check the Base URL/,
			);
		} finally {
			await new Promise((resolve) => html.close(resolve));
		}
		// The port of the closed server now refuses connections.
		await expect(search(undefined, undefined, { baseUrl: htmlUrl })).rejects.toThrow(
			/refused the connection \(ECONNREFUSED\)/,
		);
		await expect(search(undefined, undefined, { baseUrl: 'example.com' })).rejects.toThrow(
			/Base URL .* must be an http:\/\/ or https:\/\/ address/,
		);
	});

	it('honours Ignore SSL Issues against an https Altcraft with a self-signed certificate', async () => {
		const tlsSandbox = await startSandbox({ port: 0, token: TOKEN, tls: true });
		try {
			await expect(
				search(undefined, undefined, {
					baseUrl: tlsSandbox.baseUrl,
					allowUnauthorizedCerts: false,
				}),
			).rejects.toThrow(/TLS certificate of 127\.0\.0\.1:\d+ is not trusted.*"Ignore SSL Issues"/);
			const result = await search(undefined, undefined, {
				baseUrl: tlsSandbox.baseUrl,
				allowUnauthorizedCerts: true,
			});
			expect(result.results.map((item) => item.value)).toEqual(['1', '2']);
		} finally {
			await tlsSandbox.stop();
		}
	});
});
