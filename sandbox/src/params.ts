/**
 * Reading request parameters. JSON bodies carry real types; XML bodies carry
 * strings only, so numbers and booleans are also accepted as their text form
 * (the docs themselves show `"loyalty_id": "1"`). Anything else is a 400.
 */
import { badRequest } from './errors';

export type Params = Record<string, unknown>;

function missing(v: unknown): boolean {
	return v === undefined || v === null || v === '';
}

export function optInt(p: Params, name: string, min = 1): number | undefined {
	const v = p[name];
	if (missing(v)) return undefined;
	let n: number | undefined;
	if (typeof v === 'number' && Number.isSafeInteger(v)) n = v;
	else if (typeof v === 'string' && /^\s*-?\d{1,15}\s*$/.test(v)) n = Number(v);
	if (n === undefined) throw badRequest(`${name} must be an integer`);
	if (n < min) throw badRequest(`${name} must be >= ${min}`);
	return n;
}

export function reqInt(p: Params, name: string, min = 1): number {
	const n = optInt(p, name, min);
	if (n === undefined) throw badRequest(`${name} is required`);
	return n;
}

export function optStr(p: Params, name: string): string | undefined {
	const v = p[name];
	if (missing(v)) return undefined;
	if (typeof v !== 'string') throw badRequest(`${name} must be a string`);
	return v;
}

export function reqStr(p: Params, name: string): string {
	const v = optStr(p, name);
	if (v === undefined) throw badRequest(`${name} is required`);
	return v;
}

export function optBool(p: Params, name: string): boolean | undefined {
	const v = p[name];
	if (missing(v)) return undefined;
	if (typeof v === 'boolean') return v;
	if (typeof v === 'string') {
		const t = v.trim().toLowerCase();
		if (t === 'true') return true;
		if (t === 'false') return false;
	}
	throw badRequest(`${name} must be true or false`);
}

/** An array parameter; XML repeated elements arrive as arrays already (see xml.ts). */
export function optArray(p: Params, name: string): unknown[] | undefined {
	const v = p[name];
	if (v === undefined || v === null || v === '') return undefined;
	if (!Array.isArray(v)) throw badRequest(`${name} must be an array`);
	return v;
}

export function strArray(p: Params, name: string): string[] | undefined {
	const a = optArray(p, name);
	if (a === undefined) return undefined;
	return a.map((x) => {
		if (typeof x !== 'string' || x === '')
			throw badRequest(`${name} must contain non-empty strings`);
		return x;
	});
}

export function intArray(p: Params, name: string): number[] | undefined {
	const a = optArray(p, name);
	if (a === undefined) return undefined;
	return a.map((x, i) => reqInt({ [`${name}[${i}]`]: x }, `${name}[${i}]`, 0));
}
