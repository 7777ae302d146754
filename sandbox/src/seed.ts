/**
 * Seed format (the same shape is used for --state files) and its validation.
 * Documented in sandbox/README.md ("Seed format").
 */
import { existsSync, readFileSync } from 'fs';
import { dirname, join, resolve } from 'path';
import { formatTime, normalizeTime } from './time';

export type FieldValue = string | number | boolean | string[];

export interface SeedSubscription {
	/** `email` subscriptions are searched by matching `email`; `sms` ones by `phone`. */
	channel: 'email' | 'sms';
	address: string;
}

export interface SeedProfile {
	/** Profile ID (24 hex characters in Altcraft; any unique non-empty string is accepted). */
	id: string;
	email?: string;
	phone?: string;
	subscriptions?: SeedSubscription[];
	/** Custom database fields, e.g. `{ "CRM_ID": "1001" }`; arrays are tag fields. */
	fields?: Record<string, FieldValue>;
}

export interface SeedGroup {
	id: number;
	name: string;
}

export interface SeedDatabase {
	id: number;
	name: string;
	uiTags?: string[];
	groups?: SeedGroup[];
	profiles?: SeedProfile[];
}

export interface SeedAttachment {
	databaseId: number;
	profileId: string;
	/** Attach time (RFC 3339); defaults to the load time. */
	attached?: string;
}

export interface SeedCode {
	code: string;
	/** Creation time (RFC 3339); defaults to the load time. */
	created?: string;
	attachments?: SeedAttachment[];
	activated?: string | null;
	expireDate?: string | null;
}

export interface SeedProgram {
	id: number;
	name?: string;
	/** Whether attach may create a code that is not in the program (default true). */
	allowNewCodes?: boolean;
	/** Whether one code may be attached to several profiles (default false). */
	multiProfileCodes?: boolean;
	/** Maximum number of codes in the program; null/absent = no limit. */
	codeLimit?: number | null;
	/** A string is a free code created at load time. */
	codes?: Array<string | SeedCode>;
}

export interface SandboxSeed {
	/** Creation time for codes given as plain strings (RFC 3339); default: the load time. */
	defaultCreated?: string;
	databases?: SeedDatabase[];
	loyaltyPrograms?: SeedProgram[];
}

// ---- Fully normalised form (what getState() returns and --state files hold) ----

export interface AttachmentState {
	databaseId: number;
	profileId: string;
	attached: string;
}

export interface CodeState {
	code: string;
	created: string;
	attachments: AttachmentState[];
	activated: string | null;
	expireDate: string | null;
}

export interface ProgramState {
	id: number;
	name: string;
	allowNewCodes: boolean;
	multiProfileCodes: boolean;
	codeLimit: number | null;
	codes: CodeState[];
}

export interface ProfileState {
	id: string;
	email?: string;
	phone?: string;
	subscriptions: SeedSubscription[];
	fields: Record<string, FieldValue>;
}

export interface DatabaseState {
	id: number;
	name: string;
	uiTags: string[];
	groups: SeedGroup[];
	profiles: ProfileState[];
}

export interface SandboxState {
	databases: DatabaseState[];
	loyaltyPrograms: ProgramState[];
}

export class SeedError extends Error {}

type Obj = Record<string, unknown>;

function fail(path: string, msg: string): never {
	throw new SeedError(`seed ${path}: ${msg}`);
}

function obj(v: unknown, path: string): Obj {
	if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'must be an object');
	return v as Obj;
}

function arr(v: unknown, path: string): unknown[] {
	if (v === undefined) return [];
	if (!Array.isArray(v)) fail(path, 'must be an array');
	return v;
}

function str(v: unknown, path: string): string {
	if (typeof v !== 'string' || v === '') fail(path, 'must be a non-empty string');
	return v;
}

function optStr(v: unknown, path: string): string | undefined {
	return v === undefined ? undefined : str(v, path);
}

function int(v: unknown, path: string, min: number): number {
	if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min)
		fail(path, `must be an integer >= ${min}`);
	return v;
}

function bool(v: unknown, path: string, dflt: boolean): boolean {
	if (v === undefined) return dflt;
	if (typeof v !== 'boolean') fail(path, 'must be true or false');
	return v;
}

function time(v: unknown, path: string, dflt: string): string {
	if (v === undefined) return dflt;
	const t = typeof v === 'string' ? normalizeTime(v) : undefined;
	return t ?? fail(path, 'must be an RFC 3339 time, e.g. 2024-04-01T12:39:34Z');
}

function optTime(v: unknown, path: string): string | null {
	if (v === undefined || v === null) return null;
	return time(v, path, '');
}

const KNOWN_KEYS: Record<string, string[]> = {
	seed: ['defaultCreated', 'databases', 'loyaltyPrograms', '$comment'],
	database: ['id', 'name', 'uiTags', 'groups', 'profiles'],
	profile: ['id', 'email', 'phone', 'subscriptions', 'fields'],
	program: ['id', 'name', 'allowNewCodes', 'multiProfileCodes', 'codeLimit', 'codes'],
	code: ['code', 'created', 'attachments', 'activated', 'expireDate'],
	attachment: ['databaseId', 'profileId', 'attached'],
};

const RESERVED_FIELDS = ['id', 'email', 'phones', 'subscriptions'];

function noUnknownKeys(o: Obj, kind: string, path: string): void {
	for (const k of Object.keys(o))
		if (!KNOWN_KEYS[kind].includes(k)) fail(`${path}.${k}`, 'unknown key');
}

function fieldValue(v: unknown, path: string): FieldValue {
	if (
		typeof v === 'string' ||
		typeof v === 'boolean' ||
		(typeof v === 'number' && Number.isFinite(v))
	)
		return v;
	if (Array.isArray(v) && v.every((t) => typeof t === 'string')) return [...(v as string[])];
	return fail(path, 'must be a string, number, boolean or array of strings');
}

function normalizeProfile(raw: unknown, path: string): ProfileState {
	const p = obj(raw, path);
	noUnknownKeys(p, 'profile', path);
	const fields: Record<string, FieldValue> = {};
	if (p.fields !== undefined) {
		for (const [k, v] of Object.entries(obj(p.fields, `${path}.fields`))) {
			// profiles/get answers fields next to these keys (as Altcraft's profile data object does).
			if (RESERVED_FIELDS.includes(k))
				fail(`${path}.fields.${k}`, `is reserved (${RESERVED_FIELDS.join(', ')})`);
			fields[k] = fieldValue(v, `${path}.fields.${k}`);
		}
	}
	const profile: ProfileState = {
		id: str(p.id, `${path}.id`),
		subscriptions: arr(p.subscriptions, `${path}.subscriptions`).map((s, i) => {
			const sp = `${path}.subscriptions[${i}]`;
			const so = obj(s, sp);
			if (so.channel !== 'email' && so.channel !== 'sms')
				fail(`${sp}.channel`, 'must be "email" or "sms"');
			return { channel: so.channel, address: str(so.address, `${sp}.address`) };
		}),
		fields,
	};
	const email = optStr(p.email, `${path}.email`);
	const phone = optStr(p.phone, `${path}.phone`);
	if (email !== undefined) profile.email = email;
	if (phone !== undefined) profile.phone = phone;
	return profile;
}

function normalizeDatabase(raw: unknown, path: string): DatabaseState {
	const d = obj(raw, path);
	noUnknownKeys(d, 'database', path);
	const profiles = arr(d.profiles, `${path}.profiles`).map((p, i) =>
		normalizeProfile(p, `${path}.profiles[${i}]`),
	);
	unique(
		profiles.map((p) => p.id),
		`${path}.profiles`,
		'profile id',
	);
	return {
		id: int(d.id, `${path}.id`, 1),
		name: str(d.name, `${path}.name`),
		uiTags: arr(d.uiTags, `${path}.uiTags`).map((t, i) => str(t, `${path}.uiTags[${i}]`)),
		groups: arr(d.groups, `${path}.groups`).map((g, i) => {
			const gp = `${path}.groups[${i}]`;
			const go = obj(g, gp);
			return { id: int(go.id, `${gp}.id`, 0), name: str(go.name, `${gp}.name`) };
		}),
		profiles,
	};
}

function normalizeCode(
	raw: unknown,
	path: string,
	now: string,
	dbs: Map<number, Set<string>>,
): CodeState {
	if (typeof raw === 'string') {
		return {
			code: str(raw, path),
			created: now,
			attachments: [],
			activated: null,
			expireDate: null,
		};
	}
	const c = obj(raw, path);
	noUnknownKeys(c, 'code', path);
	const attachments = arr(c.attachments, `${path}.attachments`).map((a, i) => {
		const ap = `${path}.attachments[${i}]`;
		const ao = obj(a, ap);
		noUnknownKeys(ao, 'attachment', ap);
		const databaseId = int(ao.databaseId, `${ap}.databaseId`, 1);
		const profileId = str(ao.profileId, `${ap}.profileId`);
		if (!dbs.get(databaseId)?.has(profileId))
			fail(ap, `no profile ${profileId} in database ${databaseId}`);
		return { databaseId, profileId, attached: time(ao.attached, `${ap}.attached`, now) };
	});
	const activated = optTime(c.activated, `${path}.activated`);
	if (activated !== null && attachments.length === 0)
		fail(`${path}.activated`, 'an activated code must be attached');
	return {
		code: str(c.code, `${path}.code`),
		created: time(c.created, `${path}.created`, now),
		attachments,
		activated,
		expireDate: optTime(c.expireDate, `${path}.expireDate`),
	};
}

function normalizeProgram(
	raw: unknown,
	path: string,
	now: string,
	dbs: Map<number, Set<string>>,
): ProgramState {
	const p = obj(raw, path);
	noUnknownKeys(p, 'program', path);
	const id = int(p.id, `${path}.id`, 1);
	const codes = arr(p.codes, `${path}.codes`).map((c, i) =>
		normalizeCode(c, `${path}.codes[${i}]`, now, dbs),
	);
	unique(
		codes.map((c) => c.code),
		`${path}.codes`,
		'code',
	);
	const multiProfileCodes = bool(p.multiProfileCodes, `${path}.multiProfileCodes`, false);
	if (!multiProfileCodes) {
		const several = codes.find((c) => c.attachments.length > 1);
		if (several)
			fail(
				`${path}.codes`,
				`code ${several.code} has several attachments but multiProfileCodes is false`,
			);
	}
	const codeLimit =
		p.codeLimit === undefined || p.codeLimit === null
			? null
			: int(p.codeLimit, `${path}.codeLimit`, 0);
	if (codeLimit !== null && codes.length > codeLimit)
		fail(`${path}.codes`, `has ${codes.length} codes, more than codeLimit ${codeLimit}`);
	return {
		id,
		name: p.name === undefined ? `Loyalty program #${id}` : str(p.name, `${path}.name`),
		allowNewCodes: bool(p.allowNewCodes, `${path}.allowNewCodes`, true),
		multiProfileCodes,
		codeLimit,
		codes,
	};
}

function unique(values: Array<string | number>, path: string, what: string): void {
	const seen = new Set<string | number>();
	for (const v of values) {
		if (seen.has(v)) fail(path, `duplicate ${what} ${v}`);
		seen.add(v);
	}
}

/** Validate a seed (an unknown JSON value) and expand it to the full state form. Throws SeedError. */
export function normalizeSeed(raw: unknown, now: Date = new Date()): SandboxState {
	const s = obj(raw, '(root)');
	noUnknownKeys(s, 'seed', '(root)');
	const nowText = time(s.defaultCreated, 'defaultCreated', formatTime(now));
	const databases = arr(s.databases, 'databases').map((d, i) =>
		normalizeDatabase(d, `databases[${i}]`),
	);
	unique(
		databases.map((d) => d.id),
		'databases',
		'database id',
	);
	const dbs = new Map(databases.map((d) => [d.id, new Set(d.profiles.map((p) => p.id))]));
	const loyaltyPrograms = arr(s.loyaltyPrograms, 'loyaltyPrograms').map((p, i) =>
		normalizeProgram(p, `loyaltyPrograms[${i}]`, nowText, dbs),
	);
	unique(
		loyaltyPrograms.map((p) => p.id),
		'loyaltyPrograms',
		'loyalty program id',
	);
	return { databases, loyaltyPrograms };
}

/** Read and parse a seed JSON file (not yet validated). */
export function readSeedFile(path: string): unknown {
	const text = readFileSync(path, 'utf8');
	try {
		return JSON.parse(text) as unknown;
	} catch (e) {
		throw new SeedError(`seed file ${path} is not valid JSON: ${(e as Error).message}`);
	}
}

/** Path of the default seed shipped with the sandbox (works from src/ and from the compiled dist/). */
export function defaultSeedPath(): string {
	let dir = __dirname;
	for (let i = 0; i < 5; i++) {
		const candidate = join(dir, 'seed', 'default.json');
		if (existsSync(candidate)) return candidate;
		dir = dirname(dir);
	}
	throw new SeedError(`default seed not found above ${resolve(__dirname)}`);
}

/** Resolve a seed given as an object, a file path, or nothing (the default seed) to its raw value. */
export function loadSeedInput(seed: SandboxSeed | string | undefined): unknown {
	if (seed === undefined) return readSeedFile(defaultSeedPath());
	if (typeof seed === 'string') return readSeedFile(seed);
	return seed;
}
