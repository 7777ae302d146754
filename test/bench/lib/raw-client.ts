/**
 * The floor: the same Altcraft requests the node sends, made with node:http and nothing else.
 * One keep-alive agent per run with maxSockets = concurrency, so N requests open at most
 * `concurrency` connections. Responses are parsed as any client must (JSON.parse, or
 * fast-xml-parser for XML, the parser the node uses) and their `error` checked.
 */
import http from 'node:http';

import { XMLParser } from 'fast-xml-parser';

import {
	ATTACH_PROGRAM,
	DATABASE,
	GET_PROGRAM,
	IMPORT_PROGRAM,
	attachCode,
	getCode,
	importCode,
	profileId,
} from './fixtures';
import type { Format } from './protocol';

type Body = Record<string, string | number | string[]>;

interface Envelope {
	error: number;
	inserted?: number;
	duplicated?: number;
	discarded_by_limit?: number;
}

const xmlParser = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'data' });

function encodeXml(body: Body): string {
	const element = (name: string, value: string | number): string =>
		`<${name}>${String(value)}</${name}>`;
	const parts = Object.entries(body).map(([name, value]) =>
		Array.isArray(value)
			? value.map((entry) => element(name, entry)).join('')
			: element(name, value),
	);
	return `<xml>${parts.join('')}</xml>`;
}

function decode(text: string, format: Format): Envelope {
	if (format === 'json') return JSON.parse(text) as Envelope;
	const { xml } = xmlParser.parse(text) as { xml: Record<string, unknown> };
	const number = (key: string) => (xml[key] === undefined ? undefined : Number(xml[key]));
	return {
		error: Number(xml.error),
		inserted: number('inserted'),
		duplicated: number('duplicated'),
		discarded_by_limit: number('discarded_by_limit'),
	};
}

export class RawClient {
	private readonly agent: http.Agent;

	constructor(
		private readonly baseUrl: string,
		private readonly token: string,
		concurrency: number,
	) {
		this.agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
	}

	close(): void {
		this.agent.destroy();
	}

	send(method: string, body: Body, format: Format): Promise<Envelope> {
		const withToken: Body = {
			token: this.token,
			...body,
			...(format === 'xml' ? { format: 'xml' } : {}),
		};
		const payload = format === 'json' ? JSON.stringify(withToken) : encodeXml(withToken);
		const contentType = format === 'json' ? 'application/json' : 'application/xml';
		return new Promise((resolve, reject) => {
			const request = http.request(
				`${this.baseUrl}/api/v1.1/${method}`,
				{
					method: 'POST',
					agent: this.agent,
					headers: { 'Content-Type': contentType, Accept: contentType },
				},
				(response) => {
					const chunks: Buffer[] = [];
					response.on('data', (chunk: Buffer) => chunks.push(chunk));
					response.on('end', () => {
						try {
							resolve(decode(Buffer.concat(chunks).toString('utf8'), format));
						} catch (error) {
							reject(error);
						}
					});
					response.on('error', reject);
				},
			);
			request.on('error', reject);
			request.end(payload);
		});
	}
}

/** Runs `count` tasks with at most `concurrency` in flight; resolves with how many succeeded. */
export async function pool(
	count: number,
	concurrency: number,
	task: (index: number) => Promise<boolean>,
): Promise<number> {
	let next = 0;
	let ok = 0;
	const worker = async () => {
		while (next < count) {
			const index = next++;
			if (await task(index)) ok++;
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
	return ok;
}

export interface RawRun {
	baseUrl: string;
	token: string;
	concurrency: number;
	format: Format;
	count: number;
	runTag: string;
	chunkSize?: number;
}

export async function rawGet(run: RawRun): Promise<number> {
	const client = new RawClient(run.baseUrl, run.token, run.concurrency);
	try {
		return await pool(run.count, run.concurrency, async (index) => {
			const envelope = await client.send(
				'promocodes/get',
				{ code: getCode(index), loyalty_id: GET_PROGRAM },
				run.format,
			);
			return envelope.error === 0;
		});
	} finally {
		client.close();
	}
}

export async function rawAttach(run: RawRun): Promise<number> {
	const client = new RawClient(run.baseUrl, run.token, run.concurrency);
	try {
		return await pool(run.count, run.concurrency, async (index) => {
			const envelope = await client.send(
				'promocodes/attach',
				{
					code: attachCode(run.runTag, index),
					loyalty_id: ATTACH_PROGRAM,
					db_id: DATABASE,
					matching: 'profile_id',
					profile_id: profileId(index),
				},
				run.format,
			);
			return envelope.error === 0;
		});
	} finally {
		client.close();
	}
}

/** All codes in chunks of `chunkSize`, one request after another; returns codes inserted. */
export async function rawImport(run: RawRun, codes: string[]): Promise<number> {
	const chunkSize = run.chunkSize ?? 1000;
	const client = new RawClient(run.baseUrl, run.token, 1);
	let inserted = 0;
	try {
		for (let start = 0; start < codes.length; start += chunkSize) {
			const envelope = await client.send(
				'promocodes/import',
				{ codes: codes.slice(start, start + chunkSize), loyalty_id: IMPORT_PROGRAM },
				run.format,
			);
			if (envelope.error !== 0) throw new Error(`raw import: Altcraft error ${envelope.error}`);
			inserted += envelope.inserted ?? 0;
		}
		return inserted;
	} finally {
		client.close();
	}
}

export const importCodes = (runTag: string, count: number): string[] =>
	Array.from({ length: count }, (_unused, index) => importCode(runTag, index));
