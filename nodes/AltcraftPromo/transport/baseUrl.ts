const API_PREFIX = /\/api\/v1\.1$/i;

/**
 * Why the credential's Base URL cannot be used, as a sentence that says what to change,
 * or `undefined` when it can. Every request is `<base>/api/v1.1/promocodes/<method>`, so
 * anything after the host except a path prefix (an instance behind a reverse proxy) would
 * end up in the middle of that URL: `https://host/?x=1/api/v1.1/…` is a confusing 404.
 */
export function describeBaseUrlProblem(raw: unknown): string | undefined {
	const text = typeof raw === 'string' ? raw.trim() : '';
	if (!/^https?:\/\/[^/\s?#]+/i.test(text)) {
		return 'The Base URL in the Altcraft API credential must be an http:// or https:// address';
	}
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		return 'The Base URL in the Altcraft API credential is not a valid address';
	}
	if (url.username !== '' || url.password !== '') {
		return 'The Base URL in the Altcraft API credential must not contain a user name or password; remove the "user:password@" part (the API token goes in the API Token field)';
	}
	if (text.includes('?')) {
		return 'The Base URL in the Altcraft API credential must not contain a query string; remove "?" and everything after it';
	}
	if (text.includes('#')) {
		return 'The Base URL in the Altcraft API credential must not contain a fragment; remove "#" and everything after it';
	}
	const path = url.pathname.replace(/\/+$/, '').replace(API_PREFIX, '');
	if (/\/api(?:\/|$)/i.test(path)) {
		return `The Base URL in the Altcraft API credential must end at the instance address or at /api/v1.1, not at "${url.pathname}"; remove what follows the instance address`;
	}
	return undefined;
}

/**
 * Users paste the instance URL in many shapes (`https://host`, `https://host/`,
 * `https://host/api/v1.1/`); every request needs exactly `<origin>/api/v1.1/...`.
 * Returns the URL without trailing slashes and without the API prefix,
 * or `undefined` when it cannot be used (`describeBaseUrlProblem` says why).
 */
export function normalizeBaseUrl(raw: unknown): string | undefined {
	if (typeof raw !== 'string' || describeBaseUrlProblem(raw) !== undefined) return undefined;
	return raw.trim().replace(/\/+$/, '').replace(API_PREFIX, '').replace(/\/+$/, '');
}
