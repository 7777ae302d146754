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
	if (typeof root !== 'object' || root === null || Array.isArray(root))
		throw badRequest('XML root element must be <xml>');
	return root as Params;
}

const NEEDS_ESCAPE = /[&<>"']/;

function escapeXml(s: string): string {
	if (!NEEDS_ESCAPE.test(s)) return s;
	return s.replace(/[&<>"']/g, (ch) =>
		ch === '&'
			? '&amp;'
			: ch === '<'
				? '&lt;'
				: ch === '>'
					? '&gt;'
					: ch === '"'
						? '&quot;'
						: '&apos;',
	);
}

/**
 * Collects the output in UTF-8 pieces of about 64 KB. The export of a program of 1,000,000
 * codes is ~50 MB of XML: kept as millions of small strings (or one rope of them) it cost
 * seconds of garbage collection; as pieces it is a few hundred Buffers.
 */
class XmlWriter {
	private readonly pieces: Buffer[] = [];
	private text = '';

	add(s: string): void {
		this.text += s;
		if (this.text.length >= 65536) this.flush();
	}

	result(): Buffer {
		this.flush();
		return this.pieces.length === 1 ? this.pieces[0] : Buffer.concat(this.pieces);
	}

	private flush(): void {
		if (this.text === '') return;
		this.pieces.push(Buffer.from(this.text, 'utf8'));
		this.text = '';
	}
}

function encodeInto(name: string, value: unknown, out: XmlWriter): void {
	if (value === null || value === undefined || value === '') {
		out.add(`<${name}/>`);
	} else if (Array.isArray(value)) {
		if (value.length === 0) out.add(`<${name}/>`);
		for (const v of value) encodeInto(name, v, out);
	} else if (typeof value === 'object') {
		const keys = Object.keys(value).sort();
		if (keys.length === 0) {
			out.add(`<${name}/>`);
			return;
		}
		out.add(`<${name}>`);
		for (const k of keys) encodeInto(k, (value as Record<string, unknown>)[k], out);
		out.add(`</${name}>`);
	} else {
		out.add(`<${name}>${escapeXml(String(value))}</${name}>`);
	}
}

/** Encode a response envelope as `<xml>…</xml>`, in UTF-8. */
export function encodeXmlBuffer(envelope: Record<string, unknown>): Buffer {
	const out = new XmlWriter();
	encodeInto('xml', envelope, out);
	return out.result();
}

/** Encode a response envelope as `<xml>…</xml>`. */
export function encodeXml(envelope: Record<string, unknown>): string {
	return encodeXmlBuffer(envelope).toString('utf8');
}
