import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { startSandbox } from '../../sandbox/src';
import { runAltcraftNode, shutdownEngine } from '../harness';
import { TOKEN } from './context';
import {
	ATTACHED_PROGRAM,
	FAULTS,
	HANG_TIMEOUT_MS,
	OPERATIONS,
	appliedPerCode,
	codesHeldBy,
	countOf,
	customerId,
	holdersOf,
	CELL_DEADLINE_MS,
	runCell,
	startFixedServer,
	withDeadline,
	startPool,
	type CellRun,
	type CellSetup,
	type Fault,
	type Operation,
} from './faultMatrix.cells';

/**
 * Every operation × every fault × with and without Continue On Fail, each cell an execution of
 * the built node through n8n's engine against a sandbox of its own (so cells run side by side).
 * One fault hits the first request on the operation's own path; the second item goes through.
 * The table is written to artifacts/fault-matrix.md and printed once.
 */

const POOL_SIZE = 12;
const MATRIX_TIMEOUT_MS = 120_000;

type Format = 'json' | 'xml';

interface MatrixCell {
	operation: Operation;
	fault: Fault;
	continueOnFail: boolean;
	format: Format;
}

/** Over XML too, for the faults whose handling reads the answer (or its absence) differently. */
const XML_FAULTS = new Set(['503', '502 HTML page', 'reset after apply']);

/** The cells of one operation, in table order. */
function cellsOf(operation: Operation): MatrixCell[] {
	return [
		...FAULTS.flatMap((fault) =>
			[true, false].map(
				(continueOnFail): MatrixCell => ({ operation, fault, continueOnFail, format: 'json' }),
			),
		),
		...FAULTS.filter((fault) => XML_FAULTS.has(fault.name)).map(
			(fault): MatrixCell => ({ operation, fault, continueOnFail: true, format: 'xml' }),
		),
	];
}

const matrixCells: MatrixCell[] = OPERATIONS.flatMap(cellsOf);

function matrixSetup({ operation, fault, continueOnFail, format }: MatrixCell): CellSetup {
	return {
		parameters: { ...operation.parameters, options: { ...fault.options, format } },
		items: operation.items,
		continueOnFail,
		faults: [{ fault: fault.fault, options: { path: operation.path, count: 1 } }],
	};
}

/** Cases that end in an error whatever is retried: the message the user gets is the point. */
interface FinalCase {
	name: string;
	operation: string;
	faults: CellSetup['faults'];
	options: INodeParameters;
	message: RegExp;
	/** Requests to the operation's own path. */
	sent: number;
}

const forever = (path: string) => ({ path, count: 99 });
const UNKNOWN_SUFFIX = 'was applied is unknown \\[item 0\\]$';

const finalCases: FinalCase[] = [
	{
		name: '503 on every try',
		operation: 'get',
		faults: [{ fault: { kind: 'status503' }, options: forever('promocodes/get') }],
		options: { maxRetries: 1 },
		message: /^Altcraft error 503: .+ \[item 0\]$/,
		sent: 2,
	},
	{
		name: 'hang on every try',
		operation: 'get',
		faults: [{ fault: { kind: 'hang' }, options: forever('promocodes/get') }],
		options: { maxRetries: 1, timeout: HANG_TIMEOUT_MS },
		message: /^Altcraft did not answer within 0\.8 s \[item 0\]$/,
		sent: 2,
	},
	{
		name: '429 Retry-After 120 s',
		operation: 'getAll',
		faults: [
			{ fault: { kind: 'status429', retryAfter: 120 }, options: forever('promocodes/export_all') },
		],
		options: {},
		message: /^Altcraft is rate limiting requests for 120 s \[item 0\]$/,
		sent: 1,
	},
	{
		name: '429 Retry-After date 120 s ahead',
		operation: 'attach with code',
		faults: [
			{
				fault: { kind: 'status429', retryAfter: 120, retryAfterDate: true },
				options: forever('promocodes/attach'),
			},
		],
		options: {},
		message: /^Altcraft is rate limiting requests for 1[12]\d s \[item 0\]$/,
		sent: 1,
	},
	{
		name: '502 page on every try',
		operation: 'import',
		faults: [{ fault: { kind: 'html', status: 502 }, options: forever('promocodes/import') }],
		options: { maxRetries: 1 },
		message: /^Altcraft answered HTTP 502 with an HTML page \[item 0\]$/,
		sent: 2,
	},
	{
		name: '503 on every try',
		operation: 'attach without code',
		faults: [{ fault: { kind: 'status503' }, options: forever('promocodes/attach') }],
		options: { maxRetries: 1 },
		message: /^Altcraft error 503: .+ \[item 0\]$/,
		sent: 2,
	},
	{
		name: 'hang on every try (read-back: not applied)',
		operation: 'activate',
		faults: [{ fault: { kind: 'hang' }, options: forever('promocodes/activate') }],
		options: { maxRetries: 1, timeout: HANG_TIMEOUT_MS },
		message: /^Altcraft did not answer within 0\.8 s \[item 0\]$/,
		sent: 2,
	},
	...(
		[
			['activate', 'promocodes/activate', 'the activation'],
			['detach', 'promocodes/detach', 'the detach'],
			['attach with code', 'promocodes/attach', 'the attach'],
			['attachFreeCode', 'promocodes/attach', 'the attach'],
		] as const
	).map(
		([operation, path, action]): FinalCase => ({
			name: 'reset after apply, code unreadable',
			operation,
			faults: [
				{ fault: { kind: 'resetAfterApply' }, options: { path, count: 1 } },
				// attachFreeCode reads the customer and the list first; only the read-back is broken.
				{ fault: { kind: 'resetBeforeApply' }, options: forever('promocodes/get') },
			],
			options: { maxRetries: 1 },
			message: new RegExp(
				`^The connection broke before an answer arrived: whether ${action} ${UNKNOWN_SUFFIX}`,
			),
			sent: 1,
		}),
	),
	{
		name: 'no answer after apply, read-back hangs too',
		operation: 'activate',
		faults: [
			{ fault: { kind: 'hangAfterApply' }, options: { path: 'promocodes/activate', count: 1 } },
			{ fault: { kind: 'hang' }, options: forever('promocodes/get') },
		],
		options: { maxRetries: 1, timeout: HANG_TIMEOUT_MS },
		message: new RegExp(
			`^Altcraft did not answer within 0\\.8 s: whether the activation ${UNKNOWN_SUFFIX}`,
		),
		sent: 1,
	},
	{
		name: '504 after apply, profile unreadable',
		operation: 'attach with code',
		faults: [
			{
				fault: { kind: 'status504', afterApply: true },
				options: { path: 'promocodes/attach', count: 1 },
			},
			{ fault: { kind: 'resetBeforeApply' }, options: forever('profiles/get') },
		],
		options: { maxRetries: 1 },
		message: new RegExp(
			`^A gateway in front of Altcraft answered HTTP 504: whether the attach ${UNKNOWN_SUFFIX}`,
		),
		sent: 1,
	},
];

const operationNamed = (name: string) =>
	OPERATIONS.find((operation) => operation.name === name) as Operation;

function finalSetup(entry: FinalCase): CellSetup {
	const operation = operationNamed(entry.operation);
	return {
		parameters: { ...operation.parameters, options: entry.options },
		items: operation.items.slice(0, 1),
		continueOnFail: true,
		faults: entry.faults,
	};
}

// ---------------------------------------------------------------- running and the table

let matrixRuns: Array<Promise<CellRun>> = [];
let finalRuns: Array<Promise<CellRun>> = [];
const tableRows = new Map<string, string[]>();

/** Starts every cell at the first test that needs one (none start when a -t filter skips them all). */
function startCells(): void {
	if (matrixRuns.length > 0) return;
	const setups = [...matrixCells.map(matrixSetup), ...finalCases.map(finalSetup)];
	const runs = startPool(setups, POOL_SIZE, runCell);
	// Awaited by their tests; this only keeps a failure from being reported as unhandled meanwhile.
	for (const run of runs) run.catch(() => undefined);
	matrixRuns = runs.slice(0, matrixCells.length);
	finalRuns = runs.slice(matrixCells.length);
}

afterAll(async () => {
	// A failed test leaves later cells running; the engine must outlive them.
	await Promise.allSettled([...matrixRuns, ...finalRuns]);
	shutdownEngine();
	// The table is for reading, not for every test run: FAULT_MATRIX_TABLE=1 writes artifacts/fault-matrix.md.
	if (tableRows.size === 0 || process.env.FAULT_MATRIX_TABLE !== '1') return;
	const header = [
		'operation',
		'fault',
		'continue on fail',
		'requests sent',
		'outcome',
		'side effects in the sandbox state',
		'ms',
	];
	const lines = [
		`| ${header.join(' | ')} |`,
		`|${header.map(() => '---').join('|')}|`,
		...[...tableRows.values()].map(
			(row) => `| ${row.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`,
		),
	];
	const table = `# Fault matrix\n\nWritten by test/node/faultMatrix.test.ts.\n\n${lines.join('\n')}\n`;
	mkdirSync(join(__dirname, '../../artifacts'), { recursive: true });
	writeFileSync(join(__dirname, '../../artifacts/fault-matrix.md'), table);
});

function requestsText(run: CellRun): string {
	const counts = new Map<string, number>();
	for (const entry of run.requests) counts.set(entry.path, (counts.get(entry.path) ?? 0) + 1);
	return [...counts]
		.map(([path, count]) => `${path.replace(/^promocodes\//, '')} ${count}`)
		.join(', ');
}

const errorOf = (item: INodeExecutionData) =>
	typeof item.json.error === 'string' ? item.json.error : undefined;

function outcomeText(run: CellRun): string {
	const parts = run.result.output.map((item) => {
		const error = errorOf(item);
		if (error) return `error: ${error}`;
		return item.json.confirmed_by_read_back === true ? 'ok (read back)' : 'ok';
	});
	const counted = new Map<string, number>();
	for (const part of parts) counted.set(part, (counted.get(part) ?? 0) + 1);
	const summary = [...counted]
		.map(([part, count]) => (count > 1 ? `${part} ×${count}` : part))
		.join('; ');
	if (run.result.error)
		return `workflow error: ${run.result.error.message}${summary ? `; output ${summary}` : ''}`;
	return summary || 'no output';
}

function sideEffectsText(operation: Operation, run: CellRun): string {
	const { state, requests } = run;
	const codes = (loyaltyId: number) =>
		state.loyaltyPrograms.find((program) => program.id === loyaltyId)?.codes ?? [];
	switch (operation.name) {
		case 'import': {
			const imported = codes(1).filter((code) => code.code.startsWith('FM-IMP-')).length;
			const reported = run.result.output.reduce(
				(sum, item) => sum + (Number(item.json.inserted) || 0),
				0,
			);
			return `${imported} codes in the program; output says inserted ${reported}`;
		}
		case 'activate': {
			const activated = codes(ATTACHED_PROGRAM).filter((code) => code.activated !== null).length;
			const applied = [...appliedPerCode(requests, 'promocodes/activate').values()];
			return `${activated}/2 activated; activations applied per code: ${applied.join(', ') || '0'}`;
		}
		case 'detach': {
			const free = codes(ATTACHED_PROGRAM).filter((code) => code.attachments.length === 0).length;
			const applied = [...appliedPerCode(requests, 'promocodes/detach').values()];
			return `${free}/2 detached; detaches applied per code: ${applied.join(', ') || '0'}`;
		}
		case 'update': {
			const updated = codes(1).filter((code) => code.expireDate === '2031-01-01T00:00:00Z').length;
			return `${updated}/2 expiry set; ${requests.filter((entry) => entry.path === 'promocodes/update' && entry.applied).length} updates applied`;
		}
		case 'attach with code':
		case 'attach without code':
		case 'attachFreeCode': {
			const loyaltyId = operation.name === 'attachFreeCode' ? 4 : 1;
			const held = [1, 2].map((n) => codesHeldBy(state, loyaltyId, customerId(n)).length);
			return `codes held by customer01/02: ${held.join('/')}; attaches applied: ${requests.filter((entry) => entry.path === 'promocodes/attach' && entry.applied).length}`;
		}
		default:
			return requests.some(
				(entry) => entry.applied && !/\/(get|export_all)$/.test(`/${entry.path}`),
			)
				? 'CHANGED'
				: 'none';
	}
}

function record(
	key: string,
	operation: string,
	fault: string,
	continueOnFail: boolean,
	run: CellRun,
	effects: string,
): void {
	tableRows.set(key, [
		operation,
		fault,
		continueOnFail ? 'yes' : 'no',
		requestsText(run),
		outcomeText(run),
		effects,
		String(run.ms),
	]);
}

// ---------------------------------------------------------------- assertions shared by every cell

const RETRY_IMMEDIATELY = /retry[^.]{0,40}immediately/i;

function expectCommon(
	run: CellRun,
	items: number,
	continueOnFail: boolean,
	hasSideEffects: boolean,
): void {
	const whole = JSON.stringify(run.result.run);
	expect(whole).not.toContain(TOKEN);
	if (hasSideEffects) expect(whole).not.toMatch(RETRY_IMMEDIATELY);
	if (continueOnFail) {
		expect(run.result.error).toBeUndefined();
		expect(run.result.output).toHaveLength(items);
		run.result.output.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			const error = errorOf(item);
			if (error !== undefined) {
				expect(Object.keys(item.json)).toEqual(['error']);
				expect(error).toMatch(new RegExp(`\\[item ${index}\\]$`));
			}
		});
	} else if (run.result.error) {
		expect(run.result.error.message).toMatch(/\[item \d+\]$/);
	}
}

/** One error per failed item, by output position; the workflow error when not continuing. */
function errorsOf(run: CellRun): string[] {
	if (run.result.error) return [run.result.error.message];
	return run.result.output.map(errorOf).filter((error): error is string => error !== undefined);
}

// ---------------------------------------------------------------- the matrix

describe.each(OPERATIONS.map((operation) => [operation.name, operation] as const))(
	'%s',
	(_name, operation) => {
		const hasSideEffects = !['get', 'getAll', 'update', 'import'].includes(operation.name);

		it.each(
			cellsOf(operation).map(
				(cell) => [cell.fault.name, cell.continueOnFail, cell.format, cell] as const,
			),
		)(
			'%s, continue on fail: %s, %s',
			async (_faultName, continueOnFail, format, cell) => {
				const { fault } = cell;
				const index = matrixCells.findIndex(
					(entry) =>
						entry.operation === operation &&
						entry.fault === fault &&
						entry.continueOnFail === continueOnFail &&
						entry.format === format,
				);
				startCells();
				const run = await matrixRuns[index];
				const label = format === 'xml' ? `${fault.name} (XML)` : fault.name;
				record(
					`m${String(index).padStart(3, '0')}`,
					operation.name,
					label,
					continueOnFail,
					run,
					sideEffectsText(operation, run),
				);

				const items = operation.items.length;
				expectCommon(run, items, continueOnFail, hasSideEffects);

				const resentAfterAmbiguous = fault.kind === 'ambiguous';
				const unverifiableLost = operation.sideEffect === 'unverifiable' && resentAfterAmbiguous;
				const settledByReading =
					['verifiable', 'freeCode'].includes(operation.sideEffect) && resentAfterAmbiguous;

				// Requests on the faulted path: one per item, plus one resend unless the fault may have
				// applied it and that is either confirmed by reading or never to be resent.
				const noResend = unverifiableLost || (settledByReading && fault.applied);
				expect(countOf(run.requests, operation.path)).toBe(items + (noResend ? 0 : 1));
				if (operation.sideEffect === 'verifiable') {
					expect(countOf(run.requests, 'promocodes/get')).toBe(settledByReading ? 1 : 0);
					expect(countOf(run.requests, 'profiles/get')).toBe(
						operation.name === 'attach with code' && settledByReading && fault.applied ? 1 : 0,
					);
				}

				// Outcome and message.
				const errors = errorsOf(run);
				if (unverifiableLost) {
					expect(errors).toHaveLength(1);
					expect(errors[0]).toMatch(
						new RegExp(
							`^${fault.what?.source}: Altcraft may have attached a promo code to this profile \\[item [01]\\]$`,
						),
					);
				} else {
					expect(errors).toEqual([]);
					expect(run.result.output).toHaveLength(items);
				}

				expectSideEffects(operation, fault, run, unverifiableLost);
			},
			MATRIX_TIMEOUT_MS,
		);
	},
);

function expectSideEffects(
	operation: Operation,
	fault: Fault,
	run: CellRun,
	unverifiableLost: boolean,
): void {
	const { state, requests } = run;
	const output = run.result.output.map((item) => item.json);
	const mutating = requests.filter(
		(entry) =>
			entry.applied &&
			!['promocodes/get', 'promocodes/export_all', 'profiles/get'].includes(entry.path),
	);
	switch (operation.name) {
		case 'get':
			expect(mutating).toEqual([]);
			expect(output.map((item) => item.code)).toEqual(['WELCOME-0001', 'WELCOME-0002']);
			break;
		case 'getAll':
			expect(mutating).toEqual([]);
			expect(output.map((item) => item.code)).toEqual(['VIP-2026', 'VIP-2026']);
			break;
		case 'update':
			for (const code of ['WELCOME-0001', 'WELCOME-0002']) {
				expect(holdersOf(state, 1).get(code)).toEqual([]);
				const record = state.loyaltyPrograms
					.find((program) => program.id === 1)
					?.codes.find((entry) => entry.code === code);
				expect(record?.expireDate).toBe('2031-01-01T00:00:00Z');
			}
			break;
		case 'import': {
			const program = state.loyaltyPrograms.find((entry) => entry.id === 1)?.codes ?? [];
			const imported = program
				.map((code) => code.code)
				.filter((code) => code.startsWith('FM-IMP-'));
			expect(imported.sort()).toEqual(['FM-IMP-1-A', 'FM-IMP-1-B', 'FM-IMP-2-A', 'FM-IMP-2-B']);
			// Never over-counted: the lost attempt's inserts come back as duplicated, flagged.
			const inserted = output.reduce((sum, item) => sum + Number(item.inserted), 0);
			expect(inserted).toBe(fault.kind === 'ambiguous' && fault.applied ? 2 : 4);
			const resent = output.filter((item) =>
				(item.codes as IDataObject[]).some((code) => code.after_resend === true),
			);
			expect(resent).toHaveLength(fault.kind === 'ambiguous' ? 1 : 0);
			for (const item of resent) {
				expect((item.codes as IDataObject[]).every((code) => code.after_resend === true)).toBe(
					true,
				);
				expect(item.duplicated_after_resend).toBe(fault.applied ? 2 : 0);
				expect(item.duplicated).toBe(fault.applied ? 2 : 0);
			}
			for (const item of output) expect(Number(item.inserted) + Number(item.duplicated)).toBe(2);
			break;
		}
		case 'activate': {
			const codes =
				state.loyaltyPrograms.find((entry) => entry.id === ATTACHED_PROGRAM)?.codes ?? [];
			expect(codes.map((code) => code.activated !== null)).toEqual([true, true]);
			// A second activation would show as a second applied request for the same code.
			expect(Object.fromEntries(appliedPerCode(requests, 'promocodes/activate'))).toEqual({
				'FM-ATT-1': 1,
				'FM-ATT-2': 1,
			});
			break;
		}
		case 'detach':
			expect(holdersOf(state, ATTACHED_PROGRAM)).toEqual(
				new Map([
					['FM-ATT-1', []],
					['FM-ATT-2', []],
				]),
			);
			expect(Object.fromEntries(appliedPerCode(requests, 'promocodes/detach'))).toEqual({
				'FM-ATT-1': 1,
				'FM-ATT-2': 1,
			});
			break;
		case 'attach with code':
			expect(holdersOf(state, 1).get('WELCOME-0001')).toEqual([customerId(1)]);
			expect(holdersOf(state, 1).get('WELCOME-0002')).toEqual([customerId(2)]);
			expect(Object.fromEntries(appliedPerCode(requests, 'promocodes/attach'))).toEqual({
				'WELCOME-0001': 1,
				'WELCOME-0002': 1,
			});
			break;
		case 'attach without code': {
			const held = [1, 2].map((n) => codesHeldBy(state, 1, customerId(n)).length);
			for (const count of held) expect(count).toBeLessThanOrEqual(1);
			const attached = [...holdersOf(state, 1).values()].filter((holders) => holders.length > 0);
			for (const holders of attached) expect(holders).toHaveLength(1);
			const applied = requests.filter(
				(entry) => entry.path === 'promocodes/attach' && entry.applied,
			).length;
			expect(attached).toHaveLength(applied);
			if (!unverifiableLost) expect(held).toEqual([1, 1]);
			else if (!run.result.error) expect(applied).toBe(fault.applied ? 2 : 1);
			break;
		}
		case 'attachFreeCode': {
			const held = [1, 2].map((n) => codesHeldBy(state, 4, customerId(n)));
			expect(held.map((codes) => codes.length)).toEqual([1, 1]);
			expect(held[0][0]).not.toBe(held[1][0]);
			expect(output.map((item) => item.code)).toEqual([held[0][0], held[1][0]]);
			expect(
				requests.filter((entry) => entry.path === 'promocodes/attach' && entry.applied),
			).toHaveLength(2);
			const confirmed = output.filter((item) => item.confirmed_by_read_back === true).length;
			expect(confirmed).toBe(fault.kind === 'ambiguous' && fault.applied ? 1 : 0);
			break;
		}
		default:
			throw new Error(`no side-effect check for ${operation.name}`);
	}
}

// ---------------------------------------------------------------- outcomes that stay errors

describe('faults that outlast the retries', () => {
	it.each(finalCases.map((entry, index) => [`${entry.operation}: ${entry.name}`, index] as const))(
		'%s',
		async (_label, index) => {
			const entry = finalCases[index];
			const operation = operationNamed(entry.operation);
			startCells();
			const run = await finalRuns[index];
			const label = `${entry.name} (1 item${entry.options.maxRetries === 1 ? ', max retries 1' : ''})`;
			record(
				`f${String(index).padStart(3, '0')}`,
				entry.operation,
				label,
				true,
				run,
				sideEffectsText(operation, run),
			);

			expectCommon(run, 1, true, operation.sideEffect !== 'none');
			expect(errorsOf(run)).toHaveLength(1);
			expect(errorsOf(run)[0]).toMatch(entry.message);
			expect(countOf(run.requests, operation.path)).toBe(entry.sent);
			// Never applied twice.
			for (const count of appliedPerCode(run.requests, operation.path).values()) {
				if (operation.sideEffect !== 'none') expect(count).toBeLessThanOrEqual(1);
			}
		},
		MATRIX_TIMEOUT_MS,
	);
});

// ---------------------------------------------------------------- import in chunks and in one run for all items

describe('import', () => {
	const codes = ['CH-1', 'CH-2', 'CH-3', 'CH-4', 'CH-5', 'CH-6'];

	it.each([
		['after', 'resetAfterApply', 4, 2],
		['before', 'resetBeforeApply', 6, 0],
	] as const)(
		'in chunks of 2, the second chunk lost %s it was applied: only that chunk is flagged, inserted never over-counted',
		async (_when, kind, inserted, duplicated) => {
			const run = await runCell({
				parameters: {
					operation: 'import',
					loyaltyId: 1,
					codes: codes.join(','),
					options: { chunkSize: 2 },
				},
				items: [{}],
				continueOnFail: false,
				faults: [{ fault: { kind }, options: { path: 'promocodes/import', count: 1, skip: 1 } }],
			});
			expect(run.result.error).toBeUndefined();
			expect(countOf(run.requests, 'promocodes/import')).toBe(4);
			const [output] = run.result.output.map((item) => item.json);
			expect(output).toMatchObject({
				inserted,
				duplicated,
				duplicated_after_resend: duplicated,
				requests: 3,
			});
			const flagged = (output.codes as IDataObject[])
				.filter((code) => code.after_resend === true)
				.map((code) => code.code);
			expect(flagged).toEqual(['CH-3', 'CH-4']);
			const program = run.state.loyaltyPrograms.find((entry) => entry.id === 1)?.codes ?? [];
			// Each code exactly once; two chunks travel at once, so the program may hold them in another order.
			expect(
				program
					.filter((code) => code.code.startsWith('CH-'))
					.map((code) => code.code)
					.sort(),
			).toEqual(codes);
			expect(JSON.stringify(run.result.run)).not.toContain(TOKEN);
		},
	);

	it('one import for all items that fails: under Continue On Fail one error item per input item, paired to it', async () => {
		const run = await runCell({
			parameters: {
				operation: 'import',
				loyaltyId: 1,
				codes: '={{ $json.codes }}',
				importMode: 'allItems',
				options: { maxRetries: 1 },
			},
			items: [{ codes: ['ALL-1'] }, { codes: ['ALL-2'] }, { codes: ['ALL-3'] }],
			continueOnFail: true,
			faults: [{ fault: { kind: 'html', status: 502 }, options: forever('promocodes/import') }],
		});
		record(
			'x-all-items',
			'import (all items)',
			'502 page on every try (3 items, max retries 1)',
			true,
			run,
			sideEffectsText(operationNamed('import'), run),
		);
		expect(countOf(run.requests, 'promocodes/import')).toBe(2);
		expect(run.result.output.map((item) => item.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
		]);
		for (const item of run.result.output)
			expect(errorOf(item)).toMatch(/^Altcraft answered HTTP 502 with an HTML page \[item \d\]$/);
		expect(JSON.stringify(run.result.run)).not.toContain(TOKEN);
	});
});

// ---------------------------------------------------------------- time bounds (after the matrix, on a quieter process)

describe('time bounds', () => {
	const getOne = OPERATIONS.find((operation) => operation.name === 'get') as Operation;

	/** Lower bounds are what the node must wait; upper bounds are 3× the theory, which only a stuck node breaks. */
	it.each([
		// [label, operation, maxRetries, lower bound ms, theoretical upper bound ms]
		['get, no retries', 'get', 0, HANG_TIMEOUT_MS, HANG_TIMEOUT_MS],
		// 3 timeouts + backoff after tries 1 and 2 (≥ 125 + 250, ≤ 250 + 500).
		['get, 2 retries', 'get', 2, 3 * HANG_TIMEOUT_MS + 375, 3 * HANG_TIMEOUT_MS + 750],
		// 2 timeouts, a read-back after each (answered at once), one backoff.
		[
			'activate, 1 retry (read back after each timeout)',
			'activate',
			1,
			2 * HANG_TIMEOUT_MS + 125,
			2 * HANG_TIMEOUT_MS + 250,
		],
		// Never resent: one timeout whatever maxRetries says.
		[
			'attach without code, 3 retries allowed',
			'attach without code',
			3,
			HANG_TIMEOUT_MS,
			HANG_TIMEOUT_MS,
		],
	] as const)(
		'a hung server is given up in time: %s',
		async (_label, name, maxRetries, lower, upper) => {
			const operation = operationNamed(name);
			const run = await runCell({
				parameters: { ...operation.parameters, options: { timeout: HANG_TIMEOUT_MS, maxRetries } },
				items: operation.items.slice(0, 1),
				continueOnFail: true,
				faults: [{ fault: { kind: 'hang' }, options: forever(operation.path) }],
			});
			expect(errorsOf(run)).toHaveLength(1);
			expect(run.ms).toBeGreaterThanOrEqual(lower - 20);
			expect(run.ms).toBeLessThan(3 * upper);
		},
	);

	it.each([
		['seconds', false],
		['an HTTP date', true],
	] as const)(
		'Retry-After as %s is waited for before the resend',
		async (_label, retryAfterDate) => {
			const run = await runCell({
				parameters: { ...getOne.parameters, options: {} },
				items: getOne.items.slice(0, 1),
				continueOnFail: false,
				faults: [
					{
						fault: { kind: 'status429', retryAfter: 2, retryAfterDate },
						options: { path: getOne.path, count: 1 },
					},
				],
			});
			expect(run.result.error).toBeUndefined();
			expect(countOf(run.requests, getOne.path)).toBe(2);
			// The date is rounded up to a whole second by the sandbox and read back to the ms by the node.
			expect(run.ms).toBeGreaterThanOrEqual(retryAfterDate ? 1_900 : 1_980);
			expect(run.ms).toBeLessThan(3 * 3_000);
		},
	);

	it('a Retry-After beyond 60 s fails the item at once', async () => {
		const run = await runCell({
			parameters: { ...getOne.parameters, options: {} },
			items: getOne.items.slice(0, 1),
			continueOnFail: true,
			faults: [{ fault: { kind: 'status429', retryAfter: 61 }, options: forever(getOne.path) }],
		});
		expect(errorsOf(run)).toEqual(['Altcraft is rate limiting requests for 61 s [item 0]']);
		expect(run.ms).toBeLessThan(5_000);
	});
});

// ---------------------------------------------------------------- concurrency and batching

describe('concurrency and batching', () => {
	const getOne = OPERATIONS.find((operation) => operation.name === 'get') as Operation;
	const thirtyGets = Array.from({ length: 30 }, (_unused, index) => ({
		code: `WELCOME-000${(index % 9) + 1}`,
	}));

	it.each([
		[3, 50],
		[3, 0],
		[1, 0],
	])(
		'Concurrency %i (answers delayed %i ms): at most that many requests in flight and connections',
		async (concurrency, delay) => {
			const run = await runCell({
				parameters: { ...getOne.parameters, options: { concurrency } },
				items: thirtyGets,
				continueOnFail: false,
				faults: delay
					? [{ fault: { kind: 'delay', ms: delay }, options: { path: getOne.path, count: 30 } }]
					: [],
			});
			expect(run.result.error).toBeUndefined();
			expect(run.result.output).toHaveLength(30);
			expect(run.stats.apiRequests).toBe(30);
			expect(run.stats.maxInFlight).toBeLessThanOrEqual(concurrency);
			// Delayed answers overlap for certain, so the limit is also reached.
			if (delay) expect(run.stats.maxInFlight).toBe(concurrency);
			expect(run.stats.apiConnections).toBeLessThanOrEqual(concurrency);
		},
	);

	it('Batching 5 items per 200 ms on 15 items pauses twice', async () => {
		const run = await runCell({
			parameters: {
				...getOne.parameters,
				options: { batching: { batch: { batchSize: 5, batchInterval: 200 } } },
			},
			items: thirtyGets.slice(0, 15),
			continueOnFail: false,
			faults: [],
		});
		expect(run.result.error).toBeUndefined();
		expect(run.result.output).toHaveLength(15);
		expect(run.ms).toBeGreaterThanOrEqual(400);
		expect(run.stats.maxInFlight).toBeLessThanOrEqual(5);
	});
});

// ---------------------------------------------------------------- transport bugs this matrix found
// Each of these failed against an earlier transport (see the CHANGELOG); the comment says what it answered then.

type DescribedError = Error & { description?: string; httpCode?: string };

describe('transport bugs found by the fault matrix', () => {
	it.each([
		['import', { operation: 'import', loyaltyId: 1, codes: 'GONE-1' }, 'promocodes/import'],
		[
			'update',
			{
				operation: 'update',
				loyaltyId: 1,
				code: 'WELCOME-0001',
				updateFields: { expireDate: '2031-01-01T00:00:00Z' },
			},
			'promocodes/update',
		],
	] as const)(
		'%s applied, answer lost, then Altcraft unreachable: the error must not say "nothing was changed"',
		async (_name, parameters, path) => {
			let stopping: Promise<void> | undefined;
			// The sandbox goes away right after it applied the request and dropped the connection.
			const sandbox = await startSandbox({
				port: 0,
				token: TOKEN,
				log: (line) => {
					if (line.includes('fault=resetAfterApply')) stopping = sandbox.stop();
				},
			});
			sandbox.injectFault('resetAfterApply', { path });
			let result: Awaited<ReturnType<typeof runAltcraftNode>>;
			try {
				result = await withDeadline(
					runAltcraftNode({
						parameters: { resource: 'promoCode', ...parameters, options: { maxRetries: 1 } },
						credentials: { baseUrl: sandbox.baseUrl, token: TOKEN },
					}),
					CELL_DEADLINE_MS,
					'the execution',
				);
			} finally {
				await (stopping ?? sandbox.stop());
			}
			const error = result.error as DescribedError;
			expect(error.message).toMatch(/^Could not reach Altcraft at .+ \[item 0\]$/);
			// The first attempt was applied: the code exists / the expiry is set.
			if (path === 'promocodes/import') expect(sandbox.getCode(1, 'GONE-1')).toBeDefined();
			else expect(sandbox.getCode(1, 'WELCOME-0001')?.expireDate).toBe('2031-01-01T00:00:00Z');
			// Before the fix: "... failed before the request reached Altcraft (...); nothing was changed." — false.
			expect(error.description).not.toMatch(/nothing was changed/i);
			expect(error.description).toMatch(/may have been applied/);
		},
	);

	it('a 503 with Retry-After beyond 60 s (maintenance) is reported as HTTP 503, not as rate limiting', async () => {
		const server = await startFixedServer(
			503,
			{ 'Retry-After': '120' },
			'{"error":503,"error_text":"Service unavailable","data":null}',
		);
		try {
			const result = await withDeadline(
				runAltcraftNode({
					parameters: {
						resource: 'promoCode',
						operation: 'get',
						loyaltyId: 1,
						code: 'WELCOME-0001',
					},
					credentials: { baseUrl: server.baseUrl, token: TOKEN },
				}),
				CELL_DEADLINE_MS,
				'the execution',
			);
			const error = result.error as DescribedError;
			expect(error.message).toMatch(/120 s \[item 0\]$/);
			expect(error.message).not.toMatch(/rate limiting/);
			// Before the fix: "Altcraft is rate limiting requests for 120 s", httpCode "429", "answered HTTP 429 ...".
			expect(error.httpCode).toBe('503');
			expect(error.description).toContain('HTTP 503');
		} finally {
			await server.stop();
		}
	});

	it('Attach Free Code, profiles/get answers without an ID: the message must name the item', async () => {
		const server = await startFixedServer(
			200,
			{},
			'{"error":0,"error_text":"Successful operation","data":{"email":"a@example.com"}}',
		);
		try {
			const result = await withDeadline(
				runAltcraftNode({
					parameters: {
						resource: 'promoCode',
						operation: 'attachFreeCode',
						loyaltyId: 4,
						databaseId: 1,
						matching: 'email',
						email: 'a@example.com',
					},
					credentials: { baseUrl: server.baseUrl, token: TOKEN },
				}),
				CELL_DEADLINE_MS,
				'the execution',
			);
			// Before the fix: "profiles/get answered without a profile ID" (transport/reconcile.ts threw a plain Error).
			expect(result.error?.message).toMatch(/profile ID.* \[item 0\]$/);
		} finally {
			await server.stop();
		}
	});
});
