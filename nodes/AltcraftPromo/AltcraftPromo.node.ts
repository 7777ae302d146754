import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as promoCode from './actions/promoCode/PromoCode.resource';
import { router } from './actions/router';
import { wireFormatOptions } from './descriptions/common.descriptions';

export class AltcraftPromo implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Altcraft Promo',
		name: 'altcraftPromo',
		icon: { light: 'file:../../icons/altcraft.svg', dark: 'file:../../icons/altcraft.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: 'Import, attach, check and activate Altcraft promo codes',
		defaults: {
			name: 'Altcraft Promo',
		},
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'altcraftApi',
				required: true,
			},
		],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Promo Code',
						value: 'promoCode',
					},
				],
				default: 'promoCode',
			},
			...promoCode.description,
			wireFormatOptions,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
