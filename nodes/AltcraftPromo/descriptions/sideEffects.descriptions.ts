import type { INodeProperties } from 'n8n-workflow';

/**
 * n8n's node setting Retry On Fail runs the whole node again, every item, so items that
 * succeeded would attach, detach or activate a second time. The node's own retries are per
 * request and read the code back first, so they are the safe path.
 */
export const retryOnFailNotice: INodeProperties = {
	displayName:
		'This operation changes data in Altcraft: keep the node setting "Retry On Fail" off, since it runs every item again. The node retries each request safely by itself (Options → Max Retries).',
	name: 'retryOnFailNotice',
	type: 'notice',
	default: '',
};
