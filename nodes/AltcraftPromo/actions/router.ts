import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	NodeExecutionHint,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { type ExecutionOptions, readExecutionOptions } from '../helpers/executionOptions';
import { readBackVerdict } from '../helpers/readBack';
import {
	type AltcraftSession,
	createAltcraftSession,
	ExecutionCancelledError,
	withItem,
} from '../transport';
import { runItemPool } from './itemPool';
import { outputItem } from './outputBinary';
import { findOperation } from './resources';
import type { AltcraftOperation, ItemApi } from './types';

type Prepared = { plan: unknown } | { error: Error };

/** Errors already shaped for the user keep their message and item; anything else is wrapped. */
function asNodeError(context: IExecuteFunctions, error: Error, itemIndex: number): Error {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	if (error instanceof ExecutionCancelledError)
		return new NodeOperationError(context.getNode(), error.message);
	return new NodeOperationError(context.getNode(), withItem(error.message, itemIndex), {
		itemIndex,
	});
}

/**
 * n8n (2.8 and 1.x) moves an item to the error output only when `error` is its one json key,
 * so nothing else is added here.
 */
function errorItem(error: Error, itemIndex: number): INodeExecutionData {
	return { json: { error: error.message }, pairedItem: { item: itemIndex } };
}

function operationOf(context: IExecuteFunctions): AltcraftOperation<unknown> {
	const resource = context.getNodeParameter('resource', 0) as string;
	const operation = context.getNodeParameter('operation', 0) as string;
	const found = findOperation(resource, operation);
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
function prepareAll(
	context: IExecuteFunctions,
	operation: AltcraftOperation<unknown>,
	itemCount: number,
): Prepared[] {
	const prepared: Prepared[] = [];
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		try {
			prepared.push({ plan: operation.prepare.call(context, itemIndex) });
		} catch (error) {
			if (!context.continueOnFail()) throw asNodeError(context, error as Error, itemIndex);
			prepared.push({ error: error as Error });
		}
	}
	return prepared;
}

const READ_BACK_HINT =
	'An answer from Altcraft was lost; reading the code back showed the change was made, so it was not sent again (see "confirmed_by": "read_back").';

const RETRY_ON_FAIL_HINT =
	'"Retry On Fail" is on in this node\'s settings: after a failure n8n runs the node again for every item, so items that already succeeded attach, detach or activate again. Turn it off; the node retries each request safely by itself (Options → Max Retries).';

/** Per-execution state shared by the items: memoised loads and hints shown once. */
function createItemApiFactory(
	context: IExecuteFunctions,
	session: AltcraftSession,
	options: ExecutionOptions,
) {
	const loads = new Map<string, Promise<unknown>>();
	const hints = new Set<string>();
	const forItem = (itemIndex: number) => {
		let confirmedByReadBack = false;
		const call: ItemApi['call'] = async (request) => {
			const result = await session.call(request, { itemIndex });
			if (result.confirmedByReadBack) confirmedByReadBack = true;
			return result;
		};
		const api: ItemApi = {
			options,
			accountKey: session.accountKey,
			signal: session.signal,
			call,
			read: async (request) => (await session.call(request, { itemIndex })).envelope,
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
				new NodeOperationError(context.getNode(), withItem(message, itemIndex), {
					itemIndex,
					description,
				}),
			confirmedByReadBack: () => {
				confirmedByReadBack = true;
			},
		};
		return { api, wasConfirmedByReadBack: () => confirmedByReadBack };
	};
	return { forItem, hints };
}

/**
 * Operations that must not happen twice say how their outcome is known: from Altcraft's answer, or
 * (when the answer was lost) from reading Altcraft back. One key, one hint, for every operation.
 */
function reportConfirmation(
	operation: AltcraftOperation<unknown>,
	json: IDataObject[],
	confirmedByReadBack: boolean,
	hints: Set<string>,
): IDataObject[] {
	if (operation.effect !== 'once') return json;
	if (confirmedByReadBack) hints.add(READ_BACK_HINT);
	return json.map((entry) => ({
		...entry,
		confirmed_by: confirmedByReadBack ? 'read_back' : 'altcraft_answer',
		// The 0.2 key, kept for saved workflows that read it.
		...(confirmedByReadBack ? { confirmed_by_read_back: true } : {}),
	}));
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = operationOf(this);
	let options: ExecutionOptions;
	try {
		options = readExecutionOptions(this);
	} catch (error) {
		throw asNodeError(this, error as Error, 0);
	}
	const prepared = prepareAll(this, operation, items.length);

	let session: AltcraftSession;
	try {
		session = await createAltcraftSession(this, options, { readBack: readBackVerdict });
	} catch (error) {
		// A credential problem fails every item alike; under Continue On Fail each still gets its error item.
		if (!this.continueOnFail()) throw asNodeError(this, error as Error, 0);
		return [items.map((_item, itemIndex) => errorItem(error as Error, itemIndex))];
	}

	const { forItem, hints } = createItemApiFactory(this, session, options);
	if (this.getNode().retryOnFail && operation.effect === 'once') hints.add(RETRY_ON_FAIL_HINT);
	const outputs: INodeExecutionData[][] = prepared.map(() => []);
	try {
		if (operation.combined?.applies.call(this)) {
			await runCombined(this, operation, prepared, forItem, outputs);
		} else {
			await runItemPool(
				prepared.length,
				{ ...options, signal: session.signal },
				async (itemIndex) => {
					const entry = prepared[itemIndex];
					// Only under Continue On Fail can an item have failed validation and still be here.
					if ('error' in entry) {
						outputs[itemIndex] = [errorItem(entry.error, itemIndex)];
						return;
					}
					const { api, wasConfirmedByReadBack } = forItem(itemIndex);
					try {
						const json = await operation.execute(entry.plan, api);
						outputs[itemIndex] = reportConfirmation(
							operation,
							json,
							wasConfirmedByReadBack(),
							hints,
						).map((entryJson) => outputItem(entryJson, { item: itemIndex }));
					} catch (error) {
						// A stop is not an item's failure: it ends the whole run, Continue On Fail or not.
						if (error instanceof ExecutionCancelledError || !this.continueOnFail()) {
							throw asNodeError(this, error as Error, itemIndex);
						}
						outputs[itemIndex] = [errorItem(error as Error, itemIndex)];
					}
				},
			);
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
	operation: AltcraftOperation<unknown>,
	prepared: Prepared[],
	forItem: (itemIndex: number) => { api: ItemApi },
	outputs: INodeExecutionData[][],
): Promise<void> {
	const valid: number[] = [];
	const plans: unknown[] = [];
	prepared.forEach((entry, itemIndex) => {
		if ('error' in entry) {
			outputs[itemIndex] = [errorItem(entry.error, itemIndex)];
		} else {
			valid.push(itemIndex);
			plans.push(entry.plan);
		}
	});
	if (valid.length === 0 || !operation.combined) return;
	const pairedItem = valid.map((item) => ({ item }));
	try {
		const json = await operation.combined.execute(plans, forItem(valid[0]).api);
		outputs[valid[0]] = json.map((entryJson) => outputItem(entryJson, pairedItem));
	} catch (error) {
		if (error instanceof ExecutionCancelledError || !context.continueOnFail()) {
			throw asNodeError(context, error as Error, valid[0]);
		}
		for (const itemIndex of valid) outputs[itemIndex] = [errorItem(error as Error, itemIndex)];
	}
}
