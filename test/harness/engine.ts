/**
 * In-process n8n engine harness: runs workflows with n8n-core's WorkflowExecute, the engine
 * n8n itself uses, with in-memory node types and credentials (no n8n server, no database).
 *
 * The Altcraft node and credential are required lazily from dist/, so this file compiles and
 * runs before they are built; only a run that uses them needs `npm run build` first.
 */
import type * as DI from '@n8n/di';
import {
	ExecutionLifecycleHooks,
	ExternalSecretsProxy,
	InstanceSettings,
	WorkflowExecute,
} from 'n8n-core';
// Not re-exported from n8n-core's index; needed to stop its timer (see shutdownEngine).
import { SSHClientsManager } from 'n8n-core/dist/execution-engine/ssh-clients-manager';
import {
	NodeHelpers,
	Workflow,
	createRunExecutionData,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type IConnections,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IVersionedNodeType,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import * as os from 'node:os';
import * as path from 'node:path';

import { HarnessCredentialsHelper } from './credentials-helper';
import { COLLECTOR_NODE_TYPE, HarnessCollector, HarnessTrigger, TRIGGER_NODE_TYPE } from './nodes';

export const ALTCRAFT_NODE_TYPE = 'n8n-nodes-altcraft.altcraftPromo';
export const ALTCRAFT_CREDENTIAL_TYPE = 'altcraftApi';
export const ALTCRAFT_NODE_NAME = 'Altcraft Promo';

const DIST = path.resolve(__dirname, '../../dist');

/**
 * n8n-core's DI container. @n8n/di is n8n-core's dependency, not ours; it is loaded from where
 * n8n-core resolves it, so this is the very container n8n-core reads from even if another
 * copy of @n8n/di were ever installed elsewhere in node_modules.
 */
const { Container } = require(
	require.resolve('@n8n/di', { paths: [path.dirname(require.resolve('n8n-core'))] }),
) as typeof DI;

/** `new` the class `exportName` of a built file; the require is deferred to the first use. */
function loadBuilt<T>(relativePath: string, exportName: string): T {
	const file = path.join(DIST, relativePath);
	let mod: Record<string, (new () => T) | undefined>;
	try {
		mod = require(file) as typeof mod;
	} catch (error) {
		throw new Error(
			`Harness: cannot load ${file} (run \`npm run build\` first): ${(error as Error).message}`,
		);
	}
	const Class = mod[exportName];
	if (!Class) throw new Error(`Harness: ${file} does not export ${exportName}`);
	return new Class();
}

const builtInNodeTypes: Record<string, () => INodeType | IVersionedNodeType> = {
	[ALTCRAFT_NODE_TYPE]: () =>
		loadBuilt<INodeType>('nodes/AltcraftPromo/AltcraftPromo.node.js', 'AltcraftPromo'),
	[TRIGGER_NODE_TYPE]: () => new HarnessTrigger(),
	[COLLECTOR_NODE_TYPE]: () => new HarnessCollector(),
};

const builtInCredentialTypes: Record<string, () => ICredentialType> = {
	[ALTCRAFT_CREDENTIAL_TYPE]: () =>
		loadBuilt<ICredentialType>('credentials/AltcraftApi.credentials.js', 'AltcraftApi'),
};

/** Looks a name up in the overrides first, then in the built-ins, creating each instance once. */
function registry<T>(
	overrides: Record<string, T>,
	builtIns: Record<string, () => T>,
): (name: string) => T | undefined {
	const cache = new Map<string, T>(Object.entries(overrides));
	return (name) => {
		if (!cache.has(name) && builtIns[name]) cache.set(name, builtIns[name]());
		return cache.get(name);
	};
}

function nodeTypesFrom(
	lookup: (name: string) => INodeType | IVersionedNodeType | undefined,
): INodeTypes {
	const getByName = (name: string): INodeType | IVersionedNodeType => {
		const type = lookup(name);
		if (!type) throw new Error(`Harness: unknown node type "${name}"`);
		return type;
	};
	return {
		getByName,
		getByNameAndVersion: (name, version) =>
			NodeHelpers.getVersionedNodeType(getByName(name), version),
		getKnownTypes: () => ({}),
	};
}

/**
 * Every node execution context reads InstanceSettings from the DI container (instance id,
 * HMAC secret; the Cipher behind ExecutionContextService reads the encryption key). The real
 * constructor reads or creates ~/.n8n/config on disk, so an in-memory instance with fixed
 * values stands in for it; it keeps the class prototype, so its getters still work.
 */
function prepareContainer(): void {
	const instanceSettings = Object.assign(
		Object.create(InstanceSettings.prototype) as InstanceSettings,
		{
			instanceId: 'engine-harness',
			hmacSignatureSecret: 'engine-harness-hmac',
			settings: { encryptionKey: 'engine-harness-encryption-key' },
			n8nFolder: path.join(os.tmpdir(), 'n8n-engine-harness'), // never written by node runs
			instanceType: 'main',
			instanceRole: 'unset',
		},
	);
	Container.set(InstanceSettings, instanceSettings);
}

/**
 * Clears what n8n-core leaves running: the first node execution context pulls
 * SSHClientsManager from the DI container, whose constructor starts a 60 s setInterval
 * (sweep of idle SSH tunnels) that n8n only clears from onShutdown() on process exit. Call
 * this in afterAll so jest can exit by itself. The container is reset, so later runs start
 * from a fresh container.
 */
export function shutdownEngine(): void {
	Container.get(SSHClientsManager).onShutdown();
	Container.reset();
}

export interface RunWorkflowOptions {
	/** Decrypted credential data keyed by credential type name (e.g. `altcraftApi`). */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** Extra or replacement node types, keyed by the type name used in the workflow. */
	nodeTypes?: Record<string, INodeType>;
	/** Extra or replacement credential types, keyed by name. */
	credentialTypes?: Record<string, ICredentialType>;
	/** Input of the start node (default one empty item). */
	startItems?: IDataObject[];
	/** Presses Stop this long after the start, as the editor's Stop button does (the execution's cancel). */
	cancelAfterMs?: number;
	/** Called at the moment of the stop (e.g. to note what the server has seen so far). */
	onCancel?: () => void;
}

let executionCounter = 0;

const unsupported = (what: string) => async (): Promise<never> => {
	throw new Error(`Harness: ${what} is not supported`);
};

/**
 * Runs a workflow to the end, as a manual execution. The start node is the first node that
 * no connection leads to; it receives `startItems` (as n8n's own test harness feeds a trigger).
 */
export async function runWorkflow(
	workflow: { nodes: INode[]; connections: IConnections },
	opts: RunWorkflowOptions = {},
): Promise<IRun> {
	prepareContainer();
	const nodeTypes = nodeTypesFrom(registry(opts.nodeTypes ?? {}, builtInNodeTypes));
	const credentialsHelper = new HarnessCredentialsHelper(
		registry(opts.credentialTypes ?? {}, builtInCredentialTypes),
		opts.credentials ?? {},
	);

	const targets = new Set(
		Object.values(workflow.connections).flatMap((byType) =>
			Object.values(byType).flatMap((outputs) =>
				outputs.flatMap((conns) => (conns ?? []).map((c) => c.node)),
			),
		),
	);
	const startNode = workflow.nodes.find((node) => !targets.has(node.name));
	if (!startNode) throw new Error('Harness: every node has an incoming connection; no start node');

	const executionId = String(++executionCounter);
	const workflowData: IWorkflowBase = {
		id: 'engine-harness',
		name: 'Engine harness workflow',
		active: false,
		activeVersionId: null,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
		nodes: workflow.nodes,
		connections: workflow.connections,
		settings: { executionOrder: 'v1' },
	};
	const workflowInstance = new Workflow({
		id: workflowData.id,
		name: workflowData.name,
		nodes: workflow.nodes,
		connections: workflow.connections,
		active: false,
		nodeTypes,
		settings: workflowData.settings,
	});

	const additionalData: IWorkflowExecuteAdditionalData = {
		credentialsHelper,
		hooks: new ExecutionLifecycleHooks('manual', executionId, workflowData),
		executionId,
		currentNodeExecutionIndex: 0,
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678/',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		variables: {},
		externalSecretsProxy: new ExternalSecretsProxy(),
		logAiEvent: () => undefined,
		getRunExecutionData: async () => undefined,
		executeWorkflow: unsupported('executeWorkflow (sub-workflows)'),
		startRunnerTask: unsupported('startRunnerTask (task runners)'),
	};

	const startItems: INodeExecutionData[] = (opts.startItems ?? [{}]).map((json) => ({ json }));
	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: startNode, data: { main: [startItems] }, source: null }],
		},
	});

	const execution = new WorkflowExecute(
		additionalData,
		'manual',
		runExecutionData,
	).processRunExecutionData(workflowInstance);
	if (opts.cancelAfterMs !== undefined) {
		const timer = setTimeout(() => {
			opts.onCancel?.();
			execution.cancel();
		}, opts.cancelAfterMs);
		// The cancelled execution resolves when the running node returns: that wait is what a test measures.
		return await execution.finally(() => clearTimeout(timer));
	}
	return await execution;
}

export interface AltcraftCredentialData {
	baseUrl: string;
	token: string;
	allowUnauthorizedCerts?: boolean;
}

export interface RunNodeOptions {
	/** Altcraft Promo node parameters. */
	parameters: INodeParameters;
	/** Input items' json (default `[{}]`), emitted by a trigger node in front of the node. */
	items?: IDataObject[];
	credentials: AltcraftCredentialData;
	onError?: 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
	cancelAfterMs?: RunWorkflowOptions['cancelAfterMs'];
	onCancel?: RunWorkflowOptions['onCancel'];
}

export interface RunNodeResult {
	/** main[0] of the Altcraft node. */
	output: INodeExecutionData[];
	/** main[1] of the Altcraft node, only with onError = continueErrorOutput. */
	errorOutput?: INodeExecutionData[];
	/** The workflow error (resultData.error) when the node throws. */
	error?: Error;
	run: IRun;
}

/** A workflow node of `type` (typeVersion 1) named `name`. */
export function workflowNode(
	name: string,
	type: string,
	parameters: INodeParameters = {},
	extra: Partial<INode> = {},
): INode {
	return { id: name, name, type, typeVersion: 1, position: [0, 0], parameters, ...extra };
}

/** An Altcraft Promo node using the `altcraftApi` credential given to the run. */
export function altcraftNode(
	name: string,
	parameters: INodeParameters,
	extra: Partial<INode> = {},
): INode {
	return workflowNode(name, ALTCRAFT_NODE_TYPE, parameters, {
		credentials: { [ALTCRAFT_CREDENTIAL_TYPE]: { id: '1', name: 'Altcraft account' } },
		...extra,
	});
}

/** Connections main[0] -> input 0 along `names`, in order. */
export function chain(...names: string[]): IConnections {
	return Object.fromEntries(
		names
			.slice(0, -1)
			.map((name, i) => [
				name,
				{ main: [[{ node: names[i + 1], type: 'main' as const, index: 0 }]] },
			]),
	);
}

/** Trigger -> Altcraft Promo, run once; returns the Altcraft node's outputs. */
export async function runAltcraftNode(opts: RunNodeOptions): Promise<RunNodeResult> {
	const run = await runWorkflow(
		{
			nodes: [
				workflowNode('Trigger', TRIGGER_NODE_TYPE),
				altcraftNode(
					ALTCRAFT_NODE_NAME,
					opts.parameters,
					opts.onError ? { onError: opts.onError } : {},
				),
			],
			connections: chain('Trigger', ALTCRAFT_NODE_NAME),
		},
		{
			credentials: { [ALTCRAFT_CREDENTIAL_TYPE]: { ...opts.credentials } },
			startItems: opts.items,
			cancelAfterMs: opts.cancelAfterMs,
			onCancel: opts.onCancel,
		},
	);

	const main = run.data.resultData.runData[ALTCRAFT_NODE_NAME]?.[0]?.data?.main ?? [];
	return {
		output: main[0] ?? [],
		...(opts.onError === 'continueErrorOutput' ? { errorOutput: main[1] ?? [] } : {}),
		...(run.data.resultData.error ? { error: run.data.resultData.error } : {}),
		run,
	};
}
