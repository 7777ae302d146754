import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { AltcraftParameterValue, AltcraftRequestBody } from '../transport';
import type { ProfileMatching } from './matching';
import { describeForbiddenCharacter, invalidParameter } from './parameters';

/**
 * A field name Altcraft shows (`_fname`, `CRM_ID`) that is also an XML element name, so the same
 * import works in both wire formats: a letter or `_` first, then letters, digits and `_`. Names
 * starting with "xml" are reserved in XML.
 */
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export function checkFieldName(
	context: IExecuteFunctions,
	itemIndex: number,
	name: string,
	source: string,
): void {
	if (!FIELD_NAME.test(name) || /^xml/i.test(name)) {
		throw invalidParameter(
			context,
			itemIndex,
			`${source}: "${name}" is not a valid profile field name`,
			'Use the field\'s API name as Altcraft shows it in the database\'s fields (e.g. _fname, _lname, CRM_ID): a letter or _ first, then letters, digits and _ (at most 64), not starting with "xml".',
		);
	}
}

function checkText(
	context: IExecuteFunctions,
	itemIndex: number,
	text: string,
	where: string,
): string {
	const problem = describeForbiddenCharacter(text);
	if (problem) {
		throw invalidParameter(
			context,
			itemIndex,
			`${where} ${problem}`,
			"Remove it; Altcraft's API cannot take such characters.",
		);
	}
	return text;
}

/** A value Altcraft can store in a profile field: text, a number, true/false, or a list of texts (tags). */
function fieldValue(
	context: IExecuteFunctions,
	itemIndex: number,
	value: unknown,
	where: string,
): AltcraftParameterValue {
	if (typeof value === 'string') return checkText(context, itemIndex, value, where);
	if (typeof value === 'boolean') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	if (
		Array.isArray(value) &&
		value.every((entry) => typeof entry === 'string' || typeof entry === 'number')
	) {
		return value.map((entry) => checkText(context, itemIndex, String(entry), where));
	}
	throw invalidParameter(
		context,
		itemIndex,
		`${where} must be text, a number, true/false or a list of texts, got ${value === null ? 'null' : Array.isArray(value) ? 'a list with other values' : typeof value}`,
		'Give each profile field one value; for a tag field, a list of tags.',
	);
}

function parseJsonFields(
	context: IExecuteFunctions,
	itemIndex: number,
	raw: unknown,
	displayName: string,
): IDataObject {
	let parsed: unknown = raw;
	if (typeof raw === 'string') {
		if (raw.trim() === '') return {};
		try {
			parsed = JSON.parse(raw);
		} catch (error) {
			throw invalidParameter(
				context,
				itemIndex,
				`${displayName} is not valid JSON: ${(error as Error).message}`,
				'Give an object such as {"_fname": "Ivan", "CRM_ID": "7"}.',
			);
		}
	}
	if (parsed === undefined || parsed === null) return {};
	if (typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw invalidParameter(
			context,
			itemIndex,
			`${displayName} must be a JSON object, got ${Array.isArray(parsed) ? 'a list' : typeof parsed}`,
			'Give an object such as {"_fname": "Ivan", "CRM_ID": "7"}: field names as keys, their values as values.',
		);
	}
	return parsed as IDataObject;
}

/**
 * The profile fields of one item: the JSON object, then the name/value pairs (a pair wins over a
 * JSON key of the same name, as the more specific entry), each name and value checked.
 */
export function readProfileFields(
	context: IExecuteFunctions,
	itemIndex: number,
	sources: { pairsParameter?: string; jsonParameter: string; jsonDisplayName: string },
): AltcraftRequestBody {
	const fields: AltcraftRequestBody = {};
	const json = parseJsonFields(
		context,
		itemIndex,
		context.getNodeParameter(sources.jsonParameter, itemIndex, ''),
		sources.jsonDisplayName,
	);
	for (const [name, value] of Object.entries(json)) {
		checkFieldName(context, itemIndex, name, sources.jsonDisplayName);
		fields[name] = fieldValue(context, itemIndex, value, `${sources.jsonDisplayName} → "${name}"`);
	}
	if (sources.pairsParameter) {
		const pairs = context.getNodeParameter(sources.pairsParameter, itemIndex, {}) as {
			field?: Array<{ name?: unknown; value?: unknown }>;
		};
		for (const pair of pairs.field ?? []) {
			const name = typeof pair.name === 'string' ? pair.name.trim() : String(pair.name ?? '');
			checkFieldName(context, itemIndex, name, 'Fields');
			fields[name] = fieldValue(context, itemIndex, pair.value ?? '', `Fields → "${name}"`);
		}
	}
	return fields;
}

/**
 * The profile's `data` for an import: the given fields plus the matching key where the profile
 * keeps it (a new profile found by email must hold that email), unless a field already sets it.
 */
export function importData(
	matching: ProfileMatching,
	fields: AltcraftRequestBody,
): AltcraftRequestBody {
	const data: AltcraftRequestBody = {};
	if (matching.email !== undefined) data.email = matching.email;
	if (matching.phone !== undefined) data.phone = matching.phone;
	if (matching.matching === 'custom') data[matching.field_name] = matching.field_value;
	return { ...data, ...fields };
}
