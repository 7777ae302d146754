import type {
	IBinaryKeyData,
	IDataObject,
	INodeExecutionData,
	IPairedItemData,
} from 'n8n-workflow';

/**
 * Files an operation puts beside an output item's JSON (Import's generated codes and failed
 * codes). Operations return JSON objects; the files ride on them under a symbol, which no
 * expression, spread or JSON serialisation sees, and the router moves them to `binary`.
 */
const OUTPUT_BINARY = Symbol('altcraftOutputBinary');

type WithBinary = IDataObject & { [OUTPUT_BINARY]?: IBinaryKeyData };

export function withBinary(json: IDataObject, binary: IBinaryKeyData): IDataObject {
	if (Object.keys(binary).length > 0) (json as WithBinary)[OUTPUT_BINARY] = binary;
	return json;
}

/** The n8n output item for an operation's JSON, with its files when it has any. */
export function outputItem(
	json: IDataObject,
	pairedItem: IPairedItemData | IPairedItemData[],
): INodeExecutionData {
	const binary = (json as WithBinary)[OUTPUT_BINARY];
	if (!binary) return { json, pairedItem };
	delete (json as WithBinary)[OUTPUT_BINARY];
	return { json, binary, pairedItem };
}
