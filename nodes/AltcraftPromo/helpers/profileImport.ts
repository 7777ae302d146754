import type { ItemApi } from '../actions/types';
import type { AltcraftRequestBody } from '../transport';

type ItemApiLike = Pick<ItemApi, 'call' | 'error' | 'hint'>;

/** 24 hex digits, the form Altcraft's profile IDs take everywhere (docs §4.8). */
const PROFILE_ID_SHAPE = /^[0-9a-f]{24}$/i;

export interface ProfileImport {
	databaseId: number;
	matching: AltcraftRequestBody;
	data: AltcraftRequestBody;
	skipTriggers: boolean;
}

/**
 * Altcraft's documented add-or-update (`profiles/import`): the profile the matching finds is
 * updated, else created. Answers the profile's ID, which Altcraft gives top-level (`profile_id`).
 */
export async function importProfile(api: ItemApiLike, profile: ProfileImport): Promise<string> {
	const { envelope } = await api.call({
		method: 'profiles/import',
		body: {
			db_id: profile.databaseId,
			...profile.matching,
			skip_triggers: profile.skipTriggers,
			data: profile.data,
		},
	});
	const raw =
		envelope.profile_id ??
		(envelope.data && !Array.isArray(envelope.data) ? envelope.data.profile_id : undefined);
	const profileId = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : '';
	if (profileId === '') {
		throw api.error(
			'Altcraft imported the profile but did not say its profile ID',
			'profiles/import answered without "profile_id", so the node cannot tell which profile it created or updated.',
		);
	}
	if (!PROFILE_ID_SHAPE.test(profileId)) {
		api.hint(
			`Altcraft answered a profile ID that is not 24 hexadecimal digits ("${profileId}"); it is used as given.`,
		);
	}
	return profileId;
}
