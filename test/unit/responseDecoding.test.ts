import { decodeAltcraftBody } from '../../nodes/AltcraftPromo/transport/responseDecoding';

describe('decodeAltcraftBody', () => {
	it('gives the same envelope for the JSON and the XML form of one answer', async () => {
		const json = await decodeAltcraftBody(
			JSON.stringify({
				data: [{ code: 'Code-1' }, { code: 'Code-2', attached: '2024-04-01T14:02:05Z' }],
				error: 0,
				error_text: 'Successful operation',
			}),
			'promocodes/export_all',
		);
		const xml = await decodeAltcraftBody(
			'<xml><data><code>Code-1</code></data><data><code>Code-2</code><attached>2024-04-01T14:02:05Z</attached></data>' +
				'<error>0</error><error_text>Successful operation</error_text></xml>',
			'promocodes/export_all',
		);
		expect(xml).toEqual(json);
	});

	it('makes empty list data an empty array and empty action data null, in both formats', async () => {
		expect(
			(
				await decodeAltcraftBody(
					'<xml><data/><error>0</error><error_text>ok</error_text></xml>',
					'promocodes/export_all',
				)
			)?.data,
		).toEqual([]);
		expect(
			(await decodeAltcraftBody('{"data":[],"error":0,"error_text":"ok"}', 'promocodes/export_all'))
				?.data,
		).toEqual([]);
		expect(
			(
				await decodeAltcraftBody(
					'<xml><data></data><error>0</error><error_text>ok</error_text></xml>',
					'promocodes/attach',
				)
			)?.data,
		).toBeNull();
		expect(
			(await decodeAltcraftBody('{"data":null,"error":0,"error_text":"ok"}', 'promocodes/attach'))
				?.data,
		).toBeNull();
	});

	it('recognises an XML answer even when JSON was expected (and the reverse)', async () => {
		expect(
			await decodeAltcraftBody(
				'<xml><error>401</error><error_text>Token required</error_text></xml>',
				'promocodes/get',
			),
		).toMatchObject({
			error: 401,
			error_text: 'Token required',
		});
	});

	it('accepts a body the HTTP layer already parsed', async () => {
		expect(
			await decodeAltcraftBody({ error: 0, error_text: 'ok', data: null }, 'promocodes/activate'),
		).toEqual({
			error: 0,
			error_text: 'ok',
			data: null,
		});
	});

	it.each([
		['an HTML page', '<!DOCTYPE html><html><body>502 Bad Gateway</body></html>'],
		['truncated JSON', '{"error":0,"error_te'],
		['JSON without the envelope', '{"message":"not found"}'],
		['a JSON array', '[1,2]'],
		['plain text', 'Service Unavailable'],
		['nothing', ''],
	])('returns undefined for %s', async (_label, body) => {
		expect(await decodeAltcraftBody(body, 'promocodes/get')).toBeUndefined();
	});
});
