import type { JsonObject, NodeApiError } from 'n8n-workflow';

import { endpointFacts } from './endpoints';
import { isTlsTrustProblem } from './http/networkErrors';
import { responseText } from './responseDecoding';
import type { AltcraftEnvelope, ApiMethod } from './types';

type NodeApiErrorOptions = NonNullable<ConstructorParameters<typeof NodeApiError>[2]>;

/**
 * What a failed call becomes: a plain object (no request options, no body, no
 * Error cause that could carry the token) plus the options for `NodeApiError`.
 */
export interface SanitizedFailure {
	response: JsonObject;
	options: NodeApiErrorOptions;
}

const REDACTED = '**hidden**';
const SNIPPET_LENGTH = 300;

/** Replaces every occurrence of the secret, whatever a server or library echoed back. */
export function redactSecret(text: string, secret: string): string {
	return secret ? text.split(secret).join(REDACTED) : text;
}

function methodLabel(method: ApiMethod): string {
	return `POST /api/v1.1/${method}`;
}

/** What to check for Altcraft's documented error codes; the node and the editor say the same. */
const HINTS_BY_ALTCRAFT_ERROR: Record<number, string> = {
	400: 'Altcraft considered the request malformed; check the parameters of this item.',
	401: 'Check the API token in the Altcraft API credential.',
	402: 'The Altcraft plan (tariff) limit has been reached.',
	403: 'Check that the API token has a role that allows promo-code operations.',
	429: 'Altcraft is rate limiting requests; space them out or run fewer items at once.',
	500: 'The Altcraft server failed; try again later.',
	502: 'The Altcraft server or a proxy in front of it failed; try again later.',
	503: 'Altcraft is unavailable at the moment; try again later.',
};

export function altcraftErrorHint(code: number): string | undefined {
	return HINTS_BY_ALTCRAFT_ERROR[code];
}

/** Every message about an item ends with ` [item N]`, as n8n's own nodes do; this is the one place that adds it. */
export function withItem(message: string, itemIndex: number): string {
	return `${message} [item ${itemIndex}]`;
}

export function describeAltcraftError(
	envelope: AltcraftEnvelope,
	context: { method: ApiMethod; statusCode: number; itemIndex: number; secret: string },
): SanitizedFailure {
	const errorText = redactSecret(envelope.error_text || 'no error text given', context.secret);
	const hint = HINTS_BY_ALTCRAFT_ERROR[envelope.error];
	const description = [
		`${methodLabel(context.method)} answered HTTP ${context.statusCode} with Altcraft error ${envelope.error}.`,
		hint,
	]
		.filter(Boolean)
		.join(' ');
	return {
		response: {
			altcraftError: envelope.error,
			altcraftErrorText: errorText,
			httpStatus: context.statusCode,
		},
		options: {
			message: withItem(`Altcraft error ${envelope.error}: ${errorText}`, context.itemIndex),
			description,
			httpCode: String(context.statusCode),
			itemIndex: context.itemIndex,
		},
	};
}

/** The readable start of a body (tags and scripts stripped), redacted, for an error message. */
export function bodySnippet(text: string, secret: string, maxLength = SNIPPET_LENGTH): string {
	const plain = text
		.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
		.replace(/<[^>]*>/g, ' ')
		.replace(/\s+/g, ' ')
		.trim();
	const snippet = plain.length > maxLength ? `${plain.slice(0, maxLength)}…` : plain;
	return redactSecret(snippet, secret);
}

export function describeUnreadableResponse(
	body: unknown,
	context: {
		method: ApiMethod;
		statusCode: number;
		contentType: string;
		retryAfter?: string;
		itemIndex: number;
		secret: string;
	},
): SanitizedFailure {
	const text = responseText(body);
	const isHtml = /html/i.test(context.contentType) || /^\s*<(!doctype|html)/i.test(text);
	const what = isHtml ? 'an HTML page' : 'a body that is neither an Altcraft JSON nor XML response';
	let message = `Altcraft answered HTTP ${context.statusCode} with ${what}`;
	let hint =
		'Check that the Base URL in the Altcraft API credential is the address of your Altcraft instance (e.g. https://example.altcraft.com).';
	if (context.statusCode === 429) {
		message = 'Altcraft is rate limiting requests (HTTP 429)';
		hint = context.retryAfter
			? `Altcraft asked to retry after ${context.retryAfter} seconds; space requests out or run fewer items at once.`
			: 'Space requests out or run fewer items at once.';
	} else if (context.statusCode >= 500) {
		hint = 'The Altcraft server or a proxy in front of it failed; try again later.';
	}
	const snippet = bodySnippet(text, context.secret);
	return {
		response: {
			httpStatus: context.statusCode,
			contentType: context.contentType,
			bodySnippet: snippet,
		},
		options: {
			message: withItem(message, context.itemIndex),
			description: `${methodLabel(context.method)}: ${hint}${snippet ? ` Response began: "${snippet}"` : ''}`,
			httpCode: String(context.statusCode),
			itemIndex: context.itemIndex,
		},
	};
}

/** How a request without an HTTP answer (or with a gateway failure) ended for the item. */
export interface TransportFailureContext {
	method: ApiMethod;
	origin: string;
	itemIndex: number;
	secret: string;
	attempts: number;
	/** What failed last: no answer (with `sent`/`timedOut`), or a gateway page (`statusCode`). */
	last: {
		reason: string;
		sent: boolean;
		timedOut: boolean;
		timeoutMs: number;
		statusCode?: number;
	};
	/**
	 * `unknown`: the request may have been applied and reading back did not settle it;
	 * `mayHaveAttached`: an attach without a code, which is never resent after sending.
	 */
	outcome: 'failed' | 'unknown' | 'mayHaveAttached';
	/** An earlier attempt reached Altcraft and lost its answer: it may have been applied. */
	earlierAttemptMayHaveApplied: boolean;
	code?: string;
	loyaltyId?: number;
}

function whatHappened(last: TransportFailureContext['last']): string {
	if (last.statusCode) return `a gateway in front of Altcraft answered HTTP ${last.statusCode}`;
	if (last.timedOut)
		return `Altcraft did not answer within ${Math.round(last.timeoutMs / 100) / 10} s`;
	if (!last.sent) return 'the request could not be sent';
	return 'the connection broke before an answer arrived';
}

function capitalize(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * A request that ended without a usable answer. Calls with side effects never advise an
 * immediate retry: the message says whether anything may have changed and what to check.
 */
export function describeTransportFailure(context: TransportFailureContext): SanitizedFailure {
	const { last } = context;
	const reason = redactSecret(last.reason, context.secret);
	const tries = context.attempts === 1 ? 'once' : `${context.attempts} times`;
	const label = methodLabel(context.method);
	const codeRef =
		context.code !== undefined
			? `promo code "${redactSecret(context.code, context.secret)}" in loyalty program ${context.loyaltyId}`
			: '';
	let message: string;
	let description: string;
	if (context.outcome === 'mayHaveAttached') {
		message = `${capitalize(whatHappened(last))}: Altcraft may have attached a promo code to this profile`;
		description = `${label} was sent, then ${reason}. Altcraft does not say which code an attach without a code gives, so the node does not send it again. Check the profile's promo codes in Altcraft before running this item again, or use "Attach Free Code", which reports the code and settles this by reading back.`;
	} else if (context.outcome === 'unknown') {
		const action = endpointFacts(context.method).action;
		message = `${capitalize(whatHappened(last))}: whether ${action} was applied is unknown`;
		description = `${label} was sent, then ${reason}, and reading the code back did not settle it. Check ${codeRef || 'the promo code'} in Altcraft before running this item again.`;
	} else if (!last.sent && !last.statusCode && isTlsTrustProblem(reason)) {
		message = `Could not verify the TLS certificate of Altcraft at ${context.origin}`;
		description = `${label} failed before the request reached Altcraft (${reason}); nothing was changed. If your Altcraft instance uses a self-signed certificate or an internal certificate authority, turn on "Ignore SSL Issues" in the Altcraft API credential (or add the authority to NODE_EXTRA_CA_CERTS of n8n).`;
	} else if (!last.sent && !last.statusCode) {
		message = `Could not reach Altcraft at ${context.origin}`;
		const changed = context.earlierAttemptMayHaveApplied
			? 'an earlier attempt reached Altcraft and lost its answer, so it may have been applied (sending this request again is harmless)'
			: 'nothing was changed';
		description = `${label} failed before the request reached Altcraft (${reason}); ${changed}. Tried ${tries}. Check the Base URL in the Altcraft API credential and that the instance is reachable from n8n.`;
	} else {
		message = capitalize(whatHappened(last));
		const advice = last.timedOut
			? 'If Altcraft is just slow, raise Options → Timeout; otherwise check that the instance is reachable from n8n.'
			: 'Check that the Altcraft instance is reachable from n8n.';
		description = `${label}: ${reason}. Tried ${tries}. ${advice}`;
	}
	return {
		response: {
			networkError: reason,
			attempts: context.attempts,
			outcome: context.outcome,
			...(last.statusCode ? { httpStatus: last.statusCode } : {}),
		},
		options: {
			message: withItem(message, context.itemIndex),
			description,
			itemIndex: context.itemIndex,
			...(last.statusCode ? { httpCode: String(last.statusCode) } : {}),
		},
	};
}

/** Altcraft (429 rate limit, 503 unavailable) asked to wait longer than the node waits for a `Retry-After`. */
export function describeRetryAfterTooLong(context: {
	method: ApiMethod;
	itemIndex: number;
	statusCode: number;
	waitMs: number;
	maxWaitMs: number;
}): SanitizedFailure {
	const seconds = Math.ceil(context.waitMs / 1000);
	const what = context.statusCode === 429 ? 'rate limiting requests' : 'unavailable';
	return {
		response: { httpStatus: context.statusCode, retryAfterSeconds: seconds },
		options: {
			message: withItem(`Altcraft is ${what} for ${seconds} s`, context.itemIndex),
			description: `${methodLabel(context.method)} answered HTTP ${context.statusCode} and asked to wait ${seconds} s, longer than the ${context.maxWaitMs / 1000} s this node waits. Nothing was changed by this request. ${context.statusCode === 429 ? 'Lower Options → Concurrency, use Options → Batching, or run the workflow later.' : 'Run the workflow again when Altcraft is back.'}`,
			httpCode: String(context.statusCode),
			itemIndex: context.itemIndex,
		},
	};
}
