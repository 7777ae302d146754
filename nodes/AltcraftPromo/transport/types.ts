import type { IDataObject } from 'n8n-workflow';

import type { ApiMethod } from './endpoints';

export type { ApiMethod } from './endpoints';

export type WireFormat = 'json' | 'xml';

/** A value Altcraft accepts in a request body; arrays become repeated elements in XML, objects nest. */
export type AltcraftParameterValue = string | number | boolean | string[] | AltcraftRequestBody;

/** Request parameters as Altcraft names them (`loyalty_id`, `db_id`, ...), without the token. */
export interface AltcraftRequestBody {
	[key: string]: AltcraftParameterValue;
}

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

/** A successful call as the transport reports it. */
export interface CallResult {
	envelope: AltcraftEnvelope;
	/** The answer was lost, and reading the code back showed the change is in place. */
	confirmedByReadBack: boolean;
	/** A harmless request was sent again after an attempt that may have been applied (e.g. an import chunk). */
	resentAfterUnknownOutcome: boolean;
}

/** Reads without side effects, retried like any read; throws when Altcraft cannot be read. */
export type ReadAltcraft = (request: AltcraftRequest) => Promise<AltcraftEnvelope>;

/** What reading state back says about a request whose answer was lost. */
export type ReadBackVerdict = 'applied' | 'notApplied' | 'unknown';

/**
 * Decides by reading Altcraft whether a `verifiable` request (see endpoints.ts) whose answer was
 * lost took effect. The domain reads live with the operations (helpers/readBack.ts); the transport
 * only decides when to ask.
 */
export type ReadBack = (request: AltcraftRequest, read: ReadAltcraft) => Promise<ReadBackVerdict>;
