import type { IDataObject, IExecuteFunctions, INodeExecutionData, NodeExecutionHint } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { type ExecutionOptions, readExecutionOptions } from '../helpers/executionOptions';
import { readWireFormat } from '../helpers/parameters';
import type { ItemApi, PreparedCall, PromoOperation, WireFormat } from '../helpers/types';
import { type AltcraftSession, createAltcraftSession } from '../transport';
import { sideEffectOf } from '../transport/retryPolicy';
import { runItemPool } from './itemPool';
import { promoCodeOperations, type PromoCodeOperationName } from './promoCode/PromoCode.resource';

type Prepared = { call: PreparedCall<unknown>; format: WireFormat } | { error: Error };

/** Errors already shaped for the user keep their message and item; anything else is wrapped. */
function asNodeError(context: IExecuteFunctions, error: Error, itemIndex: number): Error {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	// Every message names its item, as the node's own messages do.
	const message = /\[item \d+\]$/.test(error.message) ? error.message : `${error.message} [item ${itemIndex}]`;
	return new NodeOperationError(context.getNode(), message, { itemIndex });
}

/**
 * n8n (2.8 and 1.x) moves an item to the error output only when `error` is its one json key,
 * so nothing else is added here.
 */
function errorItem(error: Error, itemIndex: number): INodeExecutionData {
	return { json: { error: error.message }, pairedItem: { item: itemIndex } };
}

function findOperation(context: IExecuteFunctions): PromoOperation<unknown> {
	const resource = context.getNodeParameter('resource', 0) as string;
	const operation = context.getNodeParameter('operation', 0) as string;
	const found =
		resource === 'promoCode'
			? promoCodeOperations[operation as PromoCodeOperationName]
			: undefined;
	if (!found) {
		throw new NodeOperationError(
			context.getNode(),
			`The operation "${operation}" of resource "${resource}" is not supported`,
		);
	}
	return found;
}

/**
 * Every item is checked before the first request leaves, so one bad item cannot stop
 * a run halfway with part of the batch already attached or activated in Altcraft.
 */
function prepareAll(context: IExecuteFunctions, operation: PromoOperation<unknown>, itemCount: number): Prepared[] {
	const prepared: Prepared[] = [];
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		try {
			prepared.push({
				call: operation.prepare.call(context, itemIndex),
				format: readWireFormat(context, itemIndex),
			});
		} catch (error) {
			if (!context.continueOnFail()) throw asNodeError(context, error as Error, itemIndex);
			prepared.push({ error: error as Error });
		}
	}
	return prepared;
}

const READ_BACK_HINT =
	'An answer from Altcraft was lost; reading the code back showed the change was made, so it was not sent again (see "confirmed_by_read_back").';

const RETRY_ON_FAIL_HINT =
	'"Retry On Fail" is on in this node\'s settings: after a failure n8n runs the node again for every item, so items that already succeeded attach, detach or activate again. Turn it off; the node retries each request safely by itself (Options → Max Retries).';

/** Per-execution state shared by the items: memoised loads and hints shown once. */
function createItemApiFactory(context: IExecuteFunctions, session: AltcraftSession, options: ExecutionOptions) {
	const loads = new Map<string, Promise<unknown>>();
	const hints = new Set<string>();
	const forItem = (itemIndex: number, format: WireFormat): ItemApi => ({
		itemIndex,
		options,
		accountKey: session.accountKey,
		format,
		call: async (request) => await session.call(request, { itemIndex, format }),
		once: async <T>(key: string, load: () => Promise<T>) => {
			let pending = loads.get(key) as Promise<T> | undefined;
			if (!pending) {
				pending = load();
				loads.set(key, pending);
			}
			return await pending;
		},
		hint: (message) => hints.add(message),
		error: (message, description) =>
			new NodeOperationError(context.getNode(), `${message} [item ${itemIndex}]`, { itemIndex, description }),
	});
	return { forItem, hints };
}

async function runItem(
	operation: PromoOperation<unknown>,
	entry: { call: PreparedCall<unknown>; format: WireFormat },
	api: ItemApi,
): Promise<IDataObject[]> {
	if (operation.execute) return await operation.execute(entry.call, api);
	const result = await api.call(entry.call.request);
	const json = operation.shapeOutput ? operation.shapeOutput(result.envelope, entry.call.plan, result) : [];
	return result.confirmedByReadBack ? json.map(markConfirmedByReadBack(api)) : json;
}

/** The answer was lost but reading the code back showed the change: the item says so. */
function markConfirmedByReadBack(api: ItemApi) {
	api.hint(READ_BACK_HINT);
	return (json: IDataObject): IDataObject => ({ ...json, confirmed_by_read_back: true });
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = findOperation(this);
	let options: ExecutionOptions;
	try {
		options = readExecutionOptions(this);
	} catch (error) {
		throw asNodeError(this, error as Error, 0);
	}
	const prepared = prepareAll(this, operation, items.length);

	let session: AltcraftSession;
	try {
		session = await createAltcraftSession(this, options);
	} catch (error) {
		// A credential problem fails every item alike; under Continue On Fail each still gets its error item.
		if (!this.continueOnFail()) throw asNodeError(this, error as Error, 0);
		return [items.map((_item, itemIndex) => errorItem(error as Error, itemIndex))];
	}

	const { forItem, hints } = createItemApiFactory(this, session, options);
	if (this.getNode().retryOnFail && prepared.some((entry) => 'call' in entry && sideEffectOf(entry.call.request) !== 'none')) {
		hints.add(RETRY_ON_FAIL_HINT);
	}
	const outputs: INodeExecutionData[][] = prepared.map(() => []);
	try {
		if (operation.combinesItems?.call(this) && operation.executeCombined) {
			await runCombined(this, operation, prepared, forItem, outputs);
		} else {
			await runItemPool(prepared.length, options, async (itemIndex) => {
				const entry = prepared[itemIndex];
				// Only under Continue On Fail can an item have failed validation and still be here.
				if ('error' in entry) {
					outputs[itemIndex] = [errorItem(entry.error, itemIndex)];
					return;
				}
				try {
					const json = await runItem(operation, entry, forItem(itemIndex, entry.format));
					outputs[itemIndex] = json.map((entryJson) => ({ json: entryJson, pairedItem: { item: itemIndex } }));
				} catch (error) {
					if (!this.continueOnFail()) throw asNodeError(this, error as Error, itemIndex);
					outputs[itemIndex] = [errorItem(error as Error, itemIndex)];
				}
			});
		}
	} finally {
		session.close();
	}
	if (hints.size > 0) {
		this.addExecutionHints(
			...[...hints].map((message): NodeExecutionHint => ({ message, location: 'outputPane' })),
		);
	}
	return [outputs.flat()];
}

/** One run for the valid items together; its output items are paired to every one of them. */
async function runCombined(
	context: IExecuteFunctions,
	operation: PromoOperation<unknown>,
	prepared: Prepared[],
	forItem: (itemIndex: number, format: WireFormat) => ItemApi,
	outputs: INodeExecutionData[][],
): Promise<void> {
	const valid: number[] = [];
	prepared.forEach((entry, itemIndex) => {
		if ('error' in entry) outputs[itemIndex] = [errorItem(entry.error, itemIndex)];
		else valid.push(itemIndex);
	});
	if (valid.length === 0) return;
	const first = prepared[valid[0]] as { call: PreparedCall<unknown>; format: WireFormat };
	const calls = valid.map((itemIndex) => (prepared[itemIndex] as { call: PreparedCall<unknown> }).call);
	const pairedItem = valid.map((item) => ({ item }));
	try {
		const json = await operation.executeCombined!(calls, forItem(valid[0], first.format));
		outputs[valid[0]] = json.map((entryJson) => ({ json: entryJson, pairedItem }));
	} catch (error) {
		if (!context.continueOnFail()) throw asNodeError(context, error as Error, valid[0]);
		for (const itemIndex of valid) outputs[itemIndex] = [errorItem(error as Error, itemIndex)];
	}
}
