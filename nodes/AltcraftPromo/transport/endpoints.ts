/**
 * What resending a request after a failure can do, which decides how the transport retries it
 * (the table docs/reliability.md shows under "Retries and unknown outcomes"):
 * - `none`: reading, setting values, importing (existing codes come back as duplicated),
 *   add-or-update of a profile: resending is harmless, so every transient failure is retried.
 * - `verifiable`: the change can be read back. After a refusal (429, 503, nothing sent) it is
 *   resent; after an ambiguous failure (timeout, reset, 502/504 after sending) state is read back
 *   first, and the request is resent only when the change is provably not there.
 * - `unverifiable`: Altcraft may have changed something it does not name (attach without a code),
 *   so it is resent only after a refusal that proves nothing was applied.
 */
export type SideEffect = 'none' | 'verifiable' | 'unverifiable';

/** The shape of `data` in the answer: a list, one record, or nothing worth reading. */
export type DataShape = 'list' | 'record' | 'none';

export interface EndpointFacts {
	data: DataShape;
	sideEffect: SideEffect;
	/** How messages name what the request does ("whether the activation was applied is unknown"). */
	action: string;
}

/**
 * Every Altcraft API v1.1 method the package calls, with the facts the transport needs. Adding an
 * endpoint is one row here plus the operation file that uses it.
 */
export const ENDPOINTS = {
	'promocodes/import': { data: 'list', sideEffect: 'none', action: 'the import' },
	'promocodes/get': { data: 'record', sideEffect: 'none', action: 'the read' },
	'promocodes/activate': { data: 'none', sideEffect: 'verifiable', action: 'the activation' },
	'promocodes/update': { data: 'none', sideEffect: 'none', action: 'the update' },
	'promocodes/attach': { data: 'none', sideEffect: 'verifiable', action: 'the attach' },
	'promocodes/detach': { data: 'none', sideEffect: 'verifiable', action: 'the detach' },
	'promocodes/export_all': { data: 'list', sideEffect: 'none', action: 'the export' },
	'profiles/get': { data: 'record', sideEffect: 'none', action: 'the profile read' },
	'profiles/import': { data: 'record', sideEffect: 'none', action: 'the profile import' },
	'databases/list': { data: 'list', sideEffect: 'none', action: 'the database list' },
} as const satisfies Record<string, EndpointFacts>;

/** An Altcraft API v1.1 method, i.e. the path after `/api/v1.1/`. */
export type ApiMethod = keyof typeof ENDPOINTS;

export function endpointFacts(method: ApiMethod): EndpointFacts {
	return ENDPOINTS[method];
}

/** The one request-dependent exception: an attach without a code gives a code Altcraft does not name. */
export function sideEffectOf(request: {
	method: ApiMethod;
	body: Readonly<Record<string, unknown>>;
}): SideEffect {
	if (request.method === 'promocodes/attach' && request.body.code === undefined)
		return 'unverifiable';
	return ENDPOINTS[request.method].sideEffect;
}
