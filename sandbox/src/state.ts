/**
 * The sandbox's model and the promo-code rules. Pure: no HTTP, no I/O.
 * Each API method takes the request parameters (JSON values, or strings from
 * XML) and returns the payload for the envelope, or throws SandboxApiError.
 * A method validates everything before it changes anything.
 */
import { SandboxApiError, badRequest, ERRORS } from './errors';
import { applyProfileData, newProfile, readProfileData } from './profileImport';
import { Params, optBool, optInt, optStr, reqInt, reqStr, intArray, strArray } from './params';
import type { PromoChange } from './hooks';
import type {
	AttachmentState,
	CodeState,
	DatabaseState,
	ProfileState,
	ProgramState,
	SandboxState,
} from './seed';
import { Clock, formatTime, normalizeTime } from './time';

/** What an API method answers: `data` plus extra top-level envelope keys (import counters, paging). */
export interface ApiResult {
	data: unknown;
	extra?: Record<string, unknown>;
}

interface Program extends Omit<ProgramState, 'codes'> {
	codes: Map<string, CodeState>;
	/** Codes in import order, and each code's index in it: attach without a code hands out the first free one. */
	order: CodeState[];
	position: Map<string, number>;
	/**
	 * No code before this index is free and unexpired, so the search for a free
	 * code starts here: attach without a code stays O(1) amortised in a program
	 * of 100,000 codes. Moved back when a code becomes free or unexpired again.
	 */
	cursor: number;
}

type ProgramSettings = Omit<Program, 'codes' | 'order' | 'position' | 'cursor'>;

interface Database {
	state: DatabaseState;
	byId: Map<string, ProfileState>;
}

type Matcher =
	| { mode: 'email' | 'email_profile'; email: string }
	| { mode: 'phone'; phone: string }
	| { mode: 'profile_id'; id: string }
	| { mode: 'custom'; field: string; value: string };

/** Matching modes the sandbox serves on attach/detach/profiles/get (the ones the promo docs list). */
export const MATCHING_MODES = ['email', 'email_profile', 'phone', 'profile_id', 'custom'] as const;

/**
 * The attachments of every free code: one shared, frozen empty list instead of one per code
 * (a program of 1,000,000 codes is then 1,000,000 fewer objects for the garbage collector to
 * trace on every major collection). Attach replaces the list, it never pushes into it.
 */
const NO_ATTACHMENTS: AttachmentState[] = Object.freeze([]) as unknown as AttachmentState[];

function digits(phone: string): string {
	return phone.replace(/\D/g, '');
}

export class SandboxStore {
	private programs = new Map<number, Program>();
	private databases = new Map<number, Database>();
	private databaseIds: number[] = [];
	/** Called after every change of state (persistence hooks in here). */
	onChange: (() => void) | undefined;
	/** Called when a code is attached, activated or detached (action hooks, hooks.ts). */
	onPromoChange: ((change: PromoChange) => void) | undefined;

	constructor(
		state: SandboxState,
		private readonly clock: Clock,
	) {
		this.load(state);
	}

	/** Replace the whole state. The store takes ownership of `state` (pass a fresh object). */
	load(state: SandboxState): void {
		this.programs.clear();
		this.databases.clear();
		for (const db of state.databases) {
			this.databases.set(db.id, { state: db, byId: new Map(db.profiles.map((p) => [p.id, p])) });
		}
		this.databaseIds = [...this.databases.keys()].sort((a, b) => a - b);
		for (const p of state.loyaltyPrograms) {
			const { codes, ...settings } = p;
			const program: Program = {
				...settings,
				codes: new Map(),
				order: [],
				position: new Map(),
				cursor: 0,
			};
			for (const c of codes) this.insertCode(program, c);
			this.programs.set(p.id, program);
		}
		this.changed();
	}

	/**
	 * The whole state in the seed/state-file form: a deep copy by default;
	 * `copy = false` shares the live objects (only for immediate serialisation).
	 */
	snapshot(copy = true): SandboxState {
		const state: SandboxState = {
			databases: this.databaseIds.map((id) => (this.databases.get(id) as Database).state),
			loyaltyPrograms: [...this.programs.values()].map((program) => ({
				...this.settings(program),
				codes: program.order,
			})),
		};
		return copy ? structuredClone(state) : state;
	}

	private settings(program: Program): ProgramSettings {
		const { codes: _c, order: _o, position: _p, cursor: _k, ...settings } = program;
		return settings;
	}

	private insertCode(program: Program, c: CodeState): void {
		program.codes.set(c.code, c);
		program.position.set(c.code, program.order.length);
		program.order.push(c);
	}

	/** `c` may be free and unexpired again: let the free-code search see it. */
	private reconsider(program: Program, c: CodeState): void {
		const i = program.position.get(c.code) as number;
		if (i < program.cursor) program.cursor = i;
	}

	private changed(): void {
		this.onChange?.();
	}

	private promoChanged(
		kind: PromoChange['kind'],
		program: Program,
		c: CodeState,
		databaseId: number,
		profileId: string,
		at: string,
	): void {
		if (!this.onPromoChange) return;
		const email = this.databases.get(databaseId)?.byId.get(profileId)?.email;
		this.onPromoChange({
			kind,
			loyaltyId: program.id,
			code: c.code,
			databaseId,
			profileId,
			email,
			at,
		});
	}

	private lastNow = '';

	private now(): string {
		const now = formatTime(this.clock());
		// A clock turned back (tests pin time) can make expired codes valid again.
		if (now < this.lastNow) for (const program of this.programs.values()) program.cursor = 0;
		this.lastNow = now;
		return now;
	}

	private isExpired(c: CodeState, now: string): boolean {
		// Both sides are normalised `YYYY-MM-DDTHH:MM:SSZ`, so string order is time order.
		return c.expireDate !== null && c.expireDate <= now;
	}

	private program(p: Params): Program {
		const id = reqInt(p, 'loyalty_id');
		const program = this.programs.get(id);
		if (!program) throw new SandboxApiError('loyaltyNotFound');
		return program;
	}

	private code(program: Program, code: string): CodeState {
		const c = program.codes.get(code);
		if (!c) throw new SandboxApiError('codeNotFound');
		return c;
	}

	private limitReached(program: Program): boolean {
		return program.codeLimit !== null && program.codes.size >= program.codeLimit;
	}

	private addCode(program: Program, code: string, now: string): CodeState {
		const c: CodeState = {
			code,
			created: now,
			attachments: NO_ATTACHMENTS,
			activated: null,
			expireDate: null,
		};
		this.insertCode(program, c);
		return c;
	}

	// ---- matching ----

	private parseMatching(p: Params): Matcher {
		const mode = optStr(p, 'matching') ?? 'email';
		switch (mode) {
			case 'email':
			case 'email_profile':
				return { mode, email: reqStr(p, 'email').trim().toLowerCase() };
			case 'phone': {
				const phone = digits(reqStr(p, 'phone'));
				if (phone === '') throw badRequest('phone must contain digits');
				return { mode, phone };
			}
			case 'profile_id':
				return { mode, id: reqStr(p, 'profile_id') };
			case 'custom': {
				const field = reqStr(p, 'field_name');
				const raw = p.field_value;
				if (typeof raw === 'number' || typeof raw === 'boolean')
					return { mode, field, value: String(raw) };
				return { mode, field, value: reqStr(p, 'field_value') };
			}
			default:
				throw badRequest(
					`unsupported matching "${mode}" (use one of ${MATCHING_MODES.join(', ')})`,
				);
		}
	}

	private matches(profile: ProfileState, m: Matcher): boolean {
		switch (m.mode) {
			case 'email_profile':
			case 'email':
				if (profile.email !== undefined && profile.email.toLowerCase() === m.email) return true;
				return (
					m.mode === 'email' &&
					profile.subscriptions.some(
						(s) => s.channel === 'email' && s.address.toLowerCase() === m.email,
					)
				);
			case 'phone':
				if (profile.phone !== undefined && digits(profile.phone) === m.phone) return true;
				return profile.subscriptions.some(
					(s) => s.channel === 'sms' && digits(s.address) === m.phone,
				);
			case 'profile_id':
				return profile.id === m.id;
			case 'custom': {
				const v = profile.fields[m.field];
				if (v === undefined) return false;
				if (Array.isArray(v)) {
					const wanted = m.value
						.split(',')
						.map((t) => t.trim())
						.filter((t) => t !== '');
					return wanted.length > 0 && wanted.every((t) => v.includes(t));
				}
				return String(v) === m.value.trim();
			}
		}
	}

	private findProfile(dbId: number, m: Matcher): ProfileState {
		const db = this.databases.get(dbId);
		if (!db) throw new SandboxApiError('databaseNotFound');
		const profile =
			m.mode === 'profile_id'
				? db.byId.get(m.id)
				: db.state.profiles.find((pr) => this.matches(pr, m));
		if (!profile) throw new SandboxApiError('profileNotFound');
		return profile;
	}

	// ---- API methods ----

	/** POST /promocodes/import */
	importCodes(p: Params): ApiResult {
		const codes = strArray(p, 'codes');
		if (codes === undefined) throw badRequest('codes is required');
		const program = this.program(p);
		const now = this.now();
		const seen = new Set<string>();
		const data: Array<{ code: string; error: number; error_text: string }> = [];
		let inserted = 0;
		let duplicated = 0;
		let discarded = 0;
		for (const code of codes) {
			if (seen.has(code) || program.codes.has(code)) {
				duplicated++;
				data.push({
					code,
					error: ERRORS.codeDuplicated.error,
					error_text: ERRORS.codeDuplicated.text,
				});
			} else if (this.limitReached(program)) {
				discarded++;
				data.push({
					code,
					error: ERRORS.codeLimitReached.error,
					error_text: ERRORS.codeLimitReached.text,
				});
			} else {
				this.addCode(program, code, now);
				inserted++;
				data.push({ code, error: 0, error_text: '' });
			}
			seen.add(code);
		}
		if (inserted > 0) this.changed();
		return { data, extra: { inserted, duplicated, discarded_by_limit: discarded } };
	}

	/** POST /promocodes/get */
	get(p: Params): ApiResult {
		const code = reqStr(p, 'code');
		const c = this.code(this.program(p), code);
		const now = this.now();
		const expired = this.isExpired(c, now);
		const first = c.attachments[0];
		const data: Record<string, unknown> = {
			created: c.created,
			is_attached: first !== undefined,
			is_activated: c.activated !== null,
			is_expired: expired,
			attached: first ? first.attached : '',
			activated: c.activated ?? '',
			expired: expired ? (c.expireDate as string) : '',
			expire_date: c.expireDate ?? '',
			loyalty_id: reqInt(p, 'loyalty_id'),
			code: c.code,
		};
		if (first) {
			data.database_id = first.databaseId;
			data.profile_id = first.profileId;
		}
		return { data };
	}

	/** POST /promocodes/activate */
	activate(p: Params): ApiResult {
		const code = reqStr(p, 'code');
		const program = this.program(p);
		const c = this.code(program, code);
		if (c.attachments.length === 0) throw new SandboxApiError('codeNotAttached');
		const now = this.now();
		if (this.isExpired(c, now)) throw new SandboxApiError('codeExpired');
		// GUESS (Altcraft's docs are silent): a second activation is refused, so two checkouts
		// redeeming one code cannot both succeed.
		if (c.activated !== null) throw new SandboxApiError('codeAlreadyActivated');
		c.activated = now;
		this.changed();
		this.promoChanged(
			'activate',
			program,
			c,
			c.attachments[0].databaseId,
			c.attachments[0].profileId,
			now,
		);
		return { data: null };
	}

	/** POST /promocodes/update */
	update(p: Params): ApiResult {
		const code = reqStr(p, 'code');
		const activated = optBool(p, 'activated');
		const rawExpire = optStr(p, 'expire_date');
		if (activated === undefined && rawExpire === undefined) {
			throw badRequest('at least one of activated, expire_date is required');
		}
		let expireDate: string | undefined;
		if (rawExpire !== undefined) {
			expireDate = normalizeTime(rawExpire);
			if (expireDate === undefined)
				throw badRequest('expire_date must be an RFC 3339 time, e.g. 2024-08-25T08:00:00Z');
		}
		const program = this.program(p);
		const c = this.code(program, code);
		if (activated === true && c.attachments.length === 0)
			throw new SandboxApiError('codeNotAttached');
		const newlyActivated = activated === true && c.activated === null;
		if (newlyActivated) c.activated = this.now();
		if (activated === false) c.activated = null;
		if (expireDate !== undefined) {
			c.expireDate = expireDate;
			this.reconsider(program, c);
		}
		this.changed();
		if (newlyActivated)
			this.promoChanged(
				'activate',
				program,
				c,
				c.attachments[0].databaseId,
				c.attachments[0].profileId,
				c.activated as string,
			);
		return { data: null };
	}

	/** POST /promocodes/attach */
	attach(p: Params): ApiResult {
		const dbId = reqInt(p, 'db_id');
		const matcher = this.parseMatching(p);
		const code = optStr(p, 'code');
		const program = this.program(p);
		const profile = this.findProfile(dbId, matcher);
		const now = this.now();
		let c: CodeState | undefined;
		if (code === undefined) {
			c = this.firstFreeCode(program, now);
			if (!c) throw new SandboxApiError('noFreeCodes');
		} else {
			c = program.codes.get(code);
			if (!c) {
				if (!program.allowNewCodes) throw new SandboxApiError('newCodesNotAllowed');
				if (this.limitReached(program)) throw new SandboxApiError('codeLimitReached');
				c = this.addCode(program, code, now);
			} else {
				if (this.isExpired(c, now)) throw new SandboxApiError('codeExpired');
				if (c.attachments.some((a) => a.databaseId === dbId && a.profileId === profile.id)) {
					throw new SandboxApiError(
						program.multiProfileCodes ? 'codeAlreadyAttachedToProfile' : 'codeAlreadyAttached',
					);
				}
				if (c.attachments.length > 0 && !program.multiProfileCodes)
					throw new SandboxApiError('codeAlreadyAttached');
			}
		}
		// A new array: free codes share the frozen NO_ATTACHMENTS.
		c.attachments = [...c.attachments, { databaseId: dbId, profileId: profile.id, attached: now }];
		this.changed();
		this.promoChanged('attach', program, c, dbId, profile.id, now);
		return { data: null };
	}

	/** The first code in import order with no holder and not expired, advancing the cursor past used ones. */
	private firstFreeCode(program: Program, now: string): CodeState | undefined {
		const order = program.order;
		for (let i = program.cursor; i < order.length; i++) {
			const c = order[i];
			if (c.attachments.length === 0 && !this.isExpired(c, now)) {
				program.cursor = i;
				return c;
			}
		}
		program.cursor = order.length;
		return undefined;
	}

	/** POST /promocodes/detach */
	detach(p: Params): ApiResult {
		const dbId = reqInt(p, 'db_id');
		const matcher = this.parseMatching(p);
		const code = optStr(p, 'code');
		if (code === undefined) throw badRequest('code is required');
		const program = this.program(p);
		const c = this.code(program, code);
		const profile = this.findProfile(dbId, matcher);
		if (c.attachments.length > 1) throw new SandboxApiError('codeAttachedToSeveral');
		const a = c.attachments[0];
		if (!a || a.databaseId !== dbId || a.profileId !== profile.id)
			throw new SandboxApiError('codeNotAttachedToProfile');
		c.attachments = NO_ATTACHMENTS;
		c.activated = null;
		this.reconsider(program, c);
		this.changed();
		this.promoChanged('detach', program, c, dbId, profile.id, this.now());
		return { data: null };
	}

	/**
	 * POST /profiles/get. The response shape follows Altcraft's "Profile data object"
	 * (flat: standard and custom fields side by side, `phones` array, `subscriptions`);
	 * the ID key `id` is the sandbox's choice (shared API notes §4.5, GUESS).
	 */
	getProfile(p: Params): ApiResult {
		const dbId = reqInt(p, 'db_id');
		const matcher = this.parseMatching(p);
		const profile = this.findProfile(dbId, matcher);
		const data: Record<string, unknown> = { id: profile.id };
		if (profile.email !== undefined) data.email = profile.email;
		data.phones = profile.phone === undefined ? [] : [profile.phone];
		for (const [k, v] of Object.entries(profile.fields)) data[k] = Array.isArray(v) ? [...v] : v;
		data.subscriptions = profile.subscriptions.map((s) =>
			s.channel === 'email'
				? { channel: 'email', email: s.address }
				: { channel: 'sms', phone: s.address },
		);
		return { data };
	}

	/**
	 * POST /profiles/import: add or update the profile the matching finds, in one synchronous step
	 * (two imports of one new key make one profile). `profile_id` only updates, as documented.
	 */
	importProfile(p: Params): ApiResult {
		const dbId = reqInt(p, 'db_id');
		const matcher = this.parseMatching(p);
		optBool(p, 'skip_triggers');
		const data = readProfileData(p);
		const db = this.databases.get(dbId);
		if (!db) throw new SandboxApiError('databaseNotFound');
		let profile =
			matcher.mode === 'profile_id'
				? db.byId.get(matcher.id)
				: db.state.profiles.find((pr) => this.matches(pr, matcher));
		if (!profile) {
			if (matcher.mode === 'profile_id') throw new SandboxApiError('profileNotFound');
			profile = newProfile(p, (id) => db.byId.has(id));
			db.state.profiles.push(profile);
			db.byId.set(profile.id, profile);
		}
		applyProfileData(profile, data);
		this.changed();
		return { data: null, extra: { profile_id: profile.id } };
	}

	/** One code by program and code (live object: callers copy it), O(1). */
	findCode(loyaltyId: number, code: string): CodeState | undefined {
		return this.programs.get(loyaltyId)?.codes.get(code);
	}

	/**
	 * POST /promocodes/export_all. `expired` (the expiry time, once passed) is the sandbox's
	 * choice: the docs' field table could not be read; `get` names the same key.
	 */
	exportAll(p: Params): ApiResult {
		const program = this.program(p);
		const now = this.now();
		const data: Array<Record<string, string>> = new Array(program.order.length);
		for (let i = 0; i < program.order.length; i++) {
			const c = program.order[i];
			const item: Record<string, string> = { code: c.code };
			if (c.attachments.length > 0) item.attached = c.attachments[0].attached;
			if (c.activated !== null) item.activated = c.activated;
			if (c.expireDate !== null && this.isExpired(c, now)) item.expired = c.expireDate;
			data[i] = item;
		}
		return { data };
	}

	/** POST /databases/list */
	listDatabases(p: Params): ApiResult {
		const fromId = optInt(p, 'from_id', 0) ?? 1;
		const limit = optInt(p, 'limit', 1) ?? 1000;
		const tags = strArray(p, 'ui_tags');
		const groups = strArray(p, 'groups');
		const groupIds = intArray(p, 'groups_id');
		const selected = this.databaseIds
			.map((id) => (this.databases.get(id) as Database).state)
			.filter(
				(db) =>
					(!tags || tags.some((t) => db.uiTags.includes(t))) &&
					(!groups || db.groups.some((g) => groups.includes(g.name))) &&
					(!groupIds || db.groups.some((g) => groupIds.includes(g.id))),
			);
		const page = selected.filter((db) => db.id >= fromId).slice(0, limit);
		const data = page.map((db) => ({
			id: db.id,
			name: db.name,
			ui_tags: [...db.uiTags],
			Groups: db.groups.map((g) => ({ Id: g.id, Name: g.name })),
		}));
		const nextFromId = page.length > 0 ? page[page.length - 1].id + 1 : fromId;
		return { data, extra: { next_from_id: nextFromId, total_count: selected.length } };
	}
}
