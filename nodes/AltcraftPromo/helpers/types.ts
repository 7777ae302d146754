import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

export type WireFormat = 'json' | 'xml';

export type PromoEndpoint =
	| 'import'
	| 'get'
	| 'activate'
	| 'update'
	| 'attach'
	| 'detach'
	| 'export_all';

/** A value Altcraft accepts in a request body; arrays become repeated elements in XML. */
export type AltcraftParameterValue = string | number | boolean | string[];

/** Request parameters as Altcraft names them (`loyalty_id`, `db_id`, ...), without the token. */
export type AltcraftRequestBody = Record<string, AltcraftParameterValue>;

export interface AltcraftRequest {
	endpoint: PromoEndpoint;
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

/** One operation = its fields + how it maps an item to a request + how it shapes the output. */
export interface PromoOperation<TPlan = unknown> {
	description: INodeProperties[];
	prepare(this: IExecuteFunctions, itemIndex: number): PreparedCall<TPlan>;
	shapeOutput(envelope: AltcraftEnvelope, plan: TPlan): IDataObject[];
}
