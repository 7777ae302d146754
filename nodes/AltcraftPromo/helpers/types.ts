import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ExecutionOptions } from './executionOptions';

export type WireFormat = 'json' | 'xml';

export type PromoEndpoint =
	| 'import'
	| 'get'
	| 'activate'
	| 'update'
	| 'attach'
	| 'detach'
	| 'export_all';

/** An Altcraft API v1.1 method, i.e. the path after `/api/v1.1/`. */
export type ApiMethod = `promocodes/${PromoEndpoint}` | 'profiles/get' | 'databases/list';

/** A value Altcraft accepts in a request body; arrays become repeated elements in XML. */
export type AltcraftParameterValue = string | number | boolean | string[];

/** Request parameters as Altcraft names them (`loyalty_id`, `db_id`, ...), without the token. */
export type AltcraftRequestBody = Record<string, AltcraftParameterValue>;

export interface AltcraftRequest {
	method: ApiMethod;
	body: AltcraftRequestBody;
}

/** The envelope every Altcraft v1.1 response shares, with endpoint-specific keys beside it. */
export interface AltcraftEnvelope extends IDataObject {
	error: number;
	error_text: string;
	data: IDataObject | IDataObject[] | null;
}

/** What an operation derives from one input item before anything is sent. */
export interface PreparedCall<TPlan> {
	request: AltcraftRequest;
	/** What `shapeOutput` needs besides the response (e.g. the matching used, the limit). */
	plan: TPlan;
}

/** A successful call as the transport reports it. */
export interface CallResult {
	envelope: AltcraftEnvelope;
	attempts: number;
	/** The answer was lost, and reading the code back showed the change is in place. */
	confirmedByReadBack: boolean;
	/** A harmless request was sent again after an attempt that may have been applied. */
	resentAfterUnknownOutcome: boolean;
}

/** What an operation that needs several requests for one item gets from the router. */
export interface ItemApi {
	itemIndex: number;
	/** The node's Options, read and checked once per execution. */
	options: ExecutionOptions;
	/** An opaque key of the credential's Altcraft account (for what is kept between executions). */
	accountKey: string;
	format: WireFormat;
	/** One request through the transport (timeouts, retries, read-back, error mapping). */
	call(request: AltcraftRequest): Promise<CallResult>;
	/** `load` runs once per execution and key; every item gets the same promise. */
	once<T>(key: string, load: () => Promise<T>): Promise<T>;
	/** A message shown once under the node's output in the editor. */
	hint(message: string): void;
	/** An error for this item that is not Altcraft's own (e.g. nothing left to attach). */
	error(message: string, description: string): Error;
}

/** One operation = its fields + how it maps an item to a request + how it shapes the output. */
export interface PromoOperation<TPlan = unknown> {
	description: INodeProperties[];
	prepare(this: IExecuteFunctions, itemIndex: number): PreparedCall<TPlan>;
	/** Single-request operations: the answer → output items. */
	shapeOutput?(envelope: AltcraftEnvelope, plan: TPlan, result: CallResult): IDataObject[];
	/** Multi-request operations replace send + shapeOutput with this. */
	execute?(prepared: PreparedCall<TPlan>, api: ItemApi): Promise<IDataObject[]>;
	/**
	 * When it returns true for this execution, every valid item is handed over at once and the
	 * one result is paired to all of them (e.g. one import run for the codes of all items).
	 */
	combinesItems?(this: IExecuteFunctions): boolean;
	executeCombined?(prepared: Array<PreparedCall<TPlan>>, api: ItemApi): Promise<IDataObject[]>;
}
