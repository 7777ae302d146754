import { Readable } from 'node:stream';
import { deflateSync, gzipSync } from 'node:zlib';

import { readBody } from '../../nodes/AltcraftTrigger/helpers/body';

const request = (chunks: Buffer[], headers: Record<string, string> = {}) =>
	Object.assign(Readable.from(chunks), { headers });

describe('readBody (Altcraft Trigger reads the request itself)', () => {
	it('returns the body of several chunks', async () => {
		expect(await readBody(request([Buffer.from('[{"a"'), Buffer.from(':1}]')]), 100)).toEqual({
			raw: Buffer.from('[{"a":1}]'),
		});
	});

	it('decodes gzip and deflate', async () => {
		expect(await readBody(request([gzipSync('[1]')], { 'content-encoding': 'gzip' }), 100)).toEqual(
			{ raw: Buffer.from('[1]') },
		);
		expect(
			await readBody(request([deflateSync('[2]')], { 'content-encoding': 'deflate' }), 100),
		).toEqual({ raw: Buffer.from('[2]') });
	});

	it('is too large by its declared length without reading, and by what arrives when undeclared', async () => {
		const stream = request([Buffer.alloc(50)], { 'content-length': '101' });
		expect(await readBody(stream, 100)).toEqual({ tooLarge: true });
		expect(await readBody(request([Buffer.alloc(60), Buffer.alloc(60)]), 100)).toEqual({
			tooLarge: true,
		});
		expect(await readBody(request([Buffer.alloc(100)]), 100)).toEqual({ raw: Buffer.alloc(100) });
	});

	it('counts the decompressed size (a small gzip of a large body is still too large)', async () => {
		const zipped = gzipSync(Buffer.alloc(10_000));
		expect(zipped.length).toBeLessThan(1000);
		expect(
			await readBody(
				request([zipped], { 'content-encoding': 'gzip', 'content-length': String(zipped.length) }),
				1000,
			),
		).toEqual({ tooLarge: true });
	});

	it('names an unknown encoding and a corrupt gzip', async () => {
		expect(await readBody(request([Buffer.from('x')], { 'content-encoding': 'br' }), 100)).toEqual({
			problem: 'The body is encoded as "br"; send it plain, gzip or deflate',
		});
		const result = await readBody(
			request([Buffer.from('not gzip')], { 'content-encoding': 'gzip' }),
			100,
		);
		expect(result).toEqual({ problem: expect.stringMatching(/^The body could not be read: /) });
	});
});
