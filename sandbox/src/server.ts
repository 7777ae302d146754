/**
 * HTTP layer: routing, body reading, wire formats, auth, fault injection,
 * the request log and the /__sandbox control endpoints. Rules live in state.ts.
 */
import { timingSafeEqual } from 'crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'http';
import { ERRORS, ErrorSpec, SandboxApiError, badRequest } from './errors';
import {
	FaultError,
	FaultKind,
	FaultQueue,
	SandboxFault,
	appliesBefore,
	normalizeFault,
	parseFaultHeader,
} from './faults';
import { Chaos } from './chaos';
import { AnswerHold } from './hold';
import type { Params } from './params';
import type { SandboxSeed } from './seed';
import { ApiResult, SandboxStore } from './state';
import { StatsCounter } from './stats';
import { decodeXml, encodeXmlBuffer } from './xml';

export const API_PREFIX = '/api/v1.1/';
export const CONTROL_PREFIX = '/__sandbox';
export const FAULT_HEADER = 'x-sandbox-fault';
/** Room for one import of 100,000 long codes, even as XML (measured in sandbox/test/limits.test.ts). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** One logged API request (control endpoints are not logged). Kept in memory only. */
export interface RequestLogEntry {
	method: string;
	/** Path as sent, without the query string. */
	path: string;
	/** Query string without `?` ('' when none). */
	query: string;
	contentType: string | undefined;
	headers: IncomingHttpHeaders;
	rawBody: string;
	/** Parsed body: the JSON object, or the XML parsed to a plain object of strings; undefined when unparseable. */
	body: Params | undefined;
	/** ISO time the request arrived. */
	receivedAt: string;
	/** HTTP status answered (absent while in flight, or when the connection was reset). */
	status?: number;
	/** Envelope `error` answered, when the answer was an envelope. */
	error?: number;
	/** The fault applied to this request, if any. */
	fault?: FaultKind;
	/** For a fault that applies the request first: the envelope `error` the request produced (0 = the change was made). */
	appliedError?: number;
}

/** What a request would be answered with (computed before it is sent, so faults can apply it and then fail). */
interface Outcome {
	spec: ErrorSpec;
	text: string;
	data?: unknown;
	extra?: Record<string, unknown>;
	headers?: Record<string, string>;
}

type Route = (store: SandboxStore, p: Params) => ApiResult;

const ROUTES: Record<string, Route> = {
	'promocodes/import': (s, p) => s.importCodes(p),
	'promocodes/get': (s, p) => s.get(p),
	'promocodes/activate': (s, p) => s.activate(p),
	'promocodes/update': (s, p) => s.update(p),
	'promocodes/attach': (s, p) => s.attach(p),
	'promocodes/detach': (s, p) => s.detach(p),
	'promocodes/export_all': (s, p) => s.exportAll(p),
	'databases/list': (s, p) => s.listDatabases(p),
	'profiles/get': (s, p) => s.getProfile(p),
	'profiles/import': (s, p) => s.importProfile(p),
};

/** The API paths the sandbox serves (without the /api/v1.1/ prefix). */
export const API_METHODS = Object.keys(ROUTES);

type Format = 'json' | 'xml';

export interface ServerHooks {
	/** Reset to the baseline seed, clear faults, request log and stats (POST /__sandbox/reset without body). */
	reset(): void;
	/** Load a seed (POST /__sandbox/reset with a JSON seed body). */
	loadSeed(seed: SandboxSeed): void;
	/** Called after each API request with a one-line summary (never contains the token). */
	log?: (line: string) => void;
	/** Further control routes ("METHOD /sub"), e.g. the action hooks (hooks.ts); undefined = not one of them. */
	control?: (
		route: string,
		input: unknown,
	) => Promise<{ status: number; body: unknown }> | undefined;
}

function normalizePath(pathname: string): string {
	const p = pathname.replace(/\/{2,}/g, '/');
	return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

function isControlPath(path: string): boolean {
	return path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`);
}

function envelope(
	data: unknown,
	spec: ErrorSpec,
	text: string,
	extra?: Record<string, unknown>,
): Record<string, unknown> {
	const env: Record<string, unknown> = { data, error: spec.error, error_text: text, ...extra };
	// Altcraft's top-level keys come in alphabetical order in every example.
	const sorted: Record<string, unknown> = {};
	for (const k of Object.keys(env).sort()) sorted[k] = env[k];
	return sorted;
}

const HTML_TITLES: Record<number, string> = {
	500: 'Internal Server Error',
	502: 'Bad Gateway',
	503: 'Service Temporarily Unavailable',
	504: 'Gateway Time-out',
};

function retryAfterHeader(seconds: number | undefined): Record<string, string> {
	return seconds === undefined ? {} : { 'Retry-After': String(seconds) };
}

function htmlPage(status: number): string {
	const title = `${status} ${HTML_TITLES[status] ?? 'Error'}`;
	return `<!DOCTYPE html>\n<html>\n<head><title>${title}</title></head>\n<body>\n<center><h1>${title}</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n`;
}

export class SandboxHttpHandler {
	readonly requests: RequestLogEntry[] = [];
	readonly faults = new FaultQueue();
	/** Test-only: answers of applied requests held back until released (hold.ts). */
	readonly hold = new AnswerHold();
	/** Random faults and latency for long runs (chaos.ts). */
	readonly chaos = new Chaos();
	private readonly tokenBytes: Buffer;
	private stopped = false;
	private readonly delayTimers = new Set<NodeJS.Timeout>();
	/** Requests held open by a hang fault; destroyed on shutdown so stop() returns promptly. */
	private readonly hung = new Set<ServerResponse>();

	constructor(
		readonly store: SandboxStore,
		private readonly token: string,
		private readonly hooks: ServerHooks,
		private readonly maxLog = 1000,
		readonly stats = new StatsCounter(0),
	) {
		this.tokenBytes = Buffer.from(token, 'utf8');
	}

	/** Stop answering delayed requests and drop hung ones (called on shutdown). */
	shutdown(): void {
		this.stopped = true;
		for (const t of this.delayTimers) clearTimeout(t);
		this.delayTimers.clear();
		for (const res of this.hung) {
			res.socket?.destroy();
			res.destroy();
		}
		this.hung.clear();
		this.hold.drop();
	}

	clearRequests(): void {
		this.requests.length = 0;
	}

	/** The node:http request listener. */
	readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
		const url = req.url ?? '/';
		const q = url.indexOf('?');
		if (isControlPath(normalizePath(q < 0 ? url : url.slice(0, q)))) this.stats.controlRequest();
		else res.once('close', this.stats.apiRequest(req.socket));
		const chunks: Buffer[] = [];
		let size = 0;
		let tooLarge = false;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > MAX_BODY_BYTES) tooLarge = true;
			else chunks.push(chunk);
		});
		req.on('error', () => res.destroy());
		req.on('end', () => {
			const raw =
				chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
			const handle = (): void => {
				try {
					this.dispatch(req, res, raw, tooLarge);
				} catch (e) {
					this.sendUnexpected(res, e as Error);
				}
			};
			const latency = isControlPath(normalizePath(q < 0 ? url : url.slice(0, q)))
				? 0
				: this.chaos.delayMs();
			if (latency === 0) return handle();
			const timer = setTimeout(() => {
				this.delayTimers.delete(timer);
				if (!this.stopped && !res.destroyed) handle();
			}, latency);
			this.delayTimers.add(timer);
		});
	};

	private dispatch(
		req: IncomingMessage,
		res: ServerResponse,
		raw: string,
		tooLarge: boolean,
	): void {
		const url = req.url ?? '/';
		const q = url.indexOf('?');
		const pathname = q < 0 ? url : url.slice(0, q);
		const query = q < 0 ? '' : url.slice(q + 1);
		const path = normalizePath(pathname);
		if (isControlPath(path)) {
			this.control(req, res, path.slice(CONTROL_PREFIX.length), raw);
			return;
		}
		const contentType = req.headers['content-type'];
		const entry: RequestLogEntry = {
			method: req.method ?? 'GET',
			path: pathname,
			query,
			contentType,
			headers: req.headers,
			rawBody: tooLarge ? '' : raw,
			body: undefined,
			receivedAt: new Date().toISOString(),
		};
		this.requests.push(entry);
		if (this.requests.length > this.maxLog)
			this.requests.splice(0, this.requests.length - this.maxLog);
		const started = process.hrtime.bigint();
		const done = (): void => {
			if (!this.hooks.log) return;
			const ms = Number(process.hrtime.bigint() - started) / 1e6;
			const outcome =
				entry.status === undefined ? 'no answer' : `${entry.status} error=${entry.error ?? '-'}`;
			this.hooks.log(
				`${entry.method} ${pathname} ${outcome}${entry.fault ? ` fault=${entry.fault}` : ''} ${ms.toFixed(1)}ms`,
			);
		};
		res.once('finish', done);
		res.once('close', () => {
			if (!res.writableFinished) done();
		});

		if (tooLarge) {
			res.setHeader('Connection', 'close');
			this.send(res, entry, 'json', ERRORS.bodyTooLarge, ERRORS.bodyTooLarge.text);
			return;
		}
		const params = new URLSearchParams(query);
		let body: Params | undefined;
		let bodyError: SandboxApiError | undefined;
		try {
			body = this.parseBody(contentType, raw);
			entry.body = body;
		} catch (e) {
			if (!(e instanceof SandboxApiError)) throw e;
			bodyError = e;
		}
		const rawFormat = body?.format ?? params.get('format') ?? 'json';
		const format: Format | undefined =
			typeof rawFormat === 'string' &&
			(rawFormat.toLowerCase() === 'json' || rawFormat.toLowerCase() === 'xml')
				? (rawFormat.toLowerCase() as Format)
				: undefined;

		let fault: SandboxFault | undefined;
		const header = req.headers[FAULT_HEADER];
		if (typeof header === 'string' && header !== '') {
			try {
				fault = parseFaultHeader(header);
			} catch (e) {
				if (!(e instanceof FaultError)) throw e;
				this.sendError(res, entry, format ?? 'json', badRequest(`X-Sandbox-Fault: ${e.message}`));
				return;
			}
		} else {
			fault = this.faults.take(path) ?? this.chaos.pick(path);
		}
		const fmt = format ?? 'json';
		const run = (): Outcome => this.compute(req, path, body, bodyError, format, rawFormat, params);
		if (!fault) {
			const outcome = run();
			if (outcome.spec.error === 0 && this.hold.matches(path))
				return this.hold.add(res, path, body ?? {}, () => this.reply(res, entry, fmt, outcome));
			return this.reply(res, entry, fmt, outcome);
		}
		entry.fault = fault.kind;
		if (fault.kind === 'delay') {
			const t = setTimeout(() => {
				this.delayTimers.delete(t);
				if (!this.stopped && !res.destroyed) this.reply(res, entry, fmt, run());
			}, fault.ms);
			this.delayTimers.add(t);
			return;
		}
		// Applied exactly as a normal answer would be; only the answer is then lost or replaced.
		if (appliesBefore(fault)) entry.appliedError = run().spec.error;
		this.applyFault(res, entry, fault, fmt);
	}

	/** Everything a normal answer does to the state, and what it would answer. */
	private compute(
		req: IncomingMessage,
		path: string,
		body: Params | undefined,
		bodyError: SandboxApiError | undefined,
		format: Format | undefined,
		rawFormat: unknown,
		query: URLSearchParams,
	): Outcome {
		const route = path.startsWith(API_PREFIX) ? ROUTES[path.slice(API_PREFIX.length)] : undefined;
		const fail = (e: SandboxApiError): Outcome => ({ spec: e.spec, text: e.text });
		if (!route) return { spec: ERRORS.methodNotFound, text: ERRORS.methodNotFound.text };
		if (req.method !== 'POST') {
			return {
				spec: ERRORS.httpMethodNotAllowed,
				text: ERRORS.httpMethodNotAllowed.text,
				headers: { Allow: 'POST' },
			};
		}
		if (bodyError || !body) return fail(bodyError ?? badRequest('empty body'));
		if (!format)
			return fail(badRequest(`format must be "json" or "xml", got ${JSON.stringify(rawFormat)}`));
		const authError = this.checkToken(req, body, query);
		if (authError) return fail(new SandboxApiError(authError));
		let result: ApiResult;
		try {
			result = route(this.store, body);
		} catch (e) {
			if (e instanceof SandboxApiError) return fail(e);
			throw e;
		}
		return { spec: ERRORS.ok, text: ERRORS.ok.text, data: result.data, extra: result.extra };
	}

	private reply(res: ServerResponse, entry: RequestLogEntry, format: Format, o: Outcome): void {
		this.send(res, entry, format, o.spec, o.text, o.data ?? null, o.extra, o.headers);
	}

	/** Keep the request open without an answer until the client (or stop()) closes it. */
	private hang(res: ServerResponse): void {
		this.hung.add(res);
		res.once('close', () => this.hung.delete(res));
	}

	private parseBody(contentType: string | undefined, raw: string): Params {
		const ct = (contentType ?? '').split(';')[0].trim().toLowerCase();
		let kind: Format;
		if (ct === 'application/json') kind = 'json';
		else if (ct === 'application/xml' || ct === 'text/xml') kind = 'xml';
		else if (ct === '') {
			const first = raw.trimStart()[0];
			if (first === undefined) return {};
			kind = first === '<' ? 'xml' : 'json';
		} else throw new SandboxApiError('unsupportedContentType');
		if (raw.trim() === '') return {};
		if (kind === 'xml') return decodeXml(raw);
		let v: unknown;
		try {
			v = JSON.parse(raw);
		} catch (e) {
			throw badRequest(`invalid JSON: ${(e as Error).message}`);
		}
		if (typeof v !== 'object' || v === null || Array.isArray(v))
			throw badRequest('JSON body must be an object');
		return v as Params;
	}

	private checkToken(
		req: IncomingMessage,
		body: Params,
		query: URLSearchParams,
	): 'tokenRequired' | 'tokenInvalid' | undefined {
		let given: unknown = body.token;
		if (given === undefined || given === '') {
			const auth = req.headers.authorization;
			const m = typeof auth === 'string' ? /^Bearer\s+(.+)$/i.exec(auth.trim()) : null;
			given = m ? m[1] : (query.get('token') ?? undefined);
		}
		if (given === undefined || given === '') return 'tokenRequired';
		if (typeof given !== 'string') return 'tokenInvalid';
		const buf = Buffer.from(given, 'utf8');
		// Length check first (timingSafeEqual needs equal lengths); comparing hashes would cost a digest per request.
		if (buf.length !== this.tokenBytes.length) return 'tokenInvalid';
		return timingSafeEqual(buf, this.tokenBytes) ? undefined : 'tokenInvalid';
	}

	private sendError(
		res: ServerResponse,
		entry: RequestLogEntry,
		format: Format,
		e: SandboxApiError,
	): void {
		this.send(res, entry, format, e.spec, e.text);
	}

	private send(
		res: ServerResponse,
		entry: RequestLogEntry,
		format: Format,
		spec: ErrorSpec,
		text: string,
		data: unknown = null,
		extra?: Record<string, unknown>,
		headers: Record<string, string> = {},
	): void {
		const env = envelope(data, spec, text, extra);
		const body = format === 'xml' ? encodeXmlBuffer(env) : JSON.stringify(env);
		entry.status = spec.httpStatus;
		entry.error = spec.error;
		res.writeHead(spec.httpStatus, {
			...headers,
			'Content-Type':
				format === 'xml' ? 'application/xml; charset=utf-8' : 'application/json; charset=utf-8',
			'Content-Length': Buffer.byteLength(body),
		});
		res.end(body);
	}

	private applyFault(
		res: ServerResponse,
		entry: RequestLogEntry,
		fault: SandboxFault,
		format: Format,
	): void {
		switch (fault.kind) {
			case 'status429': {
				const seconds = fault.retryAfter ?? 1;
				// An HTTP date has whole seconds: round up so the client never waits less than asked.
				const retryAfter = fault.retryAfterDate
					? new Date(Math.ceil((Date.now() + seconds * 1000) / 1000) * 1000).toUTCString()
					: String(seconds);
				return this.send(
					res,
					entry,
					format,
					ERRORS.faultTooManyRequests,
					ERRORS.faultTooManyRequests.text,
					null,
					undefined,
					{
						'Retry-After': retryAfter,
					},
				);
			}
			case 'status500':
				return this.send(res, entry, format, ERRORS.faultInternal, ERRORS.faultInternal.text);
			case 'status502':
				return this.send(res, entry, format, ERRORS.faultBadGateway, ERRORS.faultBadGateway.text);
			case 'status503':
				return this.send(
					res,
					entry,
					format,
					ERRORS.faultUnavailable,
					ERRORS.faultUnavailable.text,
					null,
					undefined,
					retryAfterHeader(fault.retryAfter),
				);
			case 'status504':
				return this.send(
					res,
					entry,
					format,
					ERRORS.faultGatewayTimeout,
					ERRORS.faultGatewayTimeout.text,
				);
			case 'apiError': {
				const spec: ErrorSpec = {
					...ERRORS.faultApiError,
					error: fault.error ?? ERRORS.faultApiError.error,
				};
				return this.send(res, entry, format, spec, fault.errorText ?? spec.text);
			}
			case 'reset':
			case 'resetBeforeApply':
			case 'resetAfterApply':
				res.socket?.destroy();
				res.destroy();
				return;
			case 'hang':
			case 'hangAfterApply':
				return this.hang(res);
			case 'malformed': {
				const full =
					format === 'xml'
						? '<xml><data><code>CODE-1</code><created>2024-04-01T12:39:34Z</created></data><error>0</error></xml>'
						: '{"data":{"code":"CODE-1","created":"2024-04-01T12:39:34Z"},"error":0,"error_text":"Successful operation"}';
				const body = full.slice(0, Math.floor(full.length / 2));
				entry.status = 200;
				res.writeHead(200, {
					'Content-Type':
						format === 'xml' ? 'application/xml; charset=utf-8' : 'application/json; charset=utf-8',
					'Content-Length': Buffer.byteLength(body),
				});
				res.end(body);
				return;
			}
			case 'html': {
				const status = fault.status ?? 502;
				const body = htmlPage(status);
				entry.status = status;
				res.writeHead(status, {
					'Content-Type': 'text/html; charset=utf-8',
					'Content-Length': Buffer.byteLength(body),
				});
				res.end(body);
				return;
			}
			case 'delay':
				return; // handled by the caller
		}
	}

	private sendUnexpected(res: ServerResponse, e: Error): void {
		if (res.headersSent) {
			res.destroy();
			return;
		}
		const body = JSON.stringify({
			data: null,
			error: 500,
			error_text: `Sandbox internal error: ${e.message}`,
		});
		res.writeHead(500, {
			'Content-Type': 'application/json; charset=utf-8',
			'Content-Length': Buffer.byteLength(body),
		});
		res.end(body);
	}

	// ---- control endpoints (JSON only, not logged, no auth: the sandbox listens on loopback) ----

	private controlReply(res: ServerResponse, status: number, value: unknown): void {
		const body = JSON.stringify(value);
		res.writeHead(status, {
			'Content-Type': 'application/json; charset=utf-8',
			'Content-Length': Buffer.byteLength(body),
		});
		res.end(body);
	}

	private control(req: IncomingMessage, res: ServerResponse, sub: string, raw: string): void {
		const method = req.method ?? 'GET';
		let input: unknown = undefined;
		if (raw.trim() !== '') {
			try {
				input = JSON.parse(raw);
			} catch (e) {
				return this.controlReply(res, 400, {
					ok: false,
					error: `invalid JSON: ${(e as Error).message}`,
				});
			}
		}
		try {
			const key = `${method} ${sub}`;
			switch (key) {
				case 'GET /health':
					return this.controlReply(res, 200, { ok: true });
				case 'GET /state':
					return this.controlReply(res, 200, this.store.snapshot(false));
				case 'POST /reset':
					if (input === undefined) this.hooks.reset();
					else this.hooks.loadSeed(input as SandboxSeed);
					return this.controlReply(res, 200, { ok: true });
				case 'GET /faults':
					return this.controlReply(res, 200, { ok: true, pending: this.faults.list() });
				case 'POST /faults': {
					const o = (typeof input === 'object' && input !== null ? input : {}) as Record<
						string,
						unknown
					>;
					const list = Array.isArray(o.faults) ? o.faults : [o];
					for (const item of list) {
						const it = (typeof item === 'object' && item !== null ? item : {}) as Record<
							string,
							unknown
						>;
						const count = it.count === undefined ? undefined : Number(it.count);
						const skip = it.skip === undefined ? undefined : Number(it.skip);
						if (it.path !== undefined && typeof it.path !== 'string')
							throw new FaultError('path must be a string');
						this.faults.add(normalizeFault(it.fault), {
							count,
							path: it.path as string | undefined,
							skip,
						});
					}
					return this.controlReply(res, 200, { ok: true, pending: this.faults.list() });
				}
				case 'DELETE /faults':
					this.faults.clear();
					return this.controlReply(res, 200, { ok: true });
				case 'GET /requests':
					return this.controlReply(res, 200, {
						ok: true,
						requests: this.requests.map((r) => this.redact(r)),
					});
				case 'DELETE /requests':
					this.clearRequests();
					return this.controlReply(res, 200, { ok: true });
				case 'GET /hold':
				case 'POST /hold':
				case 'DELETE /hold': {
					const answer = this.hold.control(method, input) ?? { status: 405, value: { ok: false } };
					return this.controlReply(res, answer.status, answer.value);
				}
				case 'GET /stats':
					return this.controlReply(res, 200, { ok: true, stats: this.stats.snapshot() });
				case 'DELETE /stats':
					this.stats.reset();
					return this.controlReply(res, 200, { ok: true, stats: this.stats.snapshot() });
				default: {
					const answer = this.hooks.control?.(key, input);
					if (!answer)
						return this.controlReply(res, 404, { ok: false, error: `no control endpoint ${key}` });
					answer.then(
						(a) => this.controlReply(res, a.status, a.body),
						(e: Error) => this.sendUnexpected(res, e),
					);
					return;
				}
			}
		} catch (e) {
			return this.controlReply(res, 400, { ok: false, error: (e as Error).message });
		}
	}

	/** A log entry with the token removed from headers, body and raw body (for the HTTP view). */
	private redact(r: RequestLogEntry): RequestLogEntry {
		const headers = { ...r.headers };
		if (headers.authorization !== undefined) headers.authorization = '[redacted]';
		const body = r.body && 'token' in r.body ? { ...r.body, token: '[redacted]' } : r.body;
		const rawBody = r.rawBody
			.split(this.token)
			.join('[redacted]')
			.replace(/("token"\s*:\s*)"(?:[^"\\]|\\.)*"/g, '$1"[redacted]"')
			.replace(/<token>[^<]*<\/token>/g, '<token>[redacted]</token>');
		const query = r.query.replace(/(^|&)token=[^&]*/g, '$1token=[redacted]');
		return { ...r, headers, body, rawBody, query };
	}
}
