import type {
	IExecuteFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IN8nHttpFullResponse,
} from 'n8n-workflow';

import { CONTENT_TYPES, encodeBody } from './encodeBody';
import { NOT_SENT_CODES } from './networkErrors';
import { type Sender, TransportFailure, type WireResponse } from './types';

interface ErrorShape {
	message?: unknown;
	code?: unknown;
	httpCode?: unknown;
	cause?: { code?: unknown; message?: unknown };
}

function headerText(value: unknown): string {
	return Array.isArray(value) ? value.join(', ') : typeof value === 'string' ? value : '';
}

/**
 * Sends through n8n's own request helper, used when n8n would route the request through a proxy
 * (HTTP_PROXY / HTTPS_PROXY / ALL_PROXY, NO_PROXY), so proxies keep working exactly as for every
 * other node. The credential's `authenticate` adds the token, through the same `withToken`.
 */
export function createN8nHelperSender(
	context: IExecuteFunctions | ILoadOptionsFunctions,
	credentialType: string,
	allowUnauthorizedCerts: boolean,
): Sender {
	return {
		async send(request) {
			if (request.signal?.aborted) return TransportFailure.stopped(false);
			const options: IHttpRequestOptions = {
				method: 'POST',
				url: request.url,
				headers: {
					'Content-Type': CONTENT_TYPES[request.format],
					Accept: CONTENT_TYPES[request.format],
				},
				body: encodeBody(request.body, request.format),
				json: false,
				encoding: 'text',
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: request.timeoutMs,
				skipSslCertificateValidation: allowUnauthorizedCerts,
				// n8n-core sets the execution's own signal too; this one also covers the editor's lookups.
				...(request.signal ? { abortSignal: request.signal } : {}),
			};
			let response: IN8nHttpFullResponse;
			try {
				response = (await context.helpers.httpRequestWithAuthentication.call(
					context,
					credentialType,
					options,
				)) as IN8nHttpFullResponse;
			} catch (error) {
				// The helper cannot tell how far the request got when it was aborted: assume it arrived.
				if (request.signal?.aborted) return TransportFailure.stopped(true);
				const shape = (typeof error === 'object' && error !== null ? error : {}) as ErrorShape;
				const code = [shape.code, shape.httpCode, shape.cause?.code].find(
					(value): value is string => typeof value === 'string' && /^[A-Z_]+$/.test(value),
				);
				const message = typeof shape.message === 'string' ? shape.message : 'request failed';
				const timedOut =
					code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(message);
				// Only errors that prove nothing was sent count as unsent; a timeout may come after the body.
				return new TransportFailure(message, !(code && NOT_SENT_CODES.has(code)), timedOut, code);
			}
			const headers: Record<string, string> = {};
			for (const [name, value] of Object.entries(response.headers ?? {}))
				headers[name.toLowerCase()] = headerText(value);
			const body = Buffer.isBuffer(response.body)
				? response.body.toString('utf8')
				: String(response.body ?? '');
			const answer: WireResponse = { statusCode: response.statusCode, headers, body };
			return answer;
		},
		close() {},
	};
}
