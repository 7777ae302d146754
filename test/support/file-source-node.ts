/**
 * A test node that puts a file into the binary field of each item, as "Read/Write Files from
 * Disk" or an upload would: `json.path` is streamed from disk (so n8n's filesystem binary mode
 * never holds the file in memory), `json.file` is text (`json.encoding: 'utf16le'` writes it as
 * UTF-16 with a BOM), `json.stored` is binary data an earlier run stored (handed on without a
 * copy). `json.field` names the binary field (default `data`).
 */
import { createReadStream } from 'node:fs';

import type {
	IBinaryData,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

export const FILE_SOURCE_NODE_TYPE = 'test.fileSource';

export class FileSource implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'File Source',
		name: 'fileSource',
		group: ['transform'],
		version: 1,
		description: 'Makes a binary file from text or from a file on disk',
		defaults: { name: 'File' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const output: INodeExecutionData[] = [];
		for (const item of this.getInputData()) {
			const { file, path, encoding, field, stored } = item.json;
			const name = typeof field === 'string' ? field : 'data';
			if (stored && typeof stored === 'object') {
				// A file stored by an earlier run (its binary data reference), handed on as it is.
				output.push({ json: {}, binary: { [name]: stored as unknown as IBinaryData } });
			} else if (typeof path === 'string') {
				output.push({
					json: {},
					binary: {
						[name]: await this.helpers.prepareBinaryData(
							createReadStream(path),
							'codes.txt',
							'text/plain',
						),
					},
				});
			} else if (typeof file === 'string') {
				const bytes =
					encoding === 'utf16le'
						? Buffer.from(`\uFEFF${file}`, 'utf16le')
						: Buffer.from(file, 'utf8');
				output.push({
					json: {},
					binary: {
						[name]: await this.helpers.prepareBinaryData(bytes, 'codes.txt', 'text/plain'),
					},
				});
			} else {
				output.push({ json: {} });
			}
		}
		return [output];
	}
}
