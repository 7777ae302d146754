/**
 * Fault injection: make the next N requests (optionally only on one path, or
 * only after some matching requests went through) fail the way a real network,
 * proxy or server can. Used programmatically (sb.injectFault), per request
 * (header X-Sandbox-Fault) or over HTTP (POST /__sandbox/faults). See sandbox/README.md.
 *
 * Whether a fault lets the request change the state matters to clients that
 * must tell "refused" from "applied, but the answer was lost": every kind says
 * which it is, and `afterApply` turns the 5xx kinds into "applied, then failed".
 */

export type SandboxFault =
	/**
	 * HTTP 429 with `Retry-After` and an envelope error 429; not applied.
	 * `retryAfter` seconds (default 1); `retryAfterDate: true` sends it as an HTTP date that many seconds ahead.
	 */
	| { kind: 'status429'; retryAfter?: number; retryAfterDate?: boolean }
	/**
	 * HTTP 500/502/503/504 with an envelope error of the same number; `afterApply`: the request is applied first;
	 * `retryAfter`: a `Retry-After` header with that many seconds (as a throttling proxy sends with a 503).
	 */
	| {
			kind: 'status500' | 'status502' | 'status503' | 'status504';
			afterApply?: boolean;
			retryAfter?: number;
	  }
	/** The TCP connection is destroyed without an answer; nothing is applied. `reset` is the old name of `resetBeforeApply`. */
	| { kind: 'reset' | 'resetBeforeApply' }
	/** The request is applied exactly as for a normal answer, then the connection is destroyed without an answer. */
	| { kind: 'resetAfterApply' }
	/** The request is read and never answered (nothing applied) until the client closes the connection. */
	| { kind: 'hang' }
	/** The request is applied, then never answered until the client closes the connection. */
	| { kind: 'hangAfterApply' }
	/** Wait `ms` milliseconds, then answer normally (applied only if the client is still there). */
	| { kind: 'delay'; ms: number }
	/** HTTP 200 with a truncated body (invalid JSON / XML); not applied. */
	| { kind: 'malformed' }
	/** An HTML error page as a proxy sends it, HTTP `status` (default 502); `afterApply` as for status5xx. */
	| { kind: 'html'; status?: number; afterApply?: boolean }
	/** HTTP 200 with `error != 0` (default 500 "Internal error"); not applied. */
	| { kind: 'apiError'; error?: number; errorText?: string };

export type FaultKind = SandboxFault['kind'];

export interface FaultOptions {
	/** How many matching requests get the fault (default 1). */
	count?: number;
	/** Only requests to this API path, e.g. `promocodes/attach` or `/api/v1.1/promocodes/attach`. */
	path?: string;
	/** Let this many matching requests through first (default 0): `{ skip: 2 }` faults the 3rd. */
	skip?: number;
}

export interface PendingFault {
	fault: SandboxFault;
	remaining: number;
	path?: string;
	/** Matching requests still to let through before the fault starts. */
	skip?: number;
}

export const FAULT_KINDS: readonly FaultKind[] = [
	'status429',
	'status500',
	'status502',
	'status503',
	'status504',
	'reset',
	'resetBeforeApply',
	'resetAfterApply',
	'hang',
	'hangAfterApply',
	'delay',
	'malformed',
	'html',
	'apiError',
];

/** Whether the request is applied to the state before the fault takes effect (delay: applied after the wait). */
export function appliesBefore(f: SandboxFault): boolean {
	switch (f.kind) {
		case 'resetAfterApply':
		case 'hangAfterApply':
			return true;
		case 'status500':
		case 'status502':
		case 'status503':
		case 'status504':
		case 'html':
			return f.afterApply === true;
		default:
			return false;
	}
}

export class FaultError extends Error {}

function intIn(v: unknown, what: string, min: number, max: number): number {
	const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
	if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
		throw new FaultError(`${what} must be an integer from ${min} to ${max}`);
	}
	return n;
}

function flag(v: unknown, what: string): boolean {
	if (v === true || v === 'true') return true;
	if (v === false || v === 'false') return false;
	throw new FaultError(`${what} must be true or false`);
}

/** Validate a fault given as a kind name or an object (from code or from JSON). */
export function normalizeFault(input: unknown): SandboxFault {
	const o: Record<string, unknown> =
		typeof input === 'string'
			? { kind: input }
			: typeof input === 'object' && input !== null
				? (input as Record<string, unknown>)
				: {};
	const kind = o.kind;
	switch (kind) {
		case 'status429': {
			const f: SandboxFault = { kind };
			if (o.retryAfter !== undefined) f.retryAfter = intIn(o.retryAfter, 'retryAfter', 0, 86400);
			if (o.retryAfterDate !== undefined && flag(o.retryAfterDate, 'retryAfterDate'))
				f.retryAfterDate = true;
			return f;
		}
		case 'status500':
		case 'status502':
		case 'status503':
		case 'status504': {
			const f: SandboxFault = { kind };
			if (o.afterApply !== undefined && flag(o.afterApply, 'afterApply')) f.afterApply = true;
			if (o.retryAfter !== undefined) f.retryAfter = intIn(o.retryAfter, 'retryAfter', 0, 86400);
			return f;
		}
		case 'reset':
		case 'resetBeforeApply':
		case 'resetAfterApply':
		case 'hang':
		case 'hangAfterApply':
		case 'malformed':
			return { kind };
		case 'delay':
			return { kind, ms: intIn(o.ms ?? 1000, 'ms', 0, 600000) };
		case 'html': {
			const f: SandboxFault = { kind };
			if (o.status !== undefined) f.status = intIn(o.status, 'status', 100, 599);
			if (o.afterApply !== undefined && flag(o.afterApply, 'afterApply')) f.afterApply = true;
			return f;
		}
		case 'apiError': {
			const f: SandboxFault = { kind };
			if (o.error !== undefined) f.error = intIn(o.error, 'error', 1, 1000000);
			if (o.errorText !== undefined) {
				if (typeof o.errorText !== 'string') throw new FaultError('errorText must be a string');
				f.errorText = o.errorText;
			}
			return f;
		}
		default:
			throw new FaultError(
				`unknown fault kind ${JSON.stringify(kind)} (use one of ${FAULT_KINDS.join(', ')})`,
			);
	}
}

/**
 * Parse the `X-Sandbox-Fault` header: `<kind>[=<arg>][;afterApply]`, where
 * `<kind>` is a fault kind or one of the shorthands 429, 500, 502, 503, 504.
 * The argument is Retry-After seconds (status429; `date:<seconds>` sends an
 * HTTP date), milliseconds (delay), HTTP status (html), or the envelope error
 * code (apiError). `;afterApply` applies the request first (status5xx, html).
 */
export function parseFaultHeader(value: string): SandboxFault {
	const [main, ...flags] = value.split(';').map((s) => s.trim());
	const [rawKind, arg] = main.split('=', 2).map((s) => s.trim());
	const kind = /^(429|500|502|503|504)$/.test(rawKind) ? `status${rawKind}` : rawKind;
	const argKey: Record<string, string> = {
		status429: 'retryAfter',
		delay: 'ms',
		html: 'status',
		apiError: 'error',
	};
	const o: Record<string, unknown> = { kind };
	if (arg !== undefined && arg !== '') {
		if (!argKey[kind]) throw new FaultError(`fault ${kind} takes no argument`);
		if (kind === 'status429' && arg.startsWith('date:')) {
			o.retryAfterDate = true;
			o.retryAfter = arg.slice('date:'.length).trim();
		} else o[argKey[kind]] = arg;
	}
	for (const f of flags) {
		if (f === '') continue;
		if (f !== 'afterApply') throw new FaultError(`unknown flag "${f}" (only afterApply)`);
		if (!/^(status50[0234]|html)$/.test(kind))
			throw new FaultError(`fault ${kind} takes no afterApply flag`);
		o.afterApply = true;
	}
	return normalizeFault(o);
}

function normalizePathFilter(path: string): string {
	return path.replace(/\/+/g, '/').replace(/^\/|\/$/g, '');
}

/**
 * Queue of pending faults. A request takes the first fault whose path filter
 * matches and whose `skip` is used up; a matching fault that is still skipping
 * counts the request and lets it through (to later faults in the queue).
 */
export class FaultQueue {
	private pending: PendingFault[] = [];

	add(fault: SandboxFault | FaultKind, options: FaultOptions = {}): void {
		const f = normalizeFault(fault);
		const count = intIn(options.count ?? 1, 'count', 1, 1000000);
		const entry: PendingFault = { fault: f, remaining: count };
		if (options.path !== undefined) {
			if (typeof options.path !== 'string') throw new FaultError('path must be a string');
			entry.path = normalizePathFilter(options.path);
		}
		if (options.skip !== undefined) {
			const skip = intIn(options.skip, 'skip', 0, 1000000);
			if (skip > 0) entry.skip = skip;
		}
		this.pending.push(entry);
	}

	/** Take one use of the first applicable fault for `routePath` (e.g. `/api/v1.1/promocodes/get`). */
	take(routePath: string): SandboxFault | undefined {
		if (this.pending.length === 0) return undefined;
		for (let i = 0; i < this.pending.length; i++) {
			const entry = this.pending[i];
			if (
				entry.path !== undefined &&
				routePath !== `/${entry.path}` &&
				!routePath.endsWith(`/${entry.path}`)
			)
				continue;
			if (entry.skip !== undefined) {
				entry.skip--;
				if (entry.skip === 0) delete entry.skip;
				continue;
			}
			entry.remaining--;
			if (entry.remaining === 0) this.pending.splice(i, 1);
			return entry.fault;
		}
		return undefined;
	}

	clear(): void {
		this.pending = [];
	}

	list(): PendingFault[] {
		return this.pending.map((p) => ({ ...p, fault: { ...p.fault } }));
	}
}
