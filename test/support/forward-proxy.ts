/**
 * A minimal forward proxy on 127.0.0.1, as corporate networks put in front of n8n: plain HTTP
 * requests with an absolute URL are forwarded, CONNECT opens a tunnel (for https targets).
 * It records what passed through, so a test can tell whether a request took the proxy.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ForwardProxy {
	url: string;
	/** "POST http://host:port/path" or "CONNECT host:port", one per request or tunnel. */
	seen: string[];
	stop(): Promise<void>;
}

export async function startForwardProxy(): Promise<ForwardProxy> {
	const seen: string[] = [];
	const sockets = new Set<net.Socket>();
	const server = http.createServer((request, response) => {
		seen.push(`${request.method} ${request.url}`);
		const target = new URL(request.url ?? '');
		// Hop-by-hop headers are the proxy's own, as RFC 9110 asks; the rest goes on unchanged.
		const {
			'proxy-connection': _proxyConnection,
			connection: _connection,
			...headers
		} = request.headers;
		const upstream = http.request(
			target,
			{ method: request.method, headers: { ...headers, host: target.host } },
			(answer) => {
				response.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(response);
			},
		);
		upstream.on('error', () => {
			response.writeHead(502);
			response.end('proxy: upstream failed');
		});
		request.pipe(upstream);
	});
	server.on('connect', (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
		seen.push(`CONNECT ${request.url}`);
		const [host, port] = (request.url ?? '').split(':');
		const upstream = net.connect(Number(port), host, () => {
			client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
			upstream.write(head);
			upstream.pipe(client);
			client.pipe(upstream);
		});
		for (const socket of [client, upstream]) {
			sockets.add(socket);
			socket.on('close', () => sockets.delete(socket));
			socket.on('error', () => socket.destroy());
		}
	});
	// n8n-core 2.8's proxied requests write their bytes a second time after "Connection: close";
	// Node's default answer to that is a 400 that can overtake the real answer, where squid or
	// nginx just ignore the extra bytes. This proxy ignores them too.
	server.on('clientError', (error: NodeJS.ErrnoException, socket: net.Socket) => {
		if (error.code !== 'HPE_CLOSED_CONNECTION') socket.destroy();
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		seen,
		async stop() {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
