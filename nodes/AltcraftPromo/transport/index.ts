import { createHash } from 'node:crypto';

import type { IExecuteFunctions, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import type { AltcraftEnvelope, AltcraftRequest, WireFormat } from '../helpers/types';
import { describeBaseUrlProblem, normalizeBaseUrl } from './baseUrl';
import {
	describeAltcraftError,
	describeRetryAfterTooLong,
	describeTransportFailure,
	describeUnreadableResponse,
	type SanitizedFailure,
	type TransportFailureContext,
} from './errors';
import { createKeepAliveSender } from './http/keepAliveSender';
import { createN8nHelperSender } from './http/n8nHelperSender';
import { proxyForUrl } from './http/proxyFromEnv';
import { type Sender, TransportFailure, type WireResponse } from './http/types';
import { readBackVerdict } from './reconcile';
import { decodeAltcraftBody } from './responseDecoding';
import {
	AMBIGUOUS_STATUSES,
	MAX_RETRY_AFTER_MS,
	REFUSED_STATUSES,
	backoffMs,
	parseRetryAfter,
	sideEffectOf,
} from './retryPolicy';

export const CREDENTIAL_TYPE = 'altcraftApi';

export interface TransportSettings {
	/** Per HTTP request, ms. */
	timeoutMs: number;
	/** Resends after the first attempt. */
	maxRetries: number;
	/** Requests in flight at once = kept-alive connections at most. */
	concurrency: number;
}

export interface CallOptions {
	itemIndex: number;
	format: WireFormat;
}

/** A successful call, with how it came about (shown to the user where it matters). */
export interface CallResult {
	envelope: AltcraftEnvelope;
	attempts: number;
	/** The answer was lost, and reading the code back showed the change is in place. */
	confirmedByReadBack: boolean;
	/** A `none` request was sent again after an attempt that may have been applied (e.g. an import chunk). */
	resentAfterUnknownOutcome: boolean;
}

/** Whether an error is Altcraft's own answer with `error != 0` (the request was read and refused). */
export function isAltcraftRefusal(error: unknown): error is NodeApiError {
	return error instanceof NodeApiError && typeof error.context.altcraftError === 'number';
}

export interface AltcraftSession {
	/** Sends one request with timeouts, retries and read-back; failures throw a sanitized `NodeApiError`. */
	call(request: AltcraftRequest, options: CallOptions): Promise<CallResult>;
	/**
	 * Names this Altcraft account without revealing it (a hash of base URL and token), so that
	 * what is kept between executions is never shared between credentials.
	 */
	readonly accountKey: string;
	/** Connections opened so far (kept-alive connections are opened once). */
	readonly connectionsOpened: number;
	/** Closes kept-alive connections. */
	close(): void;
}

type Attempt =
	| { kind: 'answer'; response: WireResponse }
	| { kind: 'refused'; response?: WireResponse; failure?: TransportFailure; retryAfterMs?: number }
	| { kind: 'ambiguous'; response?: WireResponse; failure?: TransportFailure };

function classify(outcome: WireResponse | TransportFailure): Attempt {
	if (outcome instanceof TransportFailure) {
		return outcome.sent ? { kind: 'ambiguous', failure: outcome } : { kind: 'refused', failure: outcome };
	}
	if (REFUSED_STATUSES.has(outcome.statusCode)) {
		return { kind: 'refused', response: outcome, retryAfterMs: parseRetryAfter(outcome.headers['retry-after']) };
	}
	if (AMBIGUOUS_STATUSES.has(outcome.statusCode)) return { kind: 'ambiguous', response: outcome };
	return { kind: 'answer', response: outcome };
}

/**
 * The one place that talks to Altcraft: base URL, token, wire format, kept-alive connections,
 * timeouts, retries by side effect (retryPolicy.ts), read-back of lost answers (reconcile.ts)
 * and error mapping. One session serves one execution of the node; credentials are read once.
 */
export async function createAltcraftSession(
	context: IExecuteFunctions,
	settings: TransportSettings,
): Promise<AltcraftSession> {
	const node: INode = context.getNode();
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	const baseUrl = normalizeBaseUrl(credentials.baseUrl);
	if (!baseUrl) {
		throw new NodeOperationError(
			node,
			describeBaseUrlProblem(credentials.baseUrl) ??
				'The Base URL in the Altcraft API credential must be an http:// or https:// address',
			{
				description:
					'Enter the address of your Altcraft instance, e.g. https://example.altcraft.com (with or without /api/v1.1).',
			},
		);
	}
	const secret = typeof credentials.token === 'string' ? credentials.token : '';
	const allowUnauthorizedCerts = credentials.allowUnauthorizedCerts === true;
	const origin = new URL(baseUrl).origin;
	// A proxy is n8n's business: then n8n's own helper sends, as for every other node.
	const sender: Sender = proxyForUrl(`${origin}/`)
		? createN8nHelperSender(context, CREDENTIAL_TYPE, allowUnauthorizedCerts)
		: createKeepAliveSender({ token: secret, allowUnauthorizedCerts, maxSockets: settings.concurrency });

	// A 429 with Retry-After holds back every item of the execution, not only the one that got it.
	let pausedUntil = 0;

	function apiError(failure: SanitizedFailure): NodeApiError {
		return new NodeApiError(node, failure.response as JsonObject, failure.options);
	}

	async function sendOnce(request: AltcraftRequest, format: WireFormat): Promise<WireResponse | TransportFailure> {
		const wait = pausedUntil - Date.now();
		if (wait > 0) await sleep(wait);
		return await sender.send({
			url: `${baseUrl}/api/v1.1/${request.method}`,
			method: request.method,
			format,
			body: request.body,
			timeoutMs: settings.timeoutMs,
		});
	}

	/** Maps an HTTP answer to the envelope, or to the error the item gets. */
	async function readAnswer(
		request: AltcraftRequest,
		response: WireResponse,
		itemIndex: number,
		attempts: number,
	): Promise<AltcraftEnvelope> {
		const envelope = await decodeAltcraftBody(response.body, request.method);
		const after = attempts > 1 ? ` (after ${attempts} attempts)` : '';
		if (!envelope) {
			const failure = describeUnreadableResponse(response.body, {
				method: request.method,
				statusCode: response.statusCode,
				contentType: response.headers['content-type'] ?? '',
				retryAfter: response.headers['retry-after'] || undefined,
				itemIndex,
				secret,
			});
			failure.options.description = `${failure.options.description}${after}`;
			throw apiError(failure);
		}
		if (envelope.error !== 0) {
			const failure = describeAltcraftError(envelope, {
				method: request.method,
				statusCode: response.statusCode,
				itemIndex,
				secret,
			});
			failure.options.description = `${failure.options.description}${after}`;
			const error = apiError(failure);
			// Marks a refusal Altcraft itself answered (not a lost or unreadable answer); see isAltcraftRefusal.
			error.context.altcraftError = envelope.error;
			throw error;
		}
		return envelope;
	}

	function transportError(
		request: AltcraftRequest,
		attempt: Exclude<Attempt, { kind: 'answer' }>,
		itemIndex: number,
		attempts: number,
		outcome: TransportFailureContext['outcome'],
		earlierAttemptMayHaveApplied = false,
	): NodeApiError {
		const failure = attempt.failure;
		return apiError(
			describeTransportFailure({
				method: request.method,
				origin,
				itemIndex,
				secret,
				attempts,
				outcome,
				earlierAttemptMayHaveApplied,
				code: typeof request.body.code === 'string' ? request.body.code : undefined,
				loyaltyId: typeof request.body.loyalty_id === 'number' ? request.body.loyalty_id : undefined,
				last: {
					reason: failure
						? `${failure.code ? `${failure.code}: ` : ''}${failure.message}`
						: `HTTP ${attempt.response?.statusCode}`,
					sent: failure ? failure.sent : true,
					timedOut: failure?.timedOut ?? false,
					timeoutMs: settings.timeoutMs,
					statusCode: failure ? undefined : attempt.response?.statusCode,
				},
			}),
		);
	}

	const read = async (request: AltcraftRequest, options: CallOptions) => (await call(request, options)).envelope;

	async function call(request: AltcraftRequest, options: CallOptions): Promise<CallResult> {
		const sideEffect = sideEffectOf(request);
		let resentAfterUnknownOutcome = false;
		let mayHaveApplied = false;
		for (let attempts = 1; ; attempts++) {
			if (mayHaveApplied) resentAfterUnknownOutcome = true;
			const attempt = classify(await sendOnce(request, options.format));
			if (attempt.kind === 'answer') {
				const envelope = await readAnswer(request, attempt.response, options.itemIndex, attempts);
				return { envelope, attempts, confirmedByReadBack: false, resentAfterUnknownOutcome };
			}
			if (attempt.kind === 'ambiguous') {
				if (sideEffect === 'unverifiable') {
					throw transportError(request, attempt, options.itemIndex, attempts, 'mayHaveAttached');
				}
				if (sideEffect === 'verifiable') {
					const verdict = await readBackVerdict(request, async (readRequest) => await read(readRequest, options));
					if (verdict === 'applied') {
						const envelope: AltcraftEnvelope = { error: 0, error_text: 'Confirmed by reading back', data: null };
						return { envelope, attempts, confirmedByReadBack: true, resentAfterUnknownOutcome };
					}
					if (verdict === 'unknown') {
						throw transportError(request, attempt, options.itemIndex, attempts, 'unknown');
					}
				}
				mayHaveApplied = true;
			}
			if (attempt.kind === 'refused' && attempt.retryAfterMs !== undefined) {
				if (attempt.retryAfterMs > MAX_RETRY_AFTER_MS) {
					throw apiError(
						describeRetryAfterTooLong({
							method: request.method,
							itemIndex: options.itemIndex,
							statusCode: attempt.response?.statusCode ?? 429,
							waitMs: attempt.retryAfterMs,
							maxWaitMs: MAX_RETRY_AFTER_MS,
						}),
					);
				}
				pausedUntil = Math.max(pausedUntil, Date.now() + attempt.retryAfterMs);
			}
			if (attempts > settings.maxRetries) {
				if (attempt.response) {
					// The last answer (429, 503, 502 page...) says best what went wrong.
					await readAnswer(request, attempt.response, options.itemIndex, attempts);
				}
				throw transportError(request, attempt, options.itemIndex, attempts, 'failed', mayHaveApplied);
			}
			await sleep(backoffMs(attempts));
		}
	}

	const accountKey = createHash('sha256').update(`${baseUrl}\n${secret}`).digest('hex');
	return {
		call,
		accountKey,
		get connectionsOpened() {
			return sender.connectionsOpened;
		},
		close() {
			sender.close();
		},
	};
}
