import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { WireFormat } from './types';

/** A bad parameter: the message names the field and, as n8n's UX guidelines ask, the item. */
export function invalidParameter(context: IExecuteFunctions, itemIndex: number, message: string, description?: string) {
	return new NodeOperationError(context.getNode(), `${message} [item ${itemIndex}]`, {
		itemIndex,
		description,
	});
}

function readPositiveInteger(
	context: IExecuteFunctions,
	itemIndex: number,
	name: string,
	displayName: string,
): number {
	const raw: unknown = context.getNodeParameter(name, itemIndex, undefined);
	const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw.trim()) : raw;
	if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
		throw invalidParameter(
			context,
			itemIndex,
			`${displayName} must be a positive whole number, got ${JSON.stringify(raw ?? null)}`,
			`Set "${displayName}" to the numeric ID shown in Altcraft.`,
		);
	}
	return value;
}

export function readLoyaltyId(context: IExecuteFunctions, itemIndex: number): number {
	return readPositiveInteger(context, itemIndex, 'loyaltyId', 'Loyalty Program ID');
}

export function readDatabaseId(context: IExecuteFunctions, itemIndex: number): number {
	return readPositiveInteger(context, itemIndex, 'databaseId', 'Database ID');
}

/** A text parameter that must not be empty; numbers from expressions are accepted as text. */
export function readRequiredText(
	context: IExecuteFunctions,
	itemIndex: number,
	name: string,
	displayName: string,
): string {
	const text = readOptionalText(context, itemIndex, name, displayName);
	if (text === '') {
		throw invalidParameter(context, itemIndex, `${displayName} is empty`, `Enter a value for "${displayName}".`);
	}
	return text;
}

export function readOptionalText(
	context: IExecuteFunctions,
	itemIndex: number,
	name: string,
	displayName: string,
): string {
	const raw: unknown = context.getNodeParameter(name, itemIndex, '');
	if (raw === null || raw === undefined) return '';
	if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
	if (typeof raw !== 'string') {
		throw invalidParameter(
			context,
			itemIndex,
			`${displayName} must be text, got ${Array.isArray(raw) ? 'a list' : typeof raw}`,
		);
	}
	return raw.trim();
}

export function readWireFormat(context: IExecuteFunctions, itemIndex: number): WireFormat {
	const format: unknown = context.getNodeParameter('options.format', itemIndex, 'json');
	if (format !== 'json' && format !== 'xml') {
		throw invalidParameter(context, itemIndex, `Wire Format must be "json" or "xml", got ${JSON.stringify(format)}`);
	}
	return format;
}

