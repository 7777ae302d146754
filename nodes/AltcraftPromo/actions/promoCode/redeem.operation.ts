import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import {
	databaseIdFields,
	loyaltyIdFields,
	profileMatchingFields,
	requiredCodeField,
} from '../../descriptions/common.descriptions';
import { withCodeLock } from '../../helpers/codeLock';
import { readDatabaseId } from '../../helpers/databaseId';
import { readProfileMatching, type ProfileMatching } from '../../helpers/matching';
import { invalidParameter, readLoyaltyId, readRequiredText } from '../../helpers/parameters';
import { rejectionReason, type RedeemReason, REASON_TEXTS } from '../../helpers/redeemVerdict';
import { readCodeState, resolveProfileId } from '../../helpers/promoState';
import { isAltcraftRefusal } from '../../transport';
import type { ItemApi, OperationEffect, OperationOption } from '../types';

export const option: OperationOption = {
	name: 'Redeem',
	value: 'redeem',
	description:
		'Use a promo code at checkout: activate it only if it is attached to the customer, not used and not expired',
	action: 'Redeem promo code',
};

export const effect: OperationEffect = 'once';

const [matchingField, ...matchingKeyFields] = profileMatchingFields;

export const properties: INodeProperties[] = [
	...loyaltyIdFields,
	{
		...requiredCodeField,
		description: 'The promo code the customer entered, exactly as stored in the loyalty program',
	},
	{
		...matchingField,
		displayName: 'Must Be Held By',
		default: 'any',
		description:
			'Who must hold the code for it to be redeemed: the customer at checkout (found like in Attach), or anybody it is attached to',
		options: [
			{
				name: 'Any Holder',
				value: 'any',
				description: 'Redeem the code whoever it is attached to',
			},
			...(matchingField.options ?? []),
		],
	},
	...databaseIdFields.map((field) => ({
		...field,
		displayOptions: { ...field.displayOptions, hide: { matching: ['any'] } },
	})),
	...matchingKeyFields,
	{
		displayName:
			'Outputs "redeemed": true when this run activated the code, else false and a "reason": not_found, not_attached, other_customer, already_redeemed or expired. Two checkouts of one code at the same moment: one is redeemed, the other gets already_redeemed. To give a code back (refund), use Update with Activated off.',
		name: 'redeemNotice',
		type: 'notice',
		default: '',
	},
];

interface RedeemPlan {
	code: string;
	loyaltyId: number;
	/** undefined = any holder. */
	holder: { databaseId: number; matching: ProfileMatching } | undefined;
	failWhenRejected: boolean;
}

export function prepare(this: IExecuteFunctions, itemIndex: number): RedeemPlan {
	const code = readRequiredText(this, itemIndex, 'code', 'Promo Code');
	if (/\s/.test(code)) {
		throw invalidParameter(
			this,
			itemIndex,
			`Promo Code "${code}" contains a space`,
			'A promo code is one word as stored in the loyalty program; check what the customer typed (e.g. remove spaces in the middle).',
		);
	}
	const loyaltyId = readLoyaltyId(this, itemIndex);
	const mode = this.getNodeParameter('matching', itemIndex, 'any') as string;
	const holder =
		mode === 'any'
			? undefined
			: {
					databaseId: readDatabaseId(this, itemIndex),
					matching: readProfileMatching(this, itemIndex),
				};
	const failWhenRejected: unknown = this.getNodeParameter(
		'options.failWhenRejected',
		itemIndex,
		false,
	);
	return { code, loyaltyId, holder, failWhenRejected: failWhenRejected === true };
}

/** Altcraft's documented account-level errors: those are not "no such code" or "no such customer". */
const ACCOUNT_ERRORS = new Set([401, 402, 403, 429]);

/** A refusal of a read that says "no such record" (not the account, not the server): read as absent. */
async function readOrAbsent<T>(read: () => Promise<T>): Promise<T | undefined> {
	const outcome = await read().then(
		(found) => ({ found }),
		(error: unknown) => ({ error }),
	);
	if ('found' in outcome) return outcome.found;
	const { error } = outcome;
	const code = isAltcraftRefusal(error) ? Number(error.context.altcraftError) : Number.NaN;
	// Anything but "no such record" (a lost connection, the account, the server) stays an error.
	if (Number.isNaN(code) || ACCOUNT_ERRORS.has(code) || code >= 500) throw error;
	return undefined;
}

interface Verdict {
	redeemed: boolean;
	reason: RedeemReason | null;
	state: IDataObject;
}

/**
 * Reads the code, judges it, activates it only when it may be redeemed, and decides the outcome
 * from the state read back afterwards, never from Altcraft's error texts: activated after our
 * accepted activation → redeemed; activated after a refused one → another checkout was first.
 */
async function redeemOnce(plan: RedeemPlan, api: ItemApi): Promise<Verdict> {
	const { code, loyaltyId } = plan;
	const read = async () =>
		await readOrAbsent(async () => await readCodeState(api.read, code, loyaltyId));
	const before = await read();
	if (before === undefined) return { redeemed: false, reason: 'not_found', state: {} };
	let holderId: string | undefined;
	if (plan.holder && before.is_attached === true) {
		const { databaseId, matching } = plan.holder;
		// A customer Altcraft does not know holds no code: that is "other_customer", not an error.
		holderId =
			(await readOrAbsent(async () => await resolveProfileId(api.read, databaseId, matching))) ??
			'';
	}
	const rejected = rejectionReason(before, holderId);
	if (rejected) return { redeemed: false, reason: rejected, state: before };

	const refusal = await api
		.call({ method: 'promocodes/activate', body: { code, loyalty_id: loyaltyId } })
		.then(
			() => undefined,
			(error: unknown) => {
				if (!isAltcraftRefusal(error)) throw error;
				return error;
			},
		);
	const after = (await read()) ?? {};
	if (after.is_activated === true) {
		return refusal
			? { redeemed: false, reason: 'already_redeemed', state: after }
			: { redeemed: true, reason: null, state: after };
	}
	// Not activated: the code changed meanwhile (detached, expired) or Altcraft refused for a reason the state does not show.
	const changed = rejectionReason(after, holderId);
	if (changed) return { redeemed: false, reason: changed, state: after };
	if (refusal) throw refusal;
	throw api.error(
		`Altcraft accepted the activation of promo code "${code}" but reports it as not activated`,
		`Check promo code "${code}" in loyalty program ${loyaltyId} in Altcraft.`,
	);
}

/**
 * One redemption per code at a time in this process (a lock per code); across processes Altcraft's
 * refusal of a second activation (see docs/checkout-redeem.md) leaves one winner.
 */
export async function execute(plan: RedeemPlan, api: ItemApi): Promise<IDataObject[]> {
	const verdict = await withCodeLock(
		`${api.accountKey}\n${plan.loyaltyId}\n${plan.code}`,
		async () => await redeemOnce(plan, api),
	);
	if (!verdict.redeemed && plan.failWhenRejected && verdict.reason) {
		throw api.error(
			`Promo code "${plan.code}" was not redeemed: ${REASON_TEXTS[verdict.reason]}`,
			`Reason "${verdict.reason}". Turn off Options → Fail When Rejected to get the reason as output instead.`,
		);
	}
	return [
		{
			code: plan.code,
			redeemed: verdict.redeemed,
			reason: verdict.reason,
			loyalty_id: plan.loyaltyId,
			...(plan.holder ? { db_id: plan.holder.databaseId, ...plan.holder.matching } : {}),
			state: verdict.state,
		},
	];
}
