import type {
	IDataObject,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { triggerProperties } from './description';
import { readBatch, type AltcraftEvent } from './helpers/batch';
import { eventSelection, filterEvents } from './helpers/events';
import { batchFingerprint, repeatWindowFor } from './helpers/repeats';
import { SECRET_QUERY_PARAMETER, secretAccepted } from './helpers/secret';

/** Altcraft judges a delivery by HTTP 200 and, optionally, a regex on the body: this is the body to match. */
const ACCEPTED_BODY = 'OK';

interface TriggerOptions {
	ignoreRepeatsMinutes?: number;
	includeTestEvents?: boolean;
}

// No webhookMethods: Altcraft has no API to create, list or delete action hooks (shared API notes §4.7),
// so the user pastes the Production URL into Altcraft by hand and n8n shows it in the node panel.
// eslint-disable-next-line @n8n/community-nodes/webhook-lifecycle-complete
export class AltcraftTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Altcraft Trigger',
		name: 'altcraftTrigger',
		icon: { light: 'file:../../icons/altcraft.svg', dark: 'file:../../icons/altcraft.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ $parameter["events"].join(", ") }}',
		description: 'Starts the workflow when Altcraft reports promo-code or message events (action hooks)',
		eventTriggerDescription: 'Waiting for Altcraft to send an event to the Test URL',
		activationMessage: 'Altcraft events sent to the Production URL now start this workflow.',
		defaults: {
			name: 'Altcraft Trigger',
		},
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				// Refusals (400, 401) and batches that start nothing (200 OK) are answered by webhook() itself.
				// A batch that starts the workflow is answered by n8n as soon as the execution is created,
				// with this body: Altcraft may be set to check it.
				responseMode: 'onReceived',
				responseData: ACCEPTED_BODY,
				path: 'altcraft',
			},
		],
		properties: triggerProperties,
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const response = this.getResponseObject();
		/** Answers the request now and starts no execution. */
		const answer = (status: number, text: string): IWebhookResponseData => {
			response.status(status).type('text/plain').send(text);
			return { noWebhookResponse: true };
		};

		const query = this.getQueryData() as IDataObject;
		if (!secretAccepted(this.getNodeParameter('secret', '') as string, query[SECRET_QUERY_PARAMETER])) {
			// Never echo what was given: the answer must not help guessing.
			return answer(401, `Altcraft Trigger: the ${SECRET_QUERY_PARAMETER} query parameter is missing or wrong`);
		}

		const request = this.getRequestObject();
		const batch = readBatch(this.getBodyData() as unknown, (request as { rawBody?: Buffer }).rawBody);
		if ('problem' in batch) return answer(400, `Altcraft Trigger: ${batch.problem}`);
		if (batch.events.length === 0) return answer(200, ACCEPTED_BODY);

		const options = this.getNodeParameter('options', {}) as TriggerOptions;
		const repeatMinutes = options.ignoreRepeatsMinutes ?? 0;
		if (repeatMinutes > 0) {
			const key = `${this.getWorkflow().id ?? ''}:${this.getNode().id}:${this.getMode()}`;
			if (repeatWindowFor(key).seenWithin(batchFingerprint(batch.events), repeatMinutes * 60_000, Date.now())) {
				return answer(200, ACCEPTED_BODY);
			}
		}

		const selection = eventSelection({
			kinds: this.getNodeParameter('events', []) as string[],
			attachedEventType: this.getNodeParameter('attachedEventType', '') as string,
			activatedEventType: this.getNodeParameter('activatedEventType', '') as string,
			otherEventTypes: this.getNodeParameter('otherEventTypes', '') as string,
		});
		const { kept } = filterEvents(batch.events, selection, options.includeTestEvents === true);
		if (kept.length === 0) return answer(200, ACCEPTED_BODY);

		const output = this.getNodeParameter('output', 'eachEvent') as string;
		const items: INodeExecutionData[] =
			output === 'batch'
				? [{ json: { events: kept, count: kept.length } as IDataObject }]
				: kept.map((event: AltcraftEvent) => ({ json: event as IDataObject }));
		return { workflowData: [items] };
	}
}
