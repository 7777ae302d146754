import {
	ALL_EVENTS,
	eventSelection,
	filterEvents,
	GUESSED_PROMO_EVENT_TYPES,
	isTestEvent,
	OTHER_EVENTS,
	PROMO_ACTIVATED,
	PROMO_ATTACHED,
	splitEventTypes,
} from '../../nodes/AltcraftTrigger/helpers/events';

const guessed = {
	attachedEventType: GUESSED_PROMO_EVENT_TYPES.attached,
	activatedEventType: GUESSED_PROMO_EVENT_TYPES.activated,
	otherEventTypes: '',
};

const batch = [
	{ event_type: 'promocode_attach', n: 1 },
	{ event_type: 'open', n: 2 },
	{ event_type: 'promocode_activate', n: 3 },
	{ event_type: 'promocode_attach', n: 4, is_test: true },
	{ n: 5 },
	{ event_type: 'brand_new_event', n: 6 },
	{ event_type: 'promocode_activate', n: 7, is_test: false },
	{ event_type: 42, n: 8 },
];
const numbers = (events: Array<Record<string, unknown>>) => events.map((e) => e.n);

describe('Altcraft Trigger event selection', () => {
	it('maps the promo kinds to their editable event_type names and message kinds to themselves', () => {
		const selection = eventSelection({
			...guessed,
			kinds: [PROMO_ATTACHED, PROMO_ACTIVATED, 'uclick'],
		});
		expect(selection).toEqual({
			all: false,
			types: new Set(['promocode_attach', 'promocode_activate', 'uclick']),
		});
	});

	it('uses the names the user typed instead of the guesses, several per field', () => {
		const selection = eventSelection({
			...guessed,
			kinds: [PROMO_ATTACHED],
			attachedEventType: ' pcode_assign ,promo_attach ',
		});
		expect(selection.types).toEqual(new Set(['pcode_assign', 'promo_attach']));
	});

	it('adds the typed Other names only when Other is selected', () => {
		expect(
			eventSelection({ ...guessed, kinds: [OTHER_EVENTS], otherEventTypes: 'deliv,\n sub, ,' })
				.types,
		).toEqual(new Set(['deliv', 'sub']));
		expect(eventSelection({ ...guessed, kinds: ['open'], otherEventTypes: 'deliv' }).types).toEqual(
			new Set(['open']),
		);
	});

	it('All wins over everything else', () => {
		expect(eventSelection({ ...guessed, kinds: [PROMO_ATTACHED, ALL_EVENTS] })).toEqual({
			all: true,
			types: new Set(),
		});
	});

	it('splits typed names on commas and new lines', () => {
		expect(splitEventTypes('a, b\nc,,\n')).toEqual(['a', 'b', 'c']);
		expect(splitEventTypes('   ')).toEqual([]);
	});
});

describe('filterEvents', () => {
	it('keeps the selected types in the order received and leaves test events out', () => {
		const selection = eventSelection({ ...guessed, kinds: [PROMO_ATTACHED, PROMO_ACTIVATED] });
		const result = filterEvents(batch, selection, false);
		expect(numbers(result.kept)).toEqual([1, 3, 7]);
		expect(result.skippedAsTest).toBe(1);
		expect(result.skippedByType).toBe(4);
	});

	it('keeps test events when asked', () => {
		const selection = eventSelection({ ...guessed, kinds: [PROMO_ATTACHED] });
		expect(numbers(filterEvents(batch, selection, true).kept)).toEqual([1, 4]);
	});

	it('All passes events without event_type, of unknown types and of non-string types', () => {
		const selection = eventSelection({ ...guessed, kinds: [ALL_EVENTS] });
		expect(numbers(filterEvents(batch, selection, false).kept)).toEqual([1, 2, 3, 5, 6, 7, 8]);
	});

	it('an event without event_type never matches a typed selection', () => {
		const selection = eventSelection({
			...guessed,
			kinds: [OTHER_EVENTS],
			otherEventTypes: 'undefined',
		});
		expect(filterEvents([{ n: 1 }], selection, false).kept).toEqual([]);
	});

	it('knows is_test as a boolean and as the text "true"', () => {
		expect(isTestEvent({ is_test: true })).toBe(true);
		expect(isTestEvent({ is_test: 'true' })).toBe(true);
		expect(isTestEvent({ is_test: false })).toBe(false);
		expect(isTestEvent({})).toBe(false);
	});
});
