import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { loyaltyIdFields } from '../../descriptions/common.descriptions';
import { invalidParameter, readLoyaltyId } from '../../helpers/parameters';
import type { ItemApi, OperationEffect, OperationOption } from '../types';

type CodeStatusFilter = 'all' | 'activated' | 'attached' | 'free';

export const option: OperationOption = {
	name: 'Get Many',
	value: 'getAll',
	description: 'Get the promo codes of a loyalty program',
	action: 'Get many promo codes',
};

export const effect: OperationEffect = 'none';

export const properties: INodeProperties[] = [
	{
		displayName:
			'Altcraft sends every code of the program in one answer; Filter and Limit are applied in n8n afterwards. For a program with many codes this takes a while and needs memory.',
		name: 'wholeProgramNotice',
		type: 'notice',
		default: '',
	},
	...loyaltyIdFields,
	{
		displayName: 'Filter',
		name: 'filter',
		type: 'options',
		default: 'all',
		description: 'Which codes of the program to return',
		options: [
			{ name: 'Activated', value: 'activated', description: 'Codes that have been used' },
			{ name: 'All', value: 'all', description: 'Every code of the program' },
			{
				name: 'Attached',
				value: 'attached',
				description: 'Codes attached to a profile, used or not',
			},
			{ name: 'Free', value: 'free', description: 'Codes not attached to any profile yet' },
		],
	},
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
];

interface GetAllPlan {
	loyaltyId: number;
	filter: CodeStatusFilter;
	/** `undefined` = return all */
	limit: number | undefined;
}

const FILTERS: Record<CodeStatusFilter, (code: IDataObject) => boolean> = {
	all: () => true,
	activated: (code) => Boolean(code.activated),
	attached: (code) => Boolean(code.attached),
	free: (code) => !code.attached,
};

export function prepare(this: IExecuteFunctions, itemIndex: number): GetAllPlan {
	const loyaltyId = readLoyaltyId(this, itemIndex);
	const filter = this.getNodeParameter('filter', itemIndex, 'all') as CodeStatusFilter;
	if (!(filter in FILTERS)) {
		throw invalidParameter(
			this,
			itemIndex,
			`Filter "${String(filter)}" is not one of all, activated, attached, free`,
		);
	}
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	let limit: number | undefined;
	if (!returnAll) {
		limit = this.getNodeParameter('limit', itemIndex, 50) as number;
		if (!Number.isInteger(limit) || limit < 1) {
			throw invalidParameter(
				this,
				itemIndex,
				`Limit must be a whole number of at least 1, got ${JSON.stringify(limit)}`,
			);
		}
	}
	return { loyaltyId, filter, limit };
}

/**
 * export_all has no paging: the whole program arrives at once and is filtered and cut here.
 * Unset times are given as "" (as Get does) so expressions downstream never meet a missing key.
 */
export async function execute(plan: GetAllPlan, api: ItemApi): Promise<IDataObject[]> {
	const envelope = await api.read({
		method: 'promocodes/export_all',
		body: { loyalty_id: plan.loyaltyId },
	});
	const codes = Array.isArray(envelope.data) ? envelope.data : [];
	const matches: IDataObject[] = [];
	for (const code of codes) {
		if (!FILTERS[plan.filter](code)) continue;
		// Fixed key order, because XML answers list the keys alphabetically.
		const { code: value, attached = '', activated = '', ...rest } = code;
		matches.push({ code: value, attached, activated, ...rest });
		if (plan.limit !== undefined && matches.length >= plan.limit) break;
	}
	return matches;
}
