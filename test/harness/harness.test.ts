/**
 * Proves the engine harness itself with tiny node and credential types: items flow through
 * WorkflowExecute with paired-item lineage, and credentials are applied as n8n applies them
 * (function-form and generic `authenticate`) on a real HTTP request to a throwaway server.
 */
import {
	NodeConnectionTypes,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import {
	COLLECTOR_NODE_TYPE,
	TRIGGER_NODE_TYPE,
	chain,
	runWorkflow,
	shutdownEngine,
	workflowNode,
} from './index';

afterAll(() => shutdownEngine());

describe('harness trigger and collector', () => {
	it('feeds start items through and the collector sees their paired lineage', async () => {
		const people = [
			{ email: 'a@example.com' },
			{ email: 'b@example.com' },
			{ email: 'c@example.com' },
		];
		const run = await runWorkflow(
			{
				nodes: [
					workflowNode('Trigger', TRIGGER_NODE_TYPE),
					workflowNode('First', COLLECTOR_NODE_TYPE),
					workflowNode('Second', COLLECTOR_NODE_TYPE, {
						lineage: "={{ $('Trigger').item.json.email }}",
					}),
				],
				connections: chain('Trigger', 'First', 'Second'),
			},
			{ startItems: people },
		);

		expect(run.data.resultData.error).toBeUndefined();
		expect(run.status).toBe('success');
		const second = run.data.resultData.runData.Second[0].data?.main[0] ?? [];
		expect(second.map((item) => item.json)).toEqual(
			people.map((person, i) => ({
				json: { json: person, pairedItem: { item: i } }, // position in First's input, set by n8n
				pairedItem: { item: i },
				lineage: person.email,
			})),
		);
	});
});

describe('harness credentials', () => {
	interface Received {
		url: string;
		headers: http.IncomingHttpHeaders;
		body: string;
	}
	const received: Received[] = [];
	let server: http.Server;
	let baseUrl: string;

	beforeAll(async () => {
		server = http.createServer((req, res) => {
			let body = '';
			req.on('data', (chunk: Buffer) => (body += chunk.toString()));
			req.on('end', () => {
				received.push({ url: req.url ?? '', headers: req.headers, body });
				res.setHeader('content-type', 'application/json');
				res.end(JSON.stringify({ ok: true }));
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});
	beforeEach(() => (received.length = 0));
	afterAll(async () => {
		server.closeAllConnections();
		await new Promise<void>((resolve) => server.close(() => resolve()));
	});

	/** Posts its `body` parameter (JSON object text, or an XML string) to `<baseUrl>/probe`. */
	class ProbeNode implements INodeType {
		description: INodeTypeDescription = {
			displayName: 'Probe',
			name: 'probe',
			group: ['transform'],
			version: 1,
			description: 'Sends one authenticated request per item',
			defaults: { name: 'Probe' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			credentials: [
				{ name: 'altcraftApi', required: true },
				{ name: 'genericApi', required: true },
			],
			properties: [
				{
					displayName: 'Credential Type',
					name: 'credentialType',
					type: 'string',
					default: 'altcraftApi',
				},
				{ displayName: 'Body', name: 'body', type: 'string', default: '{}' },
			],
		};

		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			const out: INodeExecutionData[] = [];
			for (let i = 0; i < this.getInputData().length; i++) {
				const credentialType = this.getNodeParameter('credentialType', i) as string;
				const raw = this.getNodeParameter('body', i) as string;
				const isXml = raw.startsWith('<');
				const { baseUrl } = await this.getCredentials<{ baseUrl: string }>(credentialType, i);
				const options: IHttpRequestOptions = {
					method: 'POST',
					url: `${baseUrl}/probe`,
					body: isXml ? raw : (JSON.parse(raw) as IDataObject),
					json: !isXml,
					...(isXml ? { headers: { 'content-type': 'application/xml' } } : {}),
				};
				const response = (await this.helpers.httpRequestWithAuthentication.call(
					this,
					credentialType,
					options,
				)) as IDataObject | string;
				out.push({
					json: typeof response === 'string' ? (JSON.parse(response) as IDataObject) : response,
					pairedItem: { item: i },
				});
			}
			return [out];
		}
	}

	/** Same behaviour the real AltcraftApi credential has: token into the body, object or `<xml>` string. */
	const functionCredential: ICredentialType = {
		name: 'altcraftApi',
		displayName: 'Function-form test credential',
		properties: [
			{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
			{
				displayName: 'Token',
				name: 'token',
				type: 'string',
				typeOptions: { password: true },
				default: '',
			},
		],
		authenticate: async (credentials, requestOptions) => {
			const token = credentials.token as string;
			const { body } = requestOptions;
			if (typeof body === 'string') {
				return { ...requestOptions, body: body.replace('<xml>', `<xml><token>${token}</token>`) };
			}
			return { ...requestOptions, body: { ...(body as IDataObject), token } };
		},
	};

	const genericCredential: ICredentialType = {
		name: 'genericApi',
		displayName: 'Generic test credential',
		properties: [
			{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: '' },
			{
				displayName: 'Token',
				name: 'token',
				type: 'string',
				typeOptions: { password: true },
				default: '',
			},
			{ displayName: 'Realm', name: 'realm', type: 'string', default: 'default-realm' },
		],
		authenticate: {
			type: 'generic',
			properties: {
				body: { token: '={{$credentials.token}}' },
				headers: {
					'X-Api-Key': '={{ $credentials.token }}',
					'={{ "X-" + $credentials.realm }}': 'yes',
				},
				qs: { plain: 'literal', missing: '={{ $credentials.notThere }}' },
			},
		},
	};

	const runProbe = async (
		credentialType: string,
		body: string,
		credentials: ICredentialDataDecryptedObject,
	) =>
		await runWorkflow(
			{
				nodes: [
					workflowNode('Trigger', TRIGGER_NODE_TYPE),
					workflowNode(
						'Probe',
						'harness.probe',
						{ credentialType, body },
						{
							credentials: { [credentialType]: { id: '1', name: 'test' } },
						},
					),
				],
				connections: chain('Trigger', 'Probe'),
			},
			{
				nodeTypes: { 'harness.probe': new ProbeNode() },
				credentialTypes: { altcraftApi: functionCredential, genericApi: genericCredential },
				credentials: { [credentialType]: credentials },
			},
		);

	it('applies a function-form authenticate to a JSON body', async () => {
		const run = await runProbe('altcraftApi', '{"code":"A1"}', { baseUrl, token: 'fn-token' });

		expect(run.data.resultData.error).toBeUndefined();
		expect(run.data.resultData.runData.Probe[0].data?.main[0]?.[0].json).toEqual({ ok: true });
		expect(received).toHaveLength(1);
		expect(JSON.parse(received[0].body)).toEqual({ code: 'A1', token: 'fn-token' });
	});

	it('applies a function-form authenticate to an XML string body', async () => {
		await runProbe('altcraftApi', '<xml><code>A1</code></xml>', { baseUrl, token: 'fn-token' });

		expect(received[0].headers['content-type']).toBe('application/xml');
		expect(received[0].body).toBe('<xml><token>fn-token</token><code>A1</code></xml>');
	});

	it('applies a generic authenticate as n8n does: shallow merge, expressions in keys and values', async () => {
		// `realm` is not in the stored data: its default from the credential type applies.
		await runProbe('genericApi', '{"code":"A1","nested":{"keep":true}}', {
			baseUrl,
			token: 'gen-token',
		});

		const [request] = received;
		expect(JSON.parse(request.body)).toEqual({
			code: 'A1',
			nested: { keep: true },
			token: 'gen-token',
		});
		expect(request.headers['x-api-key']).toBe('gen-token');
		expect(request.headers['x-default-realm']).toBe('yes');
		expect(new URL(request.url, baseUrl).searchParams.toString()).toBe('plain=literal&missing=');
	});

	it('fails the run when the node has no credential data', async () => {
		const run = await runWorkflow(
			{
				nodes: [
					workflowNode('Trigger', TRIGGER_NODE_TYPE),
					workflowNode(
						'Probe',
						'harness.probe',
						{},
						{ credentials: { altcraftApi: { id: '1', name: 'test' } } },
					),
				],
				connections: chain('Trigger', 'Probe'),
			},
			{
				nodeTypes: { 'harness.probe': new ProbeNode() },
				credentialTypes: { altcraftApi: functionCredential },
			},
		);

		expect(run.data.resultData.error?.message).toMatch(/no credentials of type "altcraftApi"/);
		expect(received).toHaveLength(0);
	});
});
