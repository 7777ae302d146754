/**
 * README.md and README.ru.md describe the same node: the same operations, options and example
 * workflows, and the node's own description is the reference. A feature added to the node but
 * missing from either README (or described in one README only) fails here.
 *
 * The convention (also in CONTRIBUTING.md): each list sits in a Markdown table directly after a marker
 * comment, one row per entry, the entry's key in the row as written below.
 *   <!-- parity: operations <resource value> -->  first cell: **Operation name as n8n shows it**
 *   <!-- parity: options -->                      first cell: **Option name as n8n shows it**
 *   <!-- parity: examples -->                     any cell: `file-name.json` (a file in examples/)
 * Names stay in English in both READMEs, because n8n shows them in English.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import type { INodeProperties, INodePropertyCollection, INodePropertyOptions } from 'n8n-workflow';

import { AltcraftPromo } from '../../nodes/AltcraftPromo/AltcraftPromo.node';

const ROOT = path.resolve(__dirname, '../..');
const READMES = ['README.md', 'README.ru.md'] as const;
const { properties } = new AltcraftPromo().description;

type Option = INodePropertyOptions | INodeProperties | INodePropertyCollection;

function optionName(option: Option): string {
	return 'displayName' in option ? option.displayName : option.name;
}

/** The resources of the node, by value (`promoCode`), with the operation names n8n shows for each. */
function nodeOperations(): Map<string, string[]> {
	const resource = properties.find((property) => property.name === 'resource');
	const resourceValues = (resource?.options ?? []).map((option) =>
		String((option as INodePropertyOptions).value),
	);
	return new Map(
		resourceValues.map((value) => {
			const operation = properties.find(
				(property) =>
					property.name === 'operation' &&
					(property.displayOptions?.show?.resource ?? []).includes(value),
			);
			return [value, (operation?.options ?? []).map(optionName)];
		}),
	);
}

function nodeOptionNames(): string[] {
	const options = properties.find(
		(property) => property.name === 'options' && property.type === 'collection',
	);
	return (options?.options ?? []).map(optionName);
}

function exampleFiles(): string[] {
	return readdirSync(path.join(ROOT, 'examples')).filter((file) => file.endsWith('.json'));
}

/** The rows of the table that follows `<!-- parity: MARKER -->` (header and separator row skipped). */
function tableAfter(readme: string, text: string, marker: string): string[] {
	const lines = text.split('\n');
	const at = lines.flatMap((line, index) =>
		line.trim() === `<!-- parity: ${marker} -->` ? [index] : [],
	);
	if (at.length !== 1)
		throw new Error(
			`${readme}: expected the marker <!-- parity: ${marker} --> once, found it ${at.length} times`,
		);
	const rows: string[] = [];
	for (let index = at[0] + 1; index < lines.length && lines[index].trim().startsWith('|'); index++)
		rows.push(lines[index]);
	if (rows.length < 3)
		throw new Error(
			`${readme}: the marker <!-- parity: ${marker} --> must be followed directly by a table with rows`,
		);
	return rows.slice(2);
}

function firstCellBold(row: string): string | undefined {
	const firstCell = row.split('|')[1] ?? '';
	return /\*\*(.+?)\*\*/.exec(firstCell)?.[1].trim();
}

function exampleFile(row: string): string | undefined {
	return /`([^`]+\.json)`/.exec(row)?.[1];
}

function keys(
	readme: string,
	text: string,
	marker: string,
	key: (row: string) => string | undefined,
): string[] {
	return tableAfter(readme, text, marker).map((row) => {
		const found = key(row);
		if (found === undefined)
			throw new Error(`${readme}: a row after <!-- parity: ${marker} --> has no key: ${row}`);
		return found;
	});
}

const sorted = (list: string[]) => [...list].sort();

describe.each(READMES)('%s lists what the node has', (readme) => {
	const text = readFileSync(path.join(ROOT, readme), 'utf8');

	it('the operations of every resource, one table per resource', () => {
		const operations = nodeOperations();
		expect(operations.size).toBeGreaterThan(0);
		const markedResources = [...text.matchAll(/^<!-- parity: operations (\S+) -->$/gm)].map(
			(match) => match[1],
		);
		expect(sorted(markedResources)).toEqual(sorted([...operations.keys()]));
		for (const [resource, names] of operations) {
			expect(names.length).toBeGreaterThan(0);
			expect({
				resource,
				operations: sorted(keys(readme, text, `operations ${resource}`, firstCellBold)),
			}).toEqual({
				resource,
				operations: sorted(names),
			});
		}
	});

	it('the options', () => {
		const names = nodeOptionNames();
		expect(names.length).toBeGreaterThan(0);
		expect(sorted(keys(readme, text, 'options', firstCellBold))).toEqual(sorted(names));
	});

	it('the example workflows', () => {
		const files = exampleFiles();
		expect(files.length).toBeGreaterThan(0);
		expect(sorted(keys(readme, text, 'examples', exampleFile))).toEqual(sorted(files));
	});
});

describe('README.md and README.ru.md', () => {
	const texts = READMES.map((readme) => readFileSync(path.join(ROOT, readme), 'utf8'));

	it('list the same entries in the same order', () => {
		const lists = texts.map((text, index) => {
			const readme = READMES[index];
			const markers = [...text.matchAll(/^<!-- parity: (.+?) -->$/gm)].map((match) => match[1]);
			return markers.map((marker) => ({
				marker,
				entries: keys(readme, text, marker, marker === 'examples' ? exampleFile : firstCellBold),
			}));
		});
		expect(lists[1]).toEqual(lists[0]);
	});

	it('link to each other at the top', () => {
		const [english, russian] = texts;
		expect(english.split('\n').slice(0, 5).join('\n')).toContain('](README.ru.md)');
		expect(russian.split('\n').slice(0, 5).join('\n')).toContain('](README.md)');
	});
});
