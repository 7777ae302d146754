import type { AltcraftRequestBody, WireFormat } from '../types';
import { encodeXmlRequest } from '../xmlCodec';

export const CONTENT_TYPES: Record<WireFormat, string> = {
	json: 'application/json',
	xml: 'application/xml',
};

/**
 * The body as Altcraft reads it, without the token. JSON omits `format` because json is the
 * default on every Altcraft version; XML asks for an XML answer.
 */
export function encodeBody(
	body: AltcraftRequestBody,
	format: WireFormat,
): string | AltcraftRequestBody {
	return format === 'xml' ? encodeXmlRequest({ ...body, format: 'xml' }) : { ...body };
}
