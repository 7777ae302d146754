import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { readWireFormat } from '../helpers/parameters';
import type { PreparedCall, PromoOperation, WireFormat } from '../helpers/types';
import { type AltcraftClient, createAltcraftClient } from '../transport';
import { promoCodeOperations, type PromoCodeOperationName } from './promoCode/PromoCode.resource';

type Prepared = { call: PreparedCall<unknown>; format: WireFormat } | { error: Error };

/** Errors already shaped for the user keep their message and item; anything else is wrapped. */
function asNodeError(context: IExecuteFunctions, error: Error, itemIndex: number): Error {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(context.getNode(), error, { itemIndex });
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

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = findOperation(this);
	const prepared = prepareAll(this, operation, items.length);
	const returnData: INodeExecutionData[] = [];

	let client: AltcraftClient;
	try {
		client = await createAltcraftClient(this);
	} catch (error) {
		// A credential problem fails every item alike; under Continue On Fail each still gets its error item.
		if (!this.continueOnFail()) throw asNodeError(this, error as Error, 0);
		return [items.map((_item, itemIndex) => errorItem(error as Error, itemIndex))];
	}

	for (let itemIndex = 0; itemIndex < prepared.length; itemIndex++) {
		const entry = prepared[itemIndex];
		// Only under Continue On Fail can an item have failed validation and still be here.
		if ('error' in entry) {
			returnData.push(errorItem(entry.error, itemIndex));
			continue;
		}
		try {
			const envelope = await client.send(entry.call.request, entry.format, itemIndex);
			for (const json of operation.shapeOutput(envelope, entry.call.plan)) {
				returnData.push({ json, pairedItem: { item: itemIndex } });
			}
		} catch (error) {
			if (!this.continueOnFail()) throw asNodeError(this, error as Error, itemIndex);
			returnData.push(errorItem(error as Error, itemIndex));
		}
	}
	return [returnData];
}
