import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { databaseIdFields, profileMatchingFields } from '../../descriptions/common.descriptions';
import { readDatabaseId } from '../../helpers/databaseId';
import { readProfileMatching } from '../../helpers/matching';
import { profileIdOf } from '../../helpers/promoState';
import type { AltcraftRequestBody } from '../../transport';
import type { ItemApi, OperationEffect, OperationOption } from '../types';

export const option: OperationOption = {
	name: 'Get',
	value: 'get',
	description: 'Get the fields of a customer profile',
	action: 'Get a profile',
};

export const effect: OperationEffect = 'none';

export const properties: INodeProperties[] = [...databaseIdFields, ...profileMatchingFields];

export function prepare(this: IExecuteFunctions, itemIndex: number): AltcraftRequestBody {
	return { db_id: readDatabaseId(this, itemIndex), ...readProfileMatching(this, itemIndex) };
}

/** Altcraft's profile record with `id` first (the docs show `id`; `_id` / `profile_id` are read too). */
export async function execute(body: AltcraftRequestBody, api: ItemApi): Promise<IDataObject[]> {
	const envelope = await api.read({ method: 'profiles/get', body });
	const data = envelope.data && !Array.isArray(envelope.data) ? envelope.data : {};
	const id = profileIdOf(data);
	return [{ id: id ?? null, ...data, ...(id === undefined ? {} : { id }) }];
}
