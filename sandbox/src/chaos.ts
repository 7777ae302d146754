/**
 * Random faults for long runs (the soak): every API request draws, with a seeded generator, whether it
 * gets one of the given faults (by probability) and how long it waits before being handled (a latency
 * range). Unlike the fault queue (exact counts, for tests of one case), this models a service that is
 * sometimes slow and sometimes fails, at a steady rate, and reproducibly for a given seed.
 */
import { normalizeFault, type FaultKind, type SandboxFault } from './faults';

export interface ChaosRule {
	fault: SandboxFault | FaultKind;
	/** Share of matching requests that get this fault, 0–1 (e.g. 0.02 for 2 %). */
	probability: number;
	/** Only requests to this API path, e.g. `promocodes/attach` (default: every API request). */
	path?: string;
}

export interface ChaosOptions {
	rules: ChaosRule[];
	/** Each API request waits a uniformly drawn time in [min, max] ms before it is handled. */
	latencyMs?: [number, number];
	/** Seed of the generator (default 1): the same seed gives the same sequence of draws. */
	seed?: number;
}

interface Rule {
	fault: SandboxFault;
	probability: number;
	path?: string;
}

/** mulberry32: small, fast, and good enough to spread faults evenly; seeded for reproducible runs. */
function generator(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export class Chaos {
	private rules: Rule[] = [];
	private latency: [number, number] | undefined;
	private random = generator(1);
	private readonly given = new Map<FaultKind, number>();

	/** Turns random faults on with these options, or off with undefined; the counts start again. */
	set(options: ChaosOptions | undefined): void {
		this.given.clear();
		if (!options) {
			this.rules = [];
			this.latency = undefined;
			return;
		}
		const rules = options.rules.map((rule) => {
			if (!(rule.probability >= 0 && rule.probability <= 1))
				throw new Error('probability must be from 0 to 1');
			return {
				fault: normalizeFault(rule.fault),
				probability: rule.probability,
				path: rule.path?.replace(/^\/+|\/+$/g, ''),
			};
		});
		if (rules.reduce((sum, rule) => sum + rule.probability, 0) > 1)
			throw new Error('the probabilities add up to more than 1');
		const latency = options.latencyMs;
		if (latency && !(latency[0] >= 0 && latency[1] >= latency[0]))
			throw new Error('latencyMs must be [min, max] with 0 <= min <= max');
		this.rules = rules;
		this.latency = latency;
		this.random = generator(options.seed ?? 1);
	}

	/** Milliseconds this request waits before being handled (0 when no latency is set). */
	delayMs(): number {
		if (!this.latency) return 0;
		const [min, max] = this.latency;
		return Math.round(min + (max - min) * this.random());
	}

	/** The fault this request to `routePath` gets, if any (one draw per request). */
	pick(routePath: string): SandboxFault | undefined {
		if (this.rules.length === 0) return undefined;
		let draw = this.random();
		for (const rule of this.rules) {
			if (rule.path !== undefined && !routePath.endsWith(`/${rule.path}`)) continue;
			if (draw < rule.probability) {
				this.given.set(rule.fault.kind, (this.given.get(rule.fault.kind) ?? 0) + 1);
				return rule.fault;
			}
			draw -= rule.probability;
		}
		return undefined;
	}

	/** How many requests got each fault kind since set(). */
	counts(): Partial<Record<FaultKind, number>> {
		return Object.fromEntries(this.given);
	}
}
