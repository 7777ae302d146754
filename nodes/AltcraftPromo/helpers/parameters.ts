import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { withItem } from '../transport';

/** A bad parameter: the message names the field and, as n8n's UX guidelines ask, the item. */
export function invalidParameter(
	context: IExecuteFunctions,
	itemIndex: number,
	message: string,
	description?: string,
) {
	return new NodeOperationError(context.getNode(), withItem(message, itemIndex), {
		itemIndex,
		description,
	});
}

/**
 * Altcraft IDs are whole numbers; a string counts only when it is plain digits, because
 * Number() would also read "1e3", "0x10" and "+5", and a number past 2^53 is sent rounded.
 * `raw` is the parameter's value (a resource locator's `value` already taken out).
 */
export function checkWholeId(
	context: IExecuteFunctions,
	itemIndex: number,
	raw: unknown,
	displayName: string,
	hint = `Set "${displayName}" to the numeric ID shown in Altcraft, digits only.`,
): number {
	const text = typeof raw === 'string' ? raw.trim() : undefined;
	const value = text !== undefined && /^\d+$/.test(text) ? Number(text) : raw;
	if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
		throw invalidParameter(
			context,
			itemIndex,
			`${displayName} must be a positive whole number, got ${JSON.stringify(raw ?? null)}`,
			hint,
		);
	}
	if (!Number.isSafeInteger(value)) {
		throw invalidParameter(
			context,
			itemIndex,
			`${displayName} must be a positive whole number of at most ${Number.MAX_SAFE_INTEGER}, got ${text ?? String(value)}`,
			`Set "${displayName}" to the numeric ID shown in Altcraft; a number this large would be sent rounded.`,
		);
	}
	return value;
}

export function readLoyaltyId(context: IExecuteFunctions, itemIndex: number): number {
	return checkWholeId(
		context,
		itemIndex,
		context.getNodeParameter('loyaltyId', itemIndex, undefined),
		'Loyalty Program ID',
	);
}

/** A text parameter that must not be empty; numbers from expressions are accepted as text. */
export function readRequiredText(
	context: IExecuteFunctions,
	itemIndex: number,
	name: string,
	displayName: string,
): string {
	const text = readOptionalText(context, itemIndex, name, displayName);
	if (text === '') {
		throw invalidParameter(
			context,
			itemIndex,
			`${displayName} is empty`,
			`Enter a value for "${displayName}".`,
		);
	}
	return text;
}

/**
 * Why a text cannot be sent, or undefined when it can. XML 1.0 cannot carry C0 control
 * characters, U+FFFE, U+FFFF or lone surrogates, and JSON would carry them into Altcraft as
 * invisible parts of a code or an address. Tab, line feed and carriage return are refused
 * too: every text field here is a one-line value Altcraft compares exactly (and XML turns
 * CR LF into LF). The same rule holds for both wire formats, so switching a workflow from
 * JSON to XML never starts failing on data that used to pass.
 */
export function describeForbiddenCharacter(text: string): string | undefined {
	let position = 0;
	for (const character of text) {
		position++;
		const kind = forbiddenKind(character);
		if (kind) {
			const name = `U+${(character.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
			return `contains ${kind} (${name}) at position ${position}`;
		}
	}
	return undefined;
}

function forbiddenKind(character: string): string | undefined {
	const code = character.codePointAt(0) as number;
	if (code <= 0x1f) return 'a control character';
	if (code === 0xfffe || code === 0xffff) return 'a non-character';
	// A string iterator yields a surrogate alone only when its pair is missing.
	if (code >= 0xd800 && code <= 0xdfff) return 'a broken character (lone surrogate)';
	return undefined;
}

export function readOptionalText(
	context: IExecuteFunctions,
	itemIndex: number,
	name: string,
	displayName: string,
): string {
	const raw: unknown = context.getNodeParameter(name, itemIndex, '');
	if (raw === null || raw === undefined) return '';
	if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
	if (typeof raw !== 'string') {
		throw invalidParameter(
			context,
			itemIndex,
			`${displayName} must be text, got ${Array.isArray(raw) ? 'a list' : typeof raw}`,
		);
	}
	const text = raw.trim();
	const problem = describeForbiddenCharacter(text);
	if (problem) {
		throw invalidParameter(
			context,
			itemIndex,
			`${displayName} ${problem}`,
			`Remove it from "${displayName}"; such characters are usually pasted in by accident (e.g. from a spreadsheet) and Altcraft's API cannot take them.`,
		);
	}
	return text;
}
