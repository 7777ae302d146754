import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { databaseIdFields, loyaltyIdFields, profileMatchingFields } from '../../descriptions/common.descriptions';
import { readDatabaseId } from '../../helpers/databaseId';
import { freeCodeListing } from '../../helpers/freeCodePool';
import { readProfileMatching } from '../../helpers/matching';
import { readLoyaltyId } from '../../helpers/parameters';
import { readCodeState, resolveProfileId } from '../../helpers/promoState';
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
}

export function prepare(this: IExecuteFunctions, itemIndex: number): AttachFreeCodePlan {
	return {
		loyaltyId: readLoyaltyId(this, itemIndex),
		databaseId: readDatabaseId(this, itemIndex),
		matching: readProfileMatching(this, itemIndex),
	};
}

/** A code taken by another workflow between the list and the attach costs one more try; this bounds them. */
const MAX_TAKEN_CODES_PER_ITEM = 25;
const STALE_LIST_AFTER_TAKEN = 3;

/**
 * Attach a free code and report which: Altcraft's attach without a code does not say which code it
 * gave, so the node picks one itself (a random free code from one list per execution), attaches
 * exactly that code, and reads it back. Collisions with other executions are detected by reading
 * state, never by Altcraft's error texts, which are not documented.
 */
export async function execute(plan: AttachFreeCodePlan, api: ItemApi): Promise<IDataObject[]> {
	const { loyaltyId, databaseId, matching } = plan;
	const { read } = api;

	// First the customer: a profile that does not exist must not consume a code.
	const profileId = await resolveProfileId(read, databaseId, matching);
	if (profileId === undefined) {
		throw api.error(
			'Altcraft found the customer profile but did not say its profile ID',
			'profiles/get answered without "id" (nor "_id" or "profile_id"), so the node cannot tell this customer from another holder of a code. Nothing was attached.',
		);
	}
	const pools = await api.once(`free-codes:${loyaltyId}`, async () => freeCodeListing(api.accountKey, read, loyaltyId));

	for (let taken = 0; taken < MAX_TAKEN_CODES_PER_ITEM; ) {
		let code = (await pools.current).take();
		if (code === undefined && !pools.readHere) {
			// A list shared by another execution may be out of date: read the program before saying none is left.
			code = (await pools.reread()).take();
		}
		if (code === undefined) {
			throw api.error(
				`No free promo codes left in loyalty program ${loyaltyId}`,
				`Every code of loyalty program ${loyaltyId} is attached to a profile (or was taken by another run meanwhile); nothing was attached. Import new codes into the program, then run this item again.`,
			);
		}
		const request = {
			method: 'promocodes/attach' as const,
			body: { loyalty_id: loyaltyId, db_id: databaseId, ...matching, code },
		};
		const refusal = await api.call(request).then(
			() => undefined,
			(error: unknown) => {
				// Lost answers were already settled by the transport; only Altcraft's own refusal is looked into.
				if (!isAltcraftRefusal(error)) throw error;
				return error;
			},
		);
		if (refusal) {
			// Refused: find out by reading the code whether it was simply no longer free.
			const refusedState = await readCodeState(read, code, loyaltyId);
			if (refusedState.is_attached === true && refusedState.profile_id === profileId) {
				api.confirmedByReadBack();
			} else if (refusedState.is_attached === true || refusedState.is_expired === true) {
				taken++;
				// Several taken codes in a row from a list another execution read: it is out of date
				// (codes went out elsewhere, e.g. on another worker), so this execution reads its own.
				if (taken >= STALE_LIST_AFTER_TAKEN && !pools.readHere) await pools.reread();
				continue;
			} else {
				throw refusal;
			}
		}
		const state = await readCodeState(read, code, loyaltyId);
		if (state.is_attached !== true) {
			throw api.error(
				`Altcraft accepted the attach of promo code "${code}" but reports it as not attached`,
				`Check promo code "${code}" in loyalty program ${loyaltyId} and the customer's profile in Altcraft.`,
			);
		}
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
				attached: state.attached ?? '',
				expire_date: state.expire_date ?? '',
				// Kept from 0.2 for saved workflows; the router sets it to true (and adds confirmed_by) when read back.
				confirmed_by_read_back: false,
			},
		];
	}
	throw api.error(
		`${MAX_TAKEN_CODES_PER_ITEM} free promo codes of loyalty program ${loyaltyId} were taken by other runs first`,
		'Other workflows are attaching codes of this program at the same moment; nothing was attached to this customer. Run this item again.',
	);
}
