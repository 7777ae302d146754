/**
 * Users paste the instance URL in many shapes (`https://host`, `https://host/`,
 * `https://host/api/v1.1/`); every request needs exactly `<origin>/api/v1.1/...`.
 * Returns the URL without trailing slashes and without the API prefix,
 * or `undefined` when it is not an http(s) URL.
 */
export function normalizeBaseUrl(raw: unknown): string | undefined {
	if (typeof raw !== 'string') return undefined;
	const trimmed = raw.trim();
	if (!/^https?:\/\/[^/\s]+/i.test(trimmed)) return undefined;
	return trimmed.replace(/\/+$/, '').replace(/\/api\/v1\.1$/i, '').replace(/\/+$/, '');
}

export function buildEndpointUrl(baseUrl: string, endpoint: string): string {
	return `${baseUrl}/api/v1.1/promocodes/${endpoint}`;
}
