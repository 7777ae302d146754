/**
 * The two n8n clients, each run through the engine harness (n8n-core's WorkflowExecute):
 * this package's built node (from a snapshot of dist/), and n8n's own HTTP Request node taken from the on-demand n8n
 * install (`.n8n-runtime/<version>/node_modules/n8n-nodes-base`, never a devDependency).
 */
import { cpSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';

import type {
	ICredentialType,
	IDataObject,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	IVersionedNodeType,
} from 'n8n-workflow';

import { DEFAULT_N8N_VERSION, RUNTIME_ROOT } from '../../../scripts/lib/paths';
import {
	ALTCRAFT_CREDENTIAL_TYPE,
	ALTCRAFT_NODE_NAME,
	ALTCRAFT_NODE_TYPE,
	TRIGGER_NODE_TYPE,
	altcraftNode,
	chain,
	runWorkflow,
	workflowNode,
} from '../../harness';
import {
	ATTACH_PROGRAM,
	DATABASE,
	GET_PROGRAM,
	IMPORT_PROGRAM,
	attachCode,
	getCode,
	profileId,
} from './fixtures';
import type { Format, NodeFeatures, Operation } from './protocol';

/** The repository's build output. The bench runs a snapshot of it (see snapshotDist). */
export const REPO_DIST = path.resolve(__dirname, '../../../dist');
/**
 * Inside the repository (git-ignored), so the built files still resolve n8n-workflow and
 * fast-xml-parser from the repository's node_modules.
 */
export const DIST_SNAPSHOT = path.resolve(__dirname, '../../../artifacts/bench/dist');

const NODE_FILE = 'nodes/AltcraftPromo/AltcraftPromo.node.js';
const CREDENTIAL_FILE = 'credentials/AltcraftApi.credentials.js';

/**
 * Copies dist/ aside once the bench has built it: several people share this tree, and anyone's
 * `npm run build` empties dist/ for a while, which would break rows midway.
 */
export async function snapshotDist(): Promise<void> {
	// Someone else's build may have emptied dist/ a moment ago: give it up to a minute to come back.
	for (let waited = 0; !existsSync(path.join(REPO_DIST, NODE_FILE)); waited += 2) {
		if (waited >= 60) throw new Error(`${REPO_DIST} has no built node: run npm run build`);
		await new Promise((resolve) => setTimeout(resolve, 2000));
	}
	rmSync(DIST_SNAPSHOT, { recursive: true, force: true });
	cpSync(REPO_DIST, DIST_SNAPSHOT, { recursive: true });
}

function loadFromSnapshot<T>(file: string, exportName: string): new () => T {
	const mod = require(path.join(DIST_SNAPSHOT, file)) as Record<string, (new () => T) | undefined>;
	const Class = mod[exportName];
	if (!Class) throw new Error(`${file} does not export ${exportName}`);
	return Class;
}

export const N8N_RUNTIME_VERSION = DEFAULT_N8N_VERSION;
export const NODES_BASE_DIR = path.join(
	RUNTIME_ROOT,
	N8N_RUNTIME_VERSION,
	'node_modules',
	'n8n-nodes-base',
);

interface PropertyLike {
	name: string;
	default?: unknown;
	options?: PropertyLike[];
}

function builtNodeDescription(): { properties: PropertyLike[]; defaultVersion: number } {
	const AltcraftPromo = loadFromSnapshot<INodeType | IVersionedNodeType>(
		NODE_FILE,
		'AltcraftPromo',
	);
	const node = new AltcraftPromo();
	if ('nodeVersions' in node) {
		const defaultVersion = node.description.defaultVersion ?? node.currentVersion;
		return {
			properties: node.nodeVersions[defaultVersion].description.properties as PropertyLike[],
			defaultVersion,
		};
	}
	const version = node.description.version;
	return {
		properties: node.description.properties as PropertyLike[],
		defaultVersion: Array.isArray(version) ? Math.max(...version) : version,
	};
}

/** Which of the new transport options the built node (snapshot of dist/) offers, and their defaults. */
export function nodeFeatures(): NodeFeatures & {
	concurrencyDefault?: number;
	chunkSizeDefault?: number;
} {
	const { properties, defaultVersion } = builtNodeDescription();
	const options = properties.filter((p) => p.name === 'options').flatMap((p) => p.options ?? []);
	const option = (name: string) => options.find((o) => o.name === name);
	const numeric = (value: unknown) => (typeof value === 'number' ? value : undefined);
	return {
		concurrency: option('concurrency') !== undefined,
		chunkSize: option('chunkSize') !== undefined,
		importMode: properties.some((p) => p.name === 'importMode'),
		defaultVersion,
		concurrencyDefault: numeric(option('concurrency')?.default),
		chunkSizeDefault: numeric(option('chunkSize')?.default),
	};
}

export interface EngineRun {
	baseUrl: string;
	token: string;
	operation: Operation;
	format: Format;
	count: number;
	concurrency?: number;
	chunkSize?: number;
	runTag: string;
	features: NodeFeatures;
}

function nodeItems(run: EngineRun): IDataObject[] {
	if (run.operation === 'get')
		return Array.from({ length: run.count }, (_unused, i) => ({ code: getCode(i) }));
	if (run.operation === 'attach') {
		return Array.from({ length: run.count }, (_unused, i) => ({
			code: attachCode(run.runTag, i),
			profileId: profileId(i),
		}));
	}
	throw new Error('import items are built by the caller (one item with every code)');
}

function nodeParameters(run: EngineRun): INodeParameters {
	const options: INodeParameters = { format: run.format };
	if (run.concurrency !== undefined && run.features.concurrency)
		options.concurrency = run.concurrency;
	if (run.chunkSize !== undefined && run.features.chunkSize) options.chunkSize = run.chunkSize;
	const common = { resource: 'promoCode', options };
	if (run.operation === 'get')
		return { ...common, operation: 'get', loyaltyId: GET_PROGRAM, code: '={{ $json.code }}' };
	if (run.operation === 'attach') {
		return {
			...common,
			operation: 'attach',
			loyaltyId: ATTACH_PROGRAM,
			code: '={{ $json.code }}',
			// Version 2 makes the database a resource locator; version 1 takes the plain number.
			databaseId:
				run.features.defaultVersion >= 2 ? { __rl: true, mode: 'id', value: DATABASE } : DATABASE,
			matching: 'profile_id',
			profileId: '={{ $json.profileId }}',
		};
	}
	return {
		...common,
		operation: 'import',
		loyaltyId: IMPORT_PROGRAM,
		codes: '={{ $json.codes }}',
		...(run.features.importMode ? { importMode: 'perItem' } : {}),
	};
}

export interface EngineOutcome {
	output: INodeExecutionData[];
	error?: Error;
}

/** Trigger → Altcraft Promo (built dist, the node's default version), once, with `items` as input. */
export async function runAltcraft(run: EngineRun, items?: IDataObject[]): Promise<EngineOutcome> {
	const result = await runWorkflow(
		{
			nodes: [
				workflowNode('Trigger', TRIGGER_NODE_TYPE),
				altcraftNode(ALTCRAFT_NODE_NAME, nodeParameters(run), {
					typeVersion: run.features.defaultVersion,
				}),
			],
			connections: chain('Trigger', ALTCRAFT_NODE_NAME),
		},
		{
			credentials: { [ALTCRAFT_CREDENTIAL_TYPE]: { baseUrl: run.baseUrl, token: run.token } },
			nodeTypes: {
				[ALTCRAFT_NODE_TYPE]: new (loadFromSnapshot<INodeType>(NODE_FILE, 'AltcraftPromo'))(),
			},
			credentialTypes: {
				[ALTCRAFT_CREDENTIAL_TYPE]: new (loadFromSnapshot<ICredentialType>(
					CREDENTIAL_FILE,
					'AltcraftApi',
				))(),
			},
			startItems: items ?? nodeItems(run),
		},
	);
	const output = result.data.resultData.runData[ALTCRAFT_NODE_NAME]?.[0]?.data?.main[0] ?? [];
	return {
		output,
		...(result.data.resultData.error ? { error: result.data.resultData.error } : {}),
	};
}

const HTTP_REQUEST_TYPE = 'n8n-nodes-base.httpRequest';
const HTTP_REQUEST_NAME = 'HTTP Request';
let httpRequestNode: IVersionedNodeType | undefined;

/** The HTTP Request node's version used, once it has been loaded in this process. */
export function httpRequestNodeVersion(): number | undefined {
	return httpRequestNode
		? (httpRequestNode.description.defaultVersion ?? httpRequestNode.currentVersion)
		: undefined;
}

function loadHttpRequestNode(): IVersionedNodeType {
	if (httpRequestNode) return httpRequestNode;
	const file = path.join(NODES_BASE_DIR, 'dist', 'nodes', 'HttpRequest', 'HttpRequest.node.js');
	const { HttpRequest } = require(file) as { HttpRequest: new () => IVersionedNodeType };
	httpRequestNode = new HttpRequest();
	return httpRequestNode;
}

/**
 * Trigger → HTTP Request (its default version, default options: no batching), posting the same
 * JSON body the Altcraft node sends, token in the body, one request per item.
 */
export async function runHttpRequestNode(run: EngineRun): Promise<EngineOutcome> {
	if (run.operation !== 'get' || run.format !== 'json')
		throw new Error('HTTP Request rows are JSON get only');
	const type = loadHttpRequestNode();
	const version = type.description.defaultVersion ?? type.currentVersion;
	const parameters: INodeParameters = {
		method: 'POST',
		url: `${run.baseUrl}/api/v1.1/promocodes/get`,
		authentication: 'none',
		sendBody: true,
		contentType: 'json',
		specifyBody: 'json',
		// The token is a literal of the bench sandbox, as a user would paste it; it is never printed.
		jsonBody: `={{ { "token": ${JSON.stringify(run.token)}, "code": $json.code, "loyalty_id": ${GET_PROGRAM} } }}`,
		options: {},
	};
	const result = await runWorkflow(
		{
			nodes: [
				workflowNode('Trigger', TRIGGER_NODE_TYPE),
				workflowNode(HTTP_REQUEST_NAME, HTTP_REQUEST_TYPE, parameters, { typeVersion: version }),
			],
			connections: chain('Trigger', HTTP_REQUEST_NAME),
		},
		{
			// The harness's map is typed for plain node types; a versioned one is resolved the same way.
			nodeTypes: { [HTTP_REQUEST_TYPE]: type as unknown as INodeType },
			startItems: nodeItems(run),
		},
	);
	const output = result.data.resultData.runData[HTTP_REQUEST_NAME]?.[0]?.data?.main[0] ?? [];
	return {
		output,
		...(result.data.resultData.error ? { error: result.data.resultData.error } : {}),
	};
}
