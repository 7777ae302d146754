/**
 * XML wire format, as in the Altcraft promo examples: root element <xml>,
 * arrays as repeated sibling elements, empty/null values as self-closing
 * elements, booleans as true/false, no prolog, children in alphabetical order.
 */
import { XMLParser } from 'fast-xml-parser';
import { badRequest } from './errors';
import type { Params } from './params';

/** Request fields that are arrays even when they occur once. */
const ARRAY_FIELDS = new Set(['xml.codes', 'xml.ui_tags', 'xml.groups', 'xml.groups_id']);

const parser = new XMLParser({
	ignoreAttributes: true,
	parseTagValue: false,
	trimValues: true,
	ignoreDeclaration: true,
	isArray: (_name: string, jPath: string) => ARRAY_FIELDS.has(jPath),
});

/** Parse an XML request body into a plain object of strings (and arrays of strings). Throws a 400. */
export function decodeXml(text: string): Params {
	let doc: unknown;
	try {
		doc = parser.parse(text, true);
	} catch (e) {
		throw badRequest(`invalid XML: ${(e as Error).message.split('\n')[0]}`);
	}
	if (typeof doc !== 'object' || doc === null || !('xml' in doc)) {
		throw badRequest('XML root element must be <xml>');
	}
	const root = (doc as { xml: unknown }).xml;
	if (root === '' || root === undefined) return {};
	if (typeof root !== 'object' || root === null || Array.isArray(root)) throw badRequest('XML root element must be <xml>');
	return root as Params;
}

function escapeXml(s: string): string {
	return s.replace(/[&<>"']/g, (ch) =>
		ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : ch === '"' ? '&quot;' : '&apos;',
	);
}

function encodeInto(name: string, value: unknown, out: string[]): void {
	if (value === null || value === undefined || value === '') {
		out.push(`<${name}/>`);
	} else if (Array.isArray(value)) {
		if (value.length === 0) out.push(`<${name}/>`);
		for (const v of value) encodeInto(name, v, out);
	} else if (typeof value === 'object') {
		const keys = Object.keys(value).sort();
		if (keys.length === 0) {
			out.push(`<${name}/>`);
			return;
		}
		out.push(`<${name}>`);
		for (const k of keys) encodeInto(k, (value as Record<string, unknown>)[k], out);
		out.push(`</${name}>`);
	} else {
		out.push(`<${name}>${escapeXml(String(value))}</${name}>`);
	}
}

/** Encode a response envelope as `<xml>…</xml>`. */
export function encodeXml(envelope: Record<string, unknown>): string {
	const out: string[] = [];
	encodeInto('xml', envelope, out);
	return out.join('');
}
