/** The request body limit: one import of 100,000 codes fits, in JSON and in XML; beyond the limit → 413. */
import http from 'node:http';

import { MAX_BODY_BYTES, Sandbox, startSandbox } from '../src';

let sb: Sandbox;
beforeAll(async () => {
	sb = await startSandbox({ port: 0, seed: { loyaltyPrograms: [{ id: 9 }, { id: 10 }] } });
});
afterAll(async () => {
	await sb.stop();
});

const N = 100000;
// 40-character codes: longer than usual promo codes, so the measurement has headroom.
const codes = (prefix: string) =>
	Array.from(
		{ length: N },
		(_, i) => `${prefix}-${String(i).padStart(8, '0')}-${'X'.repeat(40 - prefix.length - 10)}`,
	);

/**
 * One request on a connection of its own: fetch would reuse the kept-alive connection of the
 * previous (long) import, which the server may be closing just then (a reset that says nothing
 * about the limit).
 */
async function importBody(
	body: string,
	contentType: string,
): Promise<{ status: number; text: string; ms: number; bytes: number }> {
	const t0 = Date.now();
	const { status, text } = await new Promise<{ status: number; text: string }>(
		(resolve, reject) => {
			const request = http.request(
				`${sb.baseUrl}/api/v1.1/promocodes/import`,
				{
					method: 'POST',
					agent: false,
					headers: { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) },
				},
				(response) => {
					const chunks: Buffer[] = [];
					response.on('data', (chunk: Buffer) => chunks.push(chunk));
					response.on('end', () =>
						resolve({
							status: response.statusCode ?? 0,
							text: Buffer.concat(chunks).toString('utf8'),
						}),
					);
					response.on('error', reject);
				},
			);
			request.on('error', reject);
			request.end(body);
		},
	);
	return { status, text, ms: Date.now() - t0, bytes: Buffer.byteLength(body) };
}

it('imports 100,000 codes in one JSON request and one XML request', async () => {
	const json = await importBody(
		JSON.stringify({ token: sb.token, loyalty_id: 9, codes: codes('J') }),
		'application/json',
	);
	expect(json.status).toBe(200);
	expect(JSON.parse(json.text)).toMatchObject({
		error: 0,
		inserted: N,
		duplicated: 0,
		discarded_by_limit: 0,
	});
	const xmlBody = `<xml><token>${sb.token}</token><loyalty_id>10</loyalty_id>${codes('X')
		.map((c) => `<codes>${c}</codes>`)
		.join('')}<format>xml</format></xml>`;
	const xml = await importBody(xmlBody, 'application/xml');
	expect(xml.status).toBe(200);
	expect(xml.text).toMatch(/<inserted>100000<\/inserted>/);
	expect(sb.getState().loyaltyPrograms.map((p) => p.codes.length)).toEqual([N, N]);
	expect(Math.max(json.bytes, xml.bytes)).toBeLessThan(MAX_BODY_BYTES / 4);
	process.stdout.write(
		`import of ${N} codes: JSON ${(json.bytes / 1048576).toFixed(1)} MiB in ${json.ms} ms, XML ${(xml.bytes / 1048576).toFixed(1)} MiB in ${xml.ms} ms (limit ${MAX_BODY_BYTES / 1048576} MiB)\n`,
	);
}, 60000);

it('answers 413 over the limit and closes the connection', async () => {
	const r = await importBody(`{"codes":["${'A'.repeat(MAX_BODY_BYTES)}"]}`, 'application/json');
	expect(r.status).toBe(413);
	expect(JSON.parse(r.text)).toMatchObject({ error: 413, error_text: 'Request body too large' });
}, 60000);
