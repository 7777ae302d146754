/**
 * POST /profiles/import (Altcraft's documented add-or-update): the request's `data` checked and
 * applied to a profile, and the fields of a profile created for a matching key nobody has.
 * Pure: the store (state.ts) finds the profile and calls these within one synchronous step, so two
 * imports of one new key at the same moment make one profile, the second updating it.
 */
import { randomBytes } from 'crypto';

import { badRequest } from './errors';
import type { Params } from './params';
import type { FieldValue, ProfileState } from './seed';

/** Names Altcraft shows for fields (`_fname`, `CRM_ID`); also valid XML element names. The sandbox's choice. */
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Keys profiles/get answers itself, or that this sandbox does not model (subscriptions). */
const NOT_IMPORTABLE = ['id', 'phones', 'subscriptions'];

export interface ProfileData {
	email?: string;
	phone?: string;
	fields: Record<string, FieldValue>;
}

function fieldValue(name: string, v: unknown): FieldValue {
	if (
		typeof v === 'string' ||
		typeof v === 'boolean' ||
		(typeof v === 'number' && Number.isFinite(v))
	)
		return v;
	if (Array.isArray(v) && v.every((t) => typeof t === 'string')) return [...(v as string[])];
	throw badRequest(`data.${name} must be a string, number, boolean or array of strings`);
}

/** `data` is required (as Altcraft documents); checked whole before anything changes. */
export function readProfileData(p: Params): ProfileData {
	const raw = p.data;
	// An empty XML element <data/> arrives as "".
	if (raw === '') return { fields: {} };
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
		throw badRequest('data is required and must be an object');
	const data: ProfileData = { fields: {} };
	for (const [name, value] of Object.entries(raw as Params)) {
		if (!FIELD_NAME.test(name)) throw badRequest(`data: "${name}" is not a field name`);
		if (NOT_IMPORTABLE.includes(name))
			throw badRequest(`data.${name} cannot be imported in the sandbox`);
		if (name === 'email' || name === 'phone') {
			if (typeof value !== 'string') throw badRequest(`data.${name} must be a string`);
			data[name] = value;
		} else data.fields[name] = fieldValue(name, value);
	}
	return data;
}

export function applyProfileData(profile: ProfileState, data: ProfileData): void {
	if (data.email !== undefined) profile.email = data.email;
	if (data.phone !== undefined) profile.phone = data.phone;
	Object.assign(profile.fields, data.fields);
}

/** A new profile holding the matching key it was looked up by; `id` is a fresh 24-hex string. */
export function newProfile(p: Params, taken: (id: string) => boolean): ProfileState {
	let id = randomBytes(12).toString('hex');
	while (taken(id)) id = randomBytes(12).toString('hex');
	const profile: ProfileState = { id, subscriptions: [], fields: {} };
	const mode = typeof p.matching === 'string' && p.matching !== '' ? p.matching : 'email';
	if (mode === 'email' || mode === 'email_profile') profile.email = String(p.email).trim();
	else if (mode === 'phone') profile.phone = String(p.phone).trim();
	else if (mode === 'custom') profile.fields[String(p.field_name)] = String(p.field_value).trim();
	return profile;
}
