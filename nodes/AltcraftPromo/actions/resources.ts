import type { INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { retryOnFailNotice } from '../descriptions/sideEffects.descriptions';
import { profileOperations } from './profile/Profile.resource';
import { promoCodeOperations } from './promoCode/PromoCode.resource';
import type { AltcraftOperation } from './types';

interface Resource {
	name: string;
	value: string;
	/** The operation a new node starts with. */
	defaultOperation: string;
	operations: Array<AltcraftOperation<unknown>>;
}

/** The node's resources; a new resource is one row here plus its folder of operations. */
export const RESOURCES: Resource[] = [
	{
		name: 'Promo Code',
		value: 'promoCode',
		defaultOperation: 'get',
		operations: promoCodeOperations,
	},
	{ name: 'Profile', value: 'profile', defaultOperation: 'get', operations: profileOperations },
];

export function findOperation(
	resource: string,
	operation: string,
): AltcraftOperation<unknown> | undefined {
	return RESOURCES.find((entry) => entry.value === resource)?.operations.find(
		(entry) => entry.option.value === operation,
	);
}

function describeOperations(resource: Resource): INodeProperties[] {
	const options = [...resource.operations]
		.map((operation) => operation.option)
		.sort((a, b) => a.name.localeCompare(b.name));
	const fields = resource.operations.flatMap((operation) =>
		updateDisplayOptions(
			{ show: { resource: [resource.value], operation: [operation.option.value] } },
			operation.effect === 'once'
				? [...operation.properties, retryOnFailNotice]
				: operation.properties,
		),
	);
	return [
		// The rule reads only literal defaults; this one comes from the resource table.
		// eslint-disable-next-line n8n-nodes-base/node-param-default-missing
		{
			displayName: 'Operation',
			name: 'operation',
			type: 'options',
			noDataExpression: true,
			displayOptions: { show: { resource: [resource.value] } },
			options,
			default: resource.defaultOperation,
		},
		...fields,
	];
}

/** Resource, Operation and every operation's fields, in the editor's order. */
export function describeResources(): INodeProperties[] {
	return [
		// eslint-disable-next-line n8n-nodes-base/node-param-default-missing
		{
			displayName: 'Resource',
			name: 'resource',
			type: 'options',
			noDataExpression: true,
			options: RESOURCES.map(({ name, value }) => ({ name, value })),
			default: RESOURCES[0].value,
		},
		...RESOURCES.flatMap(describeOperations),
	];
}

/**
 * The canvas subtitle: the action's label ("Attach free code"), not internal names. An n8n
 * expression, so it follows the parameters as the user changes them.
 */
export function subtitleExpression(): string {
	const labels: Record<string, string> = {};
	for (const resource of RESOURCES) {
		for (const operation of resource.operations) {
			labels[`${resource.value}:${operation.option.value}`] = operation.option.action;
		}
	}
	return `={{ (${JSON.stringify(labels)})[$parameter["resource"] + ":" + $parameter["operation"]] }}`;
}
