import type { AltcraftOperation } from '../types';
import * as activate from './activate.operation';
import * as attach from './attach.operation';
import * as attachFreeCode from './attachFreeCode.operation';
import * as detach from './detach.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as getStats from './getStats.operation';
import * as importCodes from './import.operation';
import * as redeem from './redeem.operation';
import * as update from './update.operation';

/** The Promo Code resource: one row per operation (its file holds everything else). */
export const promoCodeOperations: Array<AltcraftOperation<unknown>> = [
	activate,
	attach,
	attachFreeCode,
	detach,
	get,
	getAll,
	getStats,
	importCodes,
	redeem,
	update,
];
