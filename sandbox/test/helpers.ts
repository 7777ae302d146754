import { XMLParser } from 'fast-xml-parser';
import type { Sandbox } from '../src';

export interface CallOptions {
	/** Send the body as XML (Content-Type: application/xml). */
	xml?: boolean;
	/** Leave out the token. */
	noToken?: boolean;
	/** Extra request headers. */
	headers?: Record<string, string>;
	/** Path suffix override, e.g. 'promocodes/get/'. */
	path?: string;
}

export interface Reply {
	status: number;
	headers: Headers;
	text: string;
	/** Parsed JSON envelope, or the XML parsed (strings) from <xml>. */
	body: Record<string, unknown>;
}

const xmlParser = new XMLParser({ parseTagValue: false, ignoreAttributes: true });

export function toXml(params: Record<string, unknown>): string {
	const parts: string[] = [];
	for (const [k, v] of Object.entries(params)) {
		for (const item of Array.isArray(v) ? v : [v]) parts.push(`<${k}>${String(item)}</${k}>`);
	}
	return `<xml>${parts.join('')}</xml>`;
}

/** POST an API method to the sandbox. */
export async function call(
	sb: Sandbox,
	method: string,
	params: Record<string, unknown> = {},
	opts: CallOptions = {},
): Promise<Reply> {
	const withToken = opts.noToken ? params : { token: sb.token, ...params };
	const res = await fetch(`${sb.baseUrl}/api/v1.1/${opts.path ?? method}`, {
		method: 'POST',
		headers: { 'Content-Type': opts.xml ? 'application/xml' : 'application/json', ...opts.headers },
		body: opts.xml ? toXml(withToken) : JSON.stringify(withToken),
	});
	const text = await res.text();
	let body: Record<string, unknown> = {};
	if (params.format === 'xml')
		body = (xmlParser.parse(text) as { xml: Record<string, unknown> }).xml;
	else if ((res.headers.get('content-type') ?? '').includes('json')) {
		try {
			body = JSON.parse(text) as Record<string, unknown>;
		} catch {
			body = {};
		}
	}
	return { status: res.status, headers: res.headers, text, body };
}

/** call() and expect HTTP 200 + error 0; returns the envelope. */
export async function ok(
	sb: Sandbox,
	method: string,
	params: Record<string, unknown> = {},
	opts: CallOptions = {},
): Promise<Record<string, unknown>> {
	const r = await call(sb, method, params, opts);
	if (r.status !== 200 || String(r.body.error) !== '0') {
		throw new Error(`${method} failed: HTTP ${r.status} ${r.text}`);
	}
	return r.body;
}

/** call() and return [error, error_text] of the envelope (as numbers/strings). */
export async function fails(
	sb: Sandbox,
	method: string,
	params: Record<string, unknown> = {},
	opts: CallOptions = {},
): Promise<[number, string]> {
	const r = await call(sb, method, params, opts);
	return [Number(r.body.error), String(r.body.error_text)];
}
