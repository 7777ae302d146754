import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { describeResources, subtitleExpression } from './actions/resources';
import { router } from './actions/router';
import { nodeOptions } from './descriptions/options.descriptions';
import { altcraftApiTest } from './methods/credentialTest';
import { searchDatabases } from './methods/listSearch';

export class AltcraftPromo implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Altcraft Promo',
		name: 'altcraftPromo',
		icon: { light: 'file:../../icons/altcraft.svg', dark: 'file:../../icons/altcraft.dark.svg' },
		group: ['transform'],
		// Version 2: Database from a list (resource locator), Loyalty Program ID flagged when empty.
		// Version 1 stays for saved workflows, whose plain-number IDs keep working unchanged.
		version: [1, 2],
		defaultVersion: 2,
		subtitle: subtitleExpression(),
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
				testedBy: 'altcraftApiTest',
			},
		],
		properties: [...describeResources(), nodeOptions],
	};

	methods = {
		listSearch: { searchDatabases },
		credentialTest: { altcraftApiTest },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
