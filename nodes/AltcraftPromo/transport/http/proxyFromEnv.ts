/**
 * Which proxy n8n would send a request to `targetUrl` through, read from the same environment
 * variables and with the same precedence n8n-core 2.8 uses (the proxy-from-env rules):
 * `<protocol>_proxy`, then `all_proxy` (lower or upper case, also npm's `npm_config_*` forms),
 * unless `no_proxy` matches the host (`*`, exact host, `.suffix`/`suffix` domain, optional `:port`).
 * Returns '' when the request goes direct.
 */
export function proxyForUrl(targetUrl: string, env: NodeJS.ProcessEnv = process.env): string {
	let url: URL;
	try {
		url = new URL(targetUrl);
	} catch {
		return '';
	}
	const protocol = url.protocol.replace(/:$/, '');
	const hostname = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
	const port = Number(url.port) || (protocol === 'https' ? 443 : 80);
	if (!shouldProxy(hostname, port, env)) return '';
	return (
		readEnv(env, `npm_config_${protocol}_proxy`) ||
		readEnv(env, `${protocol}_proxy`) ||
		readEnv(env, 'npm_config_proxy') ||
		readEnv(env, 'all_proxy')
	);
}

function readEnv(env: NodeJS.ProcessEnv, name: string): string {
	return env[name.toLowerCase()] || env[name.toUpperCase()] || '';
}

function shouldProxy(hostname: string, port: number, env: NodeJS.ProcessEnv): boolean {
	const noProxy = (readEnv(env, 'npm_config_no_proxy') || readEnv(env, 'no_proxy')).toLowerCase();
	if (!noProxy) return true;
	if (noProxy === '*') return false;
	return noProxy.split(/[,\s]/).every((entry) => {
		if (!entry) return true;
		const match = entry.match(/^(.+):(\d+)$/);
		const entryHost = (match ? match[1] : entry).replace(/^\*/, '');
		const entryPort = match ? Number(match[2]) : 0;
		if (entryPort && entryPort !== port) return true;
		if (!entryHost.startsWith('.')) return hostname !== entryHost;
		return !hostname.endsWith(entryHost);
	});
}
