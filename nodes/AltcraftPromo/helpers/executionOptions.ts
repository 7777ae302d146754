import type { IExecuteFunctions } from 'n8n-workflow';

import {
	DEFAULT_CHUNK_SIZE,
	DEFAULT_CONCURRENCY,
	DEFAULT_MAX_RETRIES,
	DEFAULT_REPLAY_WINDOW_HOURS,
	DEFAULT_TIMEOUT_MS,
} from '../descriptions/options.descriptions';
import type { WireFormat } from '../transport';
import { invalidParameter } from './parameters';

/** Options that shape the whole execution; read once, from the first item, like n8n's batching. */
export interface ExecutionOptions {
	timeoutMs: number;
	maxRetries: number;
	concurrency: number;
	/** Items per batch and pause between batches; `undefined` = no batching. */
	batching: { size: number; intervalMs: number } | undefined;
	chunkSize: number;
	/** Wire Format, like every option read from the first item: one execution speaks one format. */
	format: WireFormat;
	/** How far back Attach Free Code looks for a code an idempotency key already got. */
	replayWindowMs: number;
}

function readWireFormat(context: IExecuteFunctions): WireFormat {
	const format: unknown = context.getNodeParameter('options.format', 0, 'json');
	if (format !== 'json' && format !== 'xml') {
		throw invalidParameter(
			context,
			0,
			`Wire Format must be "json" or "xml", got ${JSON.stringify(format)}`,
		);
	}
	return format;
}

function readWholeNumber(
	context: IExecuteFunctions,
	name: string,
	displayName: string,
	fallback: number,
	minimum: number,
): number {
	const raw: unknown = context.getNodeParameter(`options.${name}`, 0, fallback);
	const value = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : raw;
	if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum) {
		throw invalidParameter(
			context,
			0,
			`"${displayName}" must be a whole number of at least ${minimum}, got ${JSON.stringify(raw)}`,
			`Set "${displayName}" under Options to a whole number.`,
		);
	}
	return value;
}

export function readExecutionOptions(context: IExecuteFunctions): ExecutionOptions {
	const batchingOption = context.getNodeParameter('options.batching', 0, {}) as {
		batch?: { batchSize?: unknown; batchInterval?: unknown };
	};
	const batch = batchingOption.batch;
	let batching: ExecutionOptions['batching'];
	if (batch && (batch.batchSize !== undefined || batch.batchInterval !== undefined)) {
		batching = {
			size: readWholeNumber(context, 'batching.batch.batchSize', 'Items per Batch', 50, 1),
			intervalMs: readWholeNumber(
				context,
				'batching.batch.batchInterval',
				'Batch Interval (Ms)',
				1000,
				0,
			),
		};
	}
	return {
		timeoutMs: readWholeNumber(context, 'timeout', 'Timeout (Ms)', DEFAULT_TIMEOUT_MS, 1),
		maxRetries: readWholeNumber(context, 'maxRetries', 'Max Retries', DEFAULT_MAX_RETRIES, 0),
		concurrency: readWholeNumber(context, 'concurrency', 'Concurrency', DEFAULT_CONCURRENCY, 1),
		batching,
		chunkSize: readWholeNumber(context, 'chunkSize', 'Codes per Request', DEFAULT_CHUNK_SIZE, 1),
		format: readWireFormat(context),
		replayWindowMs:
			readWholeNumber(
				context,
				'replayWindowHours',
				'Replay Window (Hours)',
				DEFAULT_REPLAY_WINDOW_HOURS,
				1,
			) * 3_600_000,
	};
}
