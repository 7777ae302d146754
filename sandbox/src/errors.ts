/**
 * The ONE table of every error the sandbox can answer with.
 *
 * Altcraft documents only a few of these: `0 Successful operation` and the
 * per-code import result `500 Promocode duplicated` word for word (source
 * `altcraft`); the codes 400 (malformed request) and 401 (API token required)
 * by meaning only (source `altcraft-code`: the text is the sandbox's wording).
 * Every other code and text, and every HTTP status, is the sandbox's own
 * choice where the docs are silent (source `sandbox`). sandbox/README.md shows
 * this table; keep the two in step (a test checks it).
 */

export type ErrorSource = 'altcraft' | 'altcraft-code' | 'sandbox';

export interface ErrorSpec {
	/** `error` field of the envelope. */
	readonly error: number;
	/** `error_text` field of the envelope. */
	readonly text: string;
	/** HTTP status the answer is sent with. */
	readonly httpStatus: number;
	/** Who chose code and text: Altcraft's docs (word for word), Altcraft's docs for the code only, or the sandbox. */
	readonly source: ErrorSource;
	/** When the sandbox answers with it. */
	readonly when: string;
}

function spec(
	error: number,
	text: string,
	httpStatus: number,
	source: ErrorSource | false,
	when: string,
): ErrorSpec {
	return { error, text, httpStatus, source: source || 'sandbox', when };
}

export const ERRORS = {
	ok: spec(0, 'Successful operation', 200, 'altcraft', 'success'),
	badRequest: spec(
		400,
		'Incorrect request',
		200,
		'altcraft-code',
		'missing/invalid parameter, unparseable body, unknown `format`, unsupported `matching`; the detail follows after ": "',
	),
	unsupportedContentType: spec(
		400,
		'Incorrect request: unsupported Content-Type',
		200,
		false,
		'body with a Content-Type other than application/json, application/xml or text/xml',
	),
	tokenRequired: spec(
		401,
		'API token required',
		200,
		'altcraft-code',
		'no token in body, `Authorization: Bearer` or `?token=`',
	),
	tokenInvalid: spec(
		401,
		'Invalid API token',
		200,
		false,
		'a token is given but it is not the sandbox token',
	),
	methodNotFound: spec(404, 'Method not found', 404, false, 'unknown path'),
	httpMethodNotAllowed: spec(
		405,
		'Method not allowed',
		405,
		false,
		'any HTTP method other than POST on an API path',
	),
	bodyTooLarge: spec(
		413,
		'Request body too large',
		413,
		false,
		'request body over the size limit (32 MiB)',
	),
	loyaltyNotFound: spec(
		404,
		'Loyalty program not found',
		200,
		false,
		'no program with this `loyalty_id`',
	),
	databaseNotFound: spec(
		404,
		'Database not found',
		200,
		false,
		'attach/detach/profiles/get/profiles/import: no database with this `db_id`',
	),
	profileNotFound: spec(
		404,
		'Profile not found',
		200,
		false,
		'attach/detach/profiles/get: no profile matches the matching fields; profiles/import with `matching: profile_id`: no such profile',
	),
	codeNotFound: spec(
		404,
		'Promocode not found',
		200,
		false,
		'get/activate/update/detach: unknown code',
	),
	newCodesNotAllowed: spec(
		404,
		'Promocode not found and creation of new promocodes is not allowed',
		200,
		false,
		'attach: unknown code in a program that does not allow new codes',
	),
	codeAlreadyAttached: spec(
		409,
		'Promocode already attached',
		200,
		false,
		'attach: code attached and the program does not allow multi-profile codes',
	),
	codeAlreadyAttachedToProfile: spec(
		409,
		'Promocode already attached to this profile',
		200,
		false,
		'attach: multi-profile code already attached to the matched profile',
	),
	noFreeCodes: spec(
		409,
		'No free promocodes in the loyalty program',
		200,
		false,
		'attach without `code`: no free, unexpired code',
	),
	codeExpired: spec(409, 'Promocode expired', 200, false, 'attach/activate: the code has expired'),
	codeLimitReached: spec(
		409,
		'Promocode limit of the loyalty program reached',
		200,
		false,
		'attach of a new code in a full program; also the per-code result of import for `discarded_by_limit`',
	),
	codeNotAttached: spec(
		409,
		'Promocode is not attached',
		200,
		false,
		'activate (or update `activated: true`): code not attached',
	),
	codeAlreadyActivated: spec(
		409,
		'Promocode already activated',
		200,
		false,
		"activate: the code is activated already (GUESS: Altcraft's docs do not say whether it refuses a second activation)",
	),
	codeNotAttachedToProfile: spec(
		409,
		'Promocode is not attached to this profile',
		200,
		false,
		'detach: code not attached to the matched profile',
	),
	codeAttachedToSeveral: spec(
		409,
		'Promocode is attached to several profiles',
		200,
		false,
		'detach: code attached to more than one profile',
	),
	codeDuplicated: spec(
		500,
		'Promocode duplicated',
		200,
		'altcraft',
		'import, per code: exists already, or repeated in the same request',
	),
	// Injected faults (only when a test asks for them)
	faultTooManyRequests: spec(
		429,
		'Too many requests',
		429,
		false,
		'fault `status429` (with `Retry-After`)',
	),
	faultInternal: spec(500, 'Internal server error', 500, false, 'fault `status500`'),
	faultBadGateway: spec(502, 'Bad gateway', 502, false, 'fault `status502`'),
	faultUnavailable: spec(503, 'Service unavailable', 503, false, 'fault `status503`'),
	faultGatewayTimeout: spec(504, 'Gateway timeout', 504, false, 'fault `status504`'),
	faultApiError: spec(
		500,
		'Internal error',
		200,
		false,
		'fault `apiError` (default code/text; both can be overridden)',
	),
} as const;

export type ErrorKey = keyof typeof ERRORS;

/** A business-rule or request failure carried up to the HTTP layer. */
export class SandboxApiError extends Error {
	readonly spec: ErrorSpec;
	readonly text: string;

	constructor(key: ErrorKey, detail?: string) {
		const s = ERRORS[key];
		const text = detail ? `${s.text}: ${detail}` : s.text;
		super(text);
		this.spec = s;
		this.text = text;
	}
}

/** Shorthand for a 400 with a detail. */
export function badRequest(detail: string): SandboxApiError {
	return new SandboxApiError('badRequest', detail);
}

/** The error table as Markdown rows (used by the README check). */
export function errorTableMarkdown(): string {
	const label: Record<ErrorSource, string> = {
		altcraft: 'Altcraft docs (code and text)',
		'altcraft-code': 'Altcraft docs (code); text: sandbox choice',
		sandbox: '**sandbox choice**',
	};
	const rows = Object.entries(ERRORS).map(
		([key, s]) =>
			`| ${s.error} | ${s.text} | ${s.httpStatus} | ${s.when} | ${label[s.source]} | \`${key}\` |`,
	);
	return [
		'| `error` | `error_text` | HTTP | When | Source of code/text | Key |',
		'|---|---|---|---|---|---|',
		...rows,
	].join('\n');
}
