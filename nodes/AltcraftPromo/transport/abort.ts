/** The code a request or wait gets when the execution was stopped (n8n's Stop button). */
export const CANCELLED_CODE = 'EXECUTION_CANCELLED';

/**
 * Thrown when the execution's cancel signal fired: nothing more is sent, nothing more waited for.
 * The message says "canceled": n8n records an execution whose error says so as canceled, not failed.
 */
export class ExecutionCancelledError extends Error {
	readonly code = CANCELLED_CODE;

	constructor(message = 'The execution was canceled (Stop): nothing more was sent to Altcraft') {
		super(message);
		this.name = 'ExecutionCancelledError';
	}
}

export function throwIfCancelled(signal: AbortSignal | undefined): void {
	if (signal?.aborted) throw new ExecutionCancelledError();
}

/**
 * Waits `ms`, or until the signal fires (then it throws). n8n-workflow's own `sleepWithAbort` is
 * not in every n8n this package runs on (1.x), so this small one is used everywhere.
 */
export async function sleepUnlessCancelled(
	ms: number,
	signal: AbortSignal | undefined,
): Promise<void> {
	throwIfCancelled(signal);
	if (ms <= 0) return;
	await new Promise<void>((resolve, reject) => {
		const onAbort = () => {
			clearTimeout(timer);
			reject(new ExecutionCancelledError());
		};
		const timer = setTimeout(() => {
			signal?.removeEventListener('abort', onAbort);
			resolve();
		}, ms);
		signal?.addEventListener('abort', onAbort, { once: true });
	});
}
