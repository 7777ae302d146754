/**
 * Reading the request body in the trigger itself, with a size limit, so an oversized batch gets a clear
 * 413 and broken JSON a 400 (when n8n reads the body first, its size limit ends in a 500 "There was a
 * problem executing the workflow" and broken JSON in a 422, before the node is asked).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';

export const DEFAULT_MAX_BODY_MB = 16;

export type BodyRead = { raw: Buffer } | { tooLarge: true } | { problem: string };

/**
 * The whole body, or `tooLarge` as soon as it (decompressed) passes `limitBytes`; after that the rest is
 * still read and dropped, so the client gets the answer instead of a reset connection.
 */
export async function readBody(
	request: Readable & { headers: IncomingHttpHeaders },
	limitBytes: number,
): Promise<BodyRead> {
	const declared = Number(request.headers['content-length']);
	const encoding = request.headers['content-encoding'];
	if (Number.isFinite(declared) && declared > limitBytes && encoding === undefined) {
		request.resume();
		return { tooLarge: true };
	}
	let decoder: Transform | undefined;
	if (encoding === 'gzip') decoder = createGunzip();
	else if (encoding === 'deflate') decoder = createInflate();
	else if (encoding !== undefined && encoding !== 'identity') {
		request.resume();
		return { problem: `The body is encoded as "${encoding}"; send it plain, gzip or deflate` };
	}
	const stream: Readable = decoder ? request.pipe(decoder) : request;
	return await new Promise<BodyRead>((resolve) => {
		const chunks: Buffer[] = [];
		let size = 0;
		let settled = false;
		const settle = (result: BodyRead) => {
			if (settled) return;
			settled = true;
			resolve(result);
		};
		stream.on('data', (chunk: Buffer) => {
			if (settled) return;
			size += chunk.length;
			if (size > limitBytes) {
				chunks.length = 0;
				if (decoder) {
					request.unpipe(decoder);
					request.resume();
				}
				settle({ tooLarge: true });
			} else chunks.push(chunk);
		});
		stream.on('end', () => settle({ raw: Buffer.concat(chunks, size) }));
		const fail = (error: Error) =>
			settle({ problem: `The body could not be read: ${error.message}` });
		stream.on('error', fail);
		if (decoder) request.on('error', fail);
	});
}
