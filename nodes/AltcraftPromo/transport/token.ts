import { escapeXmlText } from './xmlCodec';

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return (
		typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype
	);
}

/**
 * The one place that puts the API token into a request body, used by the credential's
 * `authenticate` (requests through n8n's helper) and by the node's own kept-alive connections.
 * Altcraft documents the token as a body parameter on every version; a JSON body gets a
 * `token` key, an `<xml>` body a leading `<token>` element. Anything else is left alone.
 * Returns a new value: the caller's body is never modified.
 */
export function withToken<TBody>(
	body: TBody,
	token: string,
): TBody | Record<string, unknown> | string {
	if (typeof body === 'string' && body.startsWith('<xml>')) {
		return `<xml><token>${escapeXmlText(token)}</token>${body.slice('<xml>'.length)}`;
	}
	if (body === undefined || body === null || isPlainObject(body)) {
		return { ...(body ?? {}), token };
	}
	return body;
}
