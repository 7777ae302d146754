import { proxyForUrl } from '../../nodes/AltcraftPromo/transport/http/proxyFromEnv';

describe('proxyForUrl (the proxy n8n would use)', () => {
	it.each([
		['no proxy set', {}, 'https://a.altcraft.com', ''],
		[
			'HTTPS_PROXY for https',
			{ HTTPS_PROXY: 'http://p:3128' },
			'https://a.altcraft.com',
			'http://p:3128',
		],
		['HTTPS_PROXY is not for http', { HTTPS_PROXY: 'http://p:3128' }, 'http://a.altcraft.com', ''],
		[
			'lower case wins over upper case',
			{ http_proxy: 'http://low', HTTP_PROXY: 'http://up' },
			'http://a.b',
			'http://low',
		],
		['ALL_PROXY as the fallback', { ALL_PROXY: 'http://all' }, 'https://a.b', 'http://all'],
		['NO_PROXY exact host', { HTTP_PROXY: 'http://p', NO_PROXY: 'a.b' }, 'http://a.b', ''],
		[
			'NO_PROXY exact host does not cover subdomains',
			{ HTTP_PROXY: 'http://p', NO_PROXY: 'a.b' },
			'http://x.a.b',
			'http://p',
		],
		[
			'NO_PROXY .suffix covers subdomains',
			{ HTTP_PROXY: 'http://p', NO_PROXY: '.a.b' },
			'http://x.a.b',
			'',
		],
		[
			'NO_PROXY *.suffix covers subdomains',
			{ HTTP_PROXY: 'http://p', NO_PROXY: '*.a.b' },
			'http://x.a.b',
			'',
		],
		[
			'NO_PROXY with another port',
			{ HTTP_PROXY: 'http://p', NO_PROXY: 'a.b:8080' },
			'http://a.b',
			'http://p',
		],
		[
			'NO_PROXY with the same port',
			{ HTTP_PROXY: 'http://p', NO_PROXY: 'a.b:80' },
			'http://a.b',
			'',
		],
		['NO_PROXY *', { HTTP_PROXY: 'http://p', NO_PROXY: '*' }, 'http://a.b', ''],
		[
			'NO_PROXY list with spaces',
			{ HTTP_PROXY: 'http://p', NO_PROXY: 'x.y, a.b' },
			'http://a.b',
			'',
		],
	])('%s', (_label, env, url, expected) => {
		expect(proxyForUrl(url, env)).toBe(expected);
	});
});
