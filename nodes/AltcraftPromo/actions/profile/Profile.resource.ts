import type { AltcraftOperation } from '../types';
import * as createOrUpdate from './createOrUpdate.operation';
import * as get from './get.operation';

/** The Profile resource: the customer an operation on promo codes is about. */
export const profileOperations: Array<AltcraftOperation<unknown>> = [createOrUpdate, get];
