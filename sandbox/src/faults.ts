/**
 * Fault injection: make the next N requests (optionally only on one path) fail
 * the way a real network or server can. Used programmatically
 * (sb.injectFault), per request (header X-Sandbox-Fault) or over HTTP
 * (POST /__sandbox/faults). See sandbox/README.md.
 */

export type SandboxFault =
	/** HTTP 429 with `Retry-After: retryAfter` (seconds, default 1) and an envelope error 429. */
	| { kind: 'status429'; retryAfter?: number }
	/** HTTP 500/502/503 with an envelope error of the same number. */
	| { kind: 'status500' | 'status502' | 'status503' }
	/** The TCP connection is destroyed without an answer. */
	| { kind: 'reset' }
	/** Wait `ms` milliseconds, then answer normally. */
	| { kind: 'delay'; ms: number }
	/** HTTP 200 with a truncated body (invalid JSON / XML). */
	| { kind: 'malformed' }
	/** An HTML error page (as a proxy would send), HTTP `status` (default 502). */
	| { kind: 'html'; status?: number }
	/** HTTP 200 with `error != 0` (default 500 "Internal error"). */
	| { kind: 'apiError'; error?: number; errorText?: string };

export type FaultKind = SandboxFault['kind'];

export interface FaultOptions {
	/** How many matching requests get the fault (default 1). */
	count?: number;
	/** Only requests to this API path, e.g. `promocodes/attach` or `/api/v1.1/promocodes/attach`. */
	path?: string;
}

export interface PendingFault {
	fault: SandboxFault;
	remaining: number;
	path?: string;
}

export const FAULT_KINDS: readonly FaultKind[] = [
	'status429',
	'status500',
	'status502',
	'status503',
	'reset',
	'delay',
	'malformed',
	'html',
	'apiError',
];

export class FaultError extends Error {}

function intIn(v: unknown, what: string, min: number, max: number): number {
	const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
	if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
		throw new FaultError(`${what} must be an integer from ${min} to ${max}`);
	}
	return n;
}

/** Validate a fault given as a kind name or an object (from code or from JSON). */
export function normalizeFault(input: unknown): SandboxFault {
	const o: Record<string, unknown> =
		typeof input === 'string' ? { kind: input } : typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
	const kind = o.kind;
	switch (kind) {
		case 'status429':
			return o.retryAfter === undefined ? { kind } : { kind, retryAfter: intIn(o.retryAfter, 'retryAfter', 0, 86400) };
		case 'status500':
		case 'status502':
		case 'status503':
		case 'reset':
		case 'malformed':
			return { kind };
		case 'delay':
			return { kind, ms: intIn(o.ms ?? 1000, 'ms', 0, 600000) };
		case 'html':
			return o.status === undefined ? { kind } : { kind, status: intIn(o.status, 'status', 100, 599) };
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
			throw new FaultError(`unknown fault kind ${JSON.stringify(kind)} (use one of ${FAULT_KINDS.join(', ')})`);
	}
}

/**
 * Parse the `X-Sandbox-Fault` header: `<kind>[=<arg>]`, where `<kind>` is a fault
 * kind or one of the shorthands 429, 500, 502, 503. The argument is
 * Retry-After seconds (status429), milliseconds (delay), HTTP status (html),
 * or the envelope error code (apiError).
 */
export function parseFaultHeader(value: string): SandboxFault {
	const [rawKind, arg] = value.trim().split('=', 2).map((s) => s.trim());
	const kind = /^(429|500|502|503)$/.test(rawKind) ? `status${rawKind}` : rawKind;
	const argKey: Record<string, string> = { status429: 'retryAfter', delay: 'ms', html: 'status', apiError: 'error' };
	const o: Record<string, unknown> = { kind };
	if (arg !== undefined && arg !== '') {
		if (!argKey[kind]) throw new FaultError(`fault ${kind} takes no argument`);
		o[argKey[kind]] = arg;
	}
	return normalizeFault(o);
}

function normalizePathFilter(path: string): string {
	return path.replace(/\/+/g, '/').replace(/^\/|\/$/g, '');
}

/** Queue of pending faults; the first one whose path filter matches is used. */
export class FaultQueue {
	private pending: PendingFault[] = [];

	add(fault: SandboxFault | FaultKind, options: FaultOptions = {}): void {
		const f = normalizeFault(fault);
		const count = intIn(options.count ?? 1, 'count', 1, 1000000);
		const entry: PendingFault = { fault: f, remaining: count };
		if (options.path !== undefined) entry.path = normalizePathFilter(options.path);
		this.pending.push(entry);
	}

	/** Take one use of the first fault matching `routePath` (e.g. `/api/v1.1/promocodes/get`). */
	take(routePath: string): SandboxFault | undefined {
		if (this.pending.length === 0) return undefined;
		const i = this.pending.findIndex(
			(p) => p.path === undefined || routePath === `/${p.path}` || routePath.endsWith(`/${p.path}`),
		);
		if (i < 0) return undefined;
		const entry = this.pending[i];
		entry.remaining--;
		if (entry.remaining === 0) this.pending.splice(i, 1);
		return entry.fault;
	}

	clear(): void {
		this.pending = [];
	}

	list(): PendingFault[] {
		return this.pending.map((p) => ({ ...p, fault: { ...p.fault } }));
	}
}
