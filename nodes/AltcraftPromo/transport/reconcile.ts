import type { IDataObject } from 'n8n-workflow';

import type { AltcraftEnvelope, AltcraftRequest, AltcraftRequestBody } from '../helpers/types';

/** Reads without side effects, retried like any read; throws when Altcraft cannot be read. */
export type ReadAltcraft = (request: AltcraftRequest) => Promise<AltcraftEnvelope>;

/** What reading the code back says about a request whose answer was lost. */
export type Verdict = 'applied' | 'notApplied' | 'unknown';

/** The promo code's record as `promocodes/get` gives it. */
export async function readCodeState(read: ReadAltcraft, code: string, loyaltyId: number): Promise<IDataObject> {
	const envelope = await read({ method: 'promocodes/get', body: { code, loyalty_id: loyaltyId } });
	return envelope.data && !Array.isArray(envelope.data) ? envelope.data : {};
}

const PROFILE_MATCHING_KEYS = ['matching', 'email', 'phone', 'profile_id', 'field_name', 'field_value'];

/** The matching part (`matching`, `email`, ...) of an attach/detach body. */
export function profileMatchingOf(body: AltcraftRequestBody): AltcraftRequestBody {
	const matching: AltcraftRequestBody = {};
	for (const key of PROFILE_MATCHING_KEYS) if (body[key] !== undefined) matching[key] = body[key];
	return matching;
}

/**
 * The Altcraft ID of the profile a matching key (email, phone, custom field) finds, read with
 * `profiles/get`. The docs do not show the ID's key: `id` is read first, then `_id`, `profile_id`.
 * Throws (as any read) when the profile is not found; `undefined` when the answer has no ID.
 */
export async function resolveProfileId(
	read: ReadAltcraft,
	databaseId: number,
	matching: AltcraftRequestBody,
): Promise<string | undefined> {
	if (matching.matching === 'profile_id' && typeof matching.profile_id === 'string') return matching.profile_id;
	const envelope = await read({ method: 'profiles/get', body: { db_id: databaseId, ...matching } });
	const profile = envelope.data && !Array.isArray(envelope.data) ? envelope.data : {};
	const id = [profile.id, profile._id, profile.profile_id].find(
		(value) => (typeof value === 'string' && value !== '') || typeof value === 'number',
	);
	return id === undefined ? undefined : String(id);
}

/**
 * Decides, by reading the code back, whether a verifiable request (see retryPolicy) whose answer
 * was lost took effect. Anything the state cannot prove is `unknown`, never a guess: an `applied`
 * is reported as success and a `notApplied` is resent.
 */
export async function readBackVerdict(request: AltcraftRequest, read: ReadAltcraft): Promise<Verdict> {
	const { code, loyalty_id: loyaltyId } = request.body;
	if (typeof code !== 'string' || typeof loyaltyId !== 'number') return 'unknown';
	try {
		const state = await readCodeState(read, code, loyaltyId);
		switch (request.method) {
			case 'promocodes/activate':
				return state.is_activated === true ? 'applied' : 'notApplied';
			case 'promocodes/detach':
				// Still attached: resending lets Altcraft itself say whether it is this profile's code.
				return state.is_attached === true ? 'notApplied' : 'applied';
			case 'promocodes/attach': {
				if (state.is_attached !== true) return 'notApplied';
				const databaseId = request.body.db_id;
				if (typeof databaseId !== 'number') return 'unknown';
				const profileId = await resolveProfileId(read, databaseId, profileMatchingOf(request.body));
				// Attached to someone else: in a multi-profile program ours may sit behind that first
				// holder, and a resend could attach twice, so this is not decided here.
				return profileId !== undefined && state.profile_id === profileId ? 'applied' : 'unknown';
			}
			default:
				return 'unknown';
		}
	} catch {
		return 'unknown';
	}
}
