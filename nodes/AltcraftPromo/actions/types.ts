import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ExecutionOptions } from '../helpers/executionOptions';
import type { AltcraftEnvelope, AltcraftRequest, CallResult } from '../transport';

/**
 * What running an operation again does to Altcraft, declared once per operation:
 * - `none`: it only reads;
 * - `repeatable`: it changes Altcraft, and running it again leaves the same state (update, import);
 * - `once`: running it again attaches, detaches or activates again. These operations get the
 *   Retry On Fail notice and hint, and say in their output how their outcome was confirmed.
 */
export type OperationEffect = 'none' | 'repeatable' | 'once';

/** The operation's row in the editor's Operation list. */
export interface OperationOption {
	name: string;
	value: string;
	description: string;
	action: string;
}

/** What an operation gets from the router for one item (or, combined, for all items at once). */
export interface ItemApi {
	/** The node's Options, read and checked once per execution. */
	options: ExecutionOptions;
	/** An opaque key of the credential's Altcraft account (for what is kept between executions). */
	accountKey: string;
	/** One request through the transport (timeouts, retries, read-back, cancellation, error mapping). */
	call(request: AltcraftRequest): Promise<CallResult>;
	/** A read: `call` without the bookkeeping. */
	read(request: AltcraftRequest): Promise<AltcraftEnvelope>;
	/** `load` runs once per execution and key; every item gets the same promise. */
	once<T>(key: string, load: () => Promise<T>): Promise<T>;
	/** A message shown once under the node's output in the editor. */
	hint(message: string): void;
	/** An error for this item that is not Altcraft's own (e.g. nothing left to attach). */
	error(message: string, description: string): Error;
	/** The operation settled its outcome by reading Altcraft back (reported like the transport's read-back). */
	confirmedByReadBack(): void;
	/** The execution's cancel signal, for the operation's own waits. */
	signal: AbortSignal | undefined;
}

/**
 * One operation = one file: its fields, how an item becomes a plan (every check happens here,
 * before anything is sent), and how the plan is carried out against Altcraft.
 */
export interface AltcraftOperation<TPlan = unknown> {
	option: OperationOption;
	effect: OperationEffect;
	/** Its fields, without display options: the resource table adds them. */
	properties: INodeProperties[];
	prepare(this: IExecuteFunctions, itemIndex: number): TPlan;
	execute(plan: TPlan, api: ItemApi): Promise<IDataObject[]>;
	/**
	 * When `applies` is true for this execution, every valid item is handed over at once and the
	 * one result is paired to all of them (e.g. one import for the codes of all items).
	 */
	combined?: {
		applies(this: IExecuteFunctions): boolean;
		execute(plans: TPlan[], api: ItemApi): Promise<IDataObject[]>;
	};
}
