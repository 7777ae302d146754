import { readBatch } from '../../nodes/AltcraftTrigger/helpers/batch';

const attach = { event_type: 'promocode_attach', profile_id: 'p1', is_test: false };

describe('readBatch (Altcraft Trigger request body)', () => {
	it('takes the array n8n parsed from an application/json body as it is', () => {
		const parsed = [attach, { event_type: 'open' }];
		const result = readBatch(parsed, Buffer.from('ignored'));
		expect(result).toEqual({ events: parsed });
		expect('events' in result && result.events[0]).toBe(attach);
	});

	it('parses the raw body when n8n did not (no or another Content-Type)', () => {
		expect(readBatch({}, Buffer.from(JSON.stringify([attach])))).toEqual({ events: [attach] });
		expect(readBatch('[{"event_type":"open"}]', '[{"event_type":"open"}]')).toEqual({
			events: [{ event_type: 'open' }],
		});
	});

	it('accepts an empty array (the node then answers 200 and runs nothing)', () => {
		expect(readBatch([], Buffer.from('[]'))).toEqual({ events: [] });
		expect(readBatch({}, Buffer.from(' [ ] '))).toEqual({ events: [] });
	});

	it('accepts events without event_type and with unknown types: filtering decides, not parsing', () => {
		const events = [{ profile_id: 'p1' }, { event_type: 'something_new', event_data: { x: 1 } }];
		expect(readBatch(events, undefined)).toEqual({ events });
	});

	it.each([
		[
			'not JSON',
			{},
			Buffer.from('event_type=open'),
			'The body is not JSON: Altcraft sends a JSON array of events',
		],
		[
			'truncated JSON',
			{},
			Buffer.from('[{"event_type":'),
			'The body is not JSON: Altcraft sends a JSON array of events',
		],
		['empty body', {}, Buffer.alloc(0), 'The body is empty: Altcraft sends a JSON array of events'],
		['no body at all', {}, undefined, 'The body is empty: Altcraft sends a JSON array of events'],
		[
			'an object',
			{ event_type: 'open' },
			Buffer.from('{"event_type":"open"}'),
			'The body must be a JSON array of events, got an object',
		],
		['a number', {}, Buffer.from('42'), 'The body must be a JSON array of events, got a number'],
		['null', {}, Buffer.from('null'), 'The body must be a JSON array of events, got null'],
	])('rejects %s', (_name, parsed, raw, problem) => {
		expect(readBatch(parsed, raw)).toEqual({ problem });
	});

	it('names the first element that is not an event object, counting from 1', () => {
		expect(readBatch([attach, 'open'], undefined)).toEqual({
			problem: 'Event 2 of 2 is a string, not an object',
		});
		expect(readBatch([null], undefined)).toEqual({
			problem: 'Event 1 of 1 is null, not an object',
		});
		expect(readBatch([attach, attach, [attach]], undefined)).toEqual({
			problem: 'Event 3 of 3 is an array, not an object',
		});
	});

	it('reads 10,000 events', () => {
		const events = Array.from({ length: 10_000 }, (_, i) => ({ ...attach, profile_id: `p${i}` }));
		const result = readBatch({}, Buffer.from(JSON.stringify(events)));
		expect('events' in result && result.events.length).toBe(10_000);
		expect('events' in result && result.events[9_999].profile_id).toBe('p9999');
	});
});
