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
import { DEFAULT_MAX_BODY_MB, readBody } from './helpers/body';
import { eventSelection, filterEvents } from './helpers/events';
import { batchFingerprint, repeatWindowFor } from './helpers/repeats';
import { SECRET_QUERY_PARAMETER, secretAccepted } from './helpers/secret';

/** Altcraft judges a delivery by HTTP 200 and, optionally, a regex on the body: this is the body to match. */
const ACCEPTED_BODY = 'OK';

interface TriggerSettings {
	ignoreRepeatsMinutes?: number;
	includeTestEvents?: boolean;
	maxBodyMb?: number;
}

/** What n8n's request object carries besides express's: the body as received, once n8n has read it. */
type WebhookRequest = ReturnType<IWebhookFunctions['getRequestObject']> & { rawBody?: Buffer };

/**
 * The events of a request, or the refusal to answer. The body as n8n read it when it did; otherwise read
 * here, within `maxMb` (see bodyHandlingProperty in description.ts).
 */
async function receiveBatch(
	request: WebhookRequest,
	parsedByN8n: unknown,
	maxMb: number,
): Promise<{ events: AltcraftEvent[] } | { status: 400 | 413; problem: string }> {
	let parsed = parsedByN8n;
	let raw = request.rawBody;
	if (raw === undefined && !request.readableEnded) {
		const read = await readBody(request, maxMb * 1024 * 1024);
		if ('tooLarge' in read)
			return {
				status: 413,
				problem: `the body is larger than ${maxMb} MB; lower the hook's batch size in Altcraft`,
			};
		if ('problem' in read) return { status: 400, problem: read.problem };
		raw = read.raw;
		parsed = undefined;
	}
	const batch = readBatch(parsed, raw);
	return 'problem' in batch ? { status: 400, problem: batch.problem } : batch;
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
		subtitle:
			'={{ ($parameter["events"] || []).map(e => ({ "*": "all events", promoCodeAttached: "code attached", promoCodeActivated: "code activated", other: "other events" })[e] || e).join(", ") }}',
		description:
			'Starts the workflow when Altcraft reports promo-code or message events (action hooks)',
		eventTriggerDescription: 'Waiting for Altcraft to send an event to the Test URL',
		activationMessage: 'Altcraft events sent to the Production URL now start this workflow.',
		triggerPanel: {
			header: 'Listen for events from Altcraft',
			executionsHelp: {
				inactive:
					"While you build the workflow, click 'Execute step' and let Altcraft send an event to the Test URL (or activate a code in the sandbox). To start the workflow with every event, paste the Production URL into the action hook in Altcraft and publish the workflow; each batch then shows in the Executions list.",
				active:
					"Altcraft's events sent to the Production URL start this workflow; each batch shows in the Executions list. To try changes, click 'Execute step' and send an event to the Test URL.",
			},
			activationHint:
				"Once you have finished building the workflow, publish it and paste the Production URL into Altcraft's action hook.",
		},
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
		if (
			!secretAccepted(this.getNodeParameter('secret', '') as string, query[SECRET_QUERY_PARAMETER])
		) {
			// Never echo what was given: the answer must not help guessing.
			return answer(
				401,
				`Altcraft Trigger: the ${SECRET_QUERY_PARAMETER} query parameter is missing or wrong`,
			);
		}

		const settings = this.getNodeParameter('settings', {}) as TriggerSettings;
		const batch = await receiveBatch(
			this.getRequestObject() as WebhookRequest,
			this.getBodyData(),
			settings.maxBodyMb ?? DEFAULT_MAX_BODY_MB,
		);
		if ('status' in batch) {
			if (batch.status === 413) response.setHeader('Connection', 'close');
			return answer(batch.status, `Altcraft Trigger: ${batch.problem}`);
		}
		if (batch.events.length === 0) return answer(200, ACCEPTED_BODY);

		const repeatMinutes = settings.ignoreRepeatsMinutes ?? 0;
		if (repeatMinutes > 0) {
			const key = `${this.getWorkflow().id ?? ''}:${this.getNode().id}:${this.getMode()}`;
			if (
				repeatWindowFor(key).seenWithin(
					batchFingerprint(batch.events),
					repeatMinutes * 60_000,
					Date.now(),
				)
			) {
				return answer(200, ACCEPTED_BODY);
			}
		}

		const selection = eventSelection({
			kinds: this.getNodeParameter('events', []) as string[],
			attachedEventType: this.getNodeParameter('attachedEventType', '') as string,
			activatedEventType: this.getNodeParameter('activatedEventType', '') as string,
			otherEventTypes: this.getNodeParameter('otherEventTypes', '') as string,
		});
		const { kept } = filterEvents(batch.events, selection, settings.includeTestEvents === true);
		if (kept.length === 0) return answer(200, ACCEPTED_BODY);

		const output = this.getNodeParameter('output', 'eachEvent') as string;
		const items: INodeExecutionData[] =
			output === 'batch'
				? [{ json: { events: kept, count: kept.length } as IDataObject }]
				: kept.map((event: AltcraftEvent) => ({ json: event as IDataObject }));
		return { workflowData: [items] };
	}
}
