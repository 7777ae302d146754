import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	databaseIdFields,
	loyaltyIdFields,
	profileMatchingFields,
} from '../../descriptions/common.descriptions';
import { ensureProfile, readCreateProfile } from '../../helpers/createProfile';
import { readDatabaseId } from '../../helpers/databaseId';
import {
	attachKeyedFreeCode,
	attachRandomFreeCode,
	type FreeCodeItem,
} from '../../helpers/freeCodeAttach';
import { programListing } from '../../helpers/freeCodePool';
import { readProfileMatching } from '../../helpers/matching';
import { readOptionalText, readLoyaltyId } from '../../helpers/parameters';
import { resolveProfileId } from '../../helpers/promoState';
import { singleFlight } from '../../helpers/singleFlight';
import { type AltcraftRequestBody, isAltcraftRefusal } from '../../transport';
import type { ItemApi, OperationEffect, OperationOption } from '../types';

export const option: OperationOption = {
	name: 'Attach Free Code',
	value: 'attachFreeCode',
	description: 'Give a customer a free promo code of the program and output which code it is',
	action: 'Attach free code',
};

export const effect: OperationEffect = 'once';

export const properties: INodeProperties[] = [
	...loyaltyIdFields,
	...databaseIdFields,
	...profileMatchingFields,
	{
		displayName: 'Order ID (Idempotency Key)',
		name: 'idempotencyKey',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.orderId }}',
		description:
			'Gives one order exactly one code: every delivery of the same key for the same customer answers with the code the first one got, even when the shop resends it at the same moment, on another worker or after a restart. Leave empty to give a new code on every run. Use the customer (e.g. the email) as the key for one code per customer.',
	},
	{
		displayName:
			'Gives each item a code nobody holds and outputs that code. For personal codes use a program whose codes are single-use: in a program whose codes may go to several profiles, two workflows racing for one code both get it (the output then says "shared": true).',
		name: 'attachFreeCodeNotice',
		type: 'notice',
		default: '',
	},
];

interface AttachFreeCodePlan {
	loyaltyId: number;
	databaseId: number;
	matching: AltcraftRequestBody;
	/** '' = a new code on every run. */
	idempotencyKey: string;
	/** Options → Create Profile If Missing: the profile data to import first; undefined = look the customer up. */
	createProfile: AltcraftRequestBody | undefined;
}

export function prepare(this: IExecuteFunctions, itemIndex: number): AttachFreeCodePlan {
	const matching = readProfileMatching(this, itemIndex);
	return {
		loyaltyId: readLoyaltyId(this, itemIndex),
		databaseId: readDatabaseId(this, itemIndex),
		matching,
		idempotencyKey: readOptionalText(
			this,
			itemIndex,
			'idempotencyKey',
			'Order ID (Idempotency Key)',
		),
		createProfile: readCreateProfile(this, itemIndex, matching),
	};
}

/** Altcraft's documented account-level errors: those are not "no such customer". */
const ACCOUNT_ERRORS = new Set([401, 402, 403, 429]);

function describeMatching(matching: AltcraftRequestBody): string {
	const { matching: mode, ...keys } = matching;
	const shown = Object.entries(keys)
		.map(([key, value]) => `${key} "${String(value)}"`)
		.join(', ');
	return shown || String(mode);
}

/** First the customer: a profile that does not exist must not consume a code. */
async function findCustomer(plan: AttachFreeCodePlan, api: ItemApi): Promise<string> {
	const lookup = await resolveProfileId(api.read, plan.databaseId, plan.matching).then(
		(found) => ({ found }),
		(error: unknown) => ({ error }),
	);
	if ('error' in lookup) {
		const { error } = lookup;
		const code = isAltcraftRefusal(error) ? Number(error.context.altcraftError) : undefined;
		if (code === undefined || ACCOUNT_ERRORS.has(code) || code >= 500) throw error;
		throw api.error(
			`Altcraft found no customer profile for ${describeMatching(plan.matching)} in database ${plan.databaseId}`,
			`profiles/get answered: ${(error as Error).message.replace(/ \[item \d+\]$/, '')}. Nothing was attached, and an idempotency key stays unused. Check the customer's data, or create the profile first.`,
		);
	}
	const profileId = lookup.found;
	if (profileId === undefined) {
		throw api.error(
			'Altcraft found the customer profile but did not say its profile ID',
			'profiles/get answered without "id" (nor "_id" or "profile_id"), so the node cannot tell this customer from another holder of a code. Nothing was attached.',
		);
	}
	return profileId;
}

/**
 * Attach a free code and report which: Altcraft's attach without a code does not say which code it
 * gave, so the node picks one itself, attaches exactly that code, and reads it back. With an
 * idempotency key the pick is the key's own (see helpers/freeCodeAttach.ts), so a resent order gets
 * the code it already has. Collisions are detected by reading state, never by Altcraft's error texts.
 */
export async function execute(plan: AttachFreeCodePlan, api: ItemApi): Promise<IDataObject[]> {
	const { loyaltyId, databaseId, matching, idempotencyKey } = plan;
	// With Create Profile If Missing the import (add or update, keyed by the matching) names the
	// customer, and the code goes to exactly that profile; two first orders at once share it.
	const { profileId, attachMatching } = plan.createProfile
		? await ensureProfile(api, databaseId, matching, plan.createProfile)
		: { profileId: await findCustomer(plan, api), attachMatching: matching };
	const listing = await api.once(`free-codes:${loyaltyId}`, async () =>
		programListing(api.accountKey, api.read, loyaltyId),
	);
	const item: FreeCodeItem = {
		loyaltyId,
		databaseId,
		matching: attachMatching,
		profileId,
		read: api.read,
		attach: async (code) => {
			await api.call({
				method: 'promocodes/attach',
				body: { loyalty_id: loyaltyId, db_id: databaseId, ...attachMatching, code },
			});
		},
		error: api.error,
		confirmedByReadBack: api.confirmedByReadBack,
		hint: api.hint,
		signal: api.signal,
	};
	let outcome;
	if (idempotencyKey === '') {
		outcome = await attachRandomFreeCode(item, listing);
	} else {
		const walkKey = `${loyaltyId}\n${profileId}\n${idempotencyKey}`;
		const flight = await singleFlight(
			`${api.accountKey}\n${walkKey}`,
			async () => await attachKeyedFreeCode(item, listing, walkKey, api.options.replayWindowMs),
		);
		outcome = flight.joined ? { ...flight.value, replay: true } : flight.value;
	}
	const { code, state, replay } = outcome;
	// Altcraft reports the first holder: anybody else means another run got this code first.
	const shared = state.profile_id !== profileId;
	if (shared) {
		api.hint(
			'A code went to more than one customer: this loyalty program lets a code be attached to several profiles. Use a single-use program for personal codes.',
		);
	}
	return [
		{
			code,
			loyalty_id: loyaltyId,
			db_id: databaseId,
			...matching,
			profile_id: profileId,
			shared,
			replay,
			idempotency_key: idempotencyKey,
			attached: state.attached ?? '',
			expire_date: state.expire_date ?? '',
			// Kept from 0.2 for saved workflows; the router sets it to true (and adds confirmed_by) when read back.
			confirmed_by_read_back: false,
		},
	];
}
