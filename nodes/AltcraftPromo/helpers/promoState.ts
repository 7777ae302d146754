import type { IDataObject } from 'n8n-workflow';

import type { AltcraftRequestBody, ReadAltcraft } from '../transport';
import { MATCHING_BODY_KEYS } from './matching';

/** The promo code's record as `promocodes/get` gives it (`{}` when Altcraft sends no record). */
export async function readCodeState(
	read: ReadAltcraft,
	code: string,
	loyaltyId: number,
): Promise<IDataObject> {
	const envelope = await read({ method: 'promocodes/get', body: { code, loyalty_id: loyaltyId } });
	return envelope.data && !Array.isArray(envelope.data) ? envelope.data : {};
}

/** The matching part (`matching`, `email`, ...) of an attach/detach body. */
export function profileMatchingOf(body: AltcraftRequestBody): AltcraftRequestBody {
	const matching: AltcraftRequestBody = {};
	for (const key of MATCHING_BODY_KEYS) if (body[key] !== undefined) matching[key] = body[key];
	return matching;
}

/** The profile ID in a `profiles/get` record: the docs show `id`; `_id` and `profile_id` are accepted too. */
export function profileIdOf(profile: IDataObject): string | undefined {
	const id = [profile.id, profile._id, profile.profile_id].find(
		(value) => (typeof value === 'string' && value !== '') || typeof value === 'number',
	);
	return id === undefined ? undefined : String(id);
}

/**
 * The Altcraft ID of the profile a matching key (email, phone, custom field) finds, read with
 * `profiles/get`. Throws (as any read) when the profile is not found; `undefined` when the answer
 * has no ID.
 */
export async function resolveProfileId(
	read: ReadAltcraft,
	databaseId: number,
	matching: AltcraftRequestBody,
): Promise<string | undefined> {
	if (matching.matching === 'profile_id' && typeof matching.profile_id === 'string')
		return matching.profile_id;
	const envelope = await read({ method: 'profiles/get', body: { db_id: databaseId, ...matching } });
	return profileIdOf(envelope.data && !Array.isArray(envelope.data) ? envelope.data : {});
}
