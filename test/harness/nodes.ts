/**
 * Tiny node types the engine harness wires around the node under test.
 * They are real INodeType classes, so n8n-core runs them exactly like any other node.
 */
import {
	NodeConnectionTypes,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

export const TRIGGER_NODE_TYPE = 'harness.trigger';
export const COLLECTOR_NODE_TYPE = 'harness.collector';

/**
 * Start node. The harness puts the run's start items on the execution stack as this node's
 * input (as n8n does for a manual trigger); the node re-emits them as fresh items without
 * pairedItem, like a real trigger, so lineage downstream starts here.
 */
export class HarnessTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Harness Trigger',
		name: 'harnessTrigger',
		group: ['trigger'],
		version: 1,
		description: 'Emits the start items of a harness run',
		defaults: { name: 'Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData().map((item) => ({ json: { ...item.json } }))];
	}
}

/**
 * Downstream node that records what it received: for every input item its json and its
 * pairedItem, plus the optional `lineage` parameter evaluated for that item.
 *
 * n8n hands a node its input items with pairedItem rewritten to their position in that input
 * ({ item: i }), so the recorded pairedItem says which input item it was, not the upstream
 * node's pairing (that one is in the upstream node's runData). The lineage a downstream node
 * sees is what n8n's paired-item resolution finds: use an expression such as
 * `={{ $('Trigger').item.json.email }}` as `lineage`.
 */
export class HarnessCollector implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Harness Collector',
		name: 'harnessCollector',
		group: ['transform'],
		version: 1,
		description: 'Echoes each input item with its pairedItem',
		defaults: { name: 'Collector' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{
				displayName: 'Lineage',
				name: 'lineage',
				type: 'string',
				default: '',
				description: 'Evaluated per item, usually an expression that follows paired items back',
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [
			this.getInputData().map((item, i) => {
				const json: IDataObject = {
					json: item.json,
					// JSON round trip: IPairedItemData is an interface, not an IDataObject.
					pairedItem: JSON.parse(JSON.stringify(item.pairedItem ?? null)) as IDataObject | null,
				};
				const lineage = this.getNodeParameter('lineage', i, '') as IDataObject[string];
				if (lineage !== '') json.lineage = lineage;
				return { json, pairedItem: { item: i } };
			}),
		];
	}
}
