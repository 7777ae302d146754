import type { IDataObject } from 'n8n-workflow';

import { endpointFacts } from './endpoints';
import type { AltcraftEnvelope, ApiMethod } from './types';
import { decodeXmlDocument } from './xmlCodec';

function isListMethod(method: ApiMethod): boolean {
	return endpointFacts(method).data === 'list';
}

/** The response body as text, whatever form the HTTP layer handed it over in. */
export function responseText(body: unknown): string {
	return Buffer.isBuffer(body) ? body.toString('utf8') : String(body ?? '');
}

function parseJsonDocument(text: string): IDataObject | undefined {
	try {
		const parsed: unknown = JSON.parse(text);
		return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
			? (parsed as IDataObject)
			: undefined;
	} catch {
		return undefined;
	}
}

function readErrorCode(value: unknown): number | undefined {
	if (typeof value === 'number' && Number.isInteger(value)) return value;
	if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value);
	return undefined;
}

/**
 * Gives `data` one shape per method whatever the wire format said:
 * list methods always an array, action methods `null` when empty.
 */
function normalizeData(method: ApiMethod, data: unknown): AltcraftEnvelope['data'] {
	if (isListMethod(method)) {
		if (!Array.isArray(data)) return data && typeof data === 'object' ? [data as IDataObject] : [];
		return data.filter(
			(entry): entry is IDataObject => typeof entry === 'object' && entry !== null,
		);
	}
	if (data === undefined || data === null || data === '') return null;
	return typeof data === 'object' ? (data as IDataObject) : null;
}

/**
 * Reads an Altcraft response body, JSON or XML, into the envelope.
 * The body is sniffed rather than trusted to the Content-Type header, because a
 * proxy error page or a server ignoring `format` must still be recognised.
 * Returns `undefined` when the body is not an Altcraft envelope at all.
 */
export async function decodeAltcraftBody(
	body: unknown,
	method: ApiMethod,
): Promise<AltcraftEnvelope | undefined> {
	let document: IDataObject | undefined;
	if (typeof body === 'object' && body !== null && !Buffer.isBuffer(body)) {
		document = body as IDataObject;
	} else {
		const trimmed = responseText(body).trim();
		if (trimmed.startsWith('{')) document = parseJsonDocument(trimmed);
		else if (trimmed.startsWith('<')) {
			document = await decodeXmlDocument(trimmed, isListMethod(method));
		}
	}
	if (!document) return undefined;

	const error = readErrorCode(document.error);
	if (error === undefined) return undefined;
	return {
		...document,
		error,
		error_text: typeof document.error_text === 'string' ? document.error_text : '',
		data: normalizeData(method, document.data),
	};
}
