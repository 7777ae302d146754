import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { loyaltyIdField } from '../../descriptions/common.descriptions';
import { parseCodesList } from '../../helpers/codesList';
import { invalidParameter, readLoyaltyId } from '../../helpers/parameters';
import type { AltcraftEnvelope, PreparedCall } from '../../helpers/types';

const properties: INodeProperties[] = [
	loyaltyIdField,
	{
		displayName: 'Promo Codes',
		name: 'codes',
		type: 'string',
		typeOptions: { rows: 4 },
		required: true,
		default: '',
		placeholder: 'e.g. SPRING-001, SPRING-002',
		description:
			'Codes to add to the program: one per line or separated by commas, or an expression that gives a list',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['promoCode'], operation: ['import'] } },
	properties,
);

export function prepare(this: IExecuteFunctions, itemIndex: number): PreparedCall<null> {
	const loyaltyId = readLoyaltyId(this, itemIndex);
	const parsed = parseCodesList(this.getNodeParameter('codes', itemIndex, ''));
	if ('problem' in parsed) {
		throw invalidParameter(
			this,
			itemIndex,
			`Promo Codes ${parsed.problem}`,
			'Give one code per line, codes separated by commas, or an expression such as {{ $json.codes }} that returns a list of codes.',
		);
	}
	return { request: { endpoint: 'import', body: { codes: parsed.codes, loyalty_id: loyaltyId } }, plan: null };
}

/** The counters tell the batch outcome; `codes` tells each code's, since one duplicate does not fail the call. */
export function shapeOutput(envelope: AltcraftEnvelope): IDataObject[] {
	return [
		{
			inserted: envelope.inserted ?? 0,
			duplicated: envelope.duplicated ?? 0,
			discarded_by_limit: envelope.discarded_by_limit ?? 0,
			codes: Array.isArray(envelope.data) ? envelope.data : [],
		},
	];
}
