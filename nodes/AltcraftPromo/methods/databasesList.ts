/**
 * `databases/list` for the editor: the credential test and the Database list both call it,
 * through different n8n helpers, and judge its answer here, so both say the same thing.
 * Messages never contain the token: whatever a server echoes is redacted first.
 */

import {
	altcraftErrorHint,
	bodySnippet,
	decodeAltcraftBody,
	isTlsTrustProblem,
	redactSecret,
} from '../transport';

export const DATABASES_LIST_PATH = '/api/v1.1/databases/list';

/** How long the editor waits for Altcraft before it says so. */
export const LOOKUP_TIMEOUT_MS = 15_000;

/** An HTTP answer of any status, as text. */
export interface RawAnswer {
	statusCode: number;
	contentType: string;
	body: string;
}

export interface AltcraftDatabase {
	id: number;
	name: string;
}

export type DatabasesListOutcome =
	| { ok: true; databases: AltcraftDatabase[]; nextFromId: number | undefined }
	| { ok: false; message: string };

const SNIPPET_LENGTH = 120;

function asInteger(value: unknown): number | undefined {
	if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
	if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
	return undefined;
}

function readDatabase(entry: unknown): AltcraftDatabase | undefined {
	if (typeof entry !== 'object' || entry === null) return undefined;
	const { id, name } = entry as { id?: unknown; name?: unknown };
	const numericId = asInteger(id);
	if (numericId === undefined) return undefined;
	return {
		id: numericId,
		name: typeof name === 'string' && name.trim() !== '' ? name : `Database ${numericId}`,
	};
}

/**
 * Altcraft's verdict on a `databases/list` call: the databases, or a message that says what
 * went wrong and what to check. Altcraft's own error code and text are passed on as they are.
 */
export async function judgeDatabasesList(
	answer: RawAnswer,
	origin: string,
	secret: string,
): Promise<DatabasesListOutcome> {
	const envelope = await decodeAltcraftBody(answer.body, 'databases/list');
	if (!envelope) {
		const isHtml = /html/i.test(answer.contentType) || /^\s*<(!doctype|html)/i.test(answer.body);
		const what = isHtml
			? 'an HTML page'
			: answer.body.trim() === ''
				? 'an empty answer'
				: 'an answer';
		const snippet = bodySnippet(answer.body, secret, SNIPPET_LENGTH);
		return {
			ok: false,
			message:
				`${origin} answered HTTP ${answer.statusCode} with ${what} that is not from the Altcraft API` +
				`${snippet ? ` ("${snippet}")` : ''}. Check the Base URL: the address of your Altcraft instance, e.g. https://example.altcraft.com`,
		};
	}
	if (envelope.error !== 0) {
		const text = envelope.error_text.trim() !== '' ? envelope.error_text.trim() : 'no error text';
		const hint = altcraftErrorHint(envelope.error) ?? 'Check the Base URL and the API token.';
		return {
			ok: false,
			message: redactSecret(
				`Altcraft error ${envelope.error}: ${text.replace(/\.+$/, '')}. ${hint}`,
				secret,
			),
		};
	}
	const entries = Array.isArray(envelope.data) ? envelope.data : [];
	const databases = entries
		.map(readDatabase)
		.filter((entry): entry is AltcraftDatabase => entry !== undefined);
	return { ok: true, databases, nextFromId: asInteger(envelope.next_from_id) };
}

interface ErrorShape {
	code?: unknown;
	httpCode?: unknown;
	message?: unknown;
	cause?: unknown;
}

/** The system error code (ECONNREFUSED, DEPTH_ZERO_SELF_SIGNED_CERT, ...) wherever a helper put it. */
function systemErrorCode(error: unknown): string | undefined {
	let current: unknown = error;
	for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
		const shape = current as ErrorShape;
		for (const candidate of [shape.code, shape.httpCode]) {
			if (typeof candidate === 'string' && /^[A-Z][A-Z0-9_]+$/.test(candidate)) return candidate;
		}
		current = shape.cause;
	}
	const message =
		typeof (error as ErrorShape | undefined)?.message === 'string'
			? ((error as ErrorShape).message as string)
			: '';
	return message.match(/\b(E[A-Z]{3,}|[A-Z_]*CERT[A-Z_]*|ERR_[A-Z_]+)\b/)?.[1];
}

/** n8n's request helper turns certificate errors into a NodeSslError that keeps neither code nor cause. */
function isUntrustedCertificate(error: unknown, code: string, message: string): boolean {
	const name = (error as { name?: unknown } | undefined)?.name;
	return name === 'NodeSslError' || isTlsTrustProblem(code) || isTlsTrustProblem(message);
}

/** A request that got no HTTP answer: refused, unknown host, timeout, TLS. */
export function describeNoAnswer(error: unknown, origin: string, secret: string): string {
	const code = systemErrorCode(error) ?? '';
	const host = new URL(origin).host;
	const rawMessage =
		typeof (error as ErrorShape | undefined)?.message === 'string'
			? ((error as ErrorShape).message as string)
			: String(error);
	let message: string;
	if (code === 'ECONNREFUSED') {
		message = `${host} refused the connection (ECONNREFUSED). Check the Base URL (host and port) and that Altcraft is running and reachable from n8n.`;
	} else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
		message = `The host ${host} was not found (${code}). Check the Base URL.`;
	} else if (
		code !== 'ERR_SSL_WRONG_VERSION_NUMBER' &&
		isUntrustedCertificate(error, code, rawMessage)
	) {
		message =
			`The TLS certificate of ${host} is not trusted${code ? ` (${code})` : ''}. If your Altcraft uses a self-signed certificate ` +
			'or one from an internal certificate authority, turn on "Ignore SSL Issues" in this credential.';
	} else if (
		code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
		code === 'EPROTO' ||
		/wrong version number/i.test(rawMessage)
	) {
		message = `${host} did not answer with TLS (${code || 'EPROTO'}). If the instance is served over plain HTTP, the Base URL starts with http://.`;
	} else if (code === 'ETIMEDOUT' || code === 'ECONNABORTED' || /timeout/i.test(rawMessage)) {
		message = `${origin} did not answer within ${LOOKUP_TIMEOUT_MS / 1000} s. Check the Base URL and that Altcraft is reachable from n8n.`;
	} else if (code === 'ECONNRESET' || code === 'EPIPE') {
		message = `${host} closed the connection (${code}). Check the Base URL (http:// or https://, port) and any proxy between n8n and Altcraft.`;
	} else {
		message = `Could not reach ${origin}: ${code ? `${code}: ` : ''}${rawMessage}. Check the Base URL and that Altcraft is reachable from n8n.`;
	}
	return redactSecret(message, secret);
}
