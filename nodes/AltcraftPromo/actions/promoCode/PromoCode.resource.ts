import type { INodeProperties } from 'n8n-workflow';

import type { PromoOperation } from '../../helpers/types';
import * as activate from './activate.operation';
import * as attach from './attach.operation';
import * as attachFreeCode from './attachFreeCode.operation';
import * as detach from './detach.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as importCodes from './import.operation';
import * as update from './update.operation';

export type PromoCodeOperationName =
	| 'activate'
	| 'attach'
	| 'attachFreeCode'
	| 'detach'
	| 'get'
	| 'getAll'
	| 'import'
	| 'update';

export const promoCodeOperations: Record<PromoCodeOperationName, PromoOperation<unknown>> = {
	activate,
	attach,
	attachFreeCode,
	detach,
	get,
	getAll,
	import: importCodes,
	update,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['promoCode'] } },
		options: [
			{
				name: 'Activate',
				value: 'activate',
				description: 'Mark an attached promo code as used',
				action: 'Activate promo code',
			},
			{
				name: 'Attach',
				value: 'attach',
				description: 'Give a promo code to a customer profile',
				action: 'Attach promo code',
			},
			{
				name: 'Attach Free Code',
				value: 'attachFreeCode',
				description: 'Give a customer a free promo code of the program and output which code it is',
				action: 'Attach free code',
			},
			{
				name: 'Detach',
				value: 'detach',
				description: 'Take a promo code back from a customer profile',
				action: 'Detach promo code',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get the state of a promo code',
				action: 'Get promo code',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				description: 'Get the promo codes of a loyalty program',
				action: 'Get many promo codes',
			},
			{
				name: 'Import',
				value: 'import',
				description: 'Add new promo codes to a loyalty program',
				action: 'Import promo codes',
			},
			{
				name: 'Update',
				value: 'update',
				description: 'Change the expiry date or the activation of a promo code',
				action: 'Update promo code',
			},
		],
		default: 'get',
	},
	...attach.description,
	...attachFreeCode.description,
	...activate.description,
	...detach.description,
	...get.description,
	...getAll.description,
	...importCodes.description,
	...update.description,
];
