/**
 * Reading an Altcraft action-hook request body: a JSON array of event objects (shared API notes §4.7).
 * Pure: no n8n, no I/O, so the unit tests cover every shape a request can have.
 */

/** One event as Altcraft sends it; only `event_type` and `is_test` are read, everything is passed on. */
export type AltcraftEvent = Record<string, unknown>;

export type BatchResult = { events: AltcraftEvent[] } | { problem: string };

function kindOf(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	if (typeof value === 'object') return 'an object';
	return `a ${typeof value}`;
}

/**
 * The events of a request. `parsed` is what n8n's body parser made of the body (an array when it was a
 * JSON array sent as application/json); `raw` is the body as received, read when n8n did not parse it
 * (another or no Content-Type), so a hook whose content type is not JSON still works.
 */
export function readBatch(parsed: unknown, raw: Buffer | string | undefined): BatchResult {
	let value = parsed;
	if (!Array.isArray(value)) {
		const text = raw === undefined ? '' : typeof raw === 'string' ? raw : raw.toString('utf8');
		if (text.trim() === '') {
			return { problem: 'The body is empty: Altcraft sends a JSON array of events' };
		}
		try {
			value = JSON.parse(text) as unknown;
		} catch {
			return { problem: 'The body is not JSON: Altcraft sends a JSON array of events' };
		}
	}
	if (!Array.isArray(value)) {
		return { problem: `The body must be a JSON array of events, got ${kindOf(value)}` };
	}
	for (let i = 0; i < value.length; i++) {
		const event: unknown = value[i];
		if (typeof event !== 'object' || event === null || Array.isArray(event)) {
			return { problem: `Event ${i + 1} of ${value.length} is ${kindOf(event)}, not an object` };
		}
	}
	return { events: value as AltcraftEvent[] };
}
