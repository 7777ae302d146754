import type { IExecuteFunctions } from 'n8n-workflow';

import { invalidParameter, readRequiredText } from './parameters';

export type MatchingMode = 'email' | 'email_profile' | 'phone' | 'profile_id' | 'custom';

/** Altcraft's parameters that identify one profile, e.g. `{ matching: 'email', email: '…' }`. */
export type ProfileMatching = Record<string, string> & { matching: MatchingMode };

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;

export function readProfileMatching(context: IExecuteFunctions, itemIndex: number): ProfileMatching {
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
					'Match Profile By is set to Email; give the customer\'s email, e.g. name@email.com.',
				);
			}
			return { matching: mode, email };
		}
		case 'phone':
			return { matching: mode, phone: readRequiredText(context, itemIndex, 'phone', 'Phone') };
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
