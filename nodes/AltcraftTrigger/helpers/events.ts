/**
 * The event kinds the trigger offers and which events pass. Pure: no n8n.
 *
 * Message events: the `event_type` names Altcraft documents for action hooks (tracking events of email,
 * SMS and push). Promo-code events: Altcraft lists "a promo code is assigned to the subscriber" and "the
 * promo code is activated" among its hook events, but their `event_type` names could not be read in its
 * docs, so the node takes them as editable settings with these best guesses (named after the API methods
 * promocodes/attach and promocodes/activate).
 */
import type { AltcraftEvent } from './batch';

export const GUESSED_PROMO_EVENT_TYPES = {
	attached: 'promocode_attach',
	activated: 'promocode_activate',
} as const;

export const ALL_EVENTS = '*';
export const OTHER_EVENTS = 'other';
export const PROMO_ATTACHED = 'promoCodeAttached';
export const PROMO_ACTIVATED = 'promoCodeActivated';

/** Documented message events: option value = the `event_type` Altcraft sends. */
export const MESSAGE_EVENTS: ReadonlyArray<{ name: string; value: string; description: string }> = [
	{
		name: 'Email Link Clicked',
		value: 'click',
		description: 'A link in an email was clicked (every click): click',
	},
	{
		name: 'Email Link Clicked (Unique)',
		value: 'uclick',
		description: 'The first click on a link in an email: uclick',
	},
	{ name: 'Email Opened', value: 'open', description: 'An email was opened (every opening): open' },
	{
		name: 'Email Opened (Unique)',
		value: 'uopen',
		description: 'The first opening of an email: uopen',
	},
	{ name: 'Email Read', value: 'read', description: 'An email was read: read' },
	{
		name: 'Push Clicked',
		value: 'click_push',
		description: 'A push message was clicked (every click): click_push',
	},
	{
		name: 'Push Clicked (Unique)',
		value: 'uclick_push',
		description: 'The first click on a push message: uclick_push',
	},
	{
		name: 'Push Opened',
		value: 'open_push',
		description: 'A push message was opened (every opening): open_push',
	},
	{
		name: 'Push Opened (Unique)',
		value: 'uopen_push',
		description: 'The first opening of a push message: uopen_push',
	},
	{
		name: 'SMS Link Clicked',
		value: 'click_sms',
		description: 'A link in an SMS was clicked (every click): click_sms',
	},
	{
		name: 'SMS Link Clicked (Unique)',
		value: 'uclick_sms',
		description: 'The first click on a link in an SMS: uclick_sms',
	},
	{
		name: 'SMS Unsubscribe',
		value: 'unsub_sms',
		description: 'The profile unsubscribed through an SMS link: unsub_sms',
	},
	{
		name: 'Subscription Confirmed',
		value: 'confirmsub',
		description: 'A subscription was confirmed (double opt-in): confirmsub',
	},
	{
		name: 'Subscription Confirmation Link Clicked',
		value: 'confirm',
		description: 'The confirmation link of a double opt-in email was clicked: confirm',
	},
	{
		name: 'Unsubscribe',
		value: 'unsub',
		description: 'The profile unsubscribed through the link in an email: unsub',
	},
];

export interface EventSelection {
	/** Every event passes, whatever its event_type (also none). */
	all: boolean;
	/** The event_type names that pass when not `all`. */
	types: Set<string>;
}

export interface SelectionSettings {
	/** Option values of the Events field. */
	kinds: string[];
	attachedEventType: string;
	activatedEventType: string;
	/** Comma- or newline-separated event_type names typed for "Other". */
	otherEventTypes: string;
}

/** Splits typed names on commas and new lines, trims them, drops empty ones. */
export function splitEventTypes(text: string): string[] {
	return text
		.split(/[,\n]/)
		.map((name) => name.trim())
		.filter((name) => name !== '');
}

/** Which event_type names pass, from the node's settings. */
export function eventSelection(settings: SelectionSettings): EventSelection {
	if (settings.kinds.includes(ALL_EVENTS)) return { all: true, types: new Set() };
	const types = new Set<string>();
	for (const kind of settings.kinds) {
		if (kind === PROMO_ATTACHED)
			splitEventTypes(settings.attachedEventType).forEach((t) => types.add(t));
		else if (kind === PROMO_ACTIVATED)
			splitEventTypes(settings.activatedEventType).forEach((t) => types.add(t));
		else if (kind === OTHER_EVENTS)
			splitEventTypes(settings.otherEventTypes).forEach((t) => types.add(t));
		else types.add(kind);
	}
	return { all: false, types };
}

/** Altcraft marks events of test sendings with `is_test: true`. */
export function isTestEvent(event: AltcraftEvent): boolean {
	return event.is_test === true || event.is_test === 'true';
}

export interface FilterResult {
	/** The events that start the workflow, in the order received. */
	kept: AltcraftEvent[];
	skippedAsTest: number;
	skippedByType: number;
}

/** The events of a batch the workflow should see: selected types, test events only when asked. */
export function filterEvents(
	events: AltcraftEvent[],
	selection: EventSelection,
	includeTestEvents: boolean,
): FilterResult {
	const kept: AltcraftEvent[] = [];
	let skippedAsTest = 0;
	let skippedByType = 0;
	for (const event of events) {
		if (!includeTestEvents && isTestEvent(event)) skippedAsTest++;
		else if (
			!selection.all &&
			!(typeof event.event_type === 'string' && selection.types.has(event.event_type))
		)
			skippedByType++;
		else kept.push(event);
	}
	return { kept, skippedAsTest, skippedByType };
}
