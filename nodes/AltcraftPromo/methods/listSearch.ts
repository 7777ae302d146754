import type {
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { createLookupClient, TransportFailure } from '../transport';
import {
	type AltcraftDatabase,
	describeNoAnswer,
	judgeDatabasesList,
	LOOKUP_TIMEOUT_MS,
} from './databasesList';

/** Databases asked for per request; the editor asks for the next page when the user scrolls. */
export const PAGE_SIZE = 100;

/**
 * Altcraft cannot search by name, so a search reads pages until something matches, but at most
 * this many per call: the user scrolls for more instead of waiting on a huge account.
 */
export const MAX_PAGES_PER_SEARCH = 10;

function matches(database: AltcraftDatabase, query: string): boolean {
	return database.name.toLowerCase().includes(query) || String(database.id) === query;
}

function toItem(database: AltcraftDatabase): INodeListSearchItems {
	return { name: `${database.name} (ID ${database.id})`, value: String(database.id) };
}

/**
 * n8n's error constructor replaces any message that mentions ECONNREFUSED, ENOTFOUND and the like
 * with a generic sentence ("perhaps it is offline"), so the specific message is set afterwards.
 */
function lookupError(context: ILoadOptionsFunctions, message: string): NodeOperationError {
	const error = new NodeOperationError(context.getNode(), 'Altcraft database list failed');
	error.message = message;
	return error;
}

/**
 * "Database → From List": Altcraft's `databases/list`, paged with `from_id` / `next_from_id`,
 * searchable by name or ID. Requests go through n8n's authenticated helper, so the credential's
 * `authenticate` adds the token and n8n's proxy settings apply, as for the node's own calls.
 */
export async function searchDatabases(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const client = await createLookupClient(this);
	if ('problem' in client) throw lookupError(this, client.problem);
	const { origin, token: secret } = client.credentials;
	const query = (filter ?? '').trim().toLowerCase();
	const startId = Number(paginationToken);
	let fromId = Number.isSafeInteger(startId) && startId > 0 ? startId : 1;
	const results: INodeListSearchItems[] = [];

	for (let page = 0; page < MAX_PAGES_PER_SEARCH; page++) {
		const response = await client.send(
			'databases/list',
			{ from_id: fromId, limit: PAGE_SIZE },
			LOOKUP_TIMEOUT_MS,
		);
		if (response instanceof TransportFailure)
			throw lookupError(this, describeNoAnswer(response, origin, secret));
		const outcome = await judgeDatabasesList(
			{
				statusCode: response.statusCode,
				contentType: response.headers['content-type'] ?? '',
				body: response.body,
			},
			origin,
			secret,
		);
		if (!outcome.ok) throw lookupError(this, outcome.message);

		const { databases } = outcome;
		results.push(
			...databases.filter((database) => query === '' || matches(database, query)).map(toItem),
		);
		const lastId = databases.length > 0 ? databases[databases.length - 1].id : fromId;
		const nextFromId =
			outcome.nextFromId !== undefined && outcome.nextFromId > fromId
				? outcome.nextFromId
				: lastId + 1;
		// A short page is the last one: Altcraft reports a next_from_id even then.
		if (databases.length < PAGE_SIZE) return { results };
		fromId = nextFromId;
		if (query === '' || results.length > 0) break;
	}
	return { results, paginationToken: String(fromId) };
}
