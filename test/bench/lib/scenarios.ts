/**
 * The rows of the benchmark. Counts are fixed (bounded work); the slow rows (one request at a
 * time over a 20 ms link) use fewer items, since items/s is what they are compared by.
 */
import type { ClientKind, Format, LinkName, NodeFeatures, Operation, Scenario } from './protocol';

export interface Sizes {
	get: number;
	getLarge: number;
	slowGet: number;
	attach: number;
	importCodes: number;
}

export const FULL: Sizes = {
	get: 2000,
	getLarge: 5000,
	slowGet: 250,
	attach: 10_000,
	importCodes: 100_000,
};
export const QUICK: Sizes = {
	get: 300,
	getLarge: 600,
	slowGet: 60,
	attach: 1000,
	importCodes: 10_000,
};

function row(
	client: ClientKind,
	operation: Operation,
	link: LinkName,
	count: number,
	concurrency: number | undefined,
	format: Format = 'json',
	chunkSize?: number,
): Scenario {
	// One run of a row is noisy on a shared machine: median of 3 (5 for import, the shortest).
	// Exceptions, to keep the whole run near 4 minutes (6 on a busy machine): attach (10,000 items
	// is long enough); over the slow link every row but Concurrency 10 and the HTTP Request node
	// (6–10 s each, latency-bound, no target); the HTTP Request node's large row, which opens a
	// connection per item (each lingers in TIME_WAIT for a minute; loopback has ~28,000 ports).
	let passes = 3;
	if (operation === 'import') passes = 5;
	if (operation === 'attach') passes = 1;
	if (link === '20 ms' && client !== 'httpRequestNode' && concurrency !== 10) passes = 1;
	if (client === 'httpRequestNode' && count > 2000) passes = 1;
	const who =
		client === 'raw'
			? `raw-c${concurrency}`
			: client === 'node'
				? `node-${concurrency === undefined ? 'default' : `c${concurrency}`}`
				: 'http-request';
	const id = `${operation}-${format}-${link.replace(' ', '')}-${count}-${who}`;
	return { id, client, operation, count, concurrency, format, link, chunkSize, passes };
}

/**
 * Every row, in groups of rows compared with each other (a group's passes run interleaved).
 * Without the node's Concurrency option (a build from before it landed) the node sends one
 * request at a time, so its 20 ms rows get the small count too (otherwise ~90 s each).
 */
export function scenarioGroups(
	sizes: Sizes,
	features: NodeFeatures,
	defaultConcurrency: number,
	chunkSize: number,
): Scenario[][] {
	const slowNode = features.concurrency ? sizes.get : sizes.slowGet;
	const groups: Scenario[][] = [];
	for (const link of ['0 ms', '20 ms'] as const) {
		const slow = link === '0 ms' ? sizes.get : sizes.slowGet;
		const nodeCount = link === '0 ms' ? sizes.get : slowNode;
		groups.push([
			row('raw', 'get', link, slow, 1),
			row('raw', 'get', link, sizes.get, defaultConcurrency),
			row('raw', 'get', link, sizes.get, 10),
			row('node', 'get', link, slow, 1),
			row('node', 'get', link, nodeCount, undefined),
			row('node', 'get', link, nodeCount, 10),
			row('httpRequestNode', 'get', link, sizes.get, undefined),
			// XML next to JSON in the same interleaved group, so their ratio is not skewed by load.
			...(link === '0 ms'
				? [
						row('raw', 'get', link, sizes.get, defaultConcurrency, 'xml'),
						row('node', 'get', link, sizes.get, undefined, 'xml'),
					]
				: []),
		]);
	}
	groups.push(
		[
			row('raw', 'get', '0 ms', sizes.getLarge, 10),
			row('node', 'get', '0 ms', sizes.getLarge, undefined),
			row('node', 'get', '0 ms', sizes.getLarge, 10),
			row('httpRequestNode', 'get', '0 ms', sizes.getLarge, undefined),
		],
		[
			row('raw', 'attach', '0 ms', sizes.attach, defaultConcurrency),
			row('node', 'attach', '0 ms', sizes.attach, undefined),
		],
	);
	for (const format of ['json', 'xml'] as const) {
		groups.push([
			row('raw', 'import', '0 ms', sizes.importCodes, 1, format, chunkSize),
			row('node', 'import', '0 ms', sizes.importCodes, undefined, format),
		]);
	}
	return groups;
}
