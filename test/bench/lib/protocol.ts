/** Messages between the bench orchestrator and its child processes (node IPC). */

export type LinkName = '0 ms' | '20 ms';
export type ClientKind = 'raw' | 'node' | 'httpRequestNode';
export type Operation = 'get' | 'attach' | 'import';
export type Format = 'json' | 'xml';

export interface Scenario {
	id: string;
	client: ClientKind;
	operation: Operation;
	/** Items (get, attach) or codes (import, all in one input item). */
	count: number;
	/** raw: requests in flight; node: options.concurrency (undefined = the node's default). */
	concurrency?: number;
	/** import: codes per request (raw client; the node gets options.chunkSize only when set). */
	chunkSize?: number;
	format: Format;
	link: LinkName;
	/** Measured passes in the same process; the row shows the median pass. */
	passes: number;
}

/** What a scenario child needs to know to run. */
export interface ScenarioJob {
	scenario: Scenario;
	/** Measured requests go here (the sandbox, or the latency proxy in front of it). */
	baseUrl: string;
	/** Warm-up requests go straight to the sandbox, so they never cost link time. */
	warmupBaseUrl: string;
	token: string;
	/** Prefix that keeps this run's attach/import codes apart from every other run's. */
	runTag: string;
	/** Features of the built node (see nodeFeatures), so a child knows which options it may set. */
	features: NodeFeatures;
}

export interface NodeFeatures {
	concurrency: boolean;
	chunkSize: boolean;
	importMode: boolean;
	/** The node's defaultVersion, used as the workflow node's typeVersion. */
	defaultVersion: number;
}

export interface ConnectionStats {
	connections: number;
	peakConcurrent: number;
}

export interface PassResult {
	ms: number;
	/** Items (or codes) that came back as successes. */
	ok: number;
	failures: number;
}

export interface ScenarioResult extends PassResult {
	/** Every pass's time, in run order (`ms` is their median). */
	passMs: number[];
	/** Connections opened during the median pass. */
	connections: ConnectionStats;
	/** process.resourceUsage().maxRSS of the child, in MB (includes module loading and warm-up). */
	maxRssMb: number;
	/** e.g. the HTTP Request node's version. */
	note?: string;
}

export type ChildToParent =
	| { type: 'warmed' }
	| { type: 'pass'; result: PassResult }
	| { type: 'done'; maxRssMb: number; note?: string }
	| { type: 'failed'; message: string };

/** `go` starts one measured pass (counters were zeroed and the sandbox reset just before). */
export type ParentToChild =
	| { type: 'job'; job: ScenarioJob }
	| { type: 'go'; pass: number }
	| { type: 'finish' };

export type SandboxRequest =
	| { type: 'reset'; id: number }
	| { type: 'stats'; id: number; reset: boolean };
export type SandboxReply =
	| { type: 'ready'; port: number; token: string }
	| { type: 'reply'; id: number; stats?: ConnectionStats };
