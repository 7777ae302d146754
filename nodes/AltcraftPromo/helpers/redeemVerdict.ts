import type { IDataObject } from 'n8n-workflow';

/** Why a code was not redeemed; the workflow branches on these (e.g. to answer the shop). */
export type RedeemReason =
	| 'not_found'
	| 'not_attached'
	| 'other_customer'
	| 'already_redeemed'
	| 'expired';

export const REASON_TEXTS: Record<RedeemReason, string> = {
	not_found: 'no such code in the loyalty program',
	not_attached: 'the code is not attached to any customer',
	other_customer: 'the code is attached to another customer',
	already_redeemed: 'the code was used already',
	expired: 'the code has expired',
};

/**
 * Why a code (its `promocodes/get` record) may not be redeemed, or undefined when it may.
 * `holderId` is the customer who must hold it ('' = a customer Altcraft does not know; undefined =
 * anybody). Altcraft reports a code's first holder, so in a program whose codes go to several
 * profiles only the first holder passes.
 */
export function rejectionReason(
	state: IDataObject,
	holderId: string | undefined,
): RedeemReason | undefined {
	if (state.is_attached !== true) return 'not_attached';
	if (holderId !== undefined && state.profile_id !== holderId) return 'other_customer';
	if (state.is_activated === true) return 'already_redeemed';
	if (state.is_expired === true) return 'expired';
	return undefined;
}
