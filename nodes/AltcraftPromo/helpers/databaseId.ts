import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/** What a saved `databaseId` can be: a number (node version 1) or a resource locator (version 2). */
interface ResourceLocatorLike {
	__rl?: boolean;
	mode?: unknown;
	value?: unknown;
}

function isResourceLocator(raw: unknown): raw is ResourceLocatorLike {
	return typeof raw === 'object' && raw !== null && 'value' in raw;
}

/**
 * Reads the Altcraft database ID from either shape. `extractValue` makes n8n hand over the
 * locator's value; a locator object still arriving here (a context that does not extract)
 * is unwrapped as well, so both versions and both modes end in the same check.
 */
export function readDatabaseId(context: IExecuteFunctions, itemIndex: number): number {
	const parameter: unknown = context.getNodeParameter('databaseId', itemIndex, undefined, { extractValue: true });
	const raw = isResourceLocator(parameter) ? parameter.value : parameter;
	const value = typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw.trim()) : raw;
	if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
		const shown = raw === undefined || raw === '' ? 'nothing' : JSON.stringify(raw);
		throw new NodeOperationError(
			context.getNode(),
			`"Database" must be a database ID (a whole number of at least 1), got ${shown} [item ${itemIndex}]`,
			{
				itemIndex,
				description:
					'Pick the database in "Database" (From List), or enter its numeric ID (By ID) as Altcraft shows it.',
			},
		);
	}
	return value;
}
