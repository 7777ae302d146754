import {
	batchFingerprint,
	RepeatWindow,
	repeatWindowFor,
} from '../../nodes/AltcraftTrigger/helpers/repeats';

const MINUTE = 60_000;

describe('RepeatWindow (ignore repeated batches)', () => {
	it('reports a batch seen within the window, not one seen before it', () => {
		const window = new RepeatWindow();
		expect(window.seenWithin('a', 10 * MINUTE, 0)).toBe(false);
		expect(window.seenWithin('a', 10 * MINUTE, 10 * MINUTE - 1)).toBe(true);
		// Seen again just now: the window runs from the last sighting.
		expect(window.seenWithin('a', 10 * MINUTE, 20 * MINUTE - 2)).toBe(true);
		expect(window.seenWithin('a', 10 * MINUTE, 30 * MINUTE - 2)).toBe(false);
	});

	it('tells different batches apart', () => {
		const window = new RepeatWindow();
		expect(window.seenWithin('a', MINUTE, 0)).toBe(false);
		expect(window.seenWithin('b', MINUTE, 1)).toBe(false);
		expect(window.seenWithin('a', MINUTE, 2)).toBe(true);
	});

	it('forgets expired entries, and drops the oldest beyond its bound', () => {
		const window = new RepeatWindow(3);
		for (const [i, key] of ['a', 'b', 'c', 'd'].entries()) window.seenWithin(key, MINUTE, i);
		expect(window.size).toBe(3);
		expect(window.seenWithin('a', MINUTE, 10)).toBe(false); // dropped by the bound
		window.seenWithin('z', MINUTE, 10 * MINUTE);
		expect(window.size).toBe(1); // everything older than a minute is gone
	});

	it('keeps one window per trigger key', () => {
		expect(repeatWindowFor('wf:node:webhook')).toBe(repeatWindowFor('wf:node:webhook'));
		expect(repeatWindowFor('wf:node:webhook')).not.toBe(repeatWindowFor('wf:node:manual'));
	});
});

describe('batchFingerprint', () => {
	it('is equal for equal content and differs when any event differs or the order changes', () => {
		const a = [
			{ event_type: 'open', profile_id: 'p1' },
			{ event_type: 'click', profile_id: 'p2' },
		];
		expect(batchFingerprint(a)).toBe(batchFingerprint(JSON.parse(JSON.stringify(a)) as typeof a));
		expect(batchFingerprint(a)).not.toBe(batchFingerprint([a[1], a[0]]));
		expect(batchFingerprint(a)).not.toBe(batchFingerprint([a[0], { ...a[1], profile_id: 'p3' }]));
		expect(batchFingerprint(a)).toMatch(/^[0-9a-f]{64}$/);
	});
});
