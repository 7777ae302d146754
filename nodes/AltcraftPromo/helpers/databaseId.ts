import type { IExecuteFunctions } from 'n8n-workflow';

import { checkWholeId } from './parameters';

function isResourceLocator(raw: unknown): raw is { value: unknown } {
	return typeof raw === 'object' && raw !== null && 'value' in raw;
}

/**
 * Reads the Altcraft database ID from either shape: the number field of node version 1 (every
 * saved workflow) or the resource locator of version 2, whose value n8n hands over with
 * `extractValue`; a locator object still arriving here is unwrapped as well. The checks and
 * messages are those of the other IDs (`readLoyaltyId`), under the field's name in that version.
 */
export function readDatabaseId(context: IExecuteFunctions, itemIndex: number): number {
	const displayName = context.getNode().typeVersion >= 2 ? 'Database' : 'Database ID';
	const parameter: unknown = context.getNodeParameter('databaseId', itemIndex, undefined, {
		extractValue: true,
	});
	const raw = isResourceLocator(parameter) ? parameter.value : parameter;
	return checkWholeId(
		context,
		itemIndex,
		raw,
		displayName,
		displayName === 'Database'
			? 'Pick the database under "Database" (From List), or give its numeric ID (By ID).'
			: undefined,
	);
}
