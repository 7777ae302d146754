import type { JsonObject, NodeApiError } from 'n8n-workflow';

import type { AltcraftEnvelope, PromoEndpoint } from '../helpers/types';
import { responseText } from './responseDecoding';

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

function endpointLabel(endpoint: PromoEndpoint): string {
	return `POST /api/v1.1/promocodes/${endpoint}`;
}

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

function itemSuffix(itemIndex: number): string {
	return ` [item ${itemIndex}]`;
}

export function describeAltcraftError(
	envelope: AltcraftEnvelope,
	context: { endpoint: PromoEndpoint; statusCode: number; itemIndex: number; secret: string },
): SanitizedFailure {
	const errorText = redactSecret(envelope.error_text || 'no error text given', context.secret);
	const hint = HINTS_BY_ALTCRAFT_ERROR[envelope.error];
	const description = [
		`${endpointLabel(context.endpoint)} answered HTTP ${context.statusCode} with Altcraft error ${envelope.error}.`,
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
			message: `Altcraft error ${envelope.error}: ${errorText}${itemSuffix(context.itemIndex)}`,
			description,
			httpCode: String(context.statusCode),
			itemIndex: context.itemIndex,
		},
	};
}

function bodySnippet(text: string, secret: string): string {
	const plain = text
		.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
		.replace(/<[^>]*>/g, ' ')
		.replace(/\s+/g, ' ')
		.trim();
	const snippet = plain.length > SNIPPET_LENGTH ? `${plain.slice(0, SNIPPET_LENGTH)}…` : plain;
	return redactSecret(snippet, secret);
}

export function describeUnreadableResponse(
	body: unknown,
	context: {
		endpoint: PromoEndpoint;
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
			message: `${message}${itemSuffix(context.itemIndex)}`,
			description: `${endpointLabel(context.endpoint)}: ${hint}${snippet ? ` Response began: "${snippet}"` : ''}`,
			httpCode: String(context.statusCode),
			itemIndex: context.itemIndex,
		},
	};
}

interface NetworkErrorShape {
	message?: unknown;
	code?: unknown;
	/** n8n's own wrapper keeps the system error code (ECONNREFUSED, ETIMEDOUT...) here. */
	httpCode?: unknown;
	cause?: { code?: unknown; message?: unknown };
}

/** A request that got no HTTP answer at all: refused, reset, timed out, DNS. */
export function describeNetworkFailure(
	error: unknown,
	context: { endpoint: PromoEndpoint; origin: string; itemIndex: number; secret: string },
): SanitizedFailure {
	const shape = (typeof error === 'object' && error !== null ? error : {}) as NetworkErrorShape;
	const code = [shape.code, shape.httpCode, shape.cause?.code].find((value) => typeof value === 'string');
	const rawMessage = typeof shape.message === 'string' ? shape.message : String(error);
	const reason = redactSecret(code ? `${code}: ${rawMessage}` : rawMessage, context.secret);
	return {
		response: { networkError: reason },
		options: {
			message: `Could not reach Altcraft at ${context.origin}${itemSuffix(context.itemIndex)}`,
			description: `${endpointLabel(context.endpoint)} failed before any answer arrived (${reason}). Check the Base URL in the Altcraft API credential and that the instance is reachable from n8n.`,
			itemIndex: context.itemIndex,
		},
	};
}
