import { createHash } from 'node:crypto';

import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import {
	CANCELLED_CODE,
	ExecutionCancelledError,
	sleepUnlessCancelled,
	throwIfCancelled,
} from './abort';
import type { AltcraftCredentials } from './credentials';
import { endpointFacts, sideEffectOf } from './endpoints';
import {
	describeAltcraftError,
	describeRetryAfterTooLong,
	describeTransportFailure,
	describeUnreadableResponse,
	type SanitizedFailure,
	type TransportFailureContext,
} from './errors';
import { type Sender, TransportFailure, type WireResponse } from './http/types';
import { decodeAltcraftBody } from './responseDecoding';
import {
	AMBIGUOUS_STATUSES,
	MAX_RETRY_AFTER_MS,
	REFUSED_STATUSES,
	backoffMs,
	parseRetryAfter,
} from './retryPolicy';
import type { AltcraftEnvelope, AltcraftRequest, CallResult, ReadBack, WireFormat } from './types';

export interface TransportSettings {
	/** Per HTTP request, ms. */
	timeoutMs: number;
	/** Resends after the first attempt. */
	maxRetries: number;
	/** Requests in flight at once = kept-alive connections at most. */
	concurrency: number;
	format: WireFormat;
}

export interface SessionDependencies {
	node: INode;
	credentials: AltcraftCredentials;
	sender: Sender;
	/** The execution's cancel signal: once it fires nothing is sent and no wait goes on. */
	signal?: AbortSignal;
	/** Settles lost answers of `verifiable` requests; without it they count as unknown. */
	readBack?: ReadBack;
	/** The pause before retry number n; tests shorten it. */
	backoff?: (retryNumber: number) => number;
}

export interface CallOptions {
	itemIndex: number;
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
	/** The execution's cancel signal, for waits outside the session (batch pauses). */
	readonly signal: AbortSignal | undefined;
	/** Closes kept-alive connections. */
	close(): void;
}

type Attempt =
	| { kind: 'answer'; response: WireResponse }
	| { kind: 'refused'; response?: WireResponse; failure?: TransportFailure; retryAfterMs?: number }
	| { kind: 'ambiguous'; response?: WireResponse; failure?: TransportFailure };

function classify(outcome: WireResponse | TransportFailure): Attempt {
	if (outcome instanceof TransportFailure) {
		return outcome.sent
			? { kind: 'ambiguous', failure: outcome }
			: { kind: 'refused', failure: outcome };
	}
	if (REFUSED_STATUSES.has(outcome.statusCode)) {
		return {
			kind: 'refused',
			response: outcome,
			retryAfterMs: parseRetryAfter(outcome.headers['retry-after']),
		};
	}
	if (AMBIGUOUS_STATUSES.has(outcome.statusCode)) return { kind: 'ambiguous', response: outcome };
	return { kind: 'answer', response: outcome };
}

/** A stop that cut a request short: whether it reached Altcraft decides what the message may claim. */
function cancelledInFlight(
	request: AltcraftRequest,
	failure: TransportFailure,
): ExecutionCancelledError {
	if (!failure.sent || endpointFacts(request.method).sideEffect === 'none')
		return new ExecutionCancelledError();
	return new ExecutionCancelledError(
		`The execution was canceled (Stop) while ${endpointFacts(request.method).action} was on its way to Altcraft: whether it was applied is unknown`,
	);
}

/**
 * The one place that talks to Altcraft: base URL, token, wire format, kept-alive connections,
 * timeouts, retries by side effect (endpoints.ts, retryPolicy.ts), read-back of lost answers,
 * cancellation and error mapping. One session serves one execution of the node.
 */
export function createSession(
	settings: TransportSettings,
	dependencies: SessionDependencies,
): AltcraftSession {
	const { node, credentials, sender, signal, readBack } = dependencies;
	const { baseUrl, origin, token: secret } = credentials;
	const backoff = dependencies.backoff ?? backoffMs;
	// A 429 with Retry-After holds back every item of the execution, not only the one that got it.
	let pausedUntil = 0;

	function apiError(failure: SanitizedFailure): NodeApiError {
		return new NodeApiError(node, failure.response as JsonObject, failure.options);
	}

	async function sendOnce(request: AltcraftRequest): Promise<WireResponse | TransportFailure> {
		await sleepUnlessCancelled(pausedUntil - Date.now(), signal);
		const outcome = await sender.send({
			url: `${baseUrl}/api/v1.1/${request.method}`,
			method: request.method,
			format: settings.format,
			body: request.body,
			timeoutMs: settings.timeoutMs,
			signal,
		});
		if (
			outcome instanceof TransportFailure &&
			(outcome.code === CANCELLED_CODE || signal?.aborted)
		) {
			throw cancelledInFlight(request, outcome);
		}
		return outcome;
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
				loyaltyId:
					typeof request.body.loyalty_id === 'number' ? request.body.loyalty_id : undefined,
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

	async function call(request: AltcraftRequest, options: CallOptions): Promise<CallResult> {
		const sideEffect = sideEffectOf(request);
		let resentAfterUnknownOutcome = false;
		let mayHaveApplied = false;
		for (let attempts = 1; ; attempts++) {
			throwIfCancelled(signal);
			if (mayHaveApplied) resentAfterUnknownOutcome = true;
			const attempt = classify(await sendOnce(request));
			if (attempt.kind === 'answer') {
				const envelope = await readAnswer(request, attempt.response, options.itemIndex, attempts);
				return { envelope, confirmedByReadBack: false, resentAfterUnknownOutcome };
			}
			if (attempt.kind === 'ambiguous') {
				if (sideEffect === 'unverifiable') {
					throw transportError(request, attempt, options.itemIndex, attempts, 'mayHaveAttached');
				}
				if (sideEffect === 'verifiable') {
					const read = async (readRequest: AltcraftRequest) =>
						(await call(readRequest, options)).envelope;
					const verdict = readBack ? await readBack(request, read) : 'unknown';
					throwIfCancelled(signal);
					if (verdict === 'applied') {
						const envelope: AltcraftEnvelope = {
							error: 0,
							error_text: 'Confirmed by reading back',
							data: null,
						};
						return { envelope, confirmedByReadBack: true, resentAfterUnknownOutcome };
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
				throw transportError(
					request,
					attempt,
					options.itemIndex,
					attempts,
					'failed',
					mayHaveApplied,
				);
			}
			await sleepUnlessCancelled(backoff(attempts), signal);
		}
	}

	return {
		call,
		accountKey: createHash('sha256').update(`${baseUrl}\n${secret}`).digest('hex'),
		signal,
		close() {
			sender.close();
		},
	};
}
