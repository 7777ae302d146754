import type {
	IExecuteFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INode,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { AltcraftEnvelope, AltcraftRequest, WireFormat } from '../helpers/types';
import { buildEndpointUrl, normalizeBaseUrl } from './baseUrl';
import { describeAltcraftError, describeNetworkFailure, describeUnreadableResponse } from './errors';
import { decodeAltcraftBody } from './responseDecoding';
import { encodeXmlRequest } from './xmlCodec';

export const CREDENTIAL_TYPE = 'altcraftApi';

const CONTENT_TYPES: Record<WireFormat, string> = {
	json: 'application/json',
	xml: 'application/xml',
};

export interface AltcraftClient {
	/** Sends one request and returns Altcraft's envelope; any failure throws a sanitized `NodeApiError`. */
	send(request: AltcraftRequest, format: WireFormat, itemIndex: number): Promise<AltcraftEnvelope>;
}

function headerValue(headers: IN8nHttpFullResponse['headers'], name: string): string {
	const value = headers?.[name];
	return Array.isArray(value) ? value.join(', ') : typeof value === 'string' ? value : '';
}

function buildHttpOptions(url: string, request: AltcraftRequest, format: WireFormat): IHttpRequestOptions {
	// The token is not here: the credential's authenticate() adds it to the body, JSON or XML.
	// JSON omits `format` because json is Altcraft's default on every version.
	const body = format === 'xml' ? encodeXmlRequest({ ...request.body, format: 'xml' }) : { ...request.body };
	return {
		method: 'POST',
		url,
		headers: { 'Content-Type': CONTENT_TYPES[format], Accept: CONTENT_TYPES[format] },
		body,
		json: false,
		encoding: 'text',
		returnFullResponse: true,
		// Altcraft reports failures in the envelope, sometimes with HTTP 200, so every status is read here.
		ignoreHttpStatusErrors: true,
	};
}

/**
 * The one place that talks to Altcraft: base URL, wire format, token redaction and error mapping.
 * Credentials are read once per execution, not once per item.
 */
export async function createAltcraftClient(context: IExecuteFunctions): Promise<AltcraftClient> {
	const node: INode = context.getNode();
	const credentials = await context.getCredentials(CREDENTIAL_TYPE);
	const baseUrl = normalizeBaseUrl(credentials.baseUrl);
	if (!baseUrl) {
		throw new NodeOperationError(
			node,
			'The Base URL in the Altcraft API credential must be an http:// or https:// address',
			{
				description:
					'Enter the address of your Altcraft instance, e.g. https://example.altcraft.com (with or without /api/v1.1).',
			},
		);
	}
	const secret = typeof credentials.token === 'string' ? credentials.token : '';
	const origin = new URL(baseUrl).origin;

	return {
		async send(request, format, itemIndex) {
			const options = buildHttpOptions(buildEndpointUrl(baseUrl, request.endpoint), request, format);
			let response: IN8nHttpFullResponse;
			try {
				response = (await context.helpers.httpRequestWithAuthentication.call(
					context,
					CREDENTIAL_TYPE,
					options,
				)) as IN8nHttpFullResponse;
			} catch (error) {
				// Rebuilt from scratch: the library's error holds the request config, token included.
				const failure = describeNetworkFailure(error, {
					endpoint: request.endpoint,
					origin,
					itemIndex,
					secret,
				});
				throw new NodeApiError(node, failure.response, failure.options);
			}

			const envelope = await decodeAltcraftBody(response.body, request.endpoint);
			if (!envelope) {
				const failure = describeUnreadableResponse(response.body, {
					endpoint: request.endpoint,
					statusCode: response.statusCode,
					contentType: headerValue(response.headers, 'content-type'),
					retryAfter: headerValue(response.headers, 'retry-after') || undefined,
					itemIndex,
					secret,
				});
				throw new NodeApiError(node, failure.response, failure.options);
			}
			if (envelope.error !== 0) {
				const failure = describeAltcraftError(envelope, {
					endpoint: request.endpoint,
					statusCode: response.statusCode,
					itemIndex,
					secret,
				});
				throw new NodeApiError(node, failure.response, failure.options);
			}
			return envelope;
		},
	};
}
