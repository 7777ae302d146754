import type { IDataObject } from 'n8n-workflow';

import { loadProgramListing } from '../../nodes/AltcraftPromo/helpers/freeCodePool';
import { computeProgramStats, isFreeEntry } from '../../nodes/AltcraftPromo/helpers/programStats';
import type { AltcraftEnvelope } from '../../nodes/AltcraftPromo/transport';

/** A program with a code in every state, as export_all lists them (times only when set). */
const program: IDataObject[] = [
	{ code: 'FREE-1' },
	{ code: 'FREE-2', attached: '', activated: '' },
	{ code: 'ATTACHED', attached: '2024-04-01T14:02:05Z' },
	{ code: 'ACTIVATED', attached: '2024-04-01T14:02:05Z', activated: '2024-04-01T14:04:12Z' },
	{ code: 'EXPIRED', expired: '2024-05-01T00:00:00Z' },
	{ code: 'EXPIRED-FLAG', is_expired: true },
	{ code: 'ATTACHED-FLAG', is_attached: true },
	{ code: 'NOT-EXPIRED-FLAG', is_expired: false, is_attached: false, is_activated: false },
	{ code: 'ATTACHED-EXPIRED', attached: '2024-04-01T14:02:05Z', expired: '2024-05-01T00:00:00Z' },
];

describe('computeProgramStats', () => {
	it('counts a program with every state', () => {
		expect(computeProgramStats(program)).toEqual({
			total: 9,
			free: 3,
			attached: 4,
			activated: 1,
			expired: 3,
			free_ratio: 0.3333,
		});
	});

	it('counts "free" exactly as Attach Free Code picks codes', async () => {
		const envelope: AltcraftEnvelope = {
			error: 0,
			error_text: 'Successful operation',
			data: program,
		};
		const pool = await loadProgramListing(async () => envelope, 1);
		const handedOut: string[] = [];
		for (let code = pool.take(); code !== undefined; code = pool.take()) handedOut.push(code);
		expect(handedOut.sort()).toEqual(['FREE-1', 'FREE-2', 'NOT-EXPIRED-FLAG']);
		expect(
			program
				.filter(isFreeEntry)
				.map((entry) => entry.code)
				.sort(),
		).toEqual(handedOut);
		expect(computeProgramStats(program).free).toBe(handedOut.length);
	});

	it('gives zeros for an empty program and skips entries without a code', () => {
		expect(computeProgramStats([])).toEqual({
			total: 0,
			free: 0,
			attached: 0,
			activated: 0,
			expired: 0,
			free_ratio: 0,
		});
		expect(computeProgramStats(null)).toEqual(computeProgramStats([]));
		expect(
			computeProgramStats([{ attached: '2024-04-01T14:02:05Z' }, { code: '' }, 'x', { code: 'A' }])
				.total,
		).toBe(1);
	});

	it('reads one code sent as an object (XML with a single <data>)', () => {
		expect(computeProgramStats({ code: 'ONLY', attached: '2024-04-01T14:02:05Z' })).toMatchObject({
			total: 1,
			attached: 1,
			free: 0,
		});
	});

	it('counts 1,000,000 codes', () => {
		const many: IDataObject[] = Array.from({ length: 1_000_000 }, (_, index) =>
			index % 4 === 0
				? { code: `C${index}`, attached: '2024-04-01T14:02:05Z' }
				: { code: `C${index}` },
		);
		expect(computeProgramStats(many)).toEqual({
			total: 1_000_000,
			free: 750_000,
			attached: 250_000,
			activated: 0,
			expired: 0,
			free_ratio: 0.75,
		});
	});
});
