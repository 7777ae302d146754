/** The benchmark's Markdown report: one table of rows, one of ratios, one of the issue's targets. */
import type { LinkName, Scenario, ScenarioResult } from './protocol';

export interface RowOutcome {
	scenario: Scenario;
	result?: ScenarioResult;
	error?: string;
}

export interface ReportContext {
	machine: string;
	nodeBuild: string;
	httpRequest: string;
	defaultConcurrency: number;
	concurrencyOption: boolean;
	chunkSize: number;
	chunkSizeOption: boolean;
	connectionSource: string;
	durationS: number;
	quick: boolean;
}

const rate = (outcome: RowOutcome | undefined): number | undefined =>
	outcome?.result && outcome.result.failures === 0
		? outcome.scenario.count / (outcome.result.ms / 1000)
		: undefined;

const fmt = (value: number | undefined, digits = 0): string =>
	value === undefined
		? '—'
		: value.toLocaleString('en-US', {
				maximumFractionDigits: digits,
				minimumFractionDigits: digits,
			});

function clientLabel(s: Scenario, ctx: ReportContext, outcomeNote: string | undefined): string {
	if (s.client === 'raw')
		return s.operation === 'import'
			? `raw client, chunks of ${fmt(s.chunkSize)}, sequential`
			: 'raw keep-alive client';
	if (s.client === 'httpRequestNode')
		return `n8n ${outcomeNote ?? 'HTTP Request'} node (${ctx.httpRequest}), defaults`;
	return 'Altcraft Promo (this node)';
}

function concurrencyLabel(s: Scenario, ctx: ReportContext): string {
	if (s.client === 'httpRequestNode') return 'all items at once';
	if (s.client === 'raw') return String(s.concurrency);
	if (s.operation === 'import')
		return ctx.chunkSizeOption
			? `default, chunks of ${fmt(ctx.chunkSize)}`
			: 'no chunking in this build';
	if (!ctx.concurrencyOption)
		return s.concurrency === undefined
			? 'default (no option yet: 1)'
			: `${s.concurrency} (no option yet: 1)`;
	return s.concurrency === undefined
		? `default (${ctx.defaultConcurrency})`
		: String(s.concurrency);
}

function operationLabel(s: Scenario): string {
	const what =
		s.operation === 'import'
			? 'Import (codes, 1 item)'
			: s.operation === 'attach'
				? 'Attach'
				: 'Get';
	return `${what}, ${s.format.toUpperCase()}`;
}

export interface Finder {
	(
		operation: Scenario['operation'],
		link: LinkName,
		client: Scenario['client'],
		concurrency: number | undefined,
		opts?: { count?: number; format?: Scenario['format'] },
	): RowOutcome | undefined;
}

export function finder(rows: RowOutcome[]): Finder {
	return (operation, link, client, concurrency, opts = {}) =>
		rows.find(
			(r) =>
				r.scenario.operation === operation &&
				r.scenario.link === link &&
				r.scenario.client === client &&
				r.scenario.concurrency === concurrency &&
				r.scenario.format === (opts.format ?? 'json') &&
				(opts.count === undefined || r.scenario.count === opts.count),
		);
}

interface Target {
	name: string;
	measured: string;
	met: boolean | undefined;
}

function targets(find: Finder, getCount: number): Target[] {
	const list: Target[] = [];
	const node10 = find('get', '20 ms', 'node', 10);
	const raw10 = find('get', '20 ms', 'raw', 10);
	const r1 =
		rate(node10) !== undefined && rate(raw10) !== undefined
			? rate(node10)! / rate(raw10)!
			: undefined;
	const conns = node10?.result?.connections.connections;
	list.push({
		name: `20 ms RTT, ${fmt(getCount)} Get items: node Concurrency 10 ≥ 0.8× raw client (10 in flight)`,
		measured:
			r1 === undefined
				? 'not measured'
				: `${r1.toFixed(2)}× (${fmt(rate(node10))} vs ${fmt(rate(raw10))} items/s${node10 && node10.scenario.count !== getCount ? `; node ran ${fmt(node10.scenario.count)} items` : ''})`,
		met: r1 === undefined ? undefined : r1 >= 0.8,
	});
	list.push({
		name: `20 ms RTT, ${fmt(getCount)} Get items: node Concurrency 10 opens ≤ 12 connections`,
		measured:
			conns === undefined
				? 'not measured'
				: `${conns} (peak ${node10?.result?.connections.peakConcurrent} open)`,
		met: conns === undefined ? undefined : conns <= 12 && node10?.scenario.count === getCount,
	});
	const nodeDefault = find('get', '0 ms', 'node', undefined, { count: getCount });
	const http = find('get', '0 ms', 'httpRequestNode', undefined, { count: getCount });
	const r2 =
		rate(nodeDefault) !== undefined && rate(http) !== undefined
			? rate(nodeDefault)! / rate(http)!
			: undefined;
	list.push({
		name: `0 ms, ${fmt(getCount)} Get items: node default ≥ 2× HTTP Request node`,
		measured:
			r2 === undefined
				? 'not measured'
				: `${r2.toFixed(2)}× (${fmt(rate(nodeDefault))} vs ${fmt(rate(http))} items/s)`,
		met: r2 === undefined ? undefined : r2 >= 2,
	});
	for (const format of ['json', 'xml'] as const) {
		const node = find('import', '0 ms', 'node', undefined, { format });
		const raw = find('import', '0 ms', 'raw', 1, { format });
		const ok = node?.result?.failures === 0 && raw?.result?.failures === 0;
		const r3 = ok ? node!.result!.ms / raw!.result!.ms : undefined;
		list.push({
			name: `Import of ${fmt(node?.scenario.count)} codes (${format.toUpperCase()}): node time ≤ 1.2× raw chunked time`,
			measured:
				r3 === undefined
					? 'not measured'
					: `${r3.toFixed(2)}× (${(node!.result!.ms / 1000).toFixed(2)} s vs ${(raw!.result!.ms / 1000).toFixed(2)} s)`,
			met: r3 === undefined ? undefined : r3 <= 1.2,
		});
	}
	return list;
}

function ratios(
	find: Finder,
	getCount: number,
	largeCount: number,
	defaultConcurrency: number,
): Array<[string, number | undefined]> {
	const r = (a: RowOutcome | undefined, b: RowOutcome | undefined) =>
		rate(a) !== undefined && rate(b) !== undefined ? rate(a)! / rate(b)! : undefined;
	const list: Array<[string, number | undefined]> = [];
	for (const link of ['0 ms', '20 ms'] as const) {
		list.push(
			[`${link}: node C1 / raw C1`, r(find('get', link, 'node', 1), find('get', link, 'raw', 1))],
			[
				`${link}: node C10 / raw C10`,
				r(find('get', link, 'node', 10), find('get', link, 'raw', 10)),
			],
			[
				`${link}: node default / HTTP Request node`,
				r(
					find('get', link, 'node', undefined, { count: link === '0 ms' ? getCount : undefined }),
					find('get', link, 'httpRequestNode', undefined, { count: getCount }),
				),
			],
		);
	}
	list.push(
		[
			`0 ms, ${fmt(largeCount)} items: node default / HTTP Request node`,
			r(
				find('get', '0 ms', 'node', undefined, { count: largeCount }),
				find('get', '0 ms', 'httpRequestNode', undefined, { count: largeCount }),
			),
		],
		[
			`0 ms, ${fmt(largeCount)} items: node C10 / raw C10`,
			r(
				find('get', '0 ms', 'node', 10, { count: largeCount }),
				find('get', '0 ms', 'raw', 10, { count: largeCount }),
			),
		],
		[
			'0 ms: node default XML / JSON',
			r(
				find('get', '0 ms', 'node', undefined, { format: 'xml' }),
				find('get', '0 ms', 'node', undefined, { count: getCount }),
			),
		],
		[
			`Attach: node default / raw C${defaultConcurrency}`,
			r(
				find('attach', '0 ms', 'node', undefined),
				find('attach', '0 ms', 'raw', defaultConcurrency),
			),
		],
	);
	return list;
}

export function renderReport(
	rows: RowOutcome[],
	ctx: ReportContext,
	getCount: number,
	largeCount: number,
	defaultConcurrency: number,
): string {
	const find = finder(rows);
	const lines: string[] = [];
	lines.push(`### Benchmark (\`npm run bench\`${ctx.quick ? ' -- --quick' : ''})`, '');
	lines.push(`- Machine: ${ctx.machine}`);
	lines.push(`- Node under test: ${ctx.nodeBuild}`);
	lines.push(
		`- Server: the sandbox in its own process on loopback. "20 ms" = through a TCP latency proxy adding 10 ms each way to every chunk, and charging a new connection's handshake one more round trip.`,
	);
	lines.push(
		`- Connections: ${ctx.connectionSource}. Every row runs in a fresh process after a short warm-up sent straight to the sandbox; Peak RSS is that process's maxRSS.`,
	);
	lines.push(`- Whole run: ${ctx.durationS.toFixed(0)} s.`, '');
	lines.push(
		'| Operation | Link (RTT) | Client | Concurrency | Items | Time (s), median | Items/s | Connections (peak open) | Peak RSS (MB) |',
	);
	lines.push('|---|---|---|---|--:|--:|--:|--:|--:|');
	for (const row of rows) {
		const s = row.scenario;
		const res = row.result;
		const time = res ? (res.ms / 1000).toFixed(2) : '—';
		const speed = res
			? fmt(s.count / (res.ms / 1000)) + (res.failures > 0 ? ` (${res.failures} failed)` : '')
			: row.error
				? `failed: ${row.error.slice(0, 80)}`
				: '—';
		const conns = res ? `${res.connections.connections} (${res.connections.peakConcurrent})` : '—';
		const spread =
			res && res.passMs.length > 1
				? ` (${res.passMs.length} passes: ${(Math.min(...res.passMs) / 1000).toFixed(2)}–${(Math.max(...res.passMs) / 1000).toFixed(2)})`
				: '';
		const passes = `${time}${spread}`;
		lines.push(
			`| ${operationLabel(s)} | ${s.link} | ${clientLabel(s, ctx, res?.note)} | ${concurrencyLabel(s, ctx)} | ${fmt(s.count)} | ${passes} | ${speed} | ${conns} | ${res ? fmt(res.maxRssMb) : '—'} |`,
		);
	}
	lines.push('', '| Ratio (items/s) | Value |', '|---|--:|');
	for (const [name, value] of ratios(find, getCount, largeCount, defaultConcurrency))
		lines.push(`| ${name} | ${value === undefined ? '—' : `${value.toFixed(2)}×`} |`);
	lines.push('', '| Target (issue 9) | Measured | Met |', '|---|---|---|');
	for (const t of targets(find, getCount))
		lines.push(
			`| ${t.name} | ${t.measured} | ${t.met === undefined ? 'not measured' : t.met ? 'met' : '**not met**'} |`,
		);
	return `${lines.join('\n')}\n`;
}
