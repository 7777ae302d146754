/**
 * Test-only switch: hold the answers of requests the sandbox has applied, until told to send them.
 *
 * Why: a test of "Altcraft applied the attach, then the client died before hearing so" (a worker killed
 * mid-request) must not depend on when the kill lands. With answers held, every applied request stays
 * unanswered until the test has killed the client; the test then sends the answers still wanted (the
 * survivors' requests) with `release`. Each held answer records the client's TCP port, so a test can tell
 * which process a held request came from.
 *
 * Over HTTP: POST /__sandbox/hold {"path": "promocodes/attach"} starts holding on that path,
 * GET /__sandbox/hold lists what is held, DELETE /__sandbox/hold stops holding and sends every held answer.
 */
import type { ServerResponse } from 'http';

export interface HeldAnswer {
	/** The API path, e.g. /api/v1.1/promocodes/attach. */
	path: string;
	/** The client's TCP port (its side of the connection). */
	remotePort?: number;
	/** The request's parameters with the token removed. */
	body: Record<string, unknown>;
	receivedAt: string;
}

interface Entry extends HeldAnswer {
	send: () => void;
	res: ServerResponse;
}

function normalizePathFilter(path: string): string {
	return path.replace(/\/+/g, '/').replace(/^\/|\/$/g, '');
}

export class AnswerHold {
	private readonly paths = new Set<string>();
	private readonly held = new Set<Entry>();

	/** Start holding the answers of applied requests to `path` (e.g. `promocodes/attach`). */
	start(path: string): void {
		if (typeof path !== 'string' || normalizePathFilter(path) === '')
			throw new Error('path must be an API path, e.g. "promocodes/attach"');
		this.paths.add(normalizePathFilter(path));
	}

	/** Whether applied requests to `routePath` (e.g. `/api/v1.1/promocodes/attach`) are held now. */
	matches(routePath: string): boolean {
		for (const path of this.paths)
			if (routePath === `/${path}` || routePath.endsWith(`/${path}`)) return true;
		return false;
	}

	/** Keeps `send` (the normal answer) until release; a client that goes away drops out of the list. */
	add(res: ServerResponse, path: string, body: Record<string, unknown>, send: () => void): void {
		const { token: _token, ...withoutToken } = body;
		const entry: Entry = {
			path,
			remotePort: res.socket?.remotePort,
			body: withoutToken,
			receivedAt: new Date().toISOString(),
			send,
			res,
		};
		this.held.add(entry);
		res.once('close', () => this.held.delete(entry));
	}

	list(): HeldAnswer[] {
		return [...this.held].map(({ path, remotePort, body, receivedAt }) => ({
			path,
			remotePort,
			body: { ...body },
			receivedAt,
		}));
	}

	/** Stops holding and sends every held answer whose client is still connected; returns how many were sent. */
	release(): number {
		this.paths.clear();
		const entries = [...this.held];
		this.held.clear();
		let sent = 0;
		for (const entry of entries) {
			if (entry.res.destroyed || entry.res.socket?.destroyed) continue;
			entry.send();
			sent++;
		}
		return sent;
	}

	/** On shutdown: drop the held requests without answers, so stop() returns promptly. */
	drop(): void {
		this.paths.clear();
		for (const entry of this.held) {
			entry.res.socket?.destroy();
			entry.res.destroy();
		}
		this.held.clear();
	}

	/** The /__sandbox/hold control endpoint; undefined when `method` is not one of it. */
	control(method: string, input: unknown): { status: number; value: unknown } | undefined {
		switch (method) {
			case 'GET':
				return { status: 200, value: { ok: true, paths: [...this.paths], held: this.list() } };
			case 'POST': {
				const path =
					typeof input === 'object' && input !== null
						? (input as { path?: unknown }).path
						: undefined;
				this.start(path as string);
				return { status: 200, value: { ok: true, paths: [...this.paths] } };
			}
			case 'DELETE':
				return { status: 200, value: { ok: true, released: this.release() } };
			default:
				return undefined;
		}
	}
}
