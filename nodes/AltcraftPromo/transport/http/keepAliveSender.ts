import http from 'node:http';
import https from 'node:https';

import { sharedAgent } from './connectionPool';
import { withToken } from '../token';
import { CONTENT_TYPES, encodeBody } from './encodeBody';
import { NOT_SENT_CODES } from './networkErrors';
import { type Sender, TransportFailure, type WireRequest, type WireResponse } from './types';

export interface KeepAliveSenderConfig {
	token: string;
	/** The credential's Ignore SSL Issues. */
	allowUnauthorizedCerts: boolean;
	/** At most this many requests of this execution in flight at once (each on one connection). */
	maxSockets: number;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 3;
function lowerCaseHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
	const result: Record<string, string> = {};
	for (const [name, value] of Object.entries(headers)) {
		if (value !== undefined)
			result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
	}
	return result;
}

/** Only the same host may receive the token again; http → https on that host is allowed. */
function followableRedirect(from: URL, location: string | undefined): URL | undefined {
	if (!location) return undefined;
	let target: URL;
	try {
		target = new URL(location, from);
	} catch {
		return undefined;
	}
	const sameHost = target.hostname === from.hostname;
	const safeScheme = target.protocol === from.protocol || target.protocol === 'https:';
	return sameHost && safeScheme ? target : undefined;
}

/**
 * Sends over kept-alive connections shared with the other executions of this process
 * (connectionPool.ts), because n8n-core's request helper opens a new connection (and on https a
 * new TLS handshake) for every request. Used only when no proxy applies; the transport picks
 * n8n's helper otherwise. At most `maxSockets` requests of this sender are in flight; the others
 * wait their turn (the wait counts against the request's timeout, and Stop ends it unsent).
 */
export function createKeepAliveSender(config: KeepAliveSenderConfig): Sender {
	let inFlight = 0;
	const waiting: Array<() => void> = [];

	/** A turn to send, or the reason the request will not be sent. */
	function turn(request: WireRequest, deadline: number): Promise<TransportFailure | undefined> {
		if (request.signal?.aborted) return Promise.resolve(TransportFailure.stopped(false));
		if (inFlight < config.maxSockets) {
			inFlight++;
			return Promise.resolve(undefined);
		}
		return new Promise((resolve) => {
			const end = (failure: TransportFailure | undefined) => {
				clearTimeout(timer);
				request.signal?.removeEventListener('abort', onAbort);
				const index = waiting.indexOf(grant);
				if (index >= 0) waiting.splice(index, 1);
				resolve(failure);
			};
			const grant = () => {
				inFlight++;
				end(undefined);
			};
			const onAbort = () => end(TransportFailure.stopped(false));
			const timer = setTimeout(
				() => end(TransportFailure.noAnswerWithin(request.timeoutMs, false)),
				Math.max(1, deadline - Date.now()),
			);
			request.signal?.addEventListener('abort', onAbort, { once: true });
			waiting.push(grant);
		});
	}

	function release(): void {
		inFlight--;
		waiting.shift()?.();
	}

	function postOnce(
		url: URL,
		payload: Buffer,
		request: WireRequest,
		deadline: number,
	): Promise<WireResponse | TransportFailure> {
		const secure = url.protocol === 'https:';
		const agent = sharedAgent(secure ? 'https:' : 'http:', config.allowUnauthorizedCerts);
		const transport = secure ? https : http;
		return new Promise<WireResponse | TransportFailure>((resolve) => {
			let written = false;
			let settled = false;
			const finish = (error: TransportFailure | undefined, response?: WireResponse) => {
				if (settled) return;
				settled = true;
				clearTimeout(timer);
				request.signal?.removeEventListener('abort', onAbort);
				resolve(error ?? (response as WireResponse));
			};
			const outgoing = transport.request(url, {
				method: 'POST',
				agent,
				headers: {
					'Content-Type': CONTENT_TYPES[request.format],
					Accept: CONTENT_TYPES[request.format],
					'Content-Length': payload.length,
				},
			});
			const timer = setTimeout(
				() => {
					finish(TransportFailure.noAnswerWithin(request.timeoutMs, written));
					outgoing.destroy();
				},
				Math.max(1, deadline - Date.now()),
			);
			// Stop aborts the request at once; whether it had been written decides what may have happened.
			const onAbort = () => {
				finish(TransportFailure.stopped(written));
				outgoing.destroy();
			};
			if (request.signal?.aborted) onAbort();
			request.signal?.addEventListener('abort', onAbort, { once: true });
			outgoing.on('finish', () => {
				written = true;
			});
			outgoing.on('error', (error: NodeJS.ErrnoException) => {
				const code = typeof error.code === 'string' ? error.code : undefined;
				const provablyUnsent = !written || (code !== undefined && NOT_SENT_CODES.has(code));
				finish(new TransportFailure(error.message, !provablyUnsent, false, code));
			});
			outgoing.on('response', (incoming) => {
				const chunks: Buffer[] = [];
				incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
				incoming.on('aborted', () =>
					finish(
						new TransportFailure(
							'the connection closed in the middle of the answer',
							true,
							false,
							'ECONNRESET',
						),
					),
				);
				incoming.on('error', (error: NodeJS.ErrnoException) =>
					finish(
						new TransportFailure(
							error.message,
							true,
							false,
							typeof error.code === 'string' ? error.code : undefined,
						),
					),
				);
				incoming.on('end', () =>
					finish(undefined, {
						statusCode: incoming.statusCode ?? 0,
						headers: lowerCaseHeaders(incoming.headers),
						body: Buffer.concat(chunks).toString('utf8'),
					}),
				);
			});
			outgoing.end(payload);
		});
	}

	return {
		async send(request) {
			const encoded = withToken(encodeBody(request.body, request.format), config.token);
			const payload = Buffer.from(
				typeof encoded === 'string' ? encoded : JSON.stringify(encoded),
				'utf8',
			);
			const deadline = Date.now() + request.timeoutMs;
			const refused = await turn(request, deadline);
			if (refused) return refused;
			try {
				let url = new URL(request.url);
				for (let redirects = 0; ; redirects++) {
					const response = await postOnce(url, payload, request, deadline);
					if (response instanceof TransportFailure) return response;
					const next = REDIRECT_STATUSES.has(response.statusCode)
						? followableRedirect(url, response.headers.location)
						: undefined;
					if (!next || redirects >= MAX_REDIRECTS) return response;
					url = next;
				}
			} finally {
				release();
			}
		},
		close() {
			// The connections stay in the shared pool for the next execution; requests of this one
			// still in flight were ended by the cancel signal or have their answers.
		},
	};
}
