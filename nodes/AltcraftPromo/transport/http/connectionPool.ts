import http from 'node:http';
import https from 'node:https';

/**
 * Idle connections are closed after this long. It stays below the 5 s keep-alive timeout of
 * common servers (Node, nginx's default is 75 s), so a request rarely lands on a connection the
 * server is closing at that moment; such a race looks like a reset after sending.
 */
export const IDLE_SOCKET_MS = 4_000;

/**
 * Kept-alive connections shared by every execution of this n8n process (one pool per scheme and
 * certificate check). A webhook workflow runs one short execution per order: with connections of
 * its own, each order would open a new connection (and over https do a new TLS handshake) for
 * its first call. The pool sets no limit of its own: each execution's sender keeps at most its
 * Concurrency requests in flight, so the connections in use never exceed what the executions
 * running at that moment ask for; idle ones close after IDLE_SOCKET_MS. Only the connection is
 * shared: the token travels in each request's body.
 */
const agents = new Map<string, http.Agent>();

export function sharedAgent(
	protocol: 'http:' | 'https:',
	allowUnauthorizedCerts: boolean,
): http.Agent {
	const key = `${protocol}${allowUnauthorizedCerts ? ' unverified' : ''}`;
	let agent = agents.get(key);
	if (!agent) {
		const options = {
			keepAlive: true,
			timeout: IDLE_SOCKET_MS,
			// The most recently used connection first: the others go idle and close.
			scheduling: 'lifo' as const,
			maxFreeSockets: 64,
		};
		agent =
			protocol === 'https:'
				? new https.Agent({ ...options, rejectUnauthorized: !allowUnauthorizedCerts })
				: new http.Agent(options);
		agents.set(key, agent);
	}
	return agent;
}
