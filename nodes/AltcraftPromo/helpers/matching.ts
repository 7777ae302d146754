import type { IExecuteFunctions } from 'n8n-workflow';

import { invalidParameter, readRequiredText } from './parameters';

export type MatchingMode = 'email' | 'email_profile' | 'phone' | 'profile_id' | 'custom';

/** Every body key a matching mode below can produce: read-back copies exactly these from a request. */
export const MATCHING_BODY_KEYS = [
	'matching',
	'email',
	'phone',
	'profile_id',
	'field_name',
	'field_value',
] as const;

/** Altcraft's parameters that identify one profile, e.g. `{ matching: 'email', email: '…' }`. */
export type ProfileMatching = Record<string, string> & { matching: MatchingMode };

/** One @, no spaces, and a domain with at least one dot and no empty label (`a@b`, `a@b.` and `a@.b` are typos). */
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

const PHONE_SHAPE = /^\+?[0-9 .()-]+$/;
/** E.164: a full international number has at most 15 digits. */
const MAX_PHONE_DIGITS = 15;

/**
 * Altcraft's docs show phones only as `+` and digits (`+79000000000`) and do not say that
 * matching ignores formatting, so spaces, dashes, dots and parentheses are dropped before
 * sending. No digit is added, removed or changed (a national `8 900 …` stays `8900…`).
 */
function readPhone(context: IExecuteFunctions, itemIndex: number): string {
	const phone = readRequiredText(context, itemIndex, 'phone', 'Phone');
	const digits = phone.replace(/\D/g, '');
	if (!PHONE_SHAPE.test(phone) || digits.length === 0 || digits.length > MAX_PHONE_DIGITS) {
		throw invalidParameter(
			context,
			itemIndex,
			digits.length > MAX_PHONE_DIGITS && PHONE_SHAPE.test(phone)
				? `Phone "${phone}" has ${digits.length} digits; a phone number has at most ${MAX_PHONE_DIGITS}`
				: `Phone "${phone}" may contain only digits, one leading +, spaces, dashes, dots and parentheses`,
			"Match Profile By is set to Phone; give the customer's number in international format, e.g. +79000000000 or +7 (900) 000-00-00.",
		);
	}
	return (phone.startsWith('+') ? '+' : '') + digits;
}

export function readProfileMatching(
	context: IExecuteFunctions,
	itemIndex: number,
): ProfileMatching {
	const mode = context.getNodeParameter('matching', itemIndex, 'email') as string;
	switch (mode) {
		case 'email':
		case 'email_profile': {
			const email = readRequiredText(context, itemIndex, 'email', 'Email');
			if (!EMAIL_SHAPE.test(email)) {
				throw invalidParameter(
					context,
					itemIndex,
					`Email "${email}" is not an email address`,
					"Match Profile By is set to Email; give the customer's email, e.g. name@email.com.",
				);
			}
			return { matching: mode, email };
		}
		case 'phone':
			return { matching: mode, phone: readPhone(context, itemIndex) };
		case 'profile_id':
			return {
				matching: mode,
				profile_id: readRequiredText(context, itemIndex, 'profileId', 'Profile ID'),
			};
		case 'custom':
			return {
				matching: mode,
				field_name: readRequiredText(context, itemIndex, 'fieldName', 'Field Name'),
				field_value: readRequiredText(context, itemIndex, 'fieldValue', 'Field Value'),
			};
		default:
			throw invalidParameter(context, itemIndex, `Match Profile By "${mode}" is not supported`);
	}
}
