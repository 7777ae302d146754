/**
 * Action hooks, sent the way Altcraft sends them (shared API notes §4.7): promo-code changes become events,
 * collected into batches (up to `batchSize` events, or what arrived within `flushMs` of the first one) and
 * POSTed as a JSON array to every target URL. A delivery succeeds on HTTP 200 (and, when `responseRegex`
 * is set, a body matching it), as in Altcraft's hook settings.
 *
 * The sandbox's choices where Altcraft's docs are silent (GUESS, listed in sandbox/README.md):
 * - the event_type names of promo events (HOOK_EVENT_TYPES) and their event_data fields;
 * - a failed delivery (another status, a body not matching, no answer within `timeoutMs`) is sent again,
 *   the same bytes, after 1 s, 2 s, 4 s, … (`retryDelayMs`, doubling, at most 30 s) up to `maxAttempts`
 *   times in all, then dropped;
 * - batches to one URL go one after another, each after the previous one was delivered or dropped, so a
 *   receiver sees events in the order they happened.
 */
import { createHash } from 'crypto';

/** The event_type names the sandbox sends. Equal to the Altcraft Trigger node's defaults (both GUESSES). */
export const HOOK_EVENT_TYPES = {
	attach: 'promocode_attach',
	activate: 'promocode_activate',
	detach: 'promocode_detach',
} as const;

export type PromoChangeKind = keyof typeof HOOK_EVENT_TYPES;

/** One promo-code change, as the store reports it. */
export interface PromoChange {
	kind: PromoChangeKind;
	loyaltyId: number;
	code: string;
	databaseId: number;
	profileId: string;
	/** The profile's email, when it has one (for _md5 and custom_data). */
	email?: string;
	/** RFC 3339 time of the change. */
	at: string;
}

export interface HookSettings {
	/** Where batches go; none = hooks off. */
	urls: string[];
	/** At most this many events per request. */
	batchSize: number;
	/** A batch goes out at the latest this long after its first event arrived. */
	flushMs: number;
	/** A 200 answer counts as delivered only when its body matches (empty = any body). */
	responseRegex: string;
	/** Deliveries of one batch to one URL, the first included. */
	maxAttempts: number;
	/** Wait before the second attempt; doubles for each further one (at most 30 s). */
	retryDelayMs: number;
	/** No answer within this long counts as a failed attempt. */
	timeoutMs: number;
}

export const DEFAULT_HOOK_SETTINGS: HookSettings = {
	urls: [],
	batchSize: 100,
	flushMs: 1000,
	responseRegex: '',
	maxAttempts: 5,
	retryDelayMs: 1000,
	timeoutMs: 10_000,
};

/** One attempt to deliver a batch (kept in memory, newest last; the URL without its query, which may hold a secret). */
export interface HookDelivery {
	url: string;
	events: number;
	attempt: number;
	/** HTTP status, or undefined when there was no answer. */
	status?: number;
	ok: boolean;
	error?: string;
	at: string;
}

type HookEvent = Record<string, unknown>;

const MAX_LOG = 1000;
const MAX_RETRY_DELAY_MS = 30_000;

export class HookError extends Error {}

function withoutQuery(url: string): string {
	const q = url.indexOf('?');
	return q < 0 ? url : `${url.slice(0, q)}?…`;
}

/** Validates settings given over HTTP or the CLI; unknown keys and wrong types are errors. */
export function checkHookSettings(input: unknown, base: HookSettings): HookSettings {
	if (typeof input !== 'object' || input === null || Array.isArray(input))
		throw new HookError('hook settings must be a JSON object');
	const given = input as Record<string, unknown>;
	const next = { ...base };
	for (const [key, value] of Object.entries(given)) {
		switch (key) {
			case 'urls': {
				if (!Array.isArray(value) || !value.every((u) => typeof u === 'string'))
					throw new HookError('urls must be a list of URLs');
				for (const url of value as string[]) {
					let parsed: URL;
					try {
						parsed = new URL(url);
					} catch {
						throw new HookError(`urls: "${url}" is not a URL`);
					}
					if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
						throw new HookError(`urls: "${url}" is not http(s)`);
				}
				next.urls = [...(value as string[])];
				break;
			}
			case 'responseRegex':
				if (typeof value !== 'string') throw new HookError('responseRegex must be a string');
				try {
					new RegExp(value);
				} catch (e) {
					throw new HookError(`responseRegex: ${(e as Error).message}`);
				}
				next.responseRegex = value;
				break;
			case 'batchSize':
			case 'flushMs':
			case 'maxAttempts':
			case 'retryDelayMs':
			case 'timeoutMs': {
				const min = key === 'batchSize' || key === 'maxAttempts' || key === 'timeoutMs' ? 1 : 0;
				if (typeof value !== 'number' || !Number.isInteger(value) || value < min)
					throw new HookError(`${key} must be an integer >= ${min}`);
				next[key] = value;
				break;
			}
			default:
				throw new HookError(`unknown hook setting "${key}"`);
		}
	}
	return next;
}

/** A promo change as an Altcraft action-hook event (general fields per Altcraft's message structure). */
export function hookEvent(change: PromoChange, isTest = false): HookEvent {
	const event: HookEvent = {
		event_type: HOOK_EVENT_TYPES[change.kind],
		event_date: change.at,
		profile_id: change.profileId,
		list_id: change.databaseId,
		account_id: 1,
		is_test: isTest,
	};
	if (change.email !== undefined) {
		event._md5 = createHash('md5').update(change.email.toLowerCase()).digest('hex');
		event.custom_data = { email: change.email };
	}
	event.event_data = { loyalty_id: change.loyaltyId, code: change.code };
	return event;
}

/** One target URL: its batches go out one after another. */
class Target {
	private chain: Promise<unknown> = Promise.resolve();
	pendingBatches = 0;

	constructor(readonly url: string) {}

	/** Runs `deliver` after everything queued before it; resolves with its result (undefined if it threw). */
	enqueue<T>(deliver: () => Promise<T>): Promise<T | undefined> {
		this.pendingBatches++;
		const result = this.chain
			.then(deliver)
			.catch(() => undefined) // a failed delivery must not stop the batches behind it
			.finally(() => {
				this.pendingBatches--;
			});
		this.chain = result;
		return result;
	}
}

export class HookSender {
	private current: HookSettings;
	private queue: HookEvent[] = [];
	private timer: NodeJS.Timeout | undefined;
	private readonly targets = new Map<string, Target>();
	private readonly aborts = new Set<AbortController>();
	private readonly sleeps = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
	private stopped = false;
	readonly deliveries: HookDelivery[] = [];
	/** Events recorded since start (test events included). */
	eventsRecorded = 0;

	constructor(
		settings: Partial<HookSettings> = {},
		private readonly log?: (line: string) => void,
	) {
		this.current = checkHookSettings(settings, DEFAULT_HOOK_SETTINGS);
	}

	settings(): HookSettings {
		return { ...this.current, urls: [...this.current.urls] };
	}

	/** Changes settings (validated; only the keys given). Pending events go out under the new settings. */
	configure(input: unknown): HookSettings {
		this.current = checkHookSettings(input, this.current);
		if (this.queue.length >= this.current.batchSize) this.flushNow();
		return this.settings();
	}

	/** A promo change from the store: queued when hooks are on. */
	record(change: PromoChange): void {
		if (this.stopped || this.current.urls.length === 0) return;
		this.push(hookEvent(change));
	}

	/**
	 * Sends one made-up event at once, as its own batch (marked is_test unless `isTest` is false); resolves
	 * when every URL answered or gave up.
	 */
	async sendTestEvent(change: Partial<PromoChange> = {}, isTest = true): Promise<HookDelivery[]> {
		if (this.current.urls.length === 0)
			throw new HookError('no hook URLs set (POST /__sandbox/hooks {"urls": [...]})');
		const event = hookEvent(
			{
				kind: 'attach',
				loyaltyId: 1,
				code: 'TEST-CODE',
				databaseId: 1,
				profileId: 'test-profile',
				email: 'test@example.com',
				at: new Date().toISOString(),
				...change,
			},
			isTest,
		);
		this.eventsRecorded++;
		const attempts = await Promise.all(this.send([event]));
		return attempts.flatMap((list) => list ?? []);
	}

	/** Sends what is queued now and waits until every batch so far was delivered or dropped. */
	async flush(): Promise<void> {
		this.flushNow();
		await Promise.all(
			[...this.targets.values()].map(async (t) => await t.enqueue(async () => undefined)),
		);
	}

	pending(): { queuedEvents: number; batchesInFlight: number } {
		return {
			queuedEvents: this.queue.length,
			batchesInFlight: [...this.targets.values()].reduce((n, t) => n + t.pendingBatches, 0),
		};
	}

	/** Drops queued events and cancels deliveries and waits (on sandbox stop). */
	stop(): void {
		this.stopped = true;
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		this.queue = [];
		for (const controller of this.aborts) controller.abort();
		for (const sleep of this.sleeps) {
			clearTimeout(sleep.timer);
			sleep.resolve();
		}
	}

	private push(event: HookEvent): void {
		this.eventsRecorded++;
		this.queue.push(event);
		if (this.queue.length >= this.current.batchSize) this.flushNow();
		else this.timer ??= setTimeout(() => this.flushNow(), this.current.flushMs);
	}

	private flushNow(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		while (this.queue.length > 0)
			void Promise.all(this.send(this.queue.splice(0, this.current.batchSize)));
	}

	/** Queues one batch to every URL; each promise settles with that URL's attempts once it got it or gave up (never rejects). */
	private send(events: HookEvent[]): Array<Promise<HookDelivery[] | undefined>> {
		const body = JSON.stringify(events);
		const settings = this.settings();
		return settings.urls.map((url) => {
			let target = this.targets.get(url);
			if (!target) {
				target = new Target(url);
				this.targets.set(url, target);
			}
			return target.enqueue(async () => await this.deliver(url, body, events.length, settings));
		});
	}

	private async deliver(
		url: string,
		body: string,
		count: number,
		settings: HookSettings,
	): Promise<HookDelivery[]> {
		const attempts: HookDelivery[] = [];
		const matcher = settings.responseRegex === '' ? undefined : new RegExp(settings.responseRegex);
		for (let attempt = 1; attempt <= settings.maxAttempts && !this.stopped; attempt++) {
			if (attempt > 1)
				await this.sleep(Math.min(settings.retryDelayMs * 2 ** (attempt - 2), MAX_RETRY_DELAY_MS));
			if (this.stopped) return attempts;
			const controller = new AbortController();
			this.aborts.add(controller);
			const timer = setTimeout(() => controller.abort(), settings.timeoutMs);
			const entry: HookDelivery = {
				url: withoutQuery(url),
				events: count,
				attempt,
				ok: false,
				at: new Date().toISOString(),
			};
			try {
				const response = await fetch(url, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body,
					signal: controller.signal,
				});
				const text = await response.text();
				entry.status = response.status;
				entry.ok = response.status === 200 && (!matcher || matcher.test(text));
				if (!entry.ok)
					entry.error =
						response.status === 200 ? 'body does not match responseRegex' : text.slice(0, 200);
			} catch (e) {
				entry.error = controller.signal.aborted
					? `no answer within ${settings.timeoutMs} ms`
					: (e as Error).message;
			} finally {
				clearTimeout(timer);
				this.aborts.delete(controller);
			}
			attempts.push(entry);
			this.deliveries.push(entry);
			if (this.deliveries.length > MAX_LOG)
				this.deliveries.splice(0, this.deliveries.length - MAX_LOG);
			this.log?.(
				`hook POST ${entry.url} ${count} event(s) attempt ${attempt}: ${entry.status ?? 'no answer'}${entry.ok ? '' : ` (failed${entry.error ? `: ${entry.error}` : ''})`}`,
			);
			if (entry.ok) return attempts;
		}
		return attempts;
	}

	private async sleep(ms: number): Promise<void> {
		await new Promise<void>((resolve) => {
			const sleep = {
				timer: setTimeout(() => {
					this.sleeps.delete(sleep);
					resolve();
				}, ms),
				resolve,
			};
			this.sleeps.add(sleep);
		});
	}
}

export interface ControlAnswer {
	status: number;
	body: unknown;
}

/**
 * The hook control endpoints under /__sandbox (loopback only, no auth, like the others):
 *   GET  /hooks          settings, pending counts, the last deliveries
 *   POST /hooks          change settings: {"urls": [...], "batchSize": 100, "flushMs": 1000, ...}
 *   POST /hooks/test     send one made-up event now: {"kind": "activate", "code": "X", "is_test": false, ...}
 *                        (all optional; is_test defaults to true); answers each URL's delivery
 *   POST /hooks/flush    send what is queued now and wait until everything so far is delivered or dropped
 * Undefined for any other route (the server answers 404).
 */
export function hookControl(
	sender: HookSender,
	route: string,
	input: unknown,
): Promise<ControlAnswer> | undefined {
	const view = () => ({
		ok: true,
		settings: sender.settings(),
		...sender.pending(),
		eventsRecorded: sender.eventsRecorded,
		deliveries: sender.deliveries,
	});
	const run = async (fn: () => Promise<unknown> | unknown): Promise<ControlAnswer> => {
		try {
			return { status: 200, body: await fn() };
		} catch (e) {
			if (e instanceof HookError) return { status: 400, body: { ok: false, error: e.message } };
			throw e;
		}
	};
	switch (route) {
		case 'GET /hooks':
			return run(view);
		case 'POST /hooks':
			return run(() => {
				sender.configure(input ?? {});
				return view();
			});
		case 'POST /hooks/test':
			return run(async () => {
				const { is_test: isTest, ...change } = (
					typeof input === 'object' && input !== null ? input : {}
				) as Partial<PromoChange> & { is_test?: unknown };
				if (change.kind !== undefined && !(change.kind in HOOK_EVENT_TYPES))
					throw new HookError(`kind must be one of ${Object.keys(HOOK_EVENT_TYPES).join(', ')}`);
				return { ok: true, deliveries: await sender.sendTestEvent(change, isTest !== false) };
			});
		case 'POST /hooks/flush':
			return run(async () => {
				await sender.flush();
				return view();
			});
		default:
			return undefined;
	}
}
