import type { IDataObject } from 'n8n-workflow';

import type { AltcraftParameterValue, AltcraftRequestBody } from './types';

/** Keys Altcraft documents as integers; XML carries them as text. */
const INTEGER_KEYS = new Set([
	'error',
	'loyalty_id',
	'database_id',
	'db_id',
	'inserted',
	'duplicated',
	'discarded_by_limit',
	'next_from_id',
	'total_count',
	'id',
	'Id',
]);

/** Keys Altcraft documents as booleans. */
const BOOLEAN_KEYS = new Set(['is_attached', 'is_activated', 'is_expired']);

const XML_ESCAPES: Record<string, string> = {
	'&': '&amp;',
	'<': '&lt;',
	'>': '&gt;',
	'"': '&quot;',
	"'": '&apos;',
};

export function escapeXmlText(value: string): string {
	return value.replace(/[&<>"']/g, (character) => XML_ESCAPES[character]);
}

function encodeElement(name: string, value: AltcraftParameterValue): string {
	if (Array.isArray(value)) return value.map((entry) => encodeElement(name, entry)).join('');
	if (typeof value === 'object') {
		return `<${name}>${Object.entries(value)
			.map(([key, entry]) => encodeElement(key, entry))
			.join('')}</${name}>`;
	}
	return `<${name}>${escapeXmlText(String(value))}</${name}>`;
}

/** Altcraft's XML dialect: root `<xml>`, one element per parameter, arrays as repeated elements. */
export function encodeXmlRequest(body: AltcraftRequestBody): string {
	const elements = Object.entries(body).map(([name, value]) => encodeElement(name, value));
	return `<xml>${elements.join('')}</xml>`;
}

type XmlValue = string | XmlObject | XmlValue[];
interface XmlObject {
	[key: string]: XmlValue;
}

/** XML has only text; restore the JSON types by the documented meaning of each key. */
function typeXmlValue(key: string, value: XmlValue): IDataObject[keyof IDataObject] {
	if (Array.isArray(value)) {
		return value.map((entry) => typeXmlValue(key, entry)) as IDataObject[];
	}
	if (typeof value === 'object') return typeXmlObject(value);
	if (INTEGER_KEYS.has(key) && /^-?\d+$/.test(value)) return Number(value);
	if (BOOLEAN_KEYS.has(key) && (value === 'true' || value === 'false')) return value === 'true';
	return value;
}

function typeXmlObject(object: XmlObject): IDataObject {
	const typed: IDataObject = {};
	for (const [key, value] of Object.entries(object)) typed[key] = typeXmlValue(key, value);
	return typed;
}

/**
 * Parses an Altcraft XML document into the object its JSON twin would be.
 * `data` is always an array for list endpoints, so one element still gives an array.
 * Returns `undefined` when the text is not an `<xml>` document.
 */
export async function decodeXmlDocument(
	text: string,
	dataIsList: boolean,
): Promise<IDataObject | undefined> {
	// Loaded on first XML use only, so JSON users never pay for the parser.
	const { XMLParser, XMLValidator } = await import('fast-xml-parser');
	if (XMLValidator.validate(text) !== true) return undefined;
	const parser = new XMLParser({
		ignoreAttributes: true,
		ignoreDeclaration: true,
		parseTagValue: false,
		trimValues: true,
		processEntities: true,
		isArray: (_name, jpath) => dataIsList && jpath === 'xml.data',
	});
	const parsed = parser.parse(text) as { xml?: XmlObject | string };
	if (parsed.xml === undefined) return undefined;
	if (typeof parsed.xml === 'string') return {};
	return typeXmlObject(parsed.xml);
}
