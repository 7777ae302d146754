import type { AltcraftRequest, ReadAltcraft, ReadBackVerdict } from '../transport';
import { profileMatchingOf, readCodeState, resolveProfileId } from './promoState';

/**
 * Decides, by reading the code back, whether a verifiable request whose answer was lost took
 * effect. Anything the state cannot prove is `unknown`, never a guess: an `applied` is reported as
 * success and a `notApplied` is resent. The transport calls this for every `verifiable` endpoint.
 */
export async function readBackVerdict(
	request: AltcraftRequest,
	read: ReadAltcraft,
): Promise<ReadBackVerdict> {
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
		// A stop while reading back also lands here; the transport checks the signal right after.
		return 'unknown';
	}
}
