/**
 * The data every benchmark client works on, so all of them send the same requests:
 * a generated sandbox seed and the per-item request parameters derived from it.
 */
import type { SandboxSeed } from '../../../sandbox/src';

export const TOKEN = 'bench-token';
export const GET_PROGRAM = 1;
export const ATTACH_PROGRAM = 2;
export const IMPORT_PROGRAM = 3;
export const DATABASE = 1;
export const GET_CODES = 5000;
export const PROFILES = 10_000;

const pad = (n: number) => String(n).padStart(6, '0');

export const getCode = (index: number) => `GET-${pad((index % GET_CODES) + 1)}`;
export const profileId = (index: number) => `p${pad((index % PROFILES) + 1)}`;
/** Attach codes do not exist before the run: the program allows new codes, so each attach imports one. */
export const attachCode = (prefix: string, index: number) => `${prefix}-ATT-${pad(index + 1)}`;
export const importCode = (prefix: string, index: number) =>
	`${prefix}-IMP-${String(index + 1).padStart(7, '0')}`;

/** Codes to Get, profiles to attach to, empty programs for attach and import. */
export function benchSeed(): SandboxSeed {
	return {
		defaultCreated: '2026-01-01T00:00:00Z',
		databases: [
			{
				id: DATABASE,
				name: 'Bench customers',
				profiles: Array.from({ length: PROFILES }, (_unused, i) => ({
					id: profileId(i),
					email: `customer${i + 1}@example.com`,
				})),
			},
		],
		loyaltyPrograms: [
			{
				id: GET_PROGRAM,
				name: 'Bench get',
				codes: Array.from({ length: GET_CODES }, (_unused, i) => getCode(i)),
			},
			{ id: ATTACH_PROGRAM, name: 'Bench attach', allowNewCodes: true, codes: [] },
			{ id: IMPORT_PROGRAM, name: 'Bench import', codes: [] },
		],
	};
}
