import { normalizeBaseUrl } from '../../nodes/AltcraftPromo/transport/baseUrl';

describe('normalizeBaseUrl', () => {
	it.each([
		['https://example.altcraft.com', 'https://example.altcraft.com'],
		['https://example.altcraft.com/', 'https://example.altcraft.com'],
		['https://example.altcraft.com///', 'https://example.altcraft.com'],
		['https://example.altcraft.com/api/v1.1', 'https://example.altcraft.com'],
		['https://example.altcraft.com/api/v1.1/', 'https://example.altcraft.com'],
		['  http://127.0.0.1:8787/API/V1.1  ', 'http://127.0.0.1:8787'],
		['https://host/altcraft/', 'https://host/altcraft'],
	])('%s -> %s', (raw, expected) => {
		expect(normalizeBaseUrl(raw)).toBe(expected);
	});

	it.each(['ftp://example.com', 'example.altcraft.com', '', 'https://', undefined, 42])(
		'rejects %p',
		(raw) => {
			expect(normalizeBaseUrl(raw)).toBeUndefined();
		},
	);
});
