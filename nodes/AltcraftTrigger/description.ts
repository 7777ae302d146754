import type { INodeProperties } from 'n8n-workflow';

import {
	ALL_EVENTS,
	GUESSED_PROMO_EVENT_TYPES,
	MESSAGE_EVENTS,
	OTHER_EVENTS,
	PROMO_ACTIVATED,
	PROMO_ATTACHED,
} from './helpers/events';
import { SECRET_QUERY_PARAMETER } from './helpers/secret';

export const setupNotice: INodeProperties = {
	displayName: `In Altcraft, open Integrations → Event capture and create an action hook of type JSON batch request (HTTP POST). Paste the Production URL shown above into its URL field; when you set a Secret below, add ?${SECRET_QUERY_PARAMETER}= and the secret to the end of the URL. Choose the same events there. Then publish (activate) this workflow: Altcraft's events start it. The Test URL works only while you listen for a test event here.`,
	name: 'setupNotice',
	type: 'notice',
	default: '',
};

export const eventsProperty: INodeProperties = {
	displayName: 'Events',
	name: 'events',
	type: 'multiOptions',
	required: true,
	default: [PROMO_ATTACHED, PROMO_ACTIVATED],
	description: 'The events that start the workflow; others are answered with OK and dropped',
	options: [
		{
			name: 'All',
			value: ALL_EVENTS,
			description:
				'Every event Altcraft sends, whatever its event_type: use it once to see the names your Altcraft uses',
		},
		...MESSAGE_EVENTS,
		{
			name: 'Other (Type Event Types)',
			value: OTHER_EVENTS,
			description: 'Event types you type in below',
		},
		{
			name: 'Promo Code Activated',
			value: PROMO_ACTIVATED,
			description: 'A promo code was activated (redeemed)',
		},
		{
			name: 'Promo Code Attached',
			value: PROMO_ATTACHED,
			description: 'A promo code was attached (assigned) to a profile',
		},
	],
};

export const promoGuessNotice: INodeProperties = {
	displayName:
		"Altcraft's documentation does not name the event_type of promo-code events; the names below are our best guess. If promo events do not start the workflow, select All once, read event_type in the execution and type it here.",
	name: 'promoGuessNotice',
	type: 'notice',
	default: '',
	displayOptions: { show: { events: [PROMO_ATTACHED, PROMO_ACTIVATED] } },
};

export const attachedEventTypeProperty: INodeProperties = {
	displayName: 'Promo Code Attached Event Type',
	name: 'attachedEventType',
	type: 'string',
	default: 'promocode_attach', // = GUESSED_PROMO_EVENT_TYPES.attached (a literal: the linter reads defaults statically)
	placeholder: `e.g. ${GUESSED_PROMO_EVENT_TYPES.attached}`,
	description:
		'The event_type Altcraft sends when a promo code is attached (best guess; several names may be separated by commas)',
	displayOptions: { show: { events: [PROMO_ATTACHED] } },
};

export const activatedEventTypeProperty: INodeProperties = {
	displayName: 'Promo Code Activated Event Type',
	name: 'activatedEventType',
	type: 'string',
	default: 'promocode_activate', // = GUESSED_PROMO_EVENT_TYPES.activated
	placeholder: `e.g. ${GUESSED_PROMO_EVENT_TYPES.activated}`,
	description:
		'The event_type Altcraft sends when a promo code is activated (best guess; several names may be separated by commas)',
	displayOptions: { show: { events: [PROMO_ACTIVATED] } },
};

export const otherEventTypesProperty: INodeProperties = {
	displayName: 'Other Event Types',
	name: 'otherEventTypes',
	type: 'string',
	default: '',
	placeholder: 'e.g. deliv, sub',
	description: 'Event_type names to accept besides the ones selected, separated by commas',
	displayOptions: { show: { events: [OTHER_EVENTS] } },
};

export const outputProperty: INodeProperties = {
	displayName: 'Output',
	name: 'output',
	type: 'options',
	default: 'eachEvent',
	options: [
		{
			name: 'One Item per Event',
			value: 'eachEvent',
			description: 'Each event becomes an item, in the order Altcraft sent them',
		},
		{
			name: 'One Item per Batch',
			value: 'batch',
			description: 'One item per request: events (the list) and count',
		},
	],
};

export const secretProperty: INodeProperties = {
	displayName: 'Secret',
	name: 'secret',
	type: 'string',
	typeOptions: { password: true },
	default: '',
	description: `When set, a request must carry it as ?${SECRET_QUERY_PARAMETER}=… in the URL, or it is answered 401 and starts nothing. Altcraft can send neither a signature nor a secret header, so the URL is the only place for it.`,
};

/**
 * Not shown. n8n reads and parses the body of a version-1 webhook node before calling webhook() unless the
 * node's options.binaryData is set (the convention of the Webhook node, checked by n8n's webhook helpers
 * for every version-1 node). Set, the trigger reads the body itself (helpers/body.ts) and can answer an
 * oversized body with 413 and broken JSON with 400. Should n8n read the body anyway, the trigger uses
 * what n8n parsed.
 */
export const bodyHandlingProperty: INodeProperties = {
	displayName: 'Body Handling',
	name: 'options',
	type: 'hidden',
	default: { binaryData: true },
};

export const optionsProperty: INodeProperties = {
	displayName: 'Options',
	name: 'settings',
	type: 'collection',
	placeholder: 'Add option',
	default: {},
	options: [
		{
			displayName: 'Ignore Repeated Batches (Minutes)',
			name: 'ignoreRepeatsMinutes',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 10,
			description:
				'A batch with exactly the content of one received this many minutes before is answered OK and starts nothing (Altcraft may resend a batch it considers failed). Remembered in the memory of this n8n process; 0 turns it off.',
		},
		{
			displayName: 'Maximum Body Size (MB)',
			name: 'maxBodyMb',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 16,
			description: 'A larger request is answered 413 and starts nothing',
		},
		{
			displayName: 'Include Test Events',
			name: 'includeTestEvents',
			type: 'boolean',
			default: false,
			description:
				'Whether events of Altcraft test sendings (is_test: true) start the workflow too',
		},
	],
};

export const triggerProperties: INodeProperties[] = [
	setupNotice,
	eventsProperty,
	promoGuessNotice,
	attachedEventTypeProperty,
	activatedEventTypeProperty,
	otherEventTypesProperty,
	outputProperty,
	secretProperty,
	optionsProperty,
	bodyHandlingProperty,
];
