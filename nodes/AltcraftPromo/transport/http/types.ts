import { CANCELLED_CODE } from '../abort';
import type { AltcraftRequestBody, ApiMethod, WireFormat } from '../types';

/** One POST to Altcraft as the transport hands it to a sender: the body has no token yet. */
export interface WireRequest {
	url: string;
	method: ApiMethod;
	format: WireFormat;
	body: AltcraftRequestBody;
	timeoutMs: number;
	/** The execution's cancel signal: a request it aborts ends as a `TransportFailure` with code CANCELLED_CODE. */
	signal?: AbortSignal;
}

/** Whatever HTTP answer arrived, any status: Altcraft reports failures in the body. */
export interface WireResponse {
	statusCode: number;
	/** Header names in lower case. */
	headers: Record<string, string>;
	body: string;
}

/**
 * No HTTP answer. `sent` says whether the request may have reached Altcraft: false only when
 * it provably did not (connection refused, DNS, TLS handshake, timeout before the body was
 * written), because only then is resending an attach or an activation known to be harmless.
 */
export class TransportFailure extends Error {
	constructor(
		message: string,
		readonly sent: boolean,
		readonly timedOut: boolean,
		readonly code?: string,
	) {
		super(message);
		this.name = 'TransportFailure';
	}

	/** Ended by n8n's Stop; `sent`: the request may have reached Altcraft. */
	static stopped(sent: boolean): TransportFailure {
		return new TransportFailure('the execution was stopped', sent, false, CANCELLED_CODE);
	}

	/** No answer within the request's timeout; `sent`: the request may have reached Altcraft. */
	static noAnswerWithin(timeoutMs: number, sent: boolean): TransportFailure {
		const seconds = Math.round(timeoutMs / 100) / 10;
		return new TransportFailure(`no answer within ${seconds} s`, sent, true, 'ETIMEDOUT');
	}
}

export interface Sender {
	/** Never rejects for a network failure: that comes back as a `TransportFailure` value. */
	send(request: WireRequest): Promise<WireResponse | TransportFailure>;
	/** Closes kept-alive connections; the sender is not used afterwards. */
	close(): void;
}
